package requests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pelqim/content"
)

// usedKeys are the theme strings this package uses: each "req_…" string
// literal of its code, a label for each request type, and the month names
// and date format of longDate.
func usedKeys(t *testing.T) map[string]bool {
	keys := map[string]bool{"months": true, "date_format": true}
	for _, typ := range content.RequestTypes {
		keys["req_type_"+typ] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				// A key, not the prefix of one ("req_type_"+typ).
				if v, _ := strconv.Unquote(lit.Value); strings.HasPrefix(v, "req_") && !strings.HasSuffix(v, "_") {
					keys[v] = true
				}
			}
			return true
		})
	}
	return keys
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

// TestTexts: every theme string the pages and the email use is in every
// language of content.Text (the theme's i18n tables, as generated), with
// text and the same placeholders; each language has twelve month names
// and a data-request page to lead back to.
func TestTexts(t *testing.T) {
	keys := usedKeys(t)
	if len(keys) < 40 {
		t.Fatalf("found only %d keys in the code: %v", len(keys), slices.Sorted(maps.Keys(keys)))
	}
	for k := range keys {
		want := placeholder.FindAllString(content.Text[content.DefaultLanguage][k], -1)
		slices.Sort(want)
		for _, lang := range content.Languages {
			s := content.Text[lang][k]
			if strings.TrimSpace(s) == "" {
				t.Errorf("content.Text[%q] lacks %q: add it to themes/default/i18n/%s.yaml and run go run ./cmd/site generate", lang, k, lang)
			}
			got := placeholder.FindAllString(s, -1)
			if slices.Sort(got); !slices.Equal(got, want) {
				t.Errorf("%s %s has the placeholders %v, %s has %v", lang, k, got, content.DefaultLanguage, want)
			}
		}
	}
	for _, lang := range content.Languages {
		if n := len(strings.Fields(content.Text[lang]["months"])); n != 12 {
			t.Errorf("%s: %d month names", lang, n)
		}
		if content.RequestsPages[lang] == "" {
			t.Errorf("%s: no data-request page", lang)
		}
	}
}

// TestTr: placeholders are filled in, in pairs.
func TestTr(t *testing.T) {
	for _, c := range []struct {
		lang, key string
		args      []string
		want      string
	}{
		{"en", "req_received_title", nil, "Request received"},
		{"en", "req_verified_text", []string{"{ref}", "KS-ABC123", "{due}", "1 May 2027"}, "Thank you. Request KS-ABC123 is confirmed. We answer by 1 May 2027."},
		{"sr", "req_due", []string{"{due}", "1. maj 2027."}, "Odgovaramo u roku od mesec dana, do 1. maj 2027.."},
	} {
		if got := tr(c.lang, c.key, c.args...); got != c.want {
			t.Errorf("tr(%s, %s, %q) = %q, want %q", c.lang, c.key, c.args, got, c.want)
		}
	}
}
