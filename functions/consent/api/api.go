// Package api is the consent function's HTTP API as a plain function of a
// request: Handler.Serve. Thin adapters run it as a Lambda Function URL
// handler (FunctionURLHandler) and under net/http (HTTPHandler), so the
// Lambda and `cmd/site serve` share one code path.
package api

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"pelqim/functions/consent/mail"
	"pelqim/functions/consent/store"

	"github.com/go-json-experiment/json"
)

// MaxBody is the largest consent event accepted (413 above).
const MaxBody = 4 << 10

// MaxRequestBody is the largest data request accepted (413 above): its
// details may hold MaxDetails characters of up to 4 UTF-8 bytes each, which
// a form percent-encodes as 3 bytes apiece (2,000 of Serbian's "š" alone
// are 12 KB).
const MaxRequestBody = 32 << 10

// DefaultTimeout is the budget of one request's store and mail calls. The
// Lambda's own timeout must be longer (infra/template.yaml, checked by its
// tests): when the budget runs out, the function still answers 503 with
// Retry-After, instead of Lambda killing it mid-request.
const DefaultTimeout = 5 * time.Second

// DefaultRetention is how long consent records are kept when RETENTION_DAYS
// is unset: 3 years, as the privacy policy states.
const DefaultRetention = 1095 * 24 * time.Hour

// Request is an HTTP request, independent of how it arrived.
type Request struct {
	Method, Path, RawQuery string // Path as sent, still escaped
	Header                 http.Header
	Body                   []byte
	ClientAddr             string // the visitor's IP, with or without a port
}

// Response is what Serve answers.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Handler serves the API. Only Store and Origin are required.
type Handler struct {
	Store     store.Store
	Origin    string           // the site's origin; POSTs must carry it
	Retention time.Duration    // record TTL; default DefaultRetention
	Now       func() time.Time // default time.Now
	Timeout   time.Duration    // budget for one request's store and mail calls; default DefaultTimeout
	Log       *slog.Logger     // default slog.Default()

	// Data requests (issue 4; see requests.go). The Lambda's main
	// package and local.FromEnv set them.
	Requests     store.Requests // usually the same store as Store
	Mail         mail.Sender    // confirmation emails
	Sender       string         // their From address
	RequestLimit int            // per client network and per email per RateWindow; default DefaultRequestLimit
	// RequestRetentionDays is how long a closed request is kept; default
	// store.DefaultRequestRetentionDays. Each request records the value
	// it was received under, which the staff's tool applies on closing.
	RequestRetentionDays int
}

// endpoint answers one route; params are the values of its {…} segments.
type endpoint func(h *Handler, ctx context.Context, req Request, params []string) Response

type route struct {
	pattern string // segments; "{name}" matches any one non-empty segment
	methods map[string]endpoint
}

// routes is the whole API: a new endpoint is one more line.
var routes = []route{
	{ConsentPath, map[string]endpoint{http.MethodPost: (*Handler).postConsent}},
	{ConsentPath + "/{id}", map[string]endpoint{http.MethodGet: (*Handler).getConsent}},
	{RequestsPath, map[string]endpoint{http.MethodPost: (*Handler).postRequest}},
	{RequestsPath + "/received", map[string]endpoint{http.MethodGet: (*Handler).getReceived}},
	{RequestsPath + "/verify", map[string]endpoint{http.MethodGet: (*Handler).getVerify, http.MethodPost: (*Handler).postVerify}},
}

// Serve answers req. It never panics on any input and every error answer is
// JSON {"error": code, "message": text}.
func (h *Handler) Serve(ctx context.Context, req Request) Response {
	for _, r := range routes {
		params, ok := match(r.pattern, req.Path)
		if !ok {
			continue
		}
		fn, ok := r.methods[req.Method]
		if !ok {
			resp := errorResponse(http.StatusMethodNotAllowed, "method_not_allowed", req.Method+" is not allowed here")
			resp.Header.Set("Allow", strings.Join(slices.Sorted(maps.Keys(r.methods)), ", "))
			return resp
		}
		ctx, cancel := context.WithTimeout(ctx, cmp.Or(h.Timeout, DefaultTimeout))
		defer cancel()
		return fn(h, ctx, req, params)
	}
	return errorResponse(http.StatusNotFound, "not_found", "no such endpoint")
}

func match(pattern, path string) (params []string, ok bool) {
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return nil, false
	}
	for i, w := range want {
		switch {
		case strings.HasPrefix(w, "{"):
			if got[i] == "" {
				return nil, false
			}
			params = append(params, got[i])
		case w != got[i]:
			return nil, false
		}
	}
	return params, true
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

// storeFailed answers a failed store call: 503 with Retry-After, never 2xx,
// so the client keeps the event and sends it again.
func (h *Handler) storeFailed(ctx context.Context, err error, what string) Response {
	h.log().ErrorContext(ctx, what, "err", err)
	return failedAnswer(err)
}

// failedAnswer is the 503 of a failed call; a busy store is retried sooner.
func failedAnswer(err error) Response {
	retry, msg := "30", "the record store failed; try again later"
	if errors.Is(err, store.ErrUnavailable) {
		retry, msg = "2", "the record store is busy; try again shortly"
	}
	resp := errorResponse(http.StatusServiceUnavailable, "unavailable", msg)
	resp.Header.Set("Retry-After", retry)
	return resp
}

func errorResponse(status int, code, message string) Response {
	return jsonResponse(status, apiError{Error: code, Message: message})
}

type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func jsonResponse(status int, v any) Response {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own response types get here; they always encode.
		status, body = http.StatusInternalServerError, []byte(`{"error":"internal","message":"response encoding failed"}`)
	}
	return Response{
		Status: status,
		Header: http.Header{
			"Content-Type":           {"application/json"},
			"Cache-Control":          {"no-store"},
			"X-Content-Type-Options": {"nosniff"},
		},
		Body: body,
	}
}
