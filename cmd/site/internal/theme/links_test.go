package theme

import (
	"html/template"
	"slices"
	"testing"
)

func TestLinkedKeys(t *testing.T) {
	cases := []struct {
		src  string
		keys []string
		any  bool
	}{
		{`<a href="{{.URLOf "cookies"}}">`, []string{"cookies"}, false},
		{`{{if .X}}{{$.URLOf "b"}}{{else}}{{.URLOf "a"}}{{end}}{{range .Y}}{{with .Z}}{{$.URLOf "c"}}{{end}}{{end}}`, []string{"a", "b", "c"}, false},
		{`{{define "p"}}{{.URLOf "in-partial"}}{{end}}{{template "p" .}}{{.URLOf "in-partial"}}`, []string{"in-partial"}, false},
		{`{{.URLOf .Key}}`, nil, true},
		{`{{printf "%s#x" (.URLOf "nested")}}`, []string{"nested"}, false},
		{`{{.Title}} {{.T "cookies"}}`, nil, false},
	}
	for _, c := range cases {
		tmpl := template.Must(template.New("t").Parse(c.src))
		keys, any := literalArgs((&Layouts{set: tmpl}).trees(), "URLOf")
		if !slices.Equal(keys, c.keys) || any != c.any {
			t.Errorf("%s: keys %q, any %v; want %q, %v", c.src, keys, any, c.keys, c.any)
		}
	}
}
