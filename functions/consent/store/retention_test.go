package store

import (
	"testing"
	"time"

	"pelqim/content"
)

// TestRequestExpiry pins the retention the privacy policy states: an
// unverified request goes 7 days after its link expires, a verified one
// stays while open, a closed one goes its retention (default 3 years)
// after closing, unless it was never confirmed.
func TestRequestExpiry(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	link := now.Add(7 * 24 * time.Hour) // requests.TokenLifetime
	day := 24 * time.Hour
	r := DataRequest{TokenExpiresAt: link.Format(TimeFormat)}
	for _, c := range []struct {
		name      string
		from      string
		status    string
		retention content.Days
		token     string
		want      time.Time // zero: never
	}{
		{"unverified", "", StatusUnverified, 0, r.TokenExpiresAt, link.Add(7 * day)},
		{"unverified, no link", "", StatusUnverified, 0, "", now.Add(7 * day)},
		{"verified", "", StatusVerified, 30, r.TokenExpiresAt, time.Time{}},
		{"resolved", "", StatusResolved, 0, r.TokenExpiresAt, now.Add(1095 * day)},
		{"rejected", "", StatusRejected, 0, r.TokenExpiresAt, now.Add(1095 * day)},
		{"resolved, own retention", "", StatusResolved, 30, r.TokenExpiresAt, now.Add(30 * day)},
		{"rejected, longest retention", "", StatusRejected, content.MaxRetention, r.TokenExpiresAt, now.Add(content.MaxRetention.Duration())},
		{"resolved, retention out of range", "", StatusResolved, 200000, r.TokenExpiresAt, now.Add(1095 * day)},
		{"resolved, negative retention", "", StatusResolved, -1, r.TokenExpiresAt, now.Add(1095 * day)},
		{"rejected, never confirmed", StatusUnverified, StatusRejected, 0, r.TokenExpiresAt, link.Add(7 * day)},
		{"resolved, never confirmed", StatusUnverified, StatusResolved, 30, r.TokenExpiresAt, link.Add(7 * day)},
		{"rejected after confirmation", StatusVerified, StatusRejected, 0, r.TokenExpiresAt, now.Add(1095 * day)},
	} {
		got := RequestExpiry(DataRequest{Status: c.from, TokenExpiresAt: c.token, RetentionDays: c.retention}, c.status, now)
		want := int64(0)
		if !c.want.IsZero() {
			want = c.want.Unix()
		}
		if got != want {
			t.Errorf("%s: %d (%s), want %d (%s)", c.name, got, time.Unix(got, 0).UTC(), want, c.want)
		}
	}
}

func TestExpired(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, c := range []struct {
		expiresAt int64
		want      bool
	}{{0, false}, {now.Unix() + 1, false}, {now.Unix(), true}, {now.Unix() - 1, true}} {
		if got := Expired(c.expiresAt, now); got != c.want {
			t.Errorf("Expired(%d) at %d = %v, want %v", c.expiresAt, now.Unix(), got, c.want)
		}
	}
	evs := LiveAudit([]AuditEvent{{ID: "a", ExpiresAt: 0}, {ID: "b", ExpiresAt: now.Unix()}, {ID: "c", ExpiresAt: now.Unix() + 1}}, now)
	if len(evs) != 2 || evs[0].ID != "a" || evs[1].ID != "c" {
		t.Errorf("LiveAudit kept %+v", evs)
	}
}
