package requests

import (
	_ "embed"
	"strings"
	"sync"
	"time"
)

// Kosovo is the store's time zone, in which visitors and staff are told
// dates: Central European, with summer time, as the IANA database records
// it for Europe/Belgrade (which Kosovo follows).
// The zone file is embedded (tz/, copied from tzdata 2025b; its closing
// rule covers the years to come): Lambda's provided.al2023 image has no
// zone database, where time.LoadLocation fails, and a fixed UTC+1 put a
// request made after 23:00 in summer on the wrong day.
var Kosovo = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocationFromTZData("Europe/Belgrade", belgrade)
	if err != nil {
		panic("the embedded zone file does not load: " + err.Error()) // TestKosovoTime loads it
	}
	return loc
})

//go:embed tz/Europe/Belgrade
var belgrade []byte

// longDate writes a date in Kosovo as the site's pages do, in the theme's
// date_format with its month names: "25 December 2026", "25 dhjetor
// 2026", "25. decembar 2026.".
func longDate(lang string, t time.Time) string {
	t = t.In(Kosovo())
	months := strings.Fields(tr(lang, "months"))
	return strings.Replace(t.Format(tr(lang, "date_format")), t.Format("January"), months[t.Month()-1], 1)
}

// dueDate is one month after received (GDPR Art. 12(3)). Go's AddDate
// normalises 31 January + 1 month to 3 March; the deadline is then the last
// day of February instead, never later than a calendar month.
func dueDate(received time.Time) time.Time {
	received = received.In(Kosovo()) // the calendar month is Kosovo's
	d := received.AddDate(0, 1, 0)
	if d.Day() != received.Day() {
		d = d.AddDate(0, 0, -d.Day())
	}
	return d
}

// plausibleDue reads the received page's due date. Anyone can write that
// link, so a date is shown only if a request could have it: not past
// (Kosovo's today) and no later than the deadline of a request made now.
// Anything else gets the generic text, so the site's page cannot be made
// to promise a false deadline (extensions are told by staff, not here).
func plausibleDue(v string, now time.Time) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, v, Kosovo())
	if err != nil {
		return time.Time{}, false
	}
	today, latest := day(now), day(dueDate(now))
	return d, !d.Before(today) && !d.After(latest)
}

// day is the start of t's date in Kosovo.
func day(t time.Time) time.Time {
	y, m, d := t.In(Kosovo()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Kosovo())
}
