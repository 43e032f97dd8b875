package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"pelqim/functions/consent/store"
)

// maxReferenceDraws bounds the retries on a taken reference; with 2^30
// references a second draw is already rare.
const maxReferenceDraws = 5

// accepted is the answer to a recorded request (and, identically shaped, to
// a bot that filled the honeypot).
type accepted struct {
	Reference string `json:"reference"`
	DueAt     string `json:"dueAt"`
}

// postRequest records a data request and mails the confirmation link. The
// answer's status, headers and shape never depend on whether the email
// belongs to an account: nothing here looks accounts up.
func (h *Handler) postRequest(ctx context.Context, req Request, _ []string) Response {
	if origin := req.Header.Values("Origin"); len(origin) != 1 || origin[0] != h.Origin {
		return errorResponse(http.StatusForbidden, "forbidden_origin", "Origin must be the site's origin")
	}
	kind := requestKind(req.Header.Get("Content-Type"))
	if len(req.Body) > MaxRequestBody {
		if kind == kindForm {
			return formAgain(http.StatusRequestEntityTooLarge, requestBody{}, "too_large")
		}
		return errorResponse(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body must be at most %d bytes", MaxRequestBody))
	}
	if kind == kindUnsupported {
		return errorResponse(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json or application/x-www-form-urlencoded")
	}
	in, err := decodeRequest(kind, req.Body)
	if err != nil {
		e := err.(*inputError)
		if kind == kindForm {
			return formAgain(http.StatusBadRequest, lenientForm(req.Body), e.code)
		}
		return errorResponse(http.StatusBadRequest, e.code, e.message)
	}
	now := h.now().UTC()
	due := dueDate(now).UTC()
	if in.Honeypot {
		// A bot: the same answer as a person gets, and nothing stored or sent.
		return h.accepted(kind, newReference(), in.Language, due)
	}
	if h.Requests == nil || h.Mail == nil {
		return h.unavailable(ctx, kind, in.Language, errors.New("data requests are not configured"))
	}
	net := clientNet(req.ClientAddr)
	wait, err := h.overLimit(ctx, now, net, in.Email)
	if err != nil {
		return h.unavailable(ctx, kind, in.Language, err)
	}
	if wait > 0 {
		resp := errorResponse(http.StatusTooManyRequests, "rate_limited", "too many requests; try again later")
		if kind == kindForm {
			resp = messagePage(http.StatusTooManyRequests, in.Language, tr(in.Language, "rate_title"), tr(in.Language, "rate_text"))
		}
		resp.Header.Set("Retry-After", retryAfter(wait))
		return resp
	}
	token, hash := newToken()
	r := store.DataRequest{
		Type: in.Type, Email: in.Email, Details: in.Details, Language: in.Language,
		Status:         store.StatusUnverified,
		ReceivedAt:     now.Format(store.TimeFormat),
		DueAt:          due.Format(store.TimeFormat),
		UpdatedAt:      now.Format(store.TimeFormat),
		ClientNet:      net,
		TokenHash:      hash,
		TokenExpiresAt: now.Add(TokenLifetime).Format(store.TimeFormat),
		RetentionDays:  cmp.Or(h.RequestRetentionDays, store.DefaultRequestRetentionDays),
	}
	r.ExpiresAt = store.RequestExpiry(r, r.Status, now)
	for range maxReferenceDraws {
		r.Reference = newReference()
		ev := store.AuditEvent{
			Reference: r.Reference, At: now.Format(store.AuditTimeFormat), ID: randomID(),
			Action: "received", Status: r.Status, Who: "requester",
		}
		if err = h.Requests.PutRequest(ctx, r, ev); !errors.Is(err, store.ErrExists) {
			break
		}
	}
	if err != nil {
		return h.unavailable(ctx, kind, in.Language, err)
	}
	msg, err := h.confirmationMail(r.Reference, r.Type, r.Email, r.Language, token, due)
	if err == nil {
		err = h.Mail.Send(ctx, msg)
	}
	if err != nil {
		// The request stays (staff see it unverified); the visitor is told
		// to try again rather than to wait for an email that never comes.
		return h.mailFailed(ctx, kind, in.Language, r.Reference, err)
	}
	return h.accepted(kind, r.Reference, in.Language, due)
}

// accepted answers a JSON client 202 with the reference, a form client 303
// to the received page.
func (h *Handler) accepted(kind bodyKind, ref, lang string, due time.Time) Response {
	if kind == kindJSON {
		return jsonResponse(http.StatusAccepted, accepted{ref, due.Format(store.TimeFormat)})
	}
	q := url.Values{"ref": {ref}, "lang": {lang}, "due": {due.In(Kosovo()).Format(time.DateOnly)}}
	return Response{
		Status: http.StatusSeeOther,
		Header: http.Header{
			"Location":               {RequestsPath + "/received?" + q.Encode()},
			"Cache-Control":          {"no-store"},
			"X-Content-Type-Options": {"nosniff"},
		},
	}
}

// unavailable answers a failed store call: 503 with Retry-After, never
// 2xx, as JSON or as a page.
func (h *Handler) unavailable(ctx context.Context, kind bodyKind, lang string, err error) Response {
	return asPage(kind, lang, h.storeFailed(ctx, err, "data request"))
}

// mailFailed answers a failed confirmation email as unavailable does, but
// logs only the error's code and the request's reference, never the
// error's text: mail errors name the recipient (SES's MessageRejected
// lists the addresses it refused), and the logs must hold no address.
func (h *Handler) mailFailed(ctx context.Context, kind bodyKind, lang, ref string, err error) Response {
	h.log().ErrorContext(ctx, "data request: confirmation email not sent", "ref", ref, "code", mailErrorCode(err))
	return asPage(kind, lang, failedAnswer(err))
}

// codedError is the method of smithy.APIError, which every error answer of
// an AWS service (SES's included) implements. It is declared here rather
// than imported so that `cmd/site serve`, which links this package, links
// nothing of the AWS SDK.
type codedError interface{ ErrorCode() string }

// mailErrorCode names a mail error without its text: the service's error
// code, else the kind of failure.
func mailErrorCode(err error) string {
	var coded codedError
	var netErr net.Error
	switch {
	case errors.As(err, &coded):
		return coded.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "Timeout"
	case errors.Is(err, context.Canceled):
		return "Canceled"
	case errors.As(err, &netErr):
		return "NetworkError"
	}
	return "Unknown"
}

// asPage turns a 503 into the form's page in lang for a form client.
func asPage(kind bodyKind, lang string, resp Response) Response {
	if kind != kindForm {
		return resp
	}
	page := messagePage(http.StatusServiceUnavailable, lang, tr(lang, "unavailable_title"), tr(lang, "unavailable_text"))
	page.Header.Set("Retry-After", resp.Header.Get("Retry-After"))
	return page
}

// lenientForm reads what it can of a refused form, to fill the form in again.
func lenientForm(body []byte) requestBody {
	vals, _ := url.ParseQuery(string(body))
	var b requestBody
	for name, dst := range map[string]**string{"type": &b.Type, "email": &b.Email, "details": &b.Details, "language": &b.Language} {
		if v, ok := vals[name]; ok && len(v) > 0 {
			*dst = &v[0]
		}
	}
	return b
}

// getReceived is the page a form post lands on.
func (h *Handler) getReceived(ctx context.Context, req Request, _ []string) Response {
	q, _ := url.ParseQuery(req.RawQuery)
	lang := q.Get("lang")
	if !isLanguage(lang) {
		lang = "sq"
	}
	ref := q.Get("ref")
	if !isReference(ref) {
		return messagePage(http.StatusBadRequest, lang, tr(lang, "invalid_title"), tr(lang, "invalid_text"))
	}
	due := tr(lang, "received_due_any")
	if d, ok := plausibleDue(q.Get("due"), h.now()); ok {
		due = tr(lang, "received_due", longDate(lang, d))
	}
	return messagePage(http.StatusOK, lang, tr(lang, "received_title"),
		tr(lang, "received_ref", ref), tr(lang, "received_email"), due)
}

// plausibleDue reads the received page's due date. Anyone can write that
// link, so a date is shown only if a request could have it: not past
// (Kosovo's today) and no later than the deadline of a request made now.
// Anything else gets the generic text, so the site's page cannot be made
// to promise a false deadline (extensions are told by staff, not here).
func plausibleDue(v string, now time.Time) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, v, Kosovo())
	if err != nil {
		return time.Time{}, false
	}
	today, latest := day(now), day(dueDate(now))
	return d, !d.Before(today) && !d.After(latest)
}

// day is the start of t's date in Kosovo.
func day(t time.Time) time.Time {
	y, m, d := t.In(Kosovo()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Kosovo())
}
