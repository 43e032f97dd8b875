// Package records is the API of consent records, the proof of consent
// (GDPR Art. 7(1)): the banner posts each choice a visitor makes to
// POST /api/consent (content.ConsentPath), which records it once however
// often it is sent, and GET /api/consent/{id} returns a consent id's
// history. Records are append-only and kept for a retention period.
package records

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"pelqim/content"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/store"
)

// MaxBody is the largest consent event accepted (413 above).
const MaxBody = 4 << 10

// The rate limits of consent records, per httpapi.RateWindow. A visitor
// makes a choice or two; a network behind a mobile carrier's NAT carries
// many visitors. They bound what one script can store: NetLimit records an
// hour from its network, IDLimit under one consent id (infra/README.md
// has the arithmetic).
const (
	DefaultNetLimit = 1000
	DefaultIDLimit  = 30
)

// HistoryPage is the most events GET /api/consent/{id} answers at once.
const HistoryPage = 100

// Handler serves the consent-record endpoints. Only Store and Origin are
// required.
type Handler struct {
	Store  store.Store
	Origin string // the site's origin; POSTs must carry it, or one of Others
	// Others are the origins of other pages that carry the banner (the
	// shop's): their choices are taken too, cross-origin, with CORS.
	Others []string
	// Retention is how long a record is kept (its TTL); default
	// content.DefaultRetention.
	Retention content.Days
	// NetLimit and IDLimit are the rate limits; default DefaultNetLimit
	// and DefaultIDLimit.
	NetLimit, IDLimit int
	Clock             httpapi.Clock
	Log               *slog.Logger // default slog.Default()
}

// Routes are the endpoints, for an httpapi.Router.
func (h *Handler) Routes() []httpapi.Route {
	return []httpapi.Route{
		{Pattern: content.ConsentPath, Methods: map[string]httpapi.Endpoint{http.MethodPost: h.post, http.MethodOptions: h.preflight}},
		{Pattern: content.ConsentPath + "/{id}", Methods: map[string]httpapi.Endpoint{http.MethodGet: h.get}},
	}
}

// receipt is the answer to a recorded (or replayed) event.
type receipt struct {
	ConsentID  string `json:"consentId"`
	EventID    string `json:"eventId"`
	RecordedAt string `json:"recordedAt"`
}

// post records one choice: 201 with its receipt, or 200 with the first
// record's receipt when the event was recorded before (a replay).
func (h *Handler) post(ctx context.Context, req httpapi.Request, _ []string) httpapi.Response {
	resp := h.record(ctx, req)
	if o := h.other(req); o != "" {
		resp.Header.Set("Access-Control-Allow-Origin", o)
	}
	resp.Header.Add("Vary", "Origin")
	return resp
}

// other is req's Origin when it is one of Others, else "".
func (h *Handler) other(req httpapi.Request) string {
	if o := req.Header.Values("Origin"); len(o) == 1 && slices.Contains(h.Others, o[0]) {
		return o[0]
	}
	return ""
}

// preflight answers a browser's question before a cross-origin POST: yes
// for Others, with what the banner sends (JSON); 403 for anyone else.
// Credentials are never allowed: the API needs no cookie.
func (h *Handler) preflight(_ context.Context, req httpapi.Request, _ []string) httpapi.Response {
	o := h.other(req)
	if o == "" {
		resp := httpapi.Error(http.StatusForbidden, "forbidden_origin", "Origin is not one whose pages carry the banner")
		resp.Header.Add("Vary", "Origin")
		return resp
	}
	return httpapi.Response{Status: http.StatusNoContent, Header: http.Header{
		"Access-Control-Allow-Origin":  {o},
		"Access-Control-Allow-Methods": {http.MethodPost},
		"Access-Control-Allow-Headers": {"Content-Type"},
		"Access-Control-Max-Age":       {"86400"},
		"Vary":                         {"Origin"},
		"Cache-Control":                {"no-store"},
	}}
}

// record checks, decodes and stores one POSTed choice.
func (h *Handler) record(ctx context.Context, req httpapi.Request) httpapi.Response {
	origin := h.Origin
	if o := h.other(req); o != "" {
		origin = o
	}
	if resp, ok := httpapi.CheckWrite(req, origin, MaxBody, httpapi.MediaJSON); !ok {
		return resp
	}
	in, bad := decodeConsent(req.Body)
	if bad != nil {
		return bad.Response()
	}
	now := h.Clock.Now().UTC()
	clientNet := httpapi.ClientNet(req.ClientAddr)
	wait, err := httpapi.OverLimit(ctx, h.Store, now,
		httpapi.Limit{Key: "cnet#" + cmp.Or(clientNet, "unknown"), Max: int64(cmp.Or(h.NetLimit, DefaultNetLimit))},
		httpapi.Limit{Key: "cid#" + in.ConsentID, Max: int64(cmp.Or(h.IDLimit, DefaultIDLimit))})
	if err != nil {
		return httpapi.StoreFailed(ctx, h.Log, err, "count consent records")
	}
	if wait > 0 {
		return httpapi.TooMany(wait, "too many consent records from this network or under this consent id; try again later")
	}
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
		Origin:         origin,
		GPC:            in.GPC,
		UserAgent:      httpapi.TruncateUTF8(req.Header.Get("User-Agent"), 256),
		ClientNet:      clientNet,
		ExpiresAt:      now.Add(cmp.Or(h.Retention, content.DefaultRetention).Duration()).Unix(),
	}
	stored, created, err := h.Store.PutConsent(ctx, ev)
	if err != nil {
		return httpapi.StoreFailed(ctx, h.Log, err, "record consent")
	}
	status := http.StatusOK // a replay: the first record stands
	if created {
		status = http.StatusCreated
	}
	return httpapi.JSON(status, receipt{stored.ConsentID, stored.EventID, stored.RecordedAt})
}

// history is the answer to GET /api/consent/{id}: one page of events.
type history struct {
	ConsentID string               `json:"consentId"`
	Events    []store.ConsentEvent `json:"events"`
	// Next, when set, is the address of the next page.
	Next string `json:"next,omitempty"`
}

// get answers a consent id's history, HistoryPage events at a time: the
// pages follow the store's order (by event id), the events of a page are
// oldest first. ?after=<eventId> asks for the page after that event.
func (h *Handler) get(ctx context.Context, req httpapi.Request, params []string) httpapi.Response {
	id := params[0]
	if !isUUIDv4(id) {
		return httpapi.Error(http.StatusBadRequest, "invalid_id", "the consent id must be a lowercase UUID v4")
	}
	q, err := url.ParseQuery(req.RawQuery)
	after := q.Get("after")
	bad := err != nil || len(q["after"]) > 1 || after != "" && !isUUIDv4(after)
	for name := range q {
		bad = bad || name != "after"
	}
	if bad {
		return httpapi.Error(http.StatusBadRequest, "invalid_query", "the only parameter is after, an event id (a lowercase UUID v4)")
	}
	evs, next, err := h.Store.ConsentPage(ctx, id, after, HistoryPage)
	if err != nil {
		return httpapi.StoreFailed(ctx, h.Log, err, "read consent history")
	}
	// DynamoDB deletes expired items only days later: a record past its
	// retention is gone as far as anyone asking is concerned.
	now := h.Clock.Now()
	evs = slices.DeleteFunc(evs, func(ev store.ConsentEvent) bool { return store.Expired(ev.ExpiresAt, now) })
	if len(evs) == 0 && after == "" && next == "" {
		return httpapi.Error(http.StatusNotFound, "not_found", "no consent recorded under this id")
	}
	store.SortEvents(evs)
	resp := history{ConsentID: id, Events: evs}
	if next != "" {
		resp.Next = content.ConsentPath + "/" + id + "?after=" + next
	}
	return httpapi.JSON(http.StatusOK, resp)
}
