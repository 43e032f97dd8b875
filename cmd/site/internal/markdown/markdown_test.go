package markdown

import (
	"fmt"
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
	testRendering(t, []rendering{
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
	})
}

// rendering is a body, the HTML it renders to and what is reported of it.
type rendering struct {
	name, src, want string
	ignored         []Ignored
}

func testRendering(t *testing.T, cases []rendering) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Render([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if d.HTML != tt.want {
				t.Errorf("HTML %q, want %q", d.HTML, tt.want)
			}
			if !slices.Equal(d.Ignored, tt.ignored) {
				t.Errorf("ignored %+v,\nwant %+v", d.Ignored, tt.ignored)
			}
		})
	}
}

// TestRawHTML: raw HTML never reaches the page, nor the content of a
// script, a style sheet, an iframe or the like, which dropping the tags
// alone left on the page as text; each element is reported at its line
// (its end tag is not, nor a comment: a note to other editors).
func TestRawHTML(t *testing.T) {
	const inline = "raw HTML %s is not rendered: pages take only Markdown"
	const whole = "raw HTML %s is not rendered, nor what it holds: pages take only Markdown"
	at := func(format, what string, line int) Ignored { return Ignored{fmt.Sprintf(format, what), line} }
	testRendering(t, []rendering{
		{"script inline", "Intro\n\nSee <script>alert(1)</script> here.\n", "<p>Intro</p>\n<p>See  here.</p>\n",
			[]Ignored{at(whole, "<script>", 3)}},
		{"script in capitals", "Hi <SCRIPT>alert(1)</SCRIPT>!\n", "<p>Hi !</p>\n", []Ignored{at(whole, "<script>", 1)}},
		{"script block", "<script>\nalert(1)\n\nalert(2)\n</script>\n\nText\n", "<p>Text</p>\n", []Ignored{at(whole, "<script>", 1)}},
		{"style block", "Text\n\n<style>\nbody { color: red }\n</style>\n", "<p>Text</p>\n", []Ignored{at(whole, "<style>", 3)}},
		{"iframe with a fallback", "<iframe src=\"https://video.example/1\">\n\nYour browser shows no frames.\n\n</iframe>\n\nAfter\n", "<p>After</p>\n",
			[]Ignored{at(whole, "<iframe>", 1)}},
		{"script across paragraphs", "Text <script>\nvar a = 1;\n\n[b](/b/) *c*\n</script> after\n", "<p>Text </p>\n<p> after</p>\n",
			[]Ignored{at(whole, "<script>", 1)}},
		{"script never closed", "A <script>x\nstill\n\nNext\n", "<p>A </p>\n<p>Next</p>\n", []Ignored{at(whole, "<script>", 1)}},
		{"inline elements keep their text", "Call <b onclick=\"x()\">now</b>,\n<span style=\"color:red\">today</span>.\n", "<p>Call now,\ntoday.</p>\n",
			[]Ignored{at(inline, "<b>", 1), at(inline, "<span>", 2)}},
		{"html block", "<div>\nIn a div\n</div>\n", "", []Ignored{at(whole, "<div>", 1)}},
		{"end tag alone", "Text </div>\n", "<p>Text </p>\n", []Ignored{at(inline, "</div>", 1)}},
		{"declaration", "<!DOCTYPE html>\n\nText\n", "<p>Text</p>\n", []Ignored{at(whole, "<!DOCTYPE>", 1)}},
		{"comments", "Text <!-- a note --> more\n\n<!-- a note\nfor translators -->\n", "<p>Text  more</p>\n", nil},
		{"comment naming a script", "<!-- <script> -->\n\nText\n", "<p>Text</p>\n", nil},
		{"script within a comment within a paragraph", "A <!-- <script> --> B\n", "<p>A  B</p>\n", nil},
	})
}
