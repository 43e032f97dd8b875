package requests

import (
	"testing"
	"time"
)

// TestKosovoTime: dates are Kosovo's, summer time included, from the
// embedded zone file whatever the machine has (Lambda's image has none).
func TestKosovoTime(t *testing.T) {
	for _, c := range []struct {
		utc    string
		offset int // seconds east of UTC
		date   string
	}{
		{"2026-01-15T12:00:00Z", 3600, "15 January 2026"},
		{"2026-06-30T22:30:00Z", 7200, "1 July 2026"}, // after 23:00 UTC+1, already the next day
		{"2026-10-25T00:30:00Z", 7200, "25 October 2026"},
		{"2026-10-25T01:30:00Z", 3600, "25 October 2026"}, // summer time ended at 01:00 UTC
	} {
		at, _ := time.Parse(time.RFC3339, c.utc)
		if _, off := at.In(Kosovo()).Zone(); off != c.offset {
			t.Errorf("%s: offset %d, want %d", c.utc, off, c.offset)
		}
		if got := longDate("en", at); got != c.date {
			t.Errorf("%s: %q, want %q", c.utc, got, c.date)
		}
	}
}

func TestDueDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-25": "2026-12-25",
		"2027-01-31": "2027-02-28",
		"2028-01-31": "2028-02-29",
		"2026-03-31": "2026-04-30",
		"2026-12-31": "2027-01-31",
	} {
		d, _ := time.ParseInLocation(time.DateOnly, in, Kosovo())
		if got := dueDate(d.Add(12 * time.Hour)).In(Kosovo()).Format(time.DateOnly); got != want {
			t.Errorf("dueDate(%s) = %s, want %s", in, got, want)
		}
	}
	// Received at 00:30 on 31 January in Kosovo, 23:30 on the 30th in UTC:
	// the month runs from Kosovo's date.
	at, _ := time.Parse(time.RFC3339, "2027-01-30T23:30:00Z")
	if got := dueDate(at).In(Kosovo()).Format(time.DateOnly); got != "2027-02-28" {
		t.Errorf("dueDate(%s) = %s, want 2027-02-28", at, got)
	}
}
