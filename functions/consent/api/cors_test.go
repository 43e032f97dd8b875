package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/store"
)

const shop = "https://xiaomistore-ks.com"

// TestCrossOrigin: the shop's pages, listed in Config.Origins, post choices
// cross-origin and their browsers' preflights are answered for exactly
// their origin; any other origin is refused (403) and nothing is stored.
// Credentials are never allowed.
func TestCrossOrigin(t *testing.T) {
	s, _ := openBolt(t)
	h := mustNew(api.Config{Store: s, Origin: origin, Origins: []string{shop, "https://www." + "xiaomistore-ks.com"}, Now: (&clock{t0}).now, Log: quiet})
	ctx := context.Background()
	preflight := func(from string) httpapi.Request {
		return httpapi.Request{Method: http.MethodOptions, Path: "/api/consent", Header: http.Header{
			"Origin": {from}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"content-type"},
		}}
	}
	post := func(from string, n int) httpapi.Request {
		f := fields()
		f["eventId"] = uuid(7, n)
		req := postReq(body(f))
		req.Header.Set("Origin", from)
		return req
	}
	for _, tt := range []struct {
		name    string
		req     httpapi.Request
		status  int
		allowed string // Access-Control-Allow-Origin
		stored  bool
	}{
		{"preflight from the shop", preflight(shop), http.StatusNoContent, shop, false},
		{"preflight from www", preflight("https://www.xiaomistore-ks.com"), http.StatusNoContent, "https://www.xiaomistore-ks.com", false},
		{"preflight from elsewhere", preflight("https://evil.example"), http.StatusForbidden, "", false},
		{"preflight from a look-alike", preflight(shop + ".evil.example"), http.StatusForbidden, "", false},
		{"post from the shop", post(shop, 1), http.StatusCreated, shop, true},
		{"post from the site", post(origin, 2), http.StatusCreated, "", true},
		{"post from elsewhere", post("https://evil.example", 3), http.StatusForbidden, "", false},
		{"post from the shop over http", post("http://xiaomistore-ks.com", 4), http.StatusForbidden, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.Serve(ctx, tt.req)
			if resp.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.Status, tt.status, resp.Body)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tt.allowed {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.allowed)
			}
			if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			if resp.Header.Get("Vary") != "Origin" {
				t.Errorf("Vary %q, want Origin: the answer depends on it", resp.Header.Get("Vary"))
			}
			if tt.status == http.StatusNoContent && (resp.Header.Get("Access-Control-Allow-Methods") != "POST" || resp.Header.Get("Access-Control-Allow-Headers") != "Content-Type") {
				t.Errorf("preflight allows %q with %q, want POST with Content-Type", resp.Header.Get("Access-Control-Allow-Methods"), resp.Header.Get("Access-Control-Allow-Headers"))
			}
		})
	}
	evs, err := store.AllEvents(ctx, s, consentID)
	if err != nil {
		t.Fatal(err)
	}
	var from []string
	for _, ev := range evs {
		from = append(from, ev.Origin)
	}
	if slices.Sort(from); !slices.Equal(from, []string{origin, shop}) {
		t.Errorf("records stored from %q, want one from the shop and one from the site", from)
	}
}
