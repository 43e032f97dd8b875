package httpapi

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClientNet(t *testing.T) {
	for addr, want := range map[string]string{
		"203.0.113.77":                   "203.0.113.0/24",
		"203.0.113.77:52000":             "203.0.113.0/24",
		"::ffff:203.0.113.77":            "203.0.113.0/24",
		"[::ffff:203.0.113.77]:443":      "203.0.113.0/24",
		"2001:db8:abcd:12::7":            "2001:db8:abcd::/48",
		"[2001:db8:abcd:12::7]:443":      "2001:db8:abcd::/48",
		"[fe80::1%eth0]:443":             "fe80::/48",
		"127.0.0.1:1313":                 "127.0.0.0/24",
		"":                               "",
		"not an address":                 "",
		"203.0.113.777":                  "",
		"2001:db8:abcd:12:1:2:3:4:5":     "",
		"[2001:db8:abcd:12::7]:notaport": "",
	} {
		if got := ClientNet(addr); got != want {
			t.Errorf("ClientNet(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestTruncateUTF8(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"Mozilla/5.0", 256, "Mozilla/5.0"},
		{strings.Repeat("a", 300), 256, strings.Repeat("a", 256)},
		{strings.Repeat("a", 255) + "ë", 256, strings.Repeat("a", 255)}, // no half character
		{strings.Repeat("ë", 200), 256, strings.Repeat("ë", 128)},
		{"bad\xffbyte", 256, "bad\uFFFDbyte"},
	} {
		got := TruncateUTF8(c.in, c.n)
		if got != c.want || !utf8.ValidString(got) || len(got) > c.n {
			t.Errorf("TruncateUTF8(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
