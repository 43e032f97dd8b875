package api

import (
	"context"
	"errors"
	"fmt"
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
	}
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
		return h.unavailable(ctx, kind, in.Language, err)
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
			"Location":               {"/api/requests/received?" + q.Encode()},
			"Cache-Control":          {"no-store"},
			"X-Content-Type-Options": {"nosniff"},
		},
	}
}

// unavailable answers a failed store or mail call: 503 with Retry-After,
// never 2xx, as JSON or as a page.
func (h *Handler) unavailable(ctx context.Context, kind bodyKind, lang string, err error) Response {
	resp := h.storeFailed(ctx, err, "data request")
	if kind == kindForm {
		page := messagePage(http.StatusServiceUnavailable, lang, tr(lang, "unavailable_title"), tr(lang, "unavailable_text"))
		page.Header.Set("Retry-After", resp.Header.Get("Retry-After"))
		return page
	}
	return resp
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
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("due"), Kosovo()); err == nil {
		due = tr(lang, "received_due", longDate(lang, d))
	}
	return messagePage(http.StatusOK, lang, tr(lang, "received_title"),
		tr(lang, "received_ref", ref), tr(lang, "received_email"), due)
}
