package api

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/records"
	"pelqim/functions/consent/requests"

	"github.com/aws/aws-lambda-go/events"
)

// OriginSecretHeader carries the secret CloudFront adds to every request it
// sends to the Function URL (an origin custom header; the URL itself is
// public, AuthType NONE).
const OriginSecretHeader = "X-Origin-Verify"

// FromFunctionURL converts a Lambda Function URL event. Behind CloudFront
// the event's source IP is the edge's, so the visitor's comes from the
// CloudFront-Viewer-Address header the distribution forwards; only
// FunctionURLHandler's origin check makes that header trustworthy.
func FromFunctionURL(ev events.LambdaFunctionURLRequest) (httpapi.Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return httpapi.Request{}, fmt.Errorf("decode base64 body: %w", err)
		}
	}
	header := make(http.Header, len(ev.Headers))
	for k, v := range ev.Headers {
		header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	client := ev.RequestContext.HTTP.SourceIP
	if v, ok := header["Cloudfront-Viewer-Address"]; ok {
		client = viewerIP(v[0])
	}
	return httpapi.Request{
		Method:     ev.RequestContext.HTTP.Method,
		Path:       ev.RawPath,
		RawQuery:   ev.RawQueryString,
		Header:     header,
		Body:       body,
		ClientAddr: client,
	}, nil
}

// ToFunctionURL converts a response for the Lambda Function URL.
func ToFunctionURL(resp httpapi.Response) events.LambdaFunctionURLResponse {
	header := make(map[string]string, len(resp.Header))
	for k, v := range resp.Header {
		header[k] = strings.Join(v, ", ")
	}
	return events.LambdaFunctionURLResponse{StatusCode: resp.Status, Headers: header, Body: string(resp.Body)}
}

// FunctionURLFunc is a Lambda Function URL handler, as lambda.Start takes it.
type FunctionURLFunc = func(context.Context, events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error)

// FunctionURLHandler is h as a Lambda Function URL handler for lambda.Start.
// The Function URL is public, so a request counts only when it carries
// X-Origin-Verify equal to originSecret, which CloudFront adds and no
// visitor knows: anything else gets 403 before h sees it (nothing is
// stored, and a forged CloudFront-Viewer-Address is never read). An empty
// originSecret refuses every request.
func FunctionURLHandler(h *Handler, originSecret string) FunctionURLFunc {
	return func(ctx context.Context, ev events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
		if !fromCloudFront(ev.Headers, originSecret) {
			cmp.Or(h.log, slog.Default()).WarnContext(ctx, "refused a request without the origin secret (not through CloudFront, or the secret was rotated without a redeploy)",
				"method", ev.RequestContext.HTTP.Method, "path", ev.RawPath)
			return ToFunctionURL(httpapi.Error(http.StatusForbidden, "forbidden", "requests must come through the site")), nil
		}
		req, err := FromFunctionURL(ev)
		if err != nil {
			return ToFunctionURL(httpapi.Error(http.StatusBadRequest, "invalid_body", "the body is not valid base64")), nil
		}
		return ToFunctionURL(h.Serve(ctx, req)), nil
	}
}

// fromCloudFront reports whether the event carries the origin secret. The
// comparison takes the same time wherever the first wrong byte is, so the
// answer's timing does not spell the secret out.
func fromCloudFront(headers map[string]string, secret string) bool {
	if secret == "" {
		return false
	}
	// Function URL events name headers in lower case.
	got, ok := headers[strings.ToLower(OriginSecretHeader)]
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(secret)) == 1
}

// HTTPHandler is h as a net/http handler, mounted at /api/ by `cmd/site
// serve`. The client address is the connection's.
func HTTPHandler(h *Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One byte over the larger limit is enough for Serve to answer 413.
		body, err := io.ReadAll(io.LimitReader(r.Body, max(records.MaxBody, requests.MaxBody)+1))
		resp := httpapi.Error(http.StatusBadRequest, "invalid_body", "the body could not be read")
		if err == nil {
			resp = h.Serve(r.Context(), httpapi.Request{
				Method:     r.Method,
				Path:       r.URL.EscapedPath(),
				RawQuery:   r.URL.RawQuery,
				Header:     r.Header,
				Body:       body,
				ClientAddr: r.RemoteAddr,
			})
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.Status)
		w.Write(resp.Body)
	})
}

// viewerIP reads CloudFront-Viewer-Address, always "IP:port": "ipv4:port",
// and IPv6 usually unbracketed ("2001:db8::1:443", the port after the last
// colon), bracketed ("[2001:db8::1]:443") accepted too.
func viewerIP(header string) string {
	header = strings.TrimSpace(header)
	if ap, err := netip.ParseAddrPort(header); err == nil {
		return ap.Addr().String()
	}
	i := strings.LastIndexByte(header, ':')
	if i < 0 || !isPort(header[i+1:]) {
		return ""
	}
	ip, err := netip.ParseAddr(header[:i])
	if err != nil || !ip.Is6() {
		return ""
	}
	return ip.String()
}

func isPort(s string) bool {
	if len(s) == 0 || len(s) > 5 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
