package local_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/local"
	"pelqim/functions/consent/mail"
	"pelqim/functions/consent/testenv"
)

const origin = "https://privatesia.xiaomistore-ks.com"

func setEnv(t *testing.T, vars ...string) { testenv.SetEnv(t, vars...) }

// postOK records a consent event through h, as serve's browser would: no
// origin secret (serve is reached directly).
func postOK(t *testing.T, h *api.Handler) {
	t.Helper()
	body := `{"consentId":"0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b","eventId":"5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f",` +
		`"action":"reject_all","categories":{"necessary":true,"preferences":false,"statistics":false,"marketing":false},` +
		`"consentVersion":"a1b2c3","policyVersion":"d4e5f6","language":"en","page":"/en/","gpc":false}`
	resp := h.Serve(context.Background(), api.Request{
		Method: "POST", Path: "/api/consent", Body: []byte(body), ClientAddr: "127.0.0.1:5000",
		Header: http.Header{"Origin": {h.Origin}, "Content-Type": {"application/json"}},
	})
	if resp.Status != http.StatusCreated {
		t.Errorf("POST: %d %s", resp.Status, resp.Body)
	}
}

func TestFromEnvLocal(t *testing.T) {
	setEnv(t, "SITE_ORIGIN=http://127.0.0.1:1313/")
	dir := t.TempDir()
	h, closeStore, err := local.FromEnv(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if h.Origin != "http://127.0.0.1:1313" || h.Retention != api.DefaultRetention {
		t.Errorf("origin %q, retention %v", h.Origin, h.Retention)
	}
	if ob, ok := h.Mail.(mail.Outbox); !ok || ob.Dir != filepath.Join(dir, "outbox") || h.Sender != local.Sender {
		t.Errorf("mail %#v from %q, want the outbox in %s from %s", h.Mail, h.Sender, dir, local.Sender)
	}
	if h.Requests == nil {
		t.Error("no store for data requests")
	}
	postOK(t, h)
	if _, err := os.Stat(filepath.Join(dir, "consent.db")); err != nil {
		t.Errorf("the bolt file: %v", err)
	}
}

// TestFromEnvSender: SENDER_ADDRESS, when set, is the outbox's From too.
func TestFromEnvSender(t *testing.T) {
	setEnv(t, "SITE_ORIGIN="+origin, "SENDER_ADDRESS=privatesia@xiaomistore-ks.com", "RETENTION_DAYS=30")
	h, closeStore, err := local.FromEnv(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if h.Sender != "privatesia@xiaomistore-ks.com" || h.Retention != 30*24*time.Hour {
		t.Errorf("from %q, retention %v", h.Sender, h.Retention)
	}
}

// TestFromEnvRefusesAWS: serve has no DynamoDB or SES; a variable that
// would have chosen them is an error that says where they run instead,
// before anything is created under -data.
func TestFromEnvRefusesAWS(t *testing.T) {
	for _, kv := range []string{"TABLE_NAME=pelqim-Table", "AWS_ENDPOINT_URL_SESV2=http://127.0.0.1:8005"} {
		name, _, _ := strings.Cut(kv, "=")
		t.Run(name, func(t *testing.T) {
			setEnv(t, "SITE_ORIGIN="+origin, kv)
			dir := filepath.Join(t.TempDir(), "data")
			_, _, err := local.FromEnv(dir)
			if err == nil || !strings.Contains(err.Error(), name+" is set") || !strings.Contains(err.Error(), "aws-lambda-rie") {
				t.Errorf("FromEnv with %s: %v, want an error naming it and where DynamoDB and SES run", kv, err)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("the data folder was created anyway: %v", err)
			}
		})
	}
}

func TestFromEnvErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		vars []string
		dir  string
		want string
	}{
		{"no origin", nil, "data", "SITE_ORIGIN"},
		{"retention zero", []string{"SITE_ORIGIN=" + origin, "RETENTION_DAYS=0"}, "data", "RETENTION_DAYS"},
		{"retention text", []string{"SITE_ORIGIN=" + origin, "RETENTION_DAYS=3y"}, "data", "RETENTION_DAYS"},
		{"no data folder", []string{"SITE_ORIGIN=" + origin}, "", "-data"},
	} {
		t.Run(c.name, func(t *testing.T) {
			setEnv(t, c.vars...)
			dir := c.dir
			if dir != "" {
				dir = filepath.Join(t.TempDir(), dir)
			}
			if _, _, err := local.FromEnv(dir); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("FromEnv: %v, want an error about %s", err, c.want)
			}
		})
	}
}
