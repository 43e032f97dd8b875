package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"pelqim/functions/consent/api"

	"github.com/aws/aws-lambda-go/events"
)

// originSecret stands for the value CloudFront adds as X-Origin-Verify
// (48 letters and digits, as the stack's secret is generated).
const originSecret = "k3Jd9QmZ2pLx7VbN4cRt8WsY1hGf6AeU5oIy0TnMqBvXzCwD"

// urlEvent is a Function URL event as CloudFront forwards a browser's POST,
// with the origin secret it adds.
func urlEvent(body []byte, viewer string) events.LambdaFunctionURLRequest {
	ev := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: "/api/consent", Body: string(body),
		Headers: map[string]string{
			"origin": origin, "content-type": "application/json", "user-agent": "Mozilla/5.0",
			"x-origin-verify": originSecret,
		},
		RequestContext: events.LambdaFunctionURLRequestContext{
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", Path: "/api/consent", SourceIP: "130.176.1.1"},
		},
	}
	if viewer != "" {
		ev.Headers["cloudfront-viewer-address"] = viewer
	}
	return ev
}

func TestFromFunctionURL(t *testing.T) {
	for _, c := range []struct{ viewer, want string }{
		{"198.51.100.7:443", "198.51.100.7"},
		{"2001:db8:abcd:12::7:443", "2001:db8:abcd:12::7"},
		{"[2001:db8:abcd:12::7]:443", "2001:db8:abcd:12::7"},
		{"", "130.176.1.1"}, // no CloudFront in front: the event's source
		{"garbage", ""},     // never the edge's address in its place
	} {
		req, err := api.FromFunctionURL(urlEvent([]byte("{}"), c.viewer))
		if err != nil {
			t.Fatal(err)
		}
		if req.ClientAddr != c.want || req.Method != "POST" || req.Path != "/api/consent" ||
			req.Header.Get("Origin") != origin || string(req.Body) != "{}" {
			t.Errorf("viewer %q: %+v, want client %q", c.viewer, req, c.want)
		}
	}

	ev := urlEvent(nil, "")
	ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)), true
	if req, err := api.FromFunctionURL(ev); err != nil || string(req.Body) != `{"a":1}` {
		t.Errorf("base64 body: %q, %v", req.Body, err)
	}
	ev.Body = "not base64!"
	if _, err := api.FromFunctionURL(ev); err == nil {
		t.Error("bad base64 accepted")
	}
}

func TestFunctionURLHandler(t *testing.T) {
	s, _ := openBolt(t)
	handle := api.FunctionURLHandler(newHandler(s, &clock{t0}), originSecret)

	ev := urlEvent(nil, "203.0.113.9:5000")
	ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body(fields())), true
	resp, err := handle(context.Background(), ev)
	if err != nil || resp.StatusCode != 201 || resp.Headers["Cache-Control"] != "no-store" ||
		resp.Headers["Content-Type"] != "application/json" || !strings.Contains(resp.Body, eventID) {
		t.Fatalf("POST: %+v, %v", resp, err)
	}
	if evs := list(t, s, consentID); len(evs) != 1 || evs[0].ClientNet != "203.0.113.0/24" {
		t.Errorf("stored %+v", evs)
	}

	ev.Body = "%%%"
	resp, err = handle(context.Background(), ev)
	if err != nil || resp.StatusCode != 400 || !strings.Contains(resp.Body, `"error":"invalid_body"`) {
		t.Errorf("bad base64: %+v, %v", resp, err)
	}
}

// TestFunctionURLOriginSecret: the Function URL is public (AuthType NONE),
// so a request without CloudFront's X-Origin-Verify value is refused before
// the handler sees it, and with its forged CloudFront-Viewer-Address.
func TestFunctionURLOriginSecret(t *testing.T) {
	for _, c := range []struct {
		name, configured string
		header           *string // nil: no header
	}{
		{"no header", originSecret, nil},
		{"empty", originSecret, ptr("")},
		{"wrong", originSecret, ptr(strings.Repeat("x", len(originSecret)))},
		{"last byte wrong", originSecret, ptr(originSecret[:len(originSecret)-1] + "x")},
		{"prefix", originSecret, ptr(originSecret[:len(originSecret)-1])},
		{"longer", originSecret, ptr(originSecret + "x")},
		{"other case", originSecret, ptr(strings.ToLower(originSecret))},
		{"sent twice (joined by Lambda)", originSecret, ptr(originSecret + "," + originSecret)},
		{"no secret configured", "", ptr("")},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := openBolt(t)
			handle := api.FunctionURLHandler(newHandler(s, &clock{t0}), c.configured)
			ev := urlEvent(body(fields()), "198.51.100.7:443")
			delete(ev.Headers, "x-origin-verify")
			if c.header != nil {
				ev.Headers["x-origin-verify"] = *c.header
			}
			resp, err := handle(context.Background(), ev)
			if err != nil || resp.StatusCode != 403 || resp.Headers["Content-Type"] != "application/json" ||
				!strings.Contains(resp.Body, `"error":"forbidden"`) || !strings.Contains(resp.Body, `"message":`) {
				t.Errorf("%+v, %v; want a 403 JSON error", resp, err)
			}
			if evs := list(t, s, consentID); len(evs) != 0 {
				t.Errorf("a refused request was stored: %+v", evs)
			}
		})
	}
	t.Run("right secret", func(t *testing.T) {
		s, _ := openBolt(t)
		resp, err := api.FunctionURLHandler(newHandler(s, &clock{t0}), originSecret)(context.Background(), urlEvent(body(fields()), "198.51.100.7:443"))
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("%+v, %v", resp, err)
		}
		if evs := list(t, s, consentID); len(evs) != 1 || evs[0].ClientNet != "198.51.100.0/24" {
			t.Errorf("stored %+v", evs)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestHTTPHandler(t *testing.T) {
	s, _ := openBolt(t)
	srv := httptest.NewServer(api.HTTPHandler(newHandler(s, &clock{t0})))
	defer srv.Close()

	post := func(b []byte) (*http.Response, []byte) {
		req, _ := http.NewRequest("POST", srv.URL+"/api/consent", bytes.NewReader(b))
		req.Header.Set("Origin", origin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		return resp, got
	}
	resp, got := post(body(fields()))
	if resp.StatusCode != 201 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("POST: %d %s", resp.StatusCode, got)
	}
	if evs := list(t, s, consentID); len(evs) != 1 || evs[0].ClientNet != "127.0.0.0/24" {
		t.Errorf("stored %+v", evs)
	}
	resp, got = post(bytes.Repeat([]byte(" "), 64<<10))
	if resp.StatusCode != 413 || !strings.Contains(string(got), "too_large") {
		t.Errorf("64 KB body: %d %s", resp.StatusCode, got)
	}

	resp, err := http.Get(srv.URL + "/api/consent/" + consentID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var hist struct{ Events []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&hist); err != nil || resp.StatusCode != 200 || len(hist.Events) != 1 {
		t.Errorf("GET: %d, %d events, %v", resp.StatusCode, len(hist.Events), err)
	}
}

// TestNoRawIP looks for the visitors' addresses in the bytes each store
// keeps: only their networks may be there.
func TestNoRawIP(t *testing.T) {
	visitors := []struct{ viewer, ip, net string }{
		{"198.51.100.77:52000", "198.51.100.77", "198.51.100.0/24"},
		{"2001:db8:abcd:12::7:443", "2001:db8:abcd:12::7", "2001:db8:abcd::/48"},
		{"[2001:db8:abcd:34::99]:443", "2001:db8:abcd:34::99", "2001:db8:abcd::/48"},
	}
	record := func(t *testing.T, h *api.Handler) {
		handle := api.FunctionURLHandler(h, originSecret)
		for i, v := range visitors {
			f := fields()
			f["eventId"] = uuid(2, i)
			if resp, err := handle(context.Background(), urlEvent(body(f), v.viewer)); err != nil || resp.StatusCode != 201 {
				t.Fatalf("POST from %s: %+v %v", v.viewer, resp, err)
			}
		}
	}
	check := func(t *testing.T, raw []byte) {
		for _, v := range visitors {
			if bytes.Contains(raw, []byte(v.ip)) {
				t.Errorf("the store holds the raw address %s", v.ip)
			}
			if !bytes.Contains(raw, []byte(v.net)) {
				t.Errorf("the store lacks the network %s", v.net)
			}
		}
	}

	t.Run("dynalite", func(t *testing.T) {
		d := openDynalite(t)
		record(t, newHandler(d.store, &clock{t0}))
		// The records, and the rate counters beside them, which name
		// networks too.
		items := d.items(t)
		if n := len(d.records(t)); n != len(visitors) {
			t.Fatalf("%d records of %d items", n, len(items))
		}
		raw, err := json.Marshal(items)
		if err != nil {
			t.Fatal(err)
		}
		check(t, raw)
	})
	t.Run("bolt", func(t *testing.T) {
		s, path := openBolt(t)
		record(t, newHandler(s, &clock{t0}))
		s.Close()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		check(t, raw)
	})
}
