package content

import (
	"fmt"
	"strconv"
	"time"
)

// Days is a period counted in whole days, the unit of every period the
// configuration, the function and the infrastructure set.
type Days int

// Duration is d as a time.Duration; d is at most MaxRetention, far from
// the 106,751 days at which it would overflow.
func (d Days) Duration() time.Duration { return time.Duration(d) * 24 * time.Hour }

// The periods pelqim applies unless the configuration says otherwise, and
// their bounds.
const (
	// DefaultRetention is how long consent records, and answered data
	// requests after closing, are kept: the three years the pages state.
	DefaultRetention Days = 1095
	// MaxRetention bounds every configured retention: 100 years is more
	// than any policy states, and well below where a Duration overflows
	// into a negative retention that would expire every record at once.
	MaxRetention Days = 36500

	// DefaultReconsent is how long a choice holds before the banner asks
	// again (about six months, as EDPB and CNIL guidance suggests).
	DefaultReconsent Days = 182
	// ConsentCookie is how long the consent cookie lives, the longest a
	// choice can hold: under the 13 months regulators allow.
	ConsentCookie Days = 390
)

// ParseDays reads a retention setting such as RETENTION_DAYS: whole days
// from 1 to MaxRetention.
func ParseDays(name, v string) (Days, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || Days(n) > MaxRetention {
		return 0, fmt.Errorf("%s=%q: want a number of days from 1 to %d", name, v, MaxRetention)
	}
	return Days(n), nil
}
