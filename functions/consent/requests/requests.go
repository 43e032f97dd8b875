// Package requests is the API of data requests, a visitor's rights over
// their account data (GDPR Art. 15–21, Law No. 06/L-082 Art. 18–24):
//
//   - POST /api/requests (content.RequestsPath) files one, from a script
//     (JSON, answered in JSON) or from the site's form in a browser
//     without JavaScript (form-encoded, answered with pages), and mails
//     the requester a confirmation link;
//   - GET /api/requests/received is the page the form lands on;
//   - GET /api/requests/verify, the link, shows a Confirm button, whose
//     POST confirms the request once.
//
// Pages and mail are in the request's language, in the theme's words
// (text.go). Filings are rate-limited per client network and per email
// (limit.go); the staff's tool (cmd/requests) answers them.
package requests

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"pelqim/content"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/mail"
	"pelqim/functions/consent/store"
)

// MaxBody is the largest data request accepted (413 above): its details
// may hold content.MaxRequestDetails characters of up to 4 UTF-8 bytes
// each, which a form percent-encodes as 3 bytes apiece (2,000 of
// Serbian's "š" alone are 12 KB).
const MaxBody = 32 << 10

// The function's pages, under content.RequestsPath.
const (
	receivedPath = content.RequestsPath + "/received"
	verifyPath   = content.RequestsPath + "/verify"
)

// Handler serves the data-request endpoints. Without Store or Mail, a
// request is answered 503.
type Handler struct {
	Origin string // the site's origin; POSTs must carry it, and links lead there
	Store  store.Requests
	Mail   mail.Sender // the confirmation emails
	Sender string      // their From address
	Limit  int         // filings per client network per httpapi.RateWindow; default DefaultLimit
	// Retention is how long a request is kept once closed; default
	// content.DefaultRetention. Each request records the value it was
	// received under, which the staff's tool applies on closing.
	Retention content.Days
	Clock     httpapi.Clock
	Log       *slog.Logger // default slog.Default()

	// typical is how long filing a request takes, in nanoseconds, as a
	// moving average: a bot's answer waits as long.
	typical atomic.Int64
}

// took adds the duration of one filing to the moving average.
func (h *Handler) took(d time.Duration) {
	old := h.typical.Load()
	if old == 0 {
		old = int64(d)
	}
	h.typical.Store(old + (int64(d)-old)/8)
}

// Routes are the endpoints, for an httpapi.Router.
func (h *Handler) Routes() []httpapi.Route {
	return []httpapi.Route{
		{Pattern: content.RequestsPath, Methods: map[string]httpapi.Endpoint{http.MethodPost: h.post}},
		{Pattern: receivedPath, Methods: map[string]httpapi.Endpoint{http.MethodGet: h.received}},
		{Pattern: verifyPath, Methods: map[string]httpapi.Endpoint{http.MethodGet: h.confirmPage, http.MethodPost: h.verify}},
	}
}

// maxReferenceDraws bounds the retries on a taken reference; with 2^30
// references a second draw is already rare.
const maxReferenceDraws = 5

var errNotConfigured = errors.New("data requests are not configured")

// post files a data request. JSON and the form differ only in how the
// body is read and the answer written (format.go); the checks and the
// filing are one path. The answer's status, headers and shape never
// depend on whether the email belongs to an account: nothing here looks
// accounts up.
func (h *Handler) post(ctx context.Context, req httpapi.Request, _ []string) httpapi.Response {
	if resp, ok := httpapi.CheckOrigin(req, h.Origin); !ok {
		return resp
	}
	f, supported := formatOf(req.Header.Get("Content-Type"))
	if len(req.Body) > MaxBody {
		return f.refused(posted{}, httpapi.TooLarge(MaxBody))
	}
	if !supported {
		return httpapi.Error(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Content-Type must be "+httpapi.MediaJSON+" or "+httpapi.MediaForm)
	}
	p, in, bad := read(f, req.Body)
	if bad != nil {
		return f.refused(p, bad)
	}
	return f.answer(in.Language, h.file(ctx, in, req.ClientAddr))
}

// result is how a valid request ended, which its format answers.
type result struct {
	ref  string // filed (or a bot's, filed nowhere) under this reference
	due  time.Time
	wait time.Duration // > 0: over a rate limit for this long
	// mailed tells that a confirmation email went out (false: the address
	// had its MailLimit this hour).
	mailed bool
	// unavailable is the 503 of a failed store or mail call (Status 0:
	// none), as JSON.
	unavailable httpapi.Response
}

// file records in and mails its confirmation link.
func (h *Handler) file(ctx context.Context, in request, clientAddr string) result {
	now := h.Clock.Now().UTC()
	due := dueDate(now).UTC()
	if in.Honeypot {
		// A bot: the same answer as a person gets, as late as a person
		// gets it (so the time says nothing either), and nothing stored or
		// sent.
		select {
		case <-time.After(time.Duration(h.typical.Load())):
		case <-ctx.Done():
		}
		return result{ref: newReference(), due: due, mailed: true}
	}
	defer func(start time.Time) { h.took(time.Since(start)) }(time.Now())
	if h.Store == nil || h.Mail == nil {
		return result{unavailable: h.storeFailed(ctx, errNotConfigured)}
	}
	clientNet := httpapi.ClientNet(clientAddr)
	wait, err := h.overLimit(ctx, now, clientNet)
	if err != nil {
		return result{unavailable: h.storeFailed(ctx, err)}
	}
	if wait > 0 {
		return result{wait: wait}
	}
	r, token, err := h.put(ctx, in, clientNet, now, due)
	if err != nil {
		return result{unavailable: h.storeFailed(ctx, err)}
	}
	switch ok, err := h.mailAllowed(ctx, now, in.Email); {
	case err != nil:
		return result{unavailable: h.storeFailed(ctx, err)}
	case !ok:
		// Filed, for staff to see, without one more email to an address
		// that had its share this hour: the visitor is told so.
		return result{ref: r.Reference, due: due}
	}
	if err := h.Mail.Send(ctx, h.confirmationMail(r, token, due)); err != nil {
		// The request stays (staff see it unverified); the visitor is told
		// so, and to try again rather than to wait for an email that never
		// comes.
		return result{ref: r.Reference, unavailable: h.mailFailed(ctx, r.Reference, err)}
	}
	return result{ref: r.Reference, due: due, mailed: true}
}

// put stores a new unverified request under a fresh reference and returns
// it with the token of its confirmation link.
func (h *Handler) put(ctx context.Context, in request, clientNet string, now, due time.Time) (r store.DataRequest, token string, err error) {
	token, hash := newToken()
	r = store.DataRequest{
		Type: in.Type, Email: in.Email, Details: in.Details, Language: in.Language,
		Status:         store.StatusUnverified,
		ReceivedAt:     now.Format(store.TimeFormat),
		DueAt:          due.Format(store.TimeFormat),
		UpdatedAt:      now.Format(store.TimeFormat),
		ClientNet:      clientNet,
		TokenHash:      hash,
		TokenExpiresAt: now.Add(TokenLifetime).Format(store.TimeFormat),
		RetentionDays:  cmp.Or(h.Retention, content.DefaultRetention),
	}
	r.ExpiresAt = store.RequestExpiry(r, r.Status, now)
	for range maxReferenceDraws {
		r.Reference = newReference()
		ev := store.AuditEvent{
			Reference: r.Reference, At: now.Format(store.AuditTimeFormat), ID: randomID(),
			Action: "received", Status: r.Status, Who: "requester",
		}
		if err = h.Store.PutRequest(ctx, r, ev); !errors.Is(err, store.ErrExists) {
			break
		}
	}
	return r, token, err
}

// storeFailed logs a failed store call and answers it 503.
func (h *Handler) storeFailed(ctx context.Context, err error) httpapi.Response {
	return httpapi.StoreFailed(ctx, h.Log, err, "data request")
}

// received is the page a form post lands on.
func (h *Handler) received(_ context.Context, req httpapi.Request, _ []string) httpapi.Response {
	q, _ := url.ParseQuery(req.RawQuery)
	lang, ref := language(q.Get("lang")), q.Get("ref")
	if !isReference(ref) {
		return linkInvalid(lang)
	}
	due := tr(lang, "req_due_any")
	if d, ok := plausibleDue(q.Get("due"), h.Clock.Now()); ok {
		due = tr(lang, "req_due", "{due}", longDate(lang, d))
	}
	email := tr(lang, "req_received_email")
	if q.Get("mail") == "0" {
		email = tr(lang, "req_received_nomail")
	}
	return messagePage(http.StatusOK, lang, tr(lang, "req_received_title"),
		tr(lang, "req_received_ref", "{ref}", ref), email, due)
}
