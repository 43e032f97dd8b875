package store

import (
	"time"

	"pelqim/content"
)

// How long data requests are kept: the one statement of the rule, which
// the data-request pages state. RequestExpiry applies it.
//
//   - Unverified: until UnverifiedGrace after the confirmation link expires
//     (the link works for 7 days, requests.TokenLifetime: 14 days after
//     it was sent). A request nobody confirmed may carry someone else's address.
//   - Verified: while it is open; it has no expiry until it is closed.
//   - Resolved or rejected: RetentionDays after it was closed (default
//     content.DefaultRetention, 3 years), to account for the answer;
//     but one closed without ever being confirmed (filed, perhaps, with
//     someone else's address) keeps the unverified rule.
//
// A request's audit lines expire with it.
const UnverifiedGrace = 7 * 24 * time.Hour

// RequestExpiry is when r, entering status at now, is to be deleted, in
// epoch seconds (the table's TTL attribute); 0 means never (verified).
func RequestExpiry(r DataRequest, status string, now time.Time) int64 {
	switch status {
	case StatusUnverified:
		end, err := time.Parse(TimeFormat, r.TokenExpiresAt)
		if err != nil {
			end = now // no usable link: the grace runs from now
		}
		return end.Add(UnverifiedGrace).Unix()
	case StatusResolved, StatusRejected:
		if r.Status == StatusUnverified {
			return RequestExpiry(r, StatusUnverified, now)
		}
		days := r.RetentionDays
		if days <= 0 || days > content.MaxRetention {
			days = content.DefaultRetention // unset, or nothing the function stores
		}
		return now.Add(days.Duration()).Unix()
	}
	return 0
}

// Expired reports whether an item with TTL value expiresAt (0: none) is
// gone at now, as readers must treat it: DynamoDB deletes it only later.
func Expired(expiresAt int64, now time.Time) bool {
	return expiresAt != 0 && expiresAt <= now.Unix()
}

// LiveAudit drops the lines of evs that are expired at now.
func LiveAudit(evs []AuditEvent, now time.Time) []AuditEvent {
	var live []AuditEvent
	for _, ev := range evs {
		if !Expired(ev.ExpiresAt, now) {
			live = append(live, ev)
		}
	}
	return live
}
