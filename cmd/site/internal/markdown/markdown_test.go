package markdown

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/renderer/html"
)

func TestRender(t *testing.T) {
	src := "Intro\n\n## 1. Siguria {#siguria}\n\nSee [cookies](/sq/cookies/#cookies) and <script>alert(1)</script>.\n\n### Të dhënat *me* theks\n\n[x](javascript:alert(1)) ![i](data:text/html,hi) <b onclick=\"x()\">bold</b>\n"
	d, err := Render([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	html := d.HTML
	for _, bad := range []string{"<script", "javascript:", "onclick", "<b", "data:text", "<!--"} {
		if strings.Contains(html, bad) {
			t.Errorf("output contains %q:\n%s", bad, html)
		}
	}
	if !strings.Contains(html, `<h2 id="siguria">1. Siguria</h2>`) {
		t.Errorf("explicit anchor not rendered:\n%s", html)
	}
	want := []Heading{{2, "siguria", "1. Siguria", 3}, {3, "", "Të dhënat me theks", 7}}
	if len(d.Headings) != 2 || d.Headings[0] != want[0] || d.Headings[1].Text != want[1].Text || d.Headings[1].Line != 7 || d.Headings[1].ID == "" {
		t.Errorf("headings = %+v, want like %+v", d.Headings, want)
	}
	if len(d.Links) != 3 || d.Links[0] != (Link{"/sq/cookies/#cookies", 5}) || d.Links[1].Line != 9 {
		t.Errorf("links = %+v", d.Links)
	}
}

// TestDangerousAsGoldmark: the allocation-free check agrees with goldmark's
// own, which its renderer applies too.
func TestDangerousAsGoldmark(t *testing.T) {
	for _, u := range []string{
		"", "j", "javascript:alert(1)", "JavaScript:x", "JAVASCRIPT:", "vbscript:x", "VBScript:", "file:///etc/passwd",
		"FILE:x", "data:text/html,x", "DATA:x", "data:image/png;base64,AA", "data:image/PNG;x", "data:image/gif;x",
		"data:image/jpeg;x", "data:image/webp;x", "data:image/svg+xml;x", "data:image/", "data:image/png",
		"https://example.com", "/sq/privatesia/#siguria", "mailto:info@xiaomistore-ks.com", " javascript:x", "#top",
	} {
		if got, want := dangerous([]byte(u)), html.IsDangerousURL([]byte(u)); got != want {
			t.Errorf("dangerous(%q) = %v, goldmark says %v", u, got, want)
		}
	}
}
