package requests

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"time"

	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/store"
)

// maxVerifyBody is the largest confirmation accepted (413 above): the
// Confirm button posts a reference, a token and a language.
const maxVerifyBody = 4 << 10

// verifyParams reads ref, token and lang from a query or form. Anything
// else, or a repeated field, makes the link invalid.
func verifyParams(raw string) (ref, token, lang string, ok bool) {
	q, err := url.ParseQuery(raw)
	lang = language(q.Get("lang"))
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

// confirmPage, the email's link, shows the Confirm button and changes
// nothing: mail scanners and link previews open links, and must not
// confirm requests.
func (h *Handler) confirmPage(_ context.Context, req httpapi.Request, _ []string) httpapi.Response {
	ref, token, lang, ok := verifyParams(req.RawQuery)
	if !ok {
		return linkInvalid(lang)
	}
	return htmlPage(http.StatusOK, page{
		Lang: lang, Title: tr(lang, "req_confirm_title"),
		Paragraphs: []string{tr(lang, "req_confirm_text", "{ref}", ref)},
		Confirm:    &confirmBtn{Ref: ref, Token: token, Lang: lang, Button: tr(lang, "req_confirm_button")},
	})
}

// verify, the Confirm button, confirms a request once: the token's hash
// must match (compared in constant time) and the token must not have
// expired; the store's conditional update makes a concurrent second use
// fail.
func (h *Handler) verify(ctx context.Context, req httpapi.Request, _ []string) httpapi.Response {
	if resp, ok := httpapi.CheckWrite(req, h.Origin, maxVerifyBody, httpapi.MediaForm); !ok {
		return resp
	}
	ref, token, lang, ok := verifyParams(string(req.Body))
	if !ok {
		return linkInvalid(lang)
	}
	if h.Store == nil {
		return unavailablePage(lang, h.storeFailed(ctx, errNotConfigured))
	}
	now := h.Clock.Now().UTC()
	r, err := h.Store.Request(ctx, ref)
	if errors.Is(err, store.ErrNotFound) || err == nil && store.Expired(r.ExpiresAt, now) {
		return linkInvalid(lang)
	}
	if err != nil {
		return unavailablePage(lang, h.storeFailed(ctx, err))
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
	r, err = h.Store.Transition(ctx, ref, store.Transition{
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
		return unavailablePage(lang, h.storeFailed(ctx, err))
	}
	due, _ := time.Parse(store.TimeFormat, r.DueAt)
	return messagePage(http.StatusOK, lang, tr(lang, "req_verified_title"),
		tr(lang, "req_verified_text", "{ref}", ref, "{due}", longDate(lang, due)))
}

// statusTexts are the title and text keys of the page a confirmation link
// shows once its request is past unverified. Only the token's holder sees
// them, so telling the status leaks nothing.
var statusTexts = map[string][2]string{
	store.StatusVerified: {"req_already_title", "req_already_text"},
	store.StatusResolved: {"req_answered_title", "req_answered_text"},
	store.StatusRejected: {"req_closed_title", "req_closed_text"},
}

// statusPage tells the link's holder where request ref stands.
func statusPage(lang, ref, status string) httpapi.Response {
	keys, ok := statusTexts[status]
	if !ok {
		keys = statusTexts[store.StatusVerified] // a status added later: at least confirmed
	}
	return messagePage(http.StatusOK, lang, tr(lang, keys[0]), tr(lang, keys[1], "{ref}", ref))
}

// statusNow reads a request again after a refused confirmation and tells
// its status; one still unverified had its link expire meanwhile.
func (h *Handler) statusNow(ctx context.Context, lang, ref string) httpapi.Response {
	r, err := h.Store.Request(ctx, ref)
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && r.Status == store.StatusUnverified:
		return linkInvalid(lang)
	case err != nil:
		return unavailablePage(lang, h.storeFailed(ctx, err))
	}
	return statusPage(lang, ref, r.Status)
}
