package requests

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pelqim/content"
	"pelqim/functions/consent/store"
)

// postIn files a data request in lang and returns its reference and the
// query of its confirmation link.
func postIn(t *testing.T, f reqFixture, lang, email string) (string, url.Values) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"type": "erase", "email": email, "language": lang})
	resp := postRequest(f.h, "application/json", string(body), "203.0.113.30:1")
	var got accepted
	if resp.Status != http.StatusAccepted || json.Unmarshal(resp.Body, &got) != nil {
		t.Fatalf("post: %d %s", resp.Status, resp.Body)
	}
	for _, m := range outboxMail(t, f.outbox) {
		if _, q := verifyLinkIn(t, m.Text); q.Get("ref") == got.Reference {
			return got.Reference, q
		}
	}
	t.Fatalf("no mail for %s", got.Reference)
	return "", nil
}

// staff moves ref as the staff's tool does, at the fixture's time.
func staff(t *testing.T, f reqFixture, ref, to string, from ...string) {
	t.Helper()
	now := f.clock.Now()
	r, err := f.rs.Request(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.rs.Transition(context.Background(), ref, store.Transition{
		From: from, To: to, Now: now.Format(store.TimeFormat), ExpiresAt: store.RequestExpiry(r, to, now),
		Event: store.AuditEvent{Reference: ref, At: now.Format(store.AuditTimeFormat), ID: randomID(), Action: to, Status: to, Note: "test", Who: "staff"},
	})
	if err != nil {
		t.Fatalf("%s %s: %v", to, ref, err)
	}
}

// TestVerifyAfterStaff: a confirmation link used after staff acted tells
// the request's real status, in the request's language: confirmed,
// answered, or closed (no longer valid), never "confirmed" for all.
func TestVerifyAfterStaff(t *testing.T) {
	bothStores(t, func(t *testing.T, f reqFixture) {
		f.h.Limit = 100 // a dozen requests from one network
		for _, c := range []struct {
			name        string
			confirmed   bool     // the requester used the link first
			staff       []string // to, from...
			title, text string   // text keys
		}{
			{"verified by staff", false, []string{store.StatusVerified, store.StatusUnverified}, "req_already_title", "req_already_text"},
			{"resolved", true, []string{store.StatusResolved, store.StatusVerified}, "req_answered_title", "req_answered_text"},
			{"rejected unverified", false, []string{store.StatusRejected, store.StatusUnverified}, "req_closed_title", "req_closed_text"},
			{"rejected verified", true, []string{store.StatusRejected, store.StatusVerified}, "req_closed_title", "req_closed_text"},
		} {
			for _, lang := range content.Languages {
				// One address each: an address gets MailLimit emails an hour.
				ref, q := postIn(t, f, lang, strings.ReplaceAll(c.name, " ", "-")+"."+lang+"@example.com")
				if c.confirmed {
					if resp := verify(f.h, http.MethodPost, q.Encode()); resp.Status != http.StatusOK {
						t.Fatalf("%s %s: confirming: %d %s", c.name, lang, resp.Status, resp.Body)
					}
				}
				staff(t, f, ref, c.staff[0], c.staff[1:]...)
				resp := verify(f.h, http.MethodPost, q.Encode())
				body := string(resp.Body)
				for _, want := range []string{tr(lang, c.title), tr(lang, c.text, "{ref}", ref)} {
					if resp.Status != http.StatusOK || !strings.Contains(body, want) {
						t.Errorf("%s %s: %d, want %q in\n%s", c.name, lang, resp.Status, want, body)
					}
				}
			}
		}
	})
}

// TestVerifyExpiredRequest: a request past its retention, not yet deleted
// by DynamoDB's TTL, is gone for its link too.
func TestVerifyExpiredRequest(t *testing.T) {
	bothStores(t, func(t *testing.T, f reqFixture) {
		f.h.Retention = 30
		ref, q := postIn(t, f, "en", "lirim@example.com")
		verify(f.h, http.MethodPost, q.Encode())
		staff(t, f, ref, store.StatusResolved, store.StatusVerified)
		f.clock.Add(30*24*time.Hour - time.Second)
		if resp := verify(f.h, http.MethodPost, q.Encode()); !strings.Contains(string(resp.Body), "Already answered") {
			t.Errorf("a second before its expiry: %d %s", resp.Status, resp.Body)
		}
		f.clock.Add(time.Second)
		if resp := verify(f.h, http.MethodPost, q.Encode()); resp.Status != http.StatusBadRequest || !strings.Contains(string(resp.Body), "Link not valid") {
			t.Errorf("at its expiry: %d %s, want the invalid link", resp.Status, resp.Body)
		}
	})
}

// TestRequestRetention: a request and its audit lines expire a week after
// its link does while unverified; the link's confirmation removes that
// expiry from both, and each request records the retention it gets once
// closed.
func TestRequestRetention(t *testing.T) {
	bothStores(t, func(t *testing.T, f reqFixture) {
		for _, c := range []struct {
			configured, want content.Days
		}{{0, content.DefaultRetention}, {30, 30}} {
			f.h.Retention = c.configured
			ref, q := postIn(t, f, "sq", "drilon@example.com")
			check := func(stage string, want int64) {
				t.Helper()
				r, err := f.rs.Request(context.Background(), ref)
				if err != nil {
					t.Fatal(err)
				}
				if r.ExpiresAt != want || r.RetentionDays != c.want {
					t.Errorf("%s: expiresAt %d, retention %d days; want %d, %d", stage, r.ExpiresAt, r.RetentionDays, want, c.want)
				}
				evs, _ := f.rs.AuditEvents(context.Background(), ref)
				for _, ev := range evs {
					if ev.ExpiresAt != want {
						t.Errorf("%s: audit line %s expires at %d, want %d", stage, ev.Action, ev.ExpiresAt, want)
					}
				}
			}
			check("received", f.clock.Now().Add(TokenLifetime+7*24*time.Hour).Unix())
			if resp := verify(f.h, http.MethodPost, q.Encode()); resp.Status != http.StatusOK {
				t.Fatalf("verify: %d %s", resp.Status, resp.Body)
			}
			check("verified", 0)
		}
	})
}
