package content

import (
	"slices"
	"strings"
	"testing"
)

func TestParseOrigin(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"https://xiaomistore-ks.com", "https://xiaomistore-ks.com", ""},
		{"https://WWW.Xiaomistore-ks.com/", "https://www.xiaomistore-ks.com", ""},
		{"http://127.0.0.2:8080", "http://127.0.0.2:8080", ""},
		{"https://shop.example/cart", "", "no path"},
		{"https://shop.example?x=1", "", "no path, query"},
		{"https://user@shop.example", "", "no path, query, fragment or user"},
		{"ftp://shop.example", "", "not an origin"},
		{"shop.example", "", "not an origin"},
		{"https://", "", "not an origin"},
		{"", "", "not an origin"},
	} {
		got, err := ParseOrigin(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
	got, err := ParseOrigins(" https://a.example, ,https://b.example/ ")
	if err != nil || !slices.Equal(got, []string{"https://a.example", "https://b.example"}) {
		t.Errorf("ParseOrigins = %q, %v", got, err)
	}
	if _, err := ParseOrigins("https://a.example,https://b.example/x"); err == nil {
		t.Error("ParseOrigins took a URL with a path")
	}
}

func TestDays(t *testing.T) {
	if d, err := ParseDays("RETENTION_DAYS", "30"); err != nil || d.Duration().Hours() != 720 {
		t.Errorf("ParseDays 30 = %v, %v", d, err)
	}
	for _, bad := range []string{"0", "-1", "36501", "200000", "x", ""} {
		if _, err := ParseDays("RETENTION_DAYS", bad); err == nil || !strings.Contains(err.Error(), "RETENTION_DAYS") {
			t.Errorf("ParseDays(%q) = %v, want an error naming the setting", bad, err)
		}
	}
}
