package theme

import (
	"errors"
	"html/template"
	"strings"
	"sync"
	"testing"
)

// TestLayouts: each layout renders base.html with its own blocks, as if it
// had a set of its own, though the shared templates are parsed once.
func TestLayouts(t *testing.T) {
	ls, errs := sources{
		shared: []source{
			{"base.html", `<title>{{block "title" .}}site{{end}}</title>{{template "nav.html" .}}<main>{{block "main" .}}none{{end}}</main>{{template "foot.html" .}}`},
			{"nav.html", `<nav>{{if .}}{{template "crumb" .}}{{end}}</nav>{{define "crumb"}}home{{end}}`},
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
	if err := ls.escape(); err != nil {
		t.Fatal(err)
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

// TestLayoutsEscapeOnce: a partial that one layout calls in text and another
// in a script and an attribute is escaped once for each, whichever layout
// renders first. (Escaped layout by layout, the second layout's copies were
// made from a tree the first had escaped: escaped twice.)
func TestLayoutsEscapeOnce(t *testing.T) {
	ss := sources{
		shared: []source{
			{"base.html", `<head>{{block "head" .}}{{end}}</head><body>{{block "main" .}}{{end}}</body>`},
			{"name.html", `{{.}}`},
		},
		layouts: []source{
			{"page.html", `{{define "main"}}<p>{{template "name.html" .}}</p>{{end}}`},
			{"contact.html", `{{define "head"}}<script>var n = {{template "name.html" .}};</script><a href="/s?q={{template "name.html" .}}">s</a>{{end}}`},
		},
	}
	want := map[string]string{
		"page":    `<head></head><body><p>O&#39;Neil &amp; Sons</p></body>`,
		"contact": `<head><script>var n = "O'Neil \u0026 Sons";</script><a href="/s?q=O%27Neil%20%26%20Sons">s</a></head><body></body>`,
	}
	for _, order := range [][]string{{"page", "contact"}, {"contact", "page"}} {
		ls, errs := ss.parse()
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if err := ls.escape(); err != nil {
			t.Fatal(err)
		}
		for _, layout := range order {
			var b strings.Builder
			if err := ls.Execute(&b, layout, "base.html", "O'Neil & Sons"); err != nil {
				t.Fatal(err)
			}
			if b.String() != want[layout] {
				t.Errorf("%s rendered after %v:\n got %s\nwant %s", layout, order[0], b.String(), want[layout])
			}
		}
	}
}

// TestLayoutNameTaken: a theme's own template named like a layout's copy
// ("page/main") is an error, not silently replaced.
func TestLayoutNameTaken(t *testing.T) {
	th := &Theme{Dir: "themes/t", partials: map[string]bool{"nav.html": true}}
	_, errs := sources{
		shared:  []source{{"base.html", `{{block "main" .}}{{end}}`}, {"nav.html", "\n{{define \"page/main\"}}x{{end}}"}},
		layouts: []source{{"page.html", `{{define "main"}}y{{end}}`}},
	}.parse()
	want := `themes/t/layouts/partials/nav.html:2: the name "page/main" is the one layout page.html gives its own "main": choose another`
	if err := errors.Join(errs...); err == nil || th.TemplateError(err).Error() != want {
		t.Errorf("%v\nwant %s", err, want)
	}
}

// TestLayoutEscapeError: a layout that html/template cannot escape is
// reported at its file and line as written, not at its name in the set.
func TestLayoutEscapeError(t *testing.T) {
	ss := sources{
		shared:  []source{{"base.html", `<p>{{block "main" .}}{{end}}</p>`}},
		layouts: []source{{"page.html", `{{define "main"}}ok{{end}}`}, {"list.html", "{{define \"main\"}}\n<a href=\"{{.}}{{end}}"}},
	}
	th := &Theme{Dir: "themes/t", partials: map[string]bool{}, sources: ss}
	th.unminified = sync.OnceValues(ss.parse)
	var errs []error
	th.Layouts, errs = ss.parse()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	err := th.Layouts.escape()
	if err == nil {
		t.Fatal("escaped")
	}
	got := errors.Join(th.escapeErrors(err)...).Error()
	want := "themes/t/layouts/base.html: ends in a non-text context: "
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, " (as layout list.html has it)") || strings.Contains(got, "page") {
		t.Errorf("%s\nwant %s... (as layout list.html has it), and no other layout", got, want)
	}
}

// sharedView renders partials as site.View.Shared does: each on its own.
type sharedView struct {
	ls     *Layouts
	layout string
	V      string
}

func (v sharedView) Shared(name string) (template.HTML, error) {
	var b strings.Builder
	err := v.ls.Execute(&b, v.layout, name, v)
	return template.HTML(b.String()), err
}

// TestSharedEscapeOnce: a partial rendered on its own with {{.Shared}} is
// escaped with the layouts, so what it calls in another context than the
// layouts do is escaped once.
func TestSharedEscapeOnce(t *testing.T) {
	ls, errs := sources{
		shared: []source{
			{"base.html", `<body>{{block "main" .}}{{end}}{{.Shared "x.html"}}</body>`},
			{"name.html", `{{.V}}`},
			{"x.html", `<script>var v = {{template "name.html" .}};</script>`},
		},
		layouts: []source{{"page.html", `{{define "main"}}<p>{{template "name.html" .}}</p>{{end}}`}},
	}.parse()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := ls.escape(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := ls.Execute(&b, "page", "base.html", sharedView{ls, "page", "O'Neil & Sons"}); err != nil {
		t.Fatal(err)
	}
	if want := `<body><p>O&#39;Neil &amp; Sons</p><script>var v = "O'Neil \u0026 Sons";</script></body>`; b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}
}
