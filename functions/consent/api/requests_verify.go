package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"time"

	"pelqim/functions/consent/store"
)

// verifyParams reads ref, token and lang from a query or form. Anything
// else, or a repeated field, makes the link invalid.
func verifyParams(raw string) (ref, token, lang string, ok bool) {
	q, err := url.ParseQuery(raw)
	lang = q.Get("lang")
	if !isLanguage(lang) {
		lang = "sq"
	}
	if err != nil {
		return "", "", lang, false
	}
	for k, v := range q {
		if k != "ref" && k != "token" && k != "lang" || len(v) != 1 {
			return "", "", lang, false
		}
	}
	ref, token = q.Get("ref"), q.Get("token")
	return ref, token, lang, isReference(ref) && isToken(token)
}

func linkInvalid(lang string) Response {
	return messagePage(http.StatusBadRequest, lang, tr(lang, "invalid_title"), tr(lang, "invalid_text"))
}

// getVerify shows the Confirm button and changes nothing: mail scanners
// and link previews open links, and must not confirm requests.
func (h *Handler) getVerify(ctx context.Context, req Request, _ []string) Response {
	ref, token, lang, ok := verifyParams(req.RawQuery)
	if !ok {
		return linkInvalid(lang)
	}
	return htmlPage(http.StatusOK, page{
		Lang: lang, Title: tr(lang, "confirm_title"),
		Paragraphs: []string{tr(lang, "confirm_text", ref)},
		Confirm:    &confirmBtn{Ref: ref, Token: token, Lang: lang, Button: tr(lang, "confirm_button")},
	})
}

// postVerify confirms a request once: the token's hash must match (compared
// in constant time) and the token must not have expired; the store's
// conditional update makes a concurrent second use fail.
func (h *Handler) postVerify(ctx context.Context, req Request, _ []string) Response {
	if origin := req.Header.Values("Origin"); len(origin) != 1 || origin[0] != h.Origin {
		return errorResponse(http.StatusForbidden, "forbidden_origin", "Origin must be the site's origin")
	}
	if len(req.Body) > MaxBody {
		return errorResponse(http.StatusRequestEntityTooLarge, "too_large", "the body must be at most 4096 bytes")
	}
	if requestKind(req.Header.Get("Content-Type")) != kindForm {
		return errorResponse(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/x-www-form-urlencoded")
	}
	ref, token, lang, ok := verifyParams(string(req.Body))
	if !ok {
		return linkInvalid(lang)
	}
	if h.Requests == nil {
		return h.unavailable(ctx, kindForm, lang, errors.New("data requests are not configured"))
	}
	now := h.now().UTC()
	r, err := h.Requests.Request(ctx, ref)
	if errors.Is(err, store.ErrNotFound) || err == nil && store.Expired(r.ExpiresAt, now) {
		return linkInvalid(lang)
	}
	if err != nil {
		return h.unavailable(ctx, kindForm, lang, err)
	}
	hash := tokenHash(token)
	if subtle.ConstantTimeCompare([]byte(hash), []byte(r.TokenHash)) != 1 {
		return linkInvalid(lang)
	}
	lang = r.Language
	if r.Status != store.StatusUnverified {
		return statusPage(lang, ref, r.Status)
	}
	if r.TokenExpiresAt <= now.Format(store.TimeFormat) {
		return linkInvalid(lang)
	}
	r, err = h.Requests.Transition(ctx, ref, store.Transition{
		From: []string{store.StatusUnverified}, To: store.StatusVerified,
		Now:       now.Format(store.TimeFormat),
		TokenHash: hash,
		ExpiresAt: store.RequestExpiry(r, store.StatusVerified, now),
		Event: store.AuditEvent{
			Reference: ref, At: now.Format(store.AuditTimeFormat), ID: randomID(),
			Action: "verified", Status: store.StatusVerified, Note: "confirmed by email link", Who: "requester",
		},
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		// A concurrent use of the same link, or staff, changed it first.
		return h.statusNow(ctx, lang, ref)
	case errors.Is(err, store.ErrNotFound):
		return linkInvalid(lang)
	case err != nil:
		return h.unavailable(ctx, kindForm, lang, err)
	}
	due, _ := time.Parse(store.TimeFormat, r.DueAt)
	return messagePage(http.StatusOK, lang, tr(lang, "verified_title"), tr(lang, "verified_text", ref, longDate(lang, due)))
}

// statusTexts are the title and text keys of the page a confirmation link
// shows once its request is past unverified. Only the token's holder sees
// them, so telling the status leaks nothing.
var statusTexts = map[string][2]string{
	store.StatusVerified: {"already_title", "already_text"},
	store.StatusResolved: {"answered_title", "answered_text"},
	store.StatusRejected: {"closed_title", "closed_text"},
}

// statusPage tells the link's holder where request ref stands.
func statusPage(lang, ref, status string) Response {
	keys, ok := statusTexts[status]
	if !ok {
		keys = statusTexts[store.StatusVerified] // a status added later: at least confirmed
	}
	return messagePage(http.StatusOK, lang, tr(lang, keys[0]), tr(lang, keys[1], ref))
}

// statusNow reads a request again after a refused confirmation and tells
// its status; one still unverified had its link expire meanwhile.
func (h *Handler) statusNow(ctx context.Context, lang, ref string) Response {
	r, err := h.Requests.Request(ctx, ref)
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && r.Status == store.StatusUnverified:
		return linkInvalid(lang)
	case err != nil:
		return h.unavailable(ctx, kindForm, lang, err)
	}
	return statusPage(lang, ref, r.Status)
}
