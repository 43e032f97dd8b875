package serve

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
)

// TestBrokenFiles: a file that breaks the build shows its file:line error
// in the browser (an error page for pages, an event for open ones) and in
// the terminal, while everything else is still the last good site; fixing
// the file recovers without a restart.
func TestBrokenFiles(t *testing.T) {
	p := startPreview(t, copySite(t), 0)
	tests := []struct {
		name, file, old, new string
		want                 string // the error, after file:line:
	}{
		{"front matter", "content/en/privacy.md", "title: Privacy policy", "title: [Privacy policy", "did not find expected"},
		{"front matter field", "content/en/privacy.md", "layout: policy", "layout: poem", `layout "poem" is not one of`},
		{"template syntax", "themes/default/layouts/policy.html", "{{.Content}}", "{{.Content}", "bad character"},
		{"template call", "themes/default/layouts/policy.html", "{{.Content}}", `{{.Content}}{{.T "no_such_key"}}`, `has no key "no_such_key"`},
		{"data", "content/data/cookies.yaml", "category: necessary", "category: nonsense", `unknown category "nonsense"`},
		{"config", "content/config.yaml", "defaultLanguage: sq", "defaultLanguage: xx", `defaultLanguage "xx" is not one of the languages`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.t = t
			good := p.page("/en/privacy/")
			sitemap := p.page("/sitemap.xml")
			src := p.read(tt.file)
			want := fmt.Sprintf("%s:%d: ", tt.file, lineOf(t, src, tt.old))

			p.edit(tt.file, tt.old, tt.new)
			errs := p.nextBroken()
			if len(errs) == 0 || !strings.HasPrefix(errs[0], want) || !strings.Contains(errs[0], tt.want) {
				t.Fatalf("errors %q, want one starting %q and saying %q", errs, want, tt.want)
			}
			if !strings.Contains(p.log.String(), errs[0]+"\n") {
				t.Errorf("the terminal does not show %q:\n%s", errs[0], p.log)
			}
			status, header, body := p.get("/en/privacy/")
			if status != http.StatusInternalServerError || !strings.Contains(html.UnescapeString(string(body)), errs[0]) {
				t.Errorf("GET /en/privacy/ while broken: %d\n%s", status, body)
			}
			for _, bad := range []string{"style=", "<style", "<script>"} {
				if strings.Contains(string(body), bad) {
					t.Errorf("the error page has %s, which the CSP %q forbids", bad, header.Get("Content-Security-Policy"))
				}
			}
			if !strings.Contains(string(body), scriptTag) || !strings.Contains(string(body), clientStyle) {
				t.Error("the error page does not load the reload client and its styles")
			}
			if p.page("/sitemap.xml") != sitemap {
				t.Error("the sitemap is not the last good one while the site is broken")
			}

			p.write(tt.file, src)
			ev, _ := p.nextReload()
			if len(ev.Changed) != 0 {
				t.Errorf("fixed back to the last good site, yet outputs changed: %v", ev.Changed)
			}
			if p.page("/en/privacy/") != good {
				t.Error("after the fix, /en/privacy/ is not the good page again")
			}
			if !strings.Contains(p.log.String(), "fixed: serving the site again") {
				t.Error("the terminal does not say the site is fixed")
			}
			p.matchesFullBuild()
		})
	}
}

// TestEditsWhileBroken: edits made while another file is broken are not
// lost, and fixing one of two broken files leaves the other's error.
func TestEditsWhileBroken(t *testing.T) {
	p := startPreview(t, copySite(t), 0)

	p.edit("content/en/privacy.md", "title: Privacy policy", "title: [Privacy policy")
	p.nextBroken()
	p.edit("content/en/contact.md", "Write to us", "Write to us while the policy is broken")
	if errs := p.nextBroken(); len(errs) != 1 || !strings.HasPrefix(errs[0], "content/en/privacy.md:2: ") {
		t.Errorf("errors %q, want the policy's alone", errs)
	}
	p.edit("content/sr/kontakt.md", "title: ", "title: [")
	if errs := p.nextBroken(); len(errs) != 2 {
		t.Errorf("errors %q, want both broken files", errs)
	}
	p.edit("content/en/privacy.md", "title: [Privacy policy", "title: Privacy policy")
	if errs := p.nextBroken(); len(errs) != 1 || !strings.HasPrefix(errs[0], "content/sr/kontakt.md:") {
		t.Errorf("after fixing one file: errors %q, want the other's alone", errs)
	}
	p.edit("content/sr/kontakt.md", "title: [", "title: ")
	ev, _ := p.nextReload()
	if !has(ev.Changed, "/en/contact/") {
		t.Errorf("the edit made while broken is not among the changes %v", ev.Changed)
	}
	if !strings.Contains(p.page("/en/contact/"), "Write to us while the policy is broken") {
		t.Error("the edit made while broken is not served")
	}
	p.matchesFullBuild()
}

// TestBrokenAtStart: a site that does not build at all is served as its
// errors, and fixing it serves it.
func TestBrokenAtStart(t *testing.T) {
	dir := copySite(t)
	p := &preview{t: t, dir: dir}
	p.edit("content/data/contact.yaml", "email:", "email: [")
	p = startPreview(t, dir, 0)
	p.nextBroken()
	status, h, body := p.get("/assets/does-not-matter.css")
	if status != http.StatusInternalServerError || !strings.Contains(string(body), "content/data/contact.yaml:") {
		t.Errorf("GET before any good build: %d\n%s", status, body)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("the error page comes without the theme's headers: Content-Security-Policy %q", csp)
	}
	p.edit("content/data/contact.yaml", "email: [", "email:")
	p.nextReload()
	if !strings.Contains(p.page("/en/contact/"), "<h1>Contact</h1>") {
		t.Error("the fixed site is not served")
	}
	p.matchesFullBuild()
}
