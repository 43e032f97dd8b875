package content

import (
	"errors"
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
		for _, e := range List(err) {
			var ce *Error
			if !errors.As(e, &ce) || !strings.HasPrefix(e.Error(), "content/en/x.md:") {
				t.Fatalf("error not in file:line form: %v", e)
			}
		}
	})
}
