package source

import (
	"os"
	"path/filepath"
	"pelqim/content/schema"
	"reflect"
	"testing"
)

// TestQuickFrontMatter: the forms editors write take the quick path, and
// what it cannot be sure of is left to yaml.v3.
func TestQuickFrontMatter(t *testing.T) {
	cases := []struct {
		src   string
		quick bool
	}{
		{"title: Privatësia\nslug: privatesia\nweight: 10\ndate: 2018-05-25\nlastmod: 2026-11-25\ndraft: false\n", true},
		{"title: \"Neni 4: ligji\"\ndescription: 'Pa # koment'\r\n\n# a comment\nlayout: \"404\"\n", true},
		{"title: C# for all, [really] it's {fine}\n", true},
		{"", true},
		{"title: \"a \\\" b\"\n", false},       // an escape
		{"title: x # comment\n", false},        // a comment after the value
		{"title: yes\n", false},                // YAML 1.1's boolean
		{"title: 2024\n", false},               // a number in a string field
		{"title: \"open\n  folded\"\n", false}, // folded over lines
		{"title: >\n  folded\n", false},
		{"weight: 010\n", false},
		{"weight: \"10\"\n", false},
		{"date: 2026-02-30\n", false},
		{"lastmod: 2026-11-25T10:00:00Z\n", false},
		{"draft: yes\n", false},
		{"title: a\ntitle: b\n", false},
		{"titel: a\n", false},
		{"title:a\n", false},
		{"  title: a\n", false},
		{"title: a:\n", false},
		{"title: \"\n", false},
		{"title: a\u2028b\n", false},
		{"title: a\r\r\nslug: b\n", false}, // a lone \r is a line to YAML
		{"\r\r\ntitle: a\n", false},
		{"title: &x a\n", false},
	}
	for _, c := range cases {
		_, _, ok := quickFrontMatter([]byte(c.src))
		if ok != c.quick {
			t.Errorf("%q: quick %v, want %v", c.src, ok, c.quick)
		}
	}
}

// TestQuickFrontMatterSite: every page of the real site takes the quick
// path, with what yaml.v3 reads.
func TestQuickFrontMatterSite(t *testing.T) {
	files, _ := filepath.Glob("../../../../content/*/*.md")
	if len(files) < 21 {
		t.Fatalf("found %d pages of the site", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fm, _, _, err := splitFrontMatter(f, src)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := quickFrontMatter(fm); !ok {
			t.Errorf("%s: front matter left to yaml.v3", f)
		}
		sameAsYAML(t, fm)
	}
}

// FuzzQuickFrontMatter: whatever the quick path takes, yaml.v3 reads the
// same fields, at the same lines.
func FuzzQuickFrontMatter(f *testing.F) {
	for _, seed := range []string{
		"title: Privatësia\nslug: privatesia\ntranslationKey: privacy\nlayout: policy\nweight: 10\ndate: 2018-05-25\nlastmod: 2026-11-25\n",
		"title: \"Neni 4: ligji\"\ndescription: 'x'\ndraft: true\n",
		"title: C# it's [a] {b}, c\n\n# comment\n",
		"title: a  \r\nslug: b\r\n",
		"weight: 0\n",
		"title: No\n",
		"title: ~\n",
		"title: a\tb\n",
		"title: a\r\r\nslug: b\n",
		"\r\r\ntitle: a\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) { sameAsYAML(t, src) })
}

func sameAsYAML(t *testing.T, src []byte) {
	t.Helper()
	quick, lines, ok := quickFrontMatter(src)
	if !ok {
		return
	}
	var slow FrontMatter
	root, err := schema.Decode("p.md", 1, src, &slow)
	if err != nil {
		t.Fatalf("%q: quick path took what yaml.v3 refuses: %v", src, err)
	}
	if !reflect.DeepEqual(quick, slow) {
		t.Fatalf("%q: quick path read %+v, yaml.v3 %+v", src, quick, slow)
	}
	if slowLines := schema.LinesOf(root, 1); !reflect.DeepEqual(lines, slowLines) {
		t.Fatalf("%q: quick path's lines %v, yaml.v3's %v", src, lines, slowLines)
	}
}
