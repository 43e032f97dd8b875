package schema

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// Lifetime is the longest a cookie lives, as cookies.yaml declares it in
// its lifetime field: "session", or a whole number of days, months or
// years ("2d", "13mo", "2y"). It is the one statement of the period: the
// cookie page writes it in each language where a duration text says
// {lifetime}, and the cookie audit holds what browsers keep to it.
type Lifetime struct {
	N    int
	Unit string // "d", "mo", "y"; "" for a session cookie
}

var lifetimeSyntax = regexp.MustCompile(`^([1-9][0-9]{0,3})(d|mo|y)$`)

// ParseLifetime reads a lifetime as cookies.yaml writes it.
func ParseLifetime(s string) (Lifetime, error) {
	if s == "session" {
		return Lifetime{}, nil
	}
	m := lifetimeSyntax.FindStringSubmatch(s)
	if m == nil {
		return Lifetime{}, fmt.Errorf("lifetime %q: want session, or a number of days, months or years such as 2d, 13mo or 2y", s)
	}
	n, _ := strconv.Atoi(m[1])
	return Lifetime{N: n, Unit: m[2]}, nil
}

func (l *Lifetime) UnmarshalYAML(n *yaml.Node) (err error) {
	*l, err = ParseLifetime(n.Value)
	return err
}

// Session reports whether the cookie ends with the browser session.
func (l Lifetime) Session() bool { return l.Unit == "" }

// Max is the longest the declared period can be: months of 31 days and
// years of 366, for "13 months" on a visitor's calendar may be 396 days.
// A session cookie's is 0.
func (l Lifetime) Max() time.Duration {
	days := map[string]int{"d": 1, "mo": 31, "y": 366}[l.Unit]
	return time.Duration(l.N*days) * 24 * time.Hour
}

func (l Lifetime) String() string {
	if l.Session() {
		return "session"
	}
	return strconv.Itoa(l.N) + l.Unit
}

// MarshalText and UnmarshalText write and read the lifetime as
// cookies.yaml does, in JSON (the cookie audit's report).
func (l Lifetime) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

func (l *Lifetime) UnmarshalText(b []byte) (err error) {
	*l, err = ParseLifetime(string(b))
	return err
}
