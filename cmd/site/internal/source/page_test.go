package source

import (
	"errors"
	"pelqim/content"
	"strings"
	"testing"
)

func TestParsePage(t *testing.T) {
	src := "---\ntitle: Siguria\nslug: siguria\ntranslationKey: security\nlastmod: 2026-11-25\n---\n\n## Hello\n"
	p, err := ParsePage("content/sq/siguria.md", "sq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Siguria" || p.URL() != "/sq/siguria/" || p.OutputPath() != "sq/siguria/index.html" || p.Layout != "page" {
		t.Errorf("page = %+v", p)
	}
	if p.BodyLine != 7 || string(p.Body) != "\n## Hello\n" {
		t.Errorf("body at line %d: %q", p.BodyLine, p.Body)
	}
	if p.Lastmod.Format("2006-01-02") != "2026-11-25" || p.Line("lastmod") != 5 {
		t.Errorf("lastmod %v at line %d", p.Lastmod, p.Line("lastmod"))
	}
}

func TestSplitFrontMatter(t *testing.T) {
	cases := []struct {
		src, fm, body string
		bodyLine      int
		err           string
	}{
		{"---\ntitle: x\n---\nbody\n", "title: x\n", "body\n", 4, ""},
		{"---\n---\n", "", "", 3, ""},
		{"---\ntitle: x\n---", "title: x\n", "", 4, ""},
		{"---\r\ntitle: x\r\n--- \r\n\r\nbody", "title: x\r\n", "\r\nbody", 4, ""},
		{"---\na: 1\nb: 2\n---\n---\n", "a: 1\nb: 2\n", "---\n", 5, ""},
		{"title: x\n---\n", "", "", 0, "front matter missing"},
		{"---\ntitle: x\n", "", "", 0, "front matter not closed"},
		{"", "", "", 0, "front matter missing"},
	}
	for _, c := range cases {
		fm, body, line, err := splitFrontMatter("p.md", []byte(c.src))
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want %q", c.src, err, c.err)
		case c.err == "" && (err != nil || string(fm) != c.fm || string(body) != c.body || line != c.bodyLine):
			t.Errorf("%q: front matter %q, body %q at line %d, %v; want %q, %q at line %d", c.src, fm, body, line, err, c.fm, c.body, c.bodyLine)
		}
	}
}

// FuzzParsePage: whatever the bytes, ParsePage returns a page or an *Error
// naming the file, and never panics.
func FuzzParsePage(f *testing.F) {
	for _, seed := range []string{
		"---\ntitle: x\nslug: x\ntranslationKey: x\n---\nbody",
		"---\n---\n",
		"---\ntitle: [\n---\n",
		"---\r\ntitle: x\r\n---\r\n",
		"\uFEFF---\ntitle: x\n---",
		"---\ntitle: x\nweight: 1e400\n---",
		"---\n- a\n- b\n---\n",
		"---\ndate: 2026-13-45\n---\n",
		"no front matter",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := ParsePage("content/en/x.md", "en", src)
		if err == nil {
			if p == nil {
				t.Fatal("nil page without an error")
			}
			return
		}
		for _, e := range content.List(err) {
			var ce *content.Error
			if !errors.As(e, &ce) || !strings.HasPrefix(e.Error(), "content/en/x.md:") {
				t.Fatalf("error not in file:line form: %v", e)
			}
		}
	})
}
