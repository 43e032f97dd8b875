package local_test

import (
	"context"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pelqim/content"
	"pelqim/functions/consent/api"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/local"
	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/bolt"
)

const origin = "https://privatesia.xiaomistore-ks.com"

// post sends req through h as serve's browser would: from origin, without
// an origin secret (serve is reached directly).
func post(t *testing.T, h *api.Handler, path, contentType, body string) httpapi.Response {
	t.Helper()
	return h.Serve(context.Background(), httpapi.Request{
		Method: "POST", Path: path, Body: []byte(body), ClientAddr: "127.0.0.1:5000",
		Header: http.Header{"Origin": {origin}, "Content-Type": {contentType}},
	})
}

// postConsent records a consent event through h.
func postConsent(t *testing.T, h *api.Handler) {
	t.Helper()
	body := `{"consentId":"0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b","eventId":"5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f",` +
		`"action":"reject_all","categories":{"necessary":true,"preferences":false,"statistics":false,"marketing":false},` +
		`"consentVersion":"a1b2c3","policyVersion":"d4e5f6","language":"en","page":"/en/","gpc":false}`
	if resp := post(t, h, content.ConsentPath, httpapi.MediaJSON, body); resp.Status != http.StatusCreated {
		t.Errorf("POST consent: %d %s", resp.Status, resp.Body)
	}
}

// postRequest files a data request through h.
func postRequest(t *testing.T, h *api.Handler) {
	t.Helper()
	form := url.Values{"type": {"access"}, "email": {"arta@example.com"}, "language": {"en"}}
	if resp := post(t, h, content.RequestsPath, httpapi.MediaForm, form.Encode()); resp.Status != http.StatusSeeOther {
		t.Errorf("POST data request: %d %s", resp.Status, resp.Body)
	}
}

// stored reopens the bolt file of dir, once the handler's is closed.
func stored(t *testing.T, dir string) (evs []store.ConsentEvent, rs []store.DataRequest) {
	t.Helper()
	s, err := bolt.Open(filepath.Join(dir, "consent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if evs, err = store.AllEvents(context.Background(), s, "0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b"); err != nil {
		t.Fatal(err)
	}
	for _, status := range store.Statuses {
		r, err := s.RequestsByStatus(context.Background(), status)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r...)
	}
	return evs, rs
}

// outbox reads the From of every mail in dir's outbox.
func outbox(t *testing.T, dir string) (from []string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	for _, f := range files {
		raw, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(raw)
		raw.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		from = append(from, m.Header.Get("From"))
	}
	return from
}

// TestOpen: serve's API keeps consent records and data requests in the
// bolt file under its data folder and mails into the outbox there, with
// the API's default retentions and Sender unless the configuration says
// otherwise.
func TestOpen(t *testing.T) {
	for _, c := range []struct {
		name                string
		config              api.Config
		retention, requests content.Days // want
		from                string
	}{
		{"defaults", api.Config{Origin: origin + "/"}, // a trailing slash is no matter
			content.DefaultRetention, content.DefaultRetention, local.Sender},
		{"configured", api.Config{Origin: origin, Sender: "privatesia@xiaomistore-ks.com", Retention: 30, RequestRetention: 90},
			30, 90, "privatesia@xiaomistore-ks.com"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			before := time.Now()
			h, closeStore, err := local.Open(dir, c.config)
			if err != nil {
				t.Fatal(err)
			}
			postConsent(t, h)
			postRequest(t, h)
			closeStore()
			after := time.Now()

			evs, rs := stored(t, dir)
			if len(evs) != 1 || evs[0].ExpiresAt < before.Add(c.retention.Duration()).Unix() || evs[0].ExpiresAt > after.Add(c.retention.Duration()).Unix() {
				t.Errorf("consent records %+v, want one kept %d days", evs, c.retention)
			}
			if len(rs) != 1 || rs[0].RetentionDays != c.requests {
				t.Errorf("data requests %+v, want one kept %d days once closed", rs, c.requests)
			}
			if from := outbox(t, dir); len(from) != 1 || !strings.Contains(from[0], c.from) {
				t.Errorf("the outbox holds mail from %q, want one from %s", from, c.from)
			}
		})
	}
}

// TestOpenErrors: an incomplete configuration is refused before anything
// is created under the data folder.
func TestOpenErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		origin string
		dir    string
		want   string
	}{
		{"no origin", "", "data", "SITE_ORIGIN"},
		{"origin a slash", "/", "data", "SITE_ORIGIN"},
		{"no data folder", origin, "", "-data"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := c.dir
			if dir != "" {
				dir = filepath.Join(t.TempDir(), dir)
			}
			if _, _, err := local.Open(dir, api.Config{Origin: c.origin}); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open: %v, want an error about %s", err, c.want)
			}
			if _, err := os.Stat(dir); dir != "" && !os.IsNotExist(err) {
				t.Errorf("the data folder was created anyway: %v", err)
			}
		})
	}
}
