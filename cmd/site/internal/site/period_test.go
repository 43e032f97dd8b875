package site

import (
	"testing"

	"pelqim/content/schema"
)

// TestPeriod: the real theme writes each lifetime with the plural form
// its language's rule picks (Serbian has three).
func TestPeriod(t *testing.T) {
	s, err := Load(repoRoot(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ lang, lifetime, want string }{
		{"en", "1d", "1 day"}, {"en", "14d", "14 days"}, {"en", "session", "Session"},
		{"sq", "1y", "1 vit"}, {"sq", "2y", "2 vjet"}, {"sq", "13mo", "13 muaj"},
		{"sr", "1mo", "1 mesec"}, {"sr", "3mo", "3 meseca"}, {"sr", "13mo", "13 meseci"},
		{"sr", "21d", "21 dan"}, {"sr", "11d", "11 dana"}, {"sr", "22y", "22 godine"}, {"sr", "12y", "12 godina"},
	} {
		l, err := schema.ParseLifetime(tt.lifetime)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Period(tt.lang, l); got != tt.want || err != nil {
			t.Errorf("%s %s: %q, %v; want %q", tt.lang, tt.lifetime, got, err, tt.want)
		}
	}
}
