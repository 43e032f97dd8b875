package theme

import (
	"errors"
	"strings"
	"testing"
)

func TestEndless(t *testing.T) {
	cases := []struct {
		name     string
		partials []source
		want     string // "" when the templates may end
	}{
		{"self", []source{{"a.html", "x\n{{template \"a.html\" .}}"}},
			`themes/t/layouts/partials/a.html:2: a.html calls itself (a.html → a.html)`},
		{"through another", []source{{"a.html", "{{template \"b.html\" .}}"}, {"b.html", "\n\n{{template \"a.html\" .}}"}},
			`themes/t/layouts/partials/a.html:1: a.html calls itself (a.html → b.html → a.html)`},
		{"in an if", []source{{"a.html", "{{if .}}{{template \"a.html\" .Next}}{{end}}"}}, ""},
		{"in a range", []source{{"a.html", "{{range .}}{{template \"a.html\" .}}{{end}}"}}, ""},
		{"in a with", []source{{"a.html", "{{with .Next}}{{template \"a.html\" .}}{{end}}"}}, ""},
		{"no cycle", []source{{"a.html", "{{template \"b.html\" .}}{{template \"b.html\" .}}"}, {"b.html", "b"}}, ""},
	}
	for _, c := range cases {
		th := &Theme{Dir: "themes/t", partials: map[string]bool{}}
		for _, p := range c.partials {
			th.partials[p.name] = true
		}
		layouts, perrs := sources{
			shared:  append([]source{{"base.html", `{{template "a.html" .}}`}}, c.partials...),
			layouts: []source{{"page.html", `{{define "main"}}{{end}}`}},
		}.parse()
		if len(perrs) > 0 {
			t.Fatalf("%s: %v", c.name, perrs)
		}
		err := errors.Join(th.endless(layouts)...)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v, want none", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		case c.want != "" && strings.Count(err.Error(), "\n") > 0:
			t.Errorf("%s: one cycle reported more than once:\n%v", c.name, err)
		}
	}
}

// TestEndlessInEachLayout: two layouts whose own "main" calls itself are two
// cycles, each reported at its file, though the templates share a name.
func TestEndlessInEachLayout(t *testing.T) {
	th := &Theme{Dir: "themes/t", partials: map[string]bool{}}
	layouts, perrs := sources{
		shared: []source{{"base.html", `{{block "main" .}}{{end}}`}},
		layouts: []source{
			{"list.html", `{{define "main"}}{{template "main" .}}{{end}}`},
			{"page.html", "\n{{define \"main\"}}{{template \"main\" .}}{{end}}"},
		},
	}.parse()
	if len(perrs) > 0 {
		t.Fatal(perrs)
	}
	err := errors.Join(th.endless(layouts)...)
	for _, want := range []string{"themes/t/layouts/list.html:1: main calls itself", "themes/t/layouts/page.html:2: main calls itself"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v\nwant %s", err, want)
		}
	}
}
