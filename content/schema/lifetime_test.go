package schema

import (
	"strings"
	"testing"
	"time"
)

func TestParseLifetime(t *testing.T) {
	const day = 24 * time.Hour
	for _, tt := range []struct {
		in   string
		max  time.Duration
		bad  bool
		back string
	}{
		{in: "session", back: "session"},
		{in: "2d", max: 2 * day, back: "2d"},
		{in: "13mo", max: 403 * day, back: "13mo"},
		{in: "2y", max: 732 * day, back: "2y"},
		{in: "0d", bad: true},
		{in: "13 months", bad: true},
		{in: "1w", bad: true},
		{in: "", bad: true},
		{in: "99999d", bad: true},
	} {
		l, err := ParseLifetime(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("ParseLifetime(%q): error %v, want error %v", tt.in, err, tt.bad)
			continue
		}
		if !tt.bad && (l.Max() != tt.max || l.String() != tt.back || l.Session() != (tt.in == "session")) {
			t.Errorf("ParseLifetime(%q) = max %v, %q; want %v, %q", tt.in, l.Max(), l, tt.max, tt.back)
		}
	}
}

// TestLifetimeRequired: a cookie states its lifetime once, and every
// duration text says it through {lifetime}.
func TestLifetimeRequired(t *testing.T) {
	const base = "- name: c\n  domain: example.com\n  recipient: R\n  category: necessary\n"
	for _, tt := range []struct{ name, item, want string }{
		{"cookie without lifetime", base + "  kind: cookie\n  duration: {sq: \"2 ditë\"}\n  purpose: {sq: P}\n", "say its lifetime"},
		{"text without the mark", base + "  kind: cookie\n  lifetime: 2d\n  duration: {sq: \"2 ditë\"}\n  purpose: {sq: P}\n", "must say {lifetime} once"},
		{"mark without lifetime", base + "  kind: localStorage\n  duration: {sq: \"{lifetime}\"}\n  purpose: {sq: P}\n", "has no lifetime"},
		{"storage without lifetime", base + "  kind: localStorage\n  duration: {sq: \"Pak\"}\n  purpose: {sq: P}\n", ""},
		{"cookie with lifetime", base + "  kind: cookie\n  lifetime: session\n  duration: {sq: \"{lifetime}\"}\n  purpose: {sq: P}\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var cs []Cookie
			root, err := Decode("cookies.yaml", 0, []byte(tt.item), &cs)
			if err != nil {
				t.Fatal(err)
			}
			err = validateCookies([]string{"sq"}, []Category{{ID: "necessary", Required: true}}, cs, root)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}
