package api

import (
	"cmp"
	"context"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"pelqim/functions/consent/store"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// consentBody is the POST /api/consent body as sent. Pointers tell a
// missing member from a zero value: every member is required.
type consentBody struct {
	ConsentID      *string         `json:"consentId"`
	EventID        *string         `json:"eventId"`
	Action         *string         `json:"action"`
	Categories     *categoriesBody `json:"categories"`
	ConsentVersion *string         `json:"consentVersion"`
	PolicyVersion  *string         `json:"policyVersion"`
	Language       *string         `json:"language"`
	Page           *string         `json:"page"`
	GPC            *bool           `json:"gpc"`
	// ChosenAt, the one optional member, is when the visitor chose, in
	// unix seconds by the browser's clock: a queued choice arrives later.
	// A banner older than the member did not send it.
	ChosenAt *int64 `json:"chosenAt"`
}

type categoriesBody struct {
	Necessary   *bool `json:"necessary"`
	Preferences *bool `json:"preferences"`
	Statistics  *bool `json:"statistics"`
	Marketing   *bool `json:"marketing"`
}

// consentInput is a decoded, valid POST /api/consent body.
type consentInput struct {
	ConsentID, EventID, Action    string
	Categories                    store.Categories
	ConsentVersion, PolicyVersion string
	Language, Page                string
	GPC                           bool
	ChosenAt                      string // store.TimeFormat, or "" when not sent
}

// inputError is a 400 answer: the body is not a valid consent event.
type inputError struct{ code, message string }

func (e *inputError) Error() string { return e.code + ": " + e.message }

func invalid(message string) *inputError { return &inputError{"invalid_request", message} }

// decodeConsent parses a body strictly: exactly one JSON object, UTF-8,
// member names matched exactly, no duplicate or unknown members, every
// member present and valid.
func decodeConsent(body []byte) (consentInput, *inputError) {
	var b consentBody
	if err := json.Unmarshal(body, &b, json.RejectUnknownMembers(true)); err != nil {
		return consentInput{}, jsonError(err)
	}
	const uuid, hex = "a lowercase UUID v4", "1 to 64 lowercase hex digits"
	for _, f := range []struct {
		name string
		v    *string
		ok   func(string) bool
		want string
	}{
		{"consentId", b.ConsentID, isUUIDv4, uuid},
		{"eventId", b.EventID, isUUIDv4, uuid},
		{"action", b.Action, isAction, "accept_all, reject_all, custom or withdraw"},
		{"consentVersion", b.ConsentVersion, isVersion, hex},
		{"policyVersion", b.PolicyVersion, isVersion, hex},
		{"language", b.Language, isLanguage, languageList},
		{"page", b.Page, isPagePath, "a root-relative path of at most 256 bytes, without query or fragment"},
	} {
		if f.v == nil {
			return consentInput{}, invalid(f.name + " is required")
		}
		if !f.ok(*f.v) {
			return consentInput{}, invalid(f.name + " must be " + f.want)
		}
	}
	if b.GPC == nil {
		return consentInput{}, invalid("gpc is required")
	}
	c, err := categories(b.Categories)
	if err != nil {
		return consentInput{}, err
	}
	if err := checkAction(*b.Action, c); err != nil {
		return consentInput{}, err
	}
	var chosen string
	if b.ChosenAt != nil {
		// The browser's clock, kept as it says, but a number of seconds
		// that is one: from 1970 to 2242.
		if *b.ChosenAt < 0 || *b.ChosenAt >= 1<<33 {
			return consentInput{}, invalid("chosenAt must be unix seconds")
		}
		chosen = time.Unix(*b.ChosenAt, 0).UTC().Format(store.TimeFormat)
	}
	return consentInput{
		ConsentID: *b.ConsentID, EventID: *b.EventID, Action: *b.Action, Categories: c,
		ConsentVersion: *b.ConsentVersion, PolicyVersion: *b.PolicyVersion,
		Language: *b.Language, Page: *b.Page, GPC: *b.GPC, ChosenAt: chosen,
	}, nil
}

func categories(c *categoriesBody) (store.Categories, *inputError) {
	if c == nil {
		return store.Categories{}, invalid("categories is required")
	}
	for _, m := range []struct {
		name string
		v    *bool
	}{{"necessary", c.Necessary}, {"preferences", c.Preferences}, {"statistics", c.Statistics}, {"marketing", c.Marketing}} {
		if m.v == nil {
			return store.Categories{}, invalid("categories." + m.name + " is required")
		}
	}
	if !*c.Necessary {
		return store.Categories{}, invalid("categories.necessary must be true: necessary cookies cannot be refused")
	}
	return store.Categories{Necessary: true, Preferences: *c.Preferences, Statistics: *c.Statistics, Marketing: *c.Marketing}, nil
}

// checkAction keeps a record self-consistent: it is proof of consent, so an
// "accept_all" that refuses a category would prove nothing.
func checkAction(action string, c store.Categories) *inputError {
	all := c.Preferences && c.Statistics && c.Marketing
	none := !c.Preferences && !c.Statistics && !c.Marketing
	switch {
	case action == "accept_all" && !all:
		return invalid("accept_all must grant every category")
	case (action == "reject_all" || action == "withdraw") && !none:
		return invalid(action + " must refuse every optional category")
	}
	return nil
}

// jsonError turns a decoding error into a 400 that names where the body is
// wrong without echoing Go types.
func jsonError(err error) *inputError {
	var sem *json.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &sem) && errors.Is(sem.Err, json.ErrUnknownName):
		return &inputError{"invalid_json", "unknown member " + string(sem.JSONPointer)}
	case errors.As(err, &sem) && sem.JSONPointer != "":
		return &inputError{"invalid_json", "wrong type of value at " + string(sem.JSONPointer)}
	case errors.As(err, &sem):
		return &inputError{"invalid_json", "the body must be one JSON object"}
	case errors.As(err, &syn):
		return &inputError{"invalid_json", "malformed JSON: " + syn.Err.Error()}
	}
	return &inputError{"invalid_json", "malformed JSON"}
}

func isAction(s string) bool {
	return s == "accept_all" || s == "reject_all" || s == "custom" || s == "withdraw"
}

func isLanguage(s string) bool { _, ok := requestText[s]; return ok }

// isUUIDv4 accepts the canonical lowercase form with version 4 and the
// RFC 4122 variant, the only form crypto.randomUUID() produces.
func isUUIDv4(s string) bool {
	if len(s) != 36 || s[14] != '4' || !strings.ContainsRune("89ab", rune(s[19])) {
		return false
	}
	for i := range len(s) {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

func isVersion(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := range len(s) {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// isPagePath accepts a URL path such as "/sq/privatesia/". Queries and
// fragments are refused: they may carry personal data into the record.
func isPagePath(s string) bool {
	if len(s) == 0 || len(s) > 256 || s[0] != '/' || strings.HasPrefix(s, "//") {
		return false
	}
	for i := range len(s) {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("/-._~%!$&'()*+,;=:@", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// receipt is the answer to a recorded (or replayed) event.
type receipt struct {
	ConsentID  string `json:"consentId"`
	EventID    string `json:"eventId"`
	RecordedAt string `json:"recordedAt"`
}

func (h *Handler) postConsent(ctx context.Context, req Request, _ []string) Response {
	if origin := req.Header.Values("Origin"); len(origin) != 1 || origin[0] != h.Origin {
		return errorResponse(http.StatusForbidden, "forbidden_origin", "Origin must be the site's origin")
	}
	if len(req.Body) > MaxBody {
		return errorResponse(http.StatusRequestEntityTooLarge, "too_large", "the body must be at most 4096 bytes")
	}
	if !isJSON(req.Header.Get("Content-Type")) {
		return errorResponse(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
	}
	in, bad := decodeConsent(req.Body)
	if bad != nil {
		return errorResponse(http.StatusBadRequest, bad.code, bad.message)
	}
	now := h.now().UTC()
	ev := store.ConsentEvent{
		ConsentID:      in.ConsentID,
		EventID:        in.EventID,
		RecordedAt:     now.Format(store.TimeFormat),
		ChosenAt:       in.ChosenAt,
		Action:         in.Action,
		Categories:     in.Categories,
		ConsentVersion: in.ConsentVersion,
		PolicyVersion:  in.PolicyVersion,
		Language:       in.Language,
		Page:           in.Page,
		GPC:            in.GPC,
		UserAgent:      truncateUTF8(req.Header.Get("User-Agent"), 256),
		ClientNet:      clientNet(req.ClientAddr),
		ExpiresAt:      now.Add(cmp.Or(h.Retention, DefaultRetention)).Unix(),
	}
	stored, created, err := h.Store.PutConsent(ctx, ev)
	if err != nil {
		return h.storeFailed(ctx, err, "record consent")
	}
	status := http.StatusOK // a replay: the first record stands
	if created {
		status = http.StatusCreated
	}
	return jsonResponse(status, receipt{stored.ConsentID, stored.EventID, stored.RecordedAt})
}

func isJSON(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return len(params) == 0 || len(params) == 1 && ok && strings.EqualFold(cs, "utf-8")
}

// history is the answer to GET /api/consent/{id}.
type history struct {
	ConsentID string               `json:"consentId"`
	Events    []store.ConsentEvent `json:"events"`
}

func (h *Handler) getConsent(ctx context.Context, req Request, params []string) Response {
	id := params[0]
	if !isUUIDv4(id) {
		return errorResponse(http.StatusBadRequest, "invalid_id", "the consent id must be a lowercase UUID v4")
	}
	evs, err := h.Store.ConsentEvents(ctx, id)
	if err != nil {
		return h.storeFailed(ctx, err, "read consent history")
	}
	// DynamoDB deletes expired items only days later: a record past its
	// retention is gone as far as anyone asking is concerned.
	now := h.now().Unix()
	evs = slices.DeleteFunc(evs, func(ev store.ConsentEvent) bool { return ev.ExpiresAt != 0 && ev.ExpiresAt <= now })
	if len(evs) == 0 {
		return errorResponse(http.StatusNotFound, "not_found", "no consent recorded under this id")
	}
	return jsonResponse(http.StatusOK, history{id, evs})
}
