package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/store"
)

// malformed are requests the API must refuse, each a change to a valid POST.
var malformed = []struct {
	name   string
	change func(r *httpapi.Request, f map[string]any) // f is re-encoded unless the body was set
	status int
	code   string
}{
	{"PUT", func(r *httpapi.Request, _ map[string]any) { r.Method = "PUT" }, 405, "method_not_allowed"},
	{"GET collection", func(r *httpapi.Request, _ map[string]any) { r.Method = "GET" }, 405, "method_not_allowed"},
	{"DELETE record", func(r *httpapi.Request, _ map[string]any) { r.Method, r.Path = "DELETE", "/api/consent/"+consentID }, 405, "method_not_allowed"},
	{"unknown path", func(r *httpapi.Request, _ map[string]any) { r.Path = "/api/consents" }, 404, "not_found"},
	{"trailing slash", func(r *httpapi.Request, _ map[string]any) { r.Path = "/api/consent/" }, 404, "not_found"},
	{"path too deep", func(r *httpapi.Request, _ map[string]any) { r.Path = "/api/consent/" + consentID + "/x" }, 404, "not_found"},
	{"no Origin", func(r *httpapi.Request, _ map[string]any) { r.Header.Del("Origin") }, 403, "forbidden_origin"},
	{"other Origin", func(r *httpapi.Request, _ map[string]any) { r.Header.Set("Origin", "https://evil.example") }, 403, "forbidden_origin"},
	{"null Origin", func(r *httpapi.Request, _ map[string]any) { r.Header.Set("Origin", "null") }, 403, "forbidden_origin"},
	{"two Origins", func(r *httpapi.Request, _ map[string]any) { r.Header.Add("Origin", origin) }, 403, "forbidden_origin"},
	{"body over 4 KB", func(r *httpapi.Request, f map[string]any) { f["page"] = "/" + strings.Repeat("a", 4096) }, 413, "too_large"},
	{"no Content-Type", func(r *httpapi.Request, _ map[string]any) { r.Header.Del("Content-Type") }, 415, "unsupported_media_type"},
	{"text/plain", func(r *httpapi.Request, _ map[string]any) { r.Header.Set("Content-Type", "text/plain") }, 415, "unsupported_media_type"},
	{"form", func(r *httpapi.Request, _ map[string]any) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}, 415, "unsupported_media_type"},
	{"latin1 charset", func(r *httpapi.Request, _ map[string]any) {
		r.Header.Set("Content-Type", "application/json; charset=latin1")
	}, 415, "unsupported_media_type"},
	{"empty body", func(r *httpapi.Request, _ map[string]any) { r.Body = []byte{} }, 400, "invalid_json"},
	{"not JSON", func(r *httpapi.Request, _ map[string]any) { r.Body = []byte("accept_all") }, 400, "invalid_json"},
	{"array", func(r *httpapi.Request, f map[string]any) { r.Body = append(append([]byte("["), body(f)...), ']') }, 400, "invalid_json"},
	{"two objects", func(r *httpapi.Request, f map[string]any) { r.Body = append(body(f), body(f)...) }, 400, "invalid_json"},
	{"trailing garbage", func(r *httpapi.Request, f map[string]any) { r.Body = append(body(f), '}') }, 400, "invalid_json"},
	{"unknown member", func(r *httpapi.Request, f map[string]any) { f["email"] = "a@b.c" }, 400, "invalid_json"},
	{"member case", func(r *httpapi.Request, f map[string]any) { f["ConsentId"] = f["consentId"]; delete(f, "consentId") }, 400, "invalid_json"},
	{"duplicate member", func(r *httpapi.Request, f map[string]any) {
		r.Body = append(body(f)[:len(body(f))-1], `,"gpc":true}`...)
	}, 400, "invalid_json"},
	{"invalid UTF-8", func(r *httpapi.Request, f map[string]any) {
		r.Body = []byte(strings.Replace(string(body(f)), "privatesia", "priv\xffatesia", 1))
	}, 400, "invalid_json"},
	{"null consentId", func(r *httpapi.Request, f map[string]any) { f["consentId"] = nil }, 400, "invalid_request"},
	{"no eventId", func(r *httpapi.Request, f map[string]any) { delete(f, "eventId") }, 400, "invalid_request"},
	{"uppercase UUID", func(r *httpapi.Request, f map[string]any) { f["consentId"] = strings.ToUpper(consentID) }, 400, "invalid_request"},
	{"UUID v1", func(r *httpapi.Request, f map[string]any) { f["eventId"] = "5f0c1d2e-3a4b-1c5d-8e6f-7a8b9c0d1e2f" }, 400, "invalid_request"},
	{"UUID variant", func(r *httpapi.Request, f map[string]any) { f["eventId"] = "5f0c1d2e-3a4b-4c5d-ce6f-7a8b9c0d1e2f" }, 400, "invalid_request"},
	{"UUID no hyphens", func(r *httpapi.Request, f map[string]any) { f["consentId"] = strings.ReplaceAll(consentID, "-", "") }, 400, "invalid_request"},
	{"consentId number", func(r *httpapi.Request, f map[string]any) { f["consentId"] = 42 }, 400, "invalid_json"},
	{"unknown action", func(r *httpapi.Request, f map[string]any) { f["action"] = "accept" }, 400, "invalid_request"},
	{"no categories", func(r *httpapi.Request, f map[string]any) { delete(f, "categories") }, 400, "invalid_request"},
	{"necessary false", func(r *httpapi.Request, f map[string]any) { cats(f)["necessary"] = false }, 400, "invalid_request"},
	{"missing category", func(r *httpapi.Request, f map[string]any) { delete(cats(f), "marketing") }, 400, "invalid_request"},
	{"unknown category", func(r *httpapi.Request, f map[string]any) { cats(f)["ads"] = true }, 400, "invalid_json"},
	{"categories array", func(r *httpapi.Request, f map[string]any) { f["categories"] = []string{"necessary"} }, 400, "invalid_json"},
	{"category string", func(r *httpapi.Request, f map[string]any) { cats(f)["statistics"] = "yes" }, 400, "invalid_json"},
	{"version not hex", func(r *httpapi.Request, f map[string]any) { f["consentVersion"] = "A1B2C3" }, 400, "invalid_request"},
	{"version too long", func(r *httpapi.Request, f map[string]any) { f["consentVersion"] = strings.Repeat("a", 65) }, 400, "invalid_request"},
	{"version empty", func(r *httpapi.Request, f map[string]any) { f["policyVersion"] = "" }, 400, "invalid_request"},
	{"version number", func(r *httpapi.Request, f map[string]any) { f["policyVersion"] = 123 }, 400, "invalid_json"},
	{"language", func(r *httpapi.Request, f map[string]any) { f["language"] = "de" }, 400, "invalid_request"},
	{"chosenAt negative", func(r *httpapi.Request, f map[string]any) { f["chosenAt"] = -1 }, 400, "invalid_request"},
	{"chosenAt in milliseconds past 2242", func(r *httpapi.Request, f map[string]any) { f["chosenAt"] = int64(1 << 33) }, 400, "invalid_request"},
	{"chosenAt a string", func(r *httpapi.Request, f map[string]any) { f["chosenAt"] = "2026-11-25" }, 400, "invalid_json"},
	{"chosenAt a fraction", func(r *httpapi.Request, f map[string]any) { f["chosenAt"] = 1.5 }, 400, "invalid_json"},
	{"page absolute URL", func(r *httpapi.Request, f map[string]any) { f["page"] = "https://evil.example/sq/" }, 400, "invalid_request"},
	{"page scheme-relative", func(r *httpapi.Request, f map[string]any) { f["page"] = "//evil.example/" }, 400, "invalid_request"},
	{"page query", func(r *httpapi.Request, f map[string]any) { f["page"] = "/sq/?email=a@b.c" }, 400, "invalid_request"},
	{"page too long", func(r *httpapi.Request, f map[string]any) { f["page"] = "/" + strings.Repeat("a", 256) }, 400, "invalid_request"},
	{"gpc string", func(r *httpapi.Request, f map[string]any) { f["gpc"] = "true" }, 400, "invalid_json"},
	{"no gpc", func(r *httpapi.Request, f map[string]any) { delete(f, "gpc") }, 400, "invalid_request"},
	{"accept_all refusing", func(r *httpapi.Request, f map[string]any) { f["action"] = "accept_all" }, 400, "invalid_request"},
	{"reject_all granting", func(r *httpapi.Request, f map[string]any) { f["action"] = "reject_all" }, 400, "invalid_request"},
	{"withdraw granting", func(r *httpapi.Request, f map[string]any) { f["action"] = "withdraw" }, 400, "invalid_request"},
	{"GET malformed id", func(r *httpapi.Request, _ map[string]any) { *r = getReq("not-a-uuid") }, 400, "invalid_id"},
	{"GET uppercase id", func(r *httpapi.Request, _ map[string]any) { *r = getReq(strings.ToUpper(consentID)) }, 400, "invalid_id"},
}

func cats(f map[string]any) map[string]any { return f["categories"].(map[string]any) }

func body(f map[string]any) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		panic(err)
	}
	return b
}

func TestMalformedRequests(t *testing.T) {
	d := openDynalite(t)
	s, _ := openBolt(t)
	for _, st := range []struct {
		name  string
		store store.Store
	}{{"dynalite", d.store}, {"bolt", s}} {
		t.Run(st.name, func(t *testing.T) {
			h := newHandler(st.store, &clock{t0})
			for _, c := range malformed {
				f := fields()
				req := postReq(nil)
				c.change(&req, f)
				if req.Body == nil {
					req.Body = body(f)
				}
				resp := h.Serve(context.Background(), req)
				t.Run(c.name, func(t *testing.T) { checkError(t, resp, c.status, c.code) })
				if c.status == 405 && resp.Header.Get("Allow") == "" {
					t.Errorf("%s: 405 without Allow", c.name)
				}
			}
			if evs := list(t, st.store, consentID); len(evs) != 0 {
				t.Errorf("malformed requests stored %d events", len(evs))
			}
		})
	}
	if items := d.items(t); len(items) != 0 {
		t.Errorf("the table holds %d items after only malformed requests", len(items))
	}
	if len(malformed) < 30 {
		t.Errorf("only %d malformed cases", len(malformed))
	}
}

func TestAllow(t *testing.T) {
	h := newHandler(nil, &clock{t0})
	for path, want := range map[string]string{"/api/consent": "OPTIONS, POST", "/api/consent/" + consentID: "GET"} {
		resp := h.Serve(context.Background(), httpapi.Request{Method: "PATCH", Path: path, Header: http.Header{}})
		if got := resp.Header.Get("Allow"); got != want {
			t.Errorf("%s: Allow %q, want %q", path, got, want)
		}
	}
}

func TestRecordAndHistory(t *testing.T) {
	for _, sk := range stores {
		t.Run(sk.name, func(t *testing.T) {
			s := sk.open(t)
			clk := &clock{t0}
			h := newHandler(s, clk)
			req := postReq(body(fields()))
			req.Header.Set("User-Agent", strings.Repeat("ë", 200)) // 400 bytes
			resp := h.Serve(context.Background(), req)
			if resp.Status != http.StatusCreated {
				t.Fatalf("POST: %d %s", resp.Status, resp.Body)
			}
			checkHeaders(t, resp)
			want := `{"consentId":"` + consentID + `","eventId":"` + eventID + `","recordedAt":"2026-11-25T10:00:00.123Z"}`
			if string(resp.Body) != want {
				t.Errorf("POST body %s, want %s", resp.Body, want)
			}

			// The same event again, later: stored once, the same answer.
			clk.t = t0.Add(time.Minute)
			again := h.Serve(context.Background(), req)
			if again.Status != http.StatusOK || string(again.Body) != string(resp.Body) {
				t.Errorf("replay: %d %s, want 200 %s", again.Status, again.Body, resp.Body)
			}

			wantEv := store.ConsentEvent{
				ConsentID: consentID, EventID: eventID, RecordedAt: "2026-11-25T10:00:00.123Z",
				Action: "custom", Categories: store.Categories{Necessary: true, Statistics: true},
				ConsentVersion: "a1b2c3", PolicyVersion: "d4e5f6", Language: "sq", Page: "/sq/privatesia/", Origin: origin,
				UserAgent: strings.Repeat("ë", 128), ClientNet: "198.51.100.0/24",
				ExpiresAt: t0.Add(10 * 24 * time.Hour).Unix(),
			}
			if evs := list(t, s, consentID); len(evs) != 1 || !reflect.DeepEqual(evs[0], wantEv) {
				t.Errorf("stored %+v\nwant [%+v]", evs, wantEv)
			}

			// Two later events, posted out of time order.
			for i, at := range []time.Duration{2 * time.Hour, time.Hour} {
				f := fields()
				f["eventId"], f["action"] = uuid(1, i), "withdraw"
				cats(f)["statistics"] = false
				clk.t = t0.Add(at)
				if r := h.Serve(context.Background(), postReq(body(f))); r.Status != http.StatusCreated {
					t.Fatalf("POST %d: %d %s", i, r.Status, r.Body)
				}
			}
			get := h.Serve(context.Background(), getReq(consentID))
			checkHeaders(t, get)
			var hist struct {
				ConsentID string
				Events    []map[string]any
			}
			if err := json.Unmarshal(get.Body, &hist); err != nil || get.Status != http.StatusOK {
				t.Fatalf("GET: %d %s %v", get.Status, get.Body, err)
			}
			var order []string
			for _, ev := range hist.Events {
				order = append(order, ev["eventId"].(string))
				for _, k := range []string{"pk", "sk"} {
					if _, ok := ev[k]; ok {
						t.Errorf("history shows the internal key %s", k)
					}
				}
			}
			if want := []string{eventID, uuid(1, 1), uuid(1, 0)}; hist.ConsentID != consentID || !reflect.DeepEqual(order, want) {
				t.Errorf("history %s: order %v, want %v", hist.ConsentID, order, want)
			}
			if len(hist.Events) > 0 && !reflect.DeepEqual(hist.Events[0], asMap(t, wantEv)) {
				t.Errorf("first event %v, want %v", hist.Events[0], asMap(t, wantEv))
			}

			checkError(t, h.Serve(context.Background(), getReq(uuid(9, 9))), 404, "not_found")

			// Past its retention a record is not shown, though the store
			// (DynamoDB's TTL runs days late) may still hold it.
			clk.t = t0.Add(10*24*time.Hour + 90*time.Minute)
			hist.Events = nil
			if get := h.Serve(context.Background(), getReq(consentID)); get.Status != http.StatusOK || json.Unmarshal(get.Body, &hist) != nil || len(hist.Events) != 1 || hist.Events[0]["eventId"] != uuid(1, 0) {
				t.Errorf("GET after the first two expired: %d %s", get.Status, get.Body)
			}
			clk.t = t0.Add(11 * 24 * time.Hour)
			checkError(t, h.Serve(context.Background(), getReq(consentID)), 404, "not_found")
		})
	}
}

func asMap(t *testing.T, v any) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(encode(t, v), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestStoreFailure: a store that fails (a closed bolt file) gives 503 with
// Retry-After, never 2xx.
func TestStoreFailure(t *testing.T) {
	s, _ := openBolt(t)
	s.Close()
	h := newHandler(s, &clock{t0})
	for _, req := range []httpapi.Request{postReq(body(fields())), getReq(consentID)} {
		resp := h.Serve(context.Background(), req)
		checkError(t, resp, http.StatusServiceUnavailable, "unavailable")
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", req.Method)
		}
	}
}

// TestChosenAt: the browser's time of the choice is kept beside the
// server's time of the record, which a queued choice makes later.
func TestChosenAt(t *testing.T) {
	for _, sk := range stores {
		t.Run(sk.name, func(t *testing.T) {
			s := sk.open(t)
			h := newHandler(s, &clock{t0})
			f := fields()
			f["chosenAt"] = t0.Add(-26 * time.Hour).Unix() // queued offline for a day
			if r := h.Serve(context.Background(), postReq(body(f))); r.Status != http.StatusCreated {
				t.Fatalf("POST: %d %s", r.Status, r.Body)
			}
			evs := list(t, s, consentID)
			if len(evs) != 1 || evs[0].ChosenAt != "2026-11-24T08:00:00.000Z" || evs[0].RecordedAt != "2026-11-25T10:00:00.123Z" {
				t.Errorf("stored %+v, want chosen 2026-11-24T08:00:00.000Z and recorded 2026-11-25T10:00:00.123Z", evs)
			}
		})
	}
}
