package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// FromFunctionURL converts a Lambda Function URL event. Behind CloudFront
// the event's source IP is the edge's, so the visitor's comes from the
// CloudFront-Viewer-Address header the distribution forwards.
func FromFunctionURL(ev events.LambdaFunctionURLRequest) (Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return Request{}, fmt.Errorf("decode base64 body: %w", err)
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
	return Request{
		Method:     ev.RequestContext.HTTP.Method,
		Path:       ev.RawPath,
		RawQuery:   ev.RawQueryString,
		Header:     header,
		Body:       body,
		ClientAddr: client,
	}, nil
}

// ToFunctionURL converts a response for the Lambda Function URL.
func ToFunctionURL(resp Response) events.LambdaFunctionURLResponse {
	header := make(map[string]string, len(resp.Header))
	for k, v := range resp.Header {
		header[k] = strings.Join(v, ", ")
	}
	return events.LambdaFunctionURLResponse{StatusCode: resp.Status, Headers: header, Body: string(resp.Body)}
}

// FunctionURLHandler is h as a Lambda Function URL handler for lambda.Start.
func FunctionURLHandler(h *Handler) func(context.Context, events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	return func(ctx context.Context, ev events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
		req, err := FromFunctionURL(ev)
		if err != nil {
			return ToFunctionURL(errorResponse(http.StatusBadRequest, "invalid_body", "the body is not valid base64")), nil
		}
		return ToFunctionURL(h.Serve(ctx, req)), nil
	}
}

// HTTPHandler is h as a net/http handler, mounted at /api/ by `cmd/site
// serve`. The client address is the connection's.
func HTTPHandler(h *Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One byte over the limit is enough for Serve to answer 413.
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
		resp := errorResponse(http.StatusBadRequest, "invalid_body", "the body could not be read")
		if err == nil {
			resp = h.Serve(r.Context(), Request{
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
