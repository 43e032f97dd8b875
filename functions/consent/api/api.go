// Package api is the consent function's HTTP API as one Handler: the
// endpoints of consent records (package records) and of data requests
// (package requests), configured by a Config that the caller fills in and
// passes (the Lambda, functions/consent, from its environment; `cmd/site
// serve`, through package local, from its flags). Thin adapters run the
// Handler as a Lambda Function URL handler (FunctionURLHandler) and under
// net/http (HTTPHandler), so the Lambda and serve share one code path.
package api

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"pelqim/content"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/mail"
	"pelqim/functions/consent/records"
	"pelqim/functions/consent/requests"
	"pelqim/functions/consent/store"
)

// DefaultTimeout is the budget of one request's store and mail calls. The
// Lambda's own timeout must be longer (infra/template.yaml, checked by its
// tests): when the budget runs out, the function still answers 503 with
// Retry-After, instead of Lambda killing it mid-request.
const DefaultTimeout = 5 * time.Second

// Config is everything the API is told. Origin and Store are required
// (New checks Origin); a zero value elsewhere takes the default its
// comment names.
type Config struct {
	// Origin is the site's origin, e.g. "https://privatesia.xiaomistore-ks.com":
	// every POST must carry it as its Origin header, and the email's
	// links lead there.
	Origin string
	// Origins are other origins whose pages carry the banner (the shop's,
	// as content.ParseOrigin gives them): their choices are taken with CORS.
	Origins []string

	Store     store.Store  // consent records
	Retention content.Days // how long a consent record is kept; default content.DefaultRetention
	// ConsentNetLimit and ConsentIDLimit are the consent records one
	// client network, and one consent id, may store per hour; default
	// records.DefaultNetLimit and records.DefaultIDLimit.
	ConsentNetLimit, ConsentIDLimit int

	// Data requests: without Requests or Mail, they are answered 503.
	Requests store.Requests // usually the same store as Store
	Mail     mail.Sender    // the confirmation emails
	Sender   string         // their From address
	// RequestRetention is how long a data request is kept once closed;
	// default content.DefaultRetention.
	RequestRetention content.Days
	RequestLimit     int // per client network and per email per hour; default requests.DefaultLimit

	Timeout time.Duration    // budget of one request's store and mail calls; default DefaultTimeout
	Now     func() time.Time // default time.Now
	Log     *slog.Logger     // default slog.Default()
}

// Handler serves the API.
type Handler struct {
	router httpapi.Router
	log    *slog.Logger // nil: slog.Default()
}

// Check reports what c lacks that the API cannot do without.
func (c Config) Check() error {
	if strings.TrimSuffix(c.Origin, "/") == "" {
		return errors.New("no site origin (SITE_ORIGIN)")
	}
	return nil
}

// New is the API configured by c.
func New(c Config) (*Handler, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	// Browsers send Origin without a trailing slash.
	origin := strings.TrimSuffix(c.Origin, "/")
	rec := &records.Handler{Store: c.Store, Origin: origin, Others: c.Origins, NetLimit: c.ConsentNetLimit, IDLimit: c.ConsentIDLimit, Retention: c.Retention, Clock: c.Now, Log: c.Log}
	req := &requests.Handler{
		Origin: origin, Store: c.Requests, Mail: c.Mail, Sender: c.Sender,
		Limit: c.RequestLimit, Retention: c.RequestRetention, Clock: c.Now, Log: c.Log,
	}
	return &Handler{
		router: httpapi.Router{Routes: slices.Concat(rec.Routes(), req.Routes()), Timeout: cmp.Or(c.Timeout, DefaultTimeout)},
		log:    c.Log,
	}, nil
}

// Serve answers req. It never panics on any input; every error answer but
// the pages of a form is JSON {"error": code, "message": text}.
func (h *Handler) Serve(ctx context.Context, req httpapi.Request) httpapi.Response {
	return h.router.Serve(ctx, req)
}
