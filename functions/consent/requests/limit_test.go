package requests

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
)

// TestRateLimits: 64 concurrent senders from one client network (each with
// its own email), then 64 for one email (each from its own network): in
// each case exactly DefaultLimit are accepted and stored, the rest
// get 429 with Retry-After, on both stores.
func TestRateLimits(t *testing.T) {
	bothStores(t, func(t *testing.T, f reqFixture) {
		const senders = 64
		run := func(email func(i int) string, addr func(i int) string) (accepted, limited int) {
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
						accepted++
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
			return accepted, limited
		}
		acc, lim := run(func(i int) string { return fmt.Sprintf("u%d@example.com", i) }, func(i int) string { return fmt.Sprintf("203.0.113.%d:4000", i) })
		if acc != DefaultLimit || lim != senders-DefaultLimit {
			t.Errorf("one network: %d accepted, %d limited", acc, lim)
		}
		// The email counter ignores case: it is one mailbox.
		acc, lim = run(func(i int) string {
			if i%2 == 0 {
				return "Same@Example.com"
			}
			return "same@example.com"
		}, func(i int) string { return fmt.Sprintf("198.51.%d.1:4000", i) })
		if acc != DefaultLimit || lim != senders-DefaultLimit {
			t.Errorf("one email: %d accepted, %d limited", acc, lim)
		}
		if n := len(stored(t, f.rs)); n != 2*DefaultLimit {
			t.Errorf("stored %d requests, want %d", n, 2*DefaultLimit)
		}
		if n := len(outboxMail(t, f.outbox)); n != 2*DefaultLimit {
			t.Errorf("sent %d mails, want %d", n, 2*DefaultLimit)
		}
		// The next window starts afresh.
		f.clock.Add(RateWindow)
		if resp := postJSON(f.h, "same@example.com", "203.0.113.1:1"); resp.Status != http.StatusAccepted {
			t.Errorf("next window: %d %s", resp.Status, resp.Body)
		}
	})
}
