package requests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"pelqim/content"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/records"
	"pelqim/functions/consent/store"
)

func TestPostRequestJSON(t *testing.T) {
	bothStores(t, func(t *testing.T, f reqFixture) {
		resp := postJSON(f.h, "arta@example.com", "203.0.113.7:5555")
		if resp.Status != http.StatusAccepted {
			t.Fatalf("status %d: %s", resp.Status, resp.Body)
		}
		var got accepted
		if err := json.Unmarshal(resp.Body, &got); err != nil || !isReference(got.Reference) {
			t.Fatalf("body %s: %v", resp.Body, err)
		}
		if want := "2026-12-25T09:30:00.000Z"; got.DueAt != want {
			t.Errorf("dueAt %s, want %s", got.DueAt, want)
		}
		all := stored(t, f.rs)
		if len(all) != 1 {
			t.Fatalf("stored %d requests, want 1", len(all))
		}
		r := all[0]
		if r.Reference != got.Reference || r.Status != store.StatusUnverified || r.Email != "arta@example.com" ||
			r.Type != "access" || r.Details != "Order 1042" || r.ClientNet != "203.0.113.0/24" || r.DueAt != got.DueAt {
			t.Errorf("stored %+v", r)
		}
		if !strings.Contains(string(f.raw(t)), "203.0.113.0/24") || strings.Contains(string(f.raw(t)), "203.0.113.7") {
			t.Error("the raw store holds the client address, or not its network")
		}
		mails := outboxMail(t, f.outbox)
		if len(mails) != 1 {
			t.Fatalf("%d mails, want 1", len(mails))
		}
		m := mails[0]
		if m.To != "<arta@example.com>" || m.Subject != "Confirm your data request "+r.Reference {
			t.Errorf("mail to %q subject %q", m.To, m.Subject)
		}
		_, q := verifyLinkIn(t, m.Text)
		if q.Get("ref") != r.Reference || tokenHash(q.Get("token")) != r.TokenHash {
			t.Errorf("link %v does not match the stored request", q)
		}
		if htmlLink, _ := verifyLinkIn(t, strings.ReplaceAll(m.HTML, "&amp;", "&")); !strings.Contains(m.Text, htmlLink) {
			t.Errorf("HTML link %s differs from the text's", htmlLink)
		}
		if bytes.Contains(f.raw(t), []byte(q.Get("token"))) {
			t.Error("the store holds the verification token")
		}
		evs, err := f.rs.AuditEvents(context.Background(), r.Reference)
		if err != nil || len(evs) != 1 || evs[0].Action != "received" {
			t.Errorf("audit %+v, %v", evs, err)
		}
	})
}

func TestPostRequestForm(t *testing.T) {
	f := boltFixture(t)
	form := url.Values{"type": {"erase"}, "email": {"dren@example.com"}, "details": {""}, "language": {"sr"}, "website": {""}}
	resp := postRequest(f.h, "application/x-www-form-urlencoded", form.Encode(), "198.51.100.4:1")
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("status %d: %s", resp.Status, resp.Body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Path != "/api/requests/received" || loc.Query().Get("lang") != "sr" {
		t.Fatalf("Location %q", resp.Header.Get("Location"))
	}
	all := stored(t, f.rs)
	if len(all) != 1 || all[0].Reference != loc.Query().Get("ref") || all[0].Language != "sr" || all[0].Type != "erase" {
		t.Fatalf("stored %+v for %s", all, loc)
	}
	page := serve(f.h, httpapi.Request{Method: http.MethodGet, Path: loc.Path, RawQuery: loc.RawQuery})
	body := string(page.Body)
	for _, want := range []string{`<html lang="sr">`, all[0].Reference, "25. decembar 2026.", `href="/sr/zahtevi/"`, "Zahtev je primljen"} {
		if !strings.Contains(body, want) {
			t.Errorf("received page lacks %q:\n%s", want, body)
		}
	}
	if m := outboxMail(t, f.outbox); len(m) != 1 || !strings.HasPrefix(m[0].Subject, "Potvrdite") {
		t.Errorf("mails %+v", m)
	}
}

// TestPostRequestFormLongDetails: the longest details a form may send, in
// letters of the site's languages, percent-encoded as a browser does, are
// accepted (they are 12 KB of form, past the 4 KB of a consent event).
func TestPostRequestFormLongDetails(t *testing.T) {
	f := boltFixture(t)
	details := strings.Repeat("š", content.MaxRequestDetails/2) + strings.Repeat("ë", content.MaxRequestDetails/2)
	form := url.Values{"type": {"rectify"}, "email": {"dren@example.com"}, "details": {details}, "language": {"sr"}, "website": {""}}
	body := form.Encode()
	if len(body) < 2*records.MaxBody {
		t.Fatalf("form of %d bytes: not the long case", len(body))
	}
	if resp := postRequest(f.h, "application/x-www-form-urlencoded", body, "198.51.100.4:1"); resp.Status != http.StatusSeeOther {
		t.Fatalf("status %d: %s", resp.Status, resp.Body)
	}
	if all := stored(t, f.rs); len(all) != 1 || all[0].Details != details {
		t.Errorf("stored %d requests; details kept whole: %v", len(all), len(all) == 1 && all[0].Details == details)
	}
}

func TestHoneypot(t *testing.T) {
	f := boltFixture(t)
	for _, ct := range []string{"application/json", "application/x-www-form-urlencoded"} {
		body := `{"type":"access","email":"bot@example.com","language":"en","website":"http://spam.example"}`
		want := http.StatusAccepted
		if ct != "application/json" {
			body = "type=access&email=bot%40example.com&language=en&website=spam"
			want = http.StatusSeeOther
		}
		if resp := postRequest(f.h, ct, body, "192.0.2.1:1"); resp.Status != want {
			t.Errorf("%s: status %d, want %d", ct, resp.Status, want)
		}
	}
	if all := stored(t, f.rs); len(all) != 0 {
		t.Errorf("honeypot stored %+v", all)
	}
	if m := outboxMail(t, f.outbox); len(m) != 0 {
		t.Errorf("honeypot sent %+v", m)
	}
}

func TestVerify(t *testing.T) {
	bothStores(t, func(t *testing.T, f reqFixture) {
		if resp := postJSON(f.h, "besa@example.com", "203.0.113.9:1"); resp.Status != http.StatusAccepted {
			t.Fatalf("post: %d %s", resp.Status, resp.Body)
		}
		ref := stored(t, f.rs)[0].Reference
		_, q := verifyLinkIn(t, outboxMail(t, f.outbox)[0].Text)
		status := func() string { r, _ := f.rs.Request(context.Background(), ref); return r.Status }
		audits := func() int { evs, _ := f.rs.AuditEvents(context.Background(), ref); return len(evs) }

		// GET shows the button and changes nothing.
		page := verify(f.h, http.MethodGet, q.Encode())
		if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `action="/api/requests/verify"`) ||
			!strings.Contains(string(page.Body), q.Get("token")) || status() != store.StatusUnverified {
			t.Fatalf("GET: %d, status %s\n%s", page.Status, status(), page.Body)
		}
		// A wrong token changes nothing.
		wrong := url.Values{"ref": {ref}, "token": {strings.Repeat("A", 43)}, "lang": {"en"}}
		if resp := verify(f.h, http.MethodPost, wrong.Encode()); resp.Status != http.StatusBadRequest || !strings.Contains(string(resp.Body), "Link not valid") {
			t.Errorf("wrong token: %d %s", resp.Status, resp.Body)
		}
		if status() != store.StatusUnverified || audits() != 1 {
			t.Fatalf("a wrong token changed the request: %s, %d audit events", status(), audits())
		}
		// The right token, once.
		if resp := verify(f.h, http.MethodPost, q.Encode()); resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), "Request confirmed") {
			t.Fatalf("verify: %d %s", resp.Status, resp.Body)
		}
		if status() != store.StatusVerified || audits() != 2 {
			t.Fatalf("after verify: %s, %d audit events", status(), audits())
		}
		// Again: already verified, nothing changes.
		if resp := verify(f.h, http.MethodPost, q.Encode()); resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), "Already confirmed") {
			t.Errorf("reuse: %d %s", resp.Status, resp.Body)
		}
		if audits() != 2 {
			t.Errorf("reuse appended to the audit: %d events", audits())
		}
		if bytes.Contains(f.raw(t), []byte(q.Get("token"))) {
			t.Error("the store holds the verification token")
		}
	})
}

func TestVerifyExpired(t *testing.T) {
	bothStores(t, func(t *testing.T, f reqFixture) {
		postJSON(f.h, "genta@example.com", "203.0.113.9:1")
		ref := stored(t, f.rs)[0].Reference
		_, q := verifyLinkIn(t, outboxMail(t, f.outbox)[0].Text)
		f.clock.Add(TokenLifetime)
		if resp := verify(f.h, http.MethodPost, q.Encode()); resp.Status != http.StatusBadRequest {
			t.Errorf("expired token: %d %s", resp.Status, resp.Body)
		}
		r, _ := f.rs.Request(context.Background(), ref)
		evs, _ := f.rs.AuditEvents(context.Background(), ref)
		if r.Status != store.StatusUnverified || len(evs) != 1 {
			t.Errorf("an expired token changed the request: %s, %d events", r.Status, len(evs))
		}
	})
}

// TestNoOracle: a known email (one with an earlier, verified request) and an
// unknown one get the same status, the same headers and the same body shape.
func TestNoOracle(t *testing.T) {
	f := boltFixture(t)
	postJSON(f.h, "known@example.com", "203.0.113.1:1")
	_, q := verifyLinkIn(t, outboxMail(t, f.outbox)[0].Text)
	verify(f.h, http.MethodPost, q.Encode())

	shape := func(resp httpapi.Response) (int, http.Header, []string, int) {
		var m map[string]any
		if err := json.Unmarshal(resp.Body, &m); err != nil {
			t.Fatalf("body %s: %v", resp.Body, err)
		}
		var keys []string
		for k, v := range m {
			keys = append(keys, k+":"+regexp.MustCompile(`[0-9A-Z]`).ReplaceAllString(fmt.Sprint(v), "x"))
		}
		slices.Sort(keys)
		return resp.Status, resp.Header, keys, len(resp.Body)
	}
	s1, h1, k1, n1 := shape(postJSON(f.h, "known@example.com", "198.51.100.1:1"))
	s2, h2, k2, n2 := shape(postJSON(f.h, "nobody@example.com", "198.51.100.2:1"))
	if s1 != s2 || !headersEqual(h1, h2) || strings.Join(k1, ",") != strings.Join(k2, ",") || n1 != n2 {
		t.Errorf("known %d %v %v %d\nunknown %d %v %v %d", s1, h1, k1, n1, s2, h2, k2, n2)
	}
	if s1 != http.StatusAccepted {
		t.Errorf("status %d", s1)
	}
}

func headersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\n") != strings.Join(b[k], "\n") {
			return false
		}
	}
	return true
}

// TestPagesStrict: every function-rendered page follows the site's CSP (no
// inline script or style) and sends its own strict headers.
func TestPagesStrict(t *testing.T) {
	f := boltFixture(t)
	for _, lang := range content.Languages {
		pages := []httpapi.Response{
			formAgain(posted{Language: &lang}, httpapi.Invalid("invalid_email", "email must be one valid address")),
			messagePage(http.StatusOK, lang, tr(lang, "req_received_title"), "x"),
			verify(f.h, http.MethodGet, url.Values{"ref": {"KS-ABC123"}, "token": {strings.Repeat("b", 43)}, "lang": {lang}}.Encode()),
		}
		for i, p := range pages {
			body := strings.ToLower(string(p.Body))
			for _, bad := range []string{"<script", "<style", "style=", "http://", "https://"} {
				if strings.Contains(body, bad) {
					t.Errorf("%s page %d contains %q", lang, i, bad)
				}
			}
			if p.Header.Get("Content-Security-Policy") != pageCSP || p.Header.Get("Referrer-Policy") != "strict-origin" {
				t.Errorf("%s page %d headers %v", lang, i, p.Header)
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) || !strings.Contains(body, `href="`+content.RequestsPages[lang]+`"`) {
				t.Errorf("%s page %d: language or back link missing", lang, i)
			}
		}
	}
}
