package markdown

import (
	"slices"
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
	if len(d.Links) != 3 || d.Links[0] != (Link{"/sq/cookies/#cookies", 5, false}) || d.Links[1].Line != 9 || !d.Links[2].Image {
		t.Errorf("links = %+v", d.Links)
	}
}

// TestDangerousAsGoldmark: the allocation-free check agrees with goldmark's
// own, which its renderer applies too, but for the data: images goldmark
// allows.
func TestDangerousAsGoldmark(t *testing.T) {
	for _, u := range []string{
		"", "j", "javascript:alert(1)", "JavaScript:x", "JAVASCRIPT:", "vbscript:x", "VBScript:", "file:///etc/passwd",
		"FILE:x", "data:text/html,x", "DATA:x", "data:image/png;base64,AA", "data:image/PNG;x", "data:image/gif;x",
		"data:image/jpeg;x", "data:image/webp;x", "data:image/svg+xml;x", "data:image/", "data:image/png",
		"https://example.com", "/sq/privatesia/#siguria", "mailto:info@xiaomistore-ks.com", " javascript:x", "#top",
	} {
		want := html.IsDangerousURL([]byte(u)) || strings.HasPrefix(strings.ToLower(u), "data:")
		if got := dangerous([]byte(u)); got != want {
			t.Errorf("dangerous(%q) = %v, goldmark says %v", u, got, want)
		}
	}
}

// TestLeftOut: what a page must not get from Markdown keeps only its text,
// and what the source asked for of it is reported.
func TestLeftOut(t *testing.T) {
	for _, tt := range []struct {
		name, src, want string
		ignored         []Ignored
	}{
		{"data link", "[a](data:image/png;base64,AAAA)\n", "<p>a</p>\n", nil},
		{"data image", "![a dot](data:image/png;base64,AAAA)\n", "<p>a dot</p>\n", nil},
		{"image elsewhere", "![logo](https://cdn.example/x.png)\n", "<p>logo</p>\n", nil},
		{"image from //host", "x ![logo](//cdn.example/x.png)\n", "<p>x logo</p>\n", nil},
		{"image from /\\host", "![logo](</\\cdn.example/x.png>)\n", "<p>logo</p>\n", nil},
		{"image here", "![logo](/img/x.png)\n", `<p><img src="/img/x.png" alt="logo"></p>` + "\n", nil},
		{"link elsewhere", "[store](https://xiaomistore-ks.com/)\n", `<p><a href="https://xiaomistore-ks.com/">store</a></p>` + "\n", nil},
		{"heading style", "\n## A {style=\"color:red\" .big #a}\n", `<h2 id="a">A</h2>` + "\n", []Ignored{
			{`heading attribute style="color:red" is not rendered: a heading keeps only its {#id}`, 2},
			{`heading attribute class="big" is not rendered: a heading keeps only its {#id}`, 2},
		}},
		{"heading class, automatic id", "## B {.big}\n", `<h2 id="b">B</h2>` + "\n", []Ignored{
			{`heading attribute class="big" is not rendered: a heading keeps only its {#id}`, 1},
		}},
		{"heading id", "## C {#c}\n", `<h2 id="c">C</h2>` + "\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Render([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if d.HTML != tt.want {
				t.Errorf("HTML %q, want %q", d.HTML, tt.want)
			}
			if !slices.Equal(d.Ignored, tt.ignored) {
				t.Errorf("ignored %+v, want %+v", d.Ignored, tt.ignored)
			}
		})
	}
}
