package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/records"
)

// TestConsentLimits: one consent id takes ConsentIDLimit records an hour
// and one client network ConsentNetLimit, the rest 429 with Retry-After
// (which the banner's queue waits) and nothing stored; the next hour starts
// afresh. On both stores: the counters are the store's, shared by every
// instance of the function.
func TestConsentLimits(t *testing.T) {
	for _, sk := range stores {
		t.Run(sk.name, func(t *testing.T) {
			s, clk := sk.open(t), &clock{t0}
			h := mustNew(api.Config{Store: s, Origin: origin, Now: clk.now, Log: quiet, ConsentIDLimit: 3, ConsentNetLimit: 5})
			post := func(consent string, n int, addr string) httpapi.Response {
				f := fields()
				f["consentId"], f["eventId"] = consent, uuid(9, n)
				req := postReq(body(f))
				req.ClientAddr = addr
				return h.Serve(context.Background(), req)
			}
			statuses := func(consent func(i int) string, addr func(i int) string) (ok, limited int) {
				for i := range 8 {
					switch resp := post(consent(i), i, addr(i)); resp.Status {
					case http.StatusCreated:
						ok++
					case http.StatusTooManyRequests:
						limited++
						if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 3600 {
							t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
						}
					default:
						t.Fatalf("%d %s", resp.Status, resp.Body)
					}
				}
				return ok, limited
			}
			// One consent id, from networks of its own each.
			if ok, lim := statuses(func(int) string { return consentID }, func(i int) string { return fmt.Sprintf("198.51.%d.1:1", i) }); ok != 3 || lim != 5 {
				t.Errorf("one consent id: %d stored, %d limited; want 3 and 5", ok, lim)
			}
			if n := len(list(t, s, consentID)); n != 3 {
				t.Errorf("%d records of the id stored, want 3", n)
			}
			// One network, an id of its own each.
			if ok, lim := statuses(func(i int) string { return uuid(8, i) }, func(int) string { return "203.0.113.7:1" }); ok != 5 || lim != 3 {
				t.Errorf("one network: %d stored, %d limited; want 5 and 3", ok, lim)
			}
			clk.t = clk.t.Add(httpapi.RateWindow)
			if resp := post(consentID, 100, "203.0.113.7:1"); resp.Status != http.StatusCreated {
				t.Errorf("next hour: %d %s", resp.Status, resp.Body)
			}
		})
	}
}

// TestHistoryPages: a long history comes records.HistoryPage events at a
// time, each page naming the next, together every event once.
func TestHistoryPages(t *testing.T) {
	s, _ := openBolt(t)
	h := mustNew(api.Config{Store: s, Origin: origin, Now: (&clock{t0}).now, Log: quiet, ConsentIDLimit: 1000})
	const n = records.HistoryPage + 20
	for i := range n {
		f := fields()
		f["eventId"] = uuid(5, i)
		if resp := h.Serve(context.Background(), postReq(body(f))); resp.Status != http.StatusCreated {
			t.Fatalf("post %d: %d %s", i, resp.Status, resp.Body)
		}
	}
	seen := map[string]bool{}
	var sizes []int
	for path, query := "/api/consent/"+consentID, ""; ; {
		resp := h.Serve(context.Background(), httpapi.Request{Method: "GET", Path: path, RawQuery: query, Header: http.Header{}})
		var page struct {
			Events []struct{ EventID string }
			Next   string
		}
		if err := json.Unmarshal(resp.Body, &page); err != nil || resp.Status != http.StatusOK {
			t.Fatalf("GET %s?%s: %d %s", path, query, resp.Status, resp.Body)
		}
		sizes = append(sizes, len(page.Events))
		for _, ev := range page.Events {
			if seen[ev.EventID] {
				t.Errorf("event %s on two pages", ev.EventID)
			}
			seen[ev.EventID] = true
		}
		if page.Next == "" {
			break
		}
		var ok bool
		if path, query, ok = strings.Cut(page.Next, "?"); !ok {
			t.Fatalf("next %q", page.Next)
		}
	}
	if len(seen) != n || fmt.Sprint(sizes) != fmt.Sprint([]int{records.HistoryPage, 20}) {
		t.Errorf("%d events in pages of %v, want %d in [%d 20]", len(seen), sizes, n, records.HistoryPage)
	}
	for _, q := range []string{"after=nope", "after=" + uuid(5, 1) + "&after=" + uuid(5, 2), "page=2"} {
		if resp := h.Serve(context.Background(), httpapi.Request{Method: "GET", Path: "/api/consent/" + consentID, RawQuery: q, Header: http.Header{}}); resp.Status != http.StatusBadRequest {
			t.Errorf("?%s: %d, want 400", q, resp.Status)
		}
	}
}
