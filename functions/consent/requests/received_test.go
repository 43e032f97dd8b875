package requests

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pelqim/functions/consent/httpapi"
)

// TestReceivedDue: the received page's link can be written by anyone, so
// it shows a deadline only when a request could have it: from today (in
// Kosovo) to the deadline of a request made now. Otherwise, the generic
// text, never a made-up date.
func TestReceivedDue(t *testing.T) {
	f := boltFixture(t) // now: 25 November 2026, 10:30 in Kosovo
	generic := tr("en", "req_due_any")
	for _, c := range []struct {
		due, want string
	}{
		{"2026-12-25", "by 25 December 2026"}, // a request made now
		{"2026-12-03", "by 3 December 2026"},  // one made in early November
		{"2026-11-25", "by 25 November 2026"}, // due today
		{"2026-11-24", generic},               // past
		{"2026-12-26", generic},               // later than any request's
		{"2027-06-01", generic},
		{"2126-11-25", generic},
		{"2026-02-30", generic},
		{"25.12.2026", generic},
		{"", generic},
	} {
		q := url.Values{"ref": {"KS-ABC123"}, "lang": {"en"}, "due": {c.due}}
		resp := serve(f.h, httpapi.Request{Method: http.MethodGet, Path: "/api/requests/received", RawQuery: q.Encode()})
		if body := string(resp.Body); resp.Status != http.StatusOK || !strings.Contains(body, c.want) {
			t.Errorf("due=%q: %d, want %q in\n%s", c.due, resp.Status, c.want, body)
		}
	}
}
