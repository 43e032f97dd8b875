package theme

import (
	"strings"
	"testing"
)

// TestLayouts: each layout renders base.html with its own blocks, as if it
// had a set of its own, though the shared templates are parsed once.
func TestLayouts(t *testing.T) {
	ls, errs := sources{
		shared: []source{
			{"base.html", `<title>{{block "title" .}}site{{end}}</title>{{template "nav.html" .}}<main>{{block "main" .}}none{{end}}</main>{{template "foot.html" .}}`},
			{"nav.html", `<nav>{{template "crumb" .}}</nav>{{define "crumb"}}home{{end}}`},
			{"foot.html", `<footer>{{.}}</footer>`},
		},
		layouts: []source{
			{"page.html", `ignored text{{define "main"}}page {{template "row" .}}{{end}}{{define "row"}}page row{{end}}`},
			{"list.html", `{{define "main"}}list {{template "row" .}}{{end}}{{define "row"}}list row{{end}}{{define "crumb"}}list crumb{{end}}`},
			// An empty define does not replace a shared template, as in
			// one text/template set.
			{"bare.html", `{{define "title"}}{{end}}`},
		},
	}.parse()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cases := []struct{ layout, name, want string }{
		{"page", "base.html", `<title>site</title><nav>home</nav><main>page page row</main><footer>x</footer>`},
		{"list", "base.html", `<title>site</title><nav>list crumb</nav><main>list list row</main><footer>x</footer>`},
		{"bare", "base.html", `<title>site</title><nav>home</nav><main>none</main><footer>x</footer>`},
		{"page", "nav.html", `<nav>home</nav>`},
		{"list", "nav.html", `<nav>list crumb</nav>`},
		{"list", "foot.html", `<footer>x</footer>`},
	}
	for _, c := range cases {
		var b strings.Builder
		if err := ls.Execute(&b, c.layout, c.name, "x"); err != nil {
			t.Errorf("%s %s: %v", c.layout, c.name, err)
		} else if b.String() != c.want {
			t.Errorf("%s %s:\n got %s\nwant %s", c.layout, c.name, b.String(), c.want)
		}
	}
	if !ls.Has("page") || ls.Has("base") || ls.Has("nav") {
		t.Errorf("Has: page %v, base %v, nav %v; want true, false, false", ls.Has("page"), ls.Has("base"), ls.Has("nav"))
	}
	// Shared templates no layout changes are in the set once.
	n := 0
	for name := range ls.trees() {
		if strings.HasSuffix(name, "foot.html") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("foot.html is in the set %d times, want once", n)
	}
}

// TestLayoutErrors: an error in a layout's own template names the layout's
// file and the template as written, not its name in the set.
func TestLayoutErrors(t *testing.T) {
	th := &Theme{Dir: "themes/t", partials: map[string]bool{"nav.html": true}}
	var errs []error
	th.Layouts, errs = sources{
		shared:  []source{{"base.html", `{{block "main" .}}{{end}}`}, {"nav.html", `<nav>{{.Missing}}</nav>`}},
		layouts: []source{{"page.html", "{{define \"main\"}}\n{{.Missing}}{{end}}"}},
	}.parse()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cases := []struct{ name, want string }{
		{"base.html", `themes/t/layouts/page.html:2: executing "main" at <.Missing>: can't evaluate field Missing in type int`},
		{"nav.html", `themes/t/layouts/partials/nav.html:1: executing "nav.html" at <.Missing>: can't evaluate field Missing in type int`},
	}
	for _, c := range cases {
		err := th.Layouts.Execute(new(strings.Builder), "page", c.name, 1)
		if err == nil {
			t.Fatalf("%s: no error", c.name)
		}
		if got := th.TemplateError(err).Error(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}
