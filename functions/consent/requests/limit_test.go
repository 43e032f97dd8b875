package requests

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"pelqim/content"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRateLimits: 64 concurrent senders from one client network (each with
// its own email): exactly DefaultLimit are accepted, stored and mailed, the
// rest get 429 with Retry-After. Then 64 for one email, each from its own
// network: a stranger must not lock the owner out, so every one is filed,
// but the address gets MailLimit emails and the rest say mailed false. On
// both stores.
func TestRateLimits(t *testing.T) {
	bothStores(t, func(t *testing.T, f reqFixture) {
		const senders = 64
		run := func(email func(i int) string, addr func(i int) string) (mailed, unmailed, limited int) {
			var (
				wg sync.WaitGroup
				mu sync.Mutex
			)
			for i := range senders {
				wg.Go(func() {
					resp := postJSON(f.h, email(i), addr(i))
					mu.Lock()
					defer mu.Unlock()
					switch resp.Status {
					case http.StatusAccepted:
						var a struct{ Mailed bool }
						if err := json.Unmarshal(resp.Body, &a); err != nil {
							t.Errorf("sender %d: %v in %s", i, err, resp.Body)
						}
						if a.Mailed {
							mailed++
						} else {
							unmailed++
						}
					case http.StatusTooManyRequests:
						limited++
						if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 3600 {
							t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
						}
					default:
						t.Errorf("sender %d: %d %s", i, resp.Status, resp.Body)
					}
				})
			}
			wg.Wait()
			return mailed, unmailed, limited
		}
		m, u, l := run(func(i int) string { return fmt.Sprintf("u%d@example.com", i) }, func(i int) string { return fmt.Sprintf("203.0.113.%d:4000", i) })
		if m != DefaultLimit || u != 0 || l != senders-DefaultLimit {
			t.Errorf("one network: %d mailed, %d filed without mail, %d limited", m, u, l)
		}
		// The email counter ignores case: it is one mailbox.
		m, u, l = run(func(i int) string {
			if i%2 == 0 {
				return "Same@Example.com"
			}
			return "same@example.com"
		}, func(i int) string { return fmt.Sprintf("198.51.%d.1:4000", i) })
		if m != MailLimit || u != senders-MailLimit || l != 0 {
			t.Errorf("one email: %d mailed, %d filed without mail, %d limited", m, u, l)
		}
		if n := len(stored(t, f.rs)); n != DefaultLimit+senders {
			t.Errorf("stored %d requests, want %d", n, DefaultLimit+senders)
		}
		if n := len(outboxMail(t, f.outbox)); n != DefaultLimit+MailLimit {
			t.Errorf("sent %d mails, want %d", n, DefaultLimit+MailLimit)
		}
		// The form tells the visitor that no email came.
		form := "type=access&email=same%40example.com&language=en&website="
		resp := postRequest(f.h, "application/x-www-form-urlencoded", form, "192.0.2.200:1")
		if loc := resp.Header.Get("Location"); resp.Status != http.StatusSeeOther || !strings.Contains(loc, "mail=0") {
			t.Fatalf("form past the mail limit: %d to %q", resp.Status, loc)
		}
		page := serve(f.h, httpapi.Request{Method: http.MethodGet, Path: "/api/requests/received", RawQuery: strings.SplitN(resp.Header.Get("Location"), "?", 2)[1], Header: http.Header{}})
		if !strings.Contains(string(page.Body), html.EscapeString(content.Text["en"]["req_received_nomail"])) {
			t.Errorf("the received page does not say that no email came:\n%s", page.Body)
		}
		// The next window starts afresh.
		f.clock.Add(httpapi.RateWindow)
		if resp := postJSON(f.h, "same@example.com", "203.0.113.1:1"); resp.Status != http.StatusAccepted || !strings.Contains(string(resp.Body), `"mailed":true`) {
			t.Errorf("next window: %d %s", resp.Status, resp.Body)
		}
	})
}

// TestHoneypotTakesAsLong: a bot's answer comes as late as a person's, so
// its time does not tell the honeypot apart.
func TestHoneypotTakesAsLong(t *testing.T) {
	f := boltFixture(t)
	f.h.Mail = slowSender{f.h.Mail, 40 * time.Millisecond} // as SES would
	var real time.Duration
	for i := range 3 {
		start := time.Now()
		if resp := postJSON(f.h, fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("203.0.113.%d:1", i)); resp.Status != http.StatusAccepted {
			t.Fatalf("post: %d %s", resp.Status, resp.Body)
		}
		real = time.Since(start)
	}
	start := time.Now()
	body := `{"type":"access","email":"bot@example.com","language":"en","website":"http://spam.example"}`
	if resp := postRequest(f.h, "application/json", body, "192.0.2.1:1"); resp.Status != http.StatusAccepted {
		t.Fatalf("honeypot: %d %s", resp.Status, resp.Body)
	}
	if bot := time.Since(start); bot < 40*time.Millisecond {
		t.Errorf("the honeypot answered in %v, a person in %v", bot, real)
	}
}

type slowSender struct {
	mail.Sender
	d time.Duration
}

func (s slowSender) Send(ctx context.Context, m mail.Message) error {
	time.Sleep(s.d)
	return s.Sender.Send(ctx, m)
}
