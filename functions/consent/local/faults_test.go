package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pelqim/content"
	"pelqim/functions/consent/api"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/local"
	"pelqim/functions/consent/store/storetest"
)

// choice is a consent event's body with event number n.
func choice(n int) string {
	return fmt.Sprintf(`{"consentId":"0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b","eventId":"5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d%04d",`+
		`"action":"reject_all","categories":{"necessary":true,"preferences":false,"statistics":false,"marketing":false},`+
		`"consentVersion":"a1b2c3","policyVersion":"d4e5f6","language":"en","page":"/en/","gpc":false}`, n)
}

// message is the "message" of a JSON error answer.
func message(t *testing.T, resp httpapi.Response) string {
	t.Helper()
	var e struct{ Message string }
	if err := json.Unmarshal(resp.Body, &e); err != nil {
		t.Fatalf("answer %d %s: %v", resp.Status, resp.Body, err)
	}
	return e.Message
}

// TestStoreFileGone: serve's store file deleted or replaced while serve
// runs: every choice after it is answered 503 with Retry-After, as for a
// full disk, so that the banner keeps it and sends it again; none is
// answered 201 (before, each was, and was gone after a restart). The log
// says what happened.
func TestStoreFileGone(t *testing.T) {
	for _, tt := range storetest.FileGone {
		t.Run(tt.Name, func(t *testing.T) {
			dir := t.TempDir()
			var logs bytes.Buffer
			h, closeStore, err := local.Open(dir, api.Config{Origin: origin, Log: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer closeStore()
			if resp := post(t, h, content.ConsentPath, httpapi.MediaJSON, choice(1)); resp.Status != http.StatusCreated {
				t.Fatalf("POST before: %d %s", resp.Status, resp.Body)
			}
			tt.Do(t, filepath.Join(dir, "consent.db"))
			for _, n := range []int{2, 2, 3} { // 2 twice: a resend
				resp := post(t, h, content.ConsentPath, httpapi.MediaJSON, choice(n))
				if resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
					t.Errorf("POST after the file was %s: %d %s, want 503 with Retry-After", tt.Name, resp.Status, resp.Body)
				}
			}
			if !strings.Contains(logs.String(), "deleted or replaced while open") {
				t.Errorf("the log does not say what happened:\n%s", logs.String())
			}
		})
	}
}

// TestOutboxFails: a confirmation email that serve's outbox cannot write
// is logged by its cause (not NetworkError, as a full disk was) and
// answered 503 saying that the email failed, not the record store.
// (mail's TestOutboxFailures has the full disk itself.)
func TestOutboxFails(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "outbox"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h, closeStore, err := local.Open(dir, api.Config{Origin: origin, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	body := `{"type":"access","email":"arta@example.com","language":"en","details":"Order 1042","website":""}`
	resp := h.Serve(context.Background(), httpapi.Request{
		Method: "POST", Path: content.RequestsPath, Body: []byte(body), ClientAddr: "127.0.0.1:5000",
		Header: http.Header{"Origin": {origin}, "Content-Type": {httpapi.MediaJSON}},
	})
	if resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("POST with the outbox unwritable: %d %s, want 503 with Retry-After", resp.Status, resp.Body)
	}
	if msg := message(t, resp); msg != "the confirmation email could not be sent; try again later" {
		t.Errorf("message %q, want one saying that the email failed", msg)
	}
	if out := logs.String(); !strings.Contains(out, `code="OutboxWriteFailed: not a directory"`) || strings.Contains(out, "arta@") {
		t.Errorf("the log does not name the cause, or names the address:\n%s", out)
	}
}
