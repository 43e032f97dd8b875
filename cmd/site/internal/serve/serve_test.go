package serve

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pelqim/cmd/site/internal/site"
	"pelqim/cmd/site/internal/theme"
	"pelqim/content/schema"
)

// scriptTag is how the minified pages load the reload client.
const scriptTag = `<script src="` + ClientScript + `" defer></script>`

// TestServedLikeBuilt: the preview serves what `site build` writes, with
// the reload client as the one difference, and the headers the CDN sends.
func TestServedLikeBuilt(t *testing.T) {
	p := startPreview(t, copySite(t), 0)
	out := filepath.Join(t.TempDir(), "public")
	if _, err := site.Build(p.dir, out, site.Options{BaseURL: p.url + "/"}); err != nil {
		t.Fatal(err)
	}
	th, err := theme.Load(p.dir, schema.ThemeDir, []string{"sq", "en", "sr"})
	if err != nil {
		t.Fatal(err)
	}
	if csp := th.Header("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Fatalf("the CSP must let the reload client load and connect to its own origin: %q", csp)
	}
	n := 0
	err = filepath.WalkDir(out, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		built, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, name)
		urlPath := "/" + strings.TrimSuffix(filepath.ToSlash(rel), "index.html")
		if bytes.Contains(built, []byte("_pelqim")) {
			t.Errorf("%s: `site build` output mentions the preview's reload client", rel)
		}
		status, header, served := p.get(urlPath)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", urlPath, status)
		}
		for _, h := range th.Headers {
			if got := header.Get(h.Name); got != h.Value {
				t.Errorf("GET %s: %s = %q, want %q (themes/default/headers.yaml)", urlPath, h.Name, got, h.Value)
			}
		}
		if strings.HasSuffix(rel, ".html") {
			if c := bytes.Count(served, []byte(scriptTag)); c != 1 {
				t.Errorf("GET %s: the reload script is there %d times, want once", urlPath, c)
			}
			served = bytes.Replace(served, []byte(scriptTag), nil, 1)
		}
		if !bytes.Equal(served, built) {
			t.Errorf("GET %s: served bytes differ from the built file", urlPath)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("compared only %d files", n)
	}
	for path, ctype := range map[string]string{ClientScript: "text/javascript", clientWorker: "text/javascript", clientStyle: "text/css"} {
		status, header, body := p.get(path)
		if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), ctype) || len(body) == 0 {
			t.Errorf("GET %s: %d %q, %d bytes", path, status, header.Get("Content-Type"), len(body))
		}
	}
	// The worker's address names the client's version, so that a new
	// client never joins an old shared worker.
	worker := regexp.MustCompile(regexp.QuoteMeta(clientWorker) + `\?v=[0-9a-f]{12}"`).FindString(p.page(ClientScript))
	if worker == "" || !strings.Contains(p.page(strings.TrimSuffix(worker, `"`)), eventsPath) {
		t.Errorf("the reload client does not start %s?v=VERSION (%q), or it does not connect to %s", clientWorker, worker, eventsPath)
	}
}

// TestEditPage: editing a page's text re-renders that page alone, and open
// pages hear of it; editing the privacy policy changes every page (its
// version is in the banner).
func TestEditPage(t *testing.T) {
	p := startPreview(t, copySite(t), 0)
	cookies := p.page("/en/cookies/")

	p.edit("content/en/privacy.md", "## 1. Security", "A sentence added while serving.\n\n## 1. Security")
	ev, rb := p.nextReload()
	if ev.Edited != "/en/privacy/" || len(ev.Changed) != 1 || ev.Changed[0] != "/en/privacy/" {
		t.Errorf("reload event %+v, want only /en/privacy/ changed and edited", ev)
	}
	if rb.Rendered != 1 {
		t.Errorf("a text edit rendered %d outputs, want the page alone", rb.Rendered)
	}
	if !strings.Contains(p.page("/en/privacy/"), "A sentence added while serving.") {
		t.Error("the edit is not served")
	}
	if p.page("/en/cookies/") != cookies {
		t.Error("/en/cookies/ changed, though it does not show the edited text")
	}
	p.matchesFullBuild()

	// Written in place, not renamed over: the other way editors save.
	name := filepath.Join(p.dir, "content/sq/privatesia.md")
	src := p.read("content/sq/privatesia.md")
	if err := os.WriteFile(name, []byte(strings.Replace(src, "## 1. Siguria", "Një fjali e re.\n\n## 1. Siguria", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ev, rb = p.settledReload()
	if ev.Edited != "/sq/privatesia/" {
		t.Errorf("edited = %q, want /sq/privatesia/", ev.Edited)
	}
	for _, path := range []string{"/sq/privatesia/", "/en/cookies/", "/sr/", "/"} {
		if !has(ev.Changed, path) {
			t.Errorf("the policy version changed, but %s is not among the changed pages %v", path, ev.Changed)
		}
	}
	if has(ev.Changed, "/sitemap.xml") {
		t.Errorf("the sitemap shows no policy text, yet changed: %v", ev.Changed)
	}
	if rb.Rendered == len(p.srv.builder.outputs) {
		t.Errorf("a text edit rendered all %d outputs", rb.Rendered)
	}
	p.matchesFullBuild()
}

// TestEditFrontMatter: a new title shows in the menu of every page of the
// language; a new slug moves the page and updates its translations' links.
func TestEditFrontMatter(t *testing.T) {
	p := startPreview(t, copySite(t), 0)
	sq := p.page("/sq/")

	p.edit("content/en/cookies.md", "title: Cookies", "title: Cookies and storage")
	ev, _ := p.nextReload()
	if ev.Edited != "/en/cookies/" {
		t.Errorf("edited = %q, want /en/cookies/", ev.Edited)
	}
	for _, path := range []string{"/en/cookies/", "/en/privacy/", "/en/"} {
		if !has(ev.Changed, path) {
			t.Errorf("%s shows the menu but is not among the changed pages %v", path, ev.Changed)
		}
		if !strings.Contains(p.page(path), "Cookies and storage") {
			t.Errorf("%s does not show the new title", path)
		}
	}
	if has(ev.Changed, "/sq/") || p.page("/sq/") != sq {
		t.Error("/sq/ changed, though it shows no English title")
	}
	p.matchesFullBuild()

	p.edit("content/en/cookies.md", "slug: cookies", "slug: cookie-list")
	ev, _ = p.nextReload()
	for _, path := range []string{"/en/cookies/", "/en/cookie-list/", "/sq/cookies/", "/sitemap.xml"} {
		if !has(ev.Changed, path) {
			t.Errorf("%s is not among the changed pages %v", path, ev.Changed)
		}
	}
	if status, _, _ := p.get("/en/cookies/"); status != http.StatusNotFound {
		t.Errorf("GET /en/cookies/ after the slug changed: %d, want 404", status)
	}
	if !strings.Contains(p.page("/sq/cookies/"), `hreflang="en" href="`+p.url+`/en/cookie-list/"`) {
		t.Error("the Albanian translation does not link to the moved page")
	}
	p.matchesFullBuild()

	// Out of the menu, the cookie page is still linked from every page's
	// footer and banner: those follow its address too.
	p.edit("content/config.yaml", "menu: [privacy, cookies, ", "menu: [privacy, ")
	p.nextReload()
	p.edit("content/en/cookies.md", "slug: cookie-list", "slug: cookie-notice")
	ev, _ = p.nextReload()
	if !has(ev.Changed, "/en/contact/") || !strings.Contains(p.page("/en/contact/"), `href="/en/cookie-notice/#settings"`) {
		t.Errorf("the contact page's footer does not follow the cookie page out of the menu (changed: %v)", ev.Changed)
	}
	p.matchesFullBuild()
}

const newPage = `---
title: %s
slug: %s
translationKey: %s
layout: page
weight: 60
description: "A page made while serving."
lastmod: 2026-11-25
---

Made while serving: %s.
`

// page is a new page's source.
func page(title, slug string) string { return fmt.Sprintf(newPage, title, slug, slug, title) }

// TestCreateDeleteRename: pages and folders of pages created, renamed and
// deleted while serving join and leave the site, and their new places are
// watched.
func TestCreateDeleteRename(t *testing.T) {
	p := startPreview(t, copySite(t), 0)

	p.write("content/en/news.md", page("News", "news"))
	ev, _ := p.nextReload()
	if ev.Edited != "/en/news/" || !has(ev.Changed, "/en/") || !has(ev.Changed, "/sitemap.xml") {
		t.Errorf("new page: reload event %+v, want /en/news/ edited, the home page and sitemap changed", ev)
	}
	if !strings.Contains(p.page("/en/news/"), "Made while serving: News.") || !strings.Contains(p.page("/en/"), `href="/en/news/"`) {
		t.Error("the new page is not served, or the home page does not list it")
	}
	p.matchesFullBuild()

	// A folder made later, with a page two levels down.
	if err := os.MkdirAll(filepath.Join(p.dir, "content/en/guides/deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.write("content/en/guides/deep/faq.md", page("FAQ", "faq"))
	ev, _ = p.nextReload()
	if ev.Edited != "/en/faq/" {
		t.Errorf("page in a new folder: edited = %q, want /en/faq/", ev.Edited)
	}
	p.edit("content/en/guides/deep/faq.md", "Made while serving", "Edited in the new folder")
	if ev, _ = p.nextReload(); ev.Edited != "/en/faq/" || !strings.Contains(p.page("/en/faq/"), "Edited in the new folder") {
		t.Errorf("edit in a new folder: %+v", ev)
	}

	// The folder renamed: the page stays; editing it at its new place works.
	if err := os.Rename(filepath.Join(p.dir, "content/en/guides"), filepath.Join(p.dir, "content/en/help")); err != nil {
		t.Fatal(err)
	}
	p.edit("content/en/help/deep/faq.md", "Edited in the new folder", "Edited after the move")
	if ev, _ = p.nextReload(); ev.Edited != "/en/faq/" || !strings.Contains(p.page("/en/faq/"), "Edited after the move") {
		t.Errorf("edit after the folder moved: %+v", ev)
	}
	p.matchesFullBuild()

	// A page renamed away from .md leaves the site, and comes back.
	if err := os.Rename(filepath.Join(p.dir, "content/en/news.md"), filepath.Join(p.dir, "content/en/news.md.off")); err != nil {
		t.Fatal(err)
	}
	ev, _ = p.nextReload()
	if !has(ev.Changed, "/en/news/") || ev.Edited != "" {
		t.Errorf("page renamed away: %+v, want /en/news/ changed and nothing to go to", ev)
	}
	if status, _, _ := p.get("/en/news/"); status != http.StatusNotFound {
		t.Errorf("GET /en/news/ after the rename: %d, want 404", status)
	}
	if err := os.Rename(filepath.Join(p.dir, "content/en/news.md.off"), filepath.Join(p.dir, "content/en/news.md")); err != nil {
		t.Fatal(err)
	}
	if ev, _ = p.nextReload(); ev.Edited != "/en/news/" {
		t.Errorf("page renamed back: edited = %q", ev.Edited)
	}
	p.matchesFullBuild()

	// A hidden folder (an editor's .trash/) holds no pages, as for site
	// build: a page moved there leaves the site, one made there never joins.
	if err := os.Mkdir(filepath.Join(p.dir, "content/en/.trash"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(p.dir, "content/en/news.md"), filepath.Join(p.dir, "content/en/.trash/news.md")); err != nil {
		t.Fatal(err)
	}
	if ev, _ = p.nextReload(); !has(ev.Changed, "/en/news/") || ev.Edited != "" {
		t.Errorf("page moved into .trash: %+v, want /en/news/ changed and nothing to go to", ev)
	}
	p.write("content/en/.trash/old.md", page("Old", "old"))
	p.edit("content/en/contact.md", "Write to us", "Written after the trash") // an event to wait for
	if ev, _ = p.nextReload(); ev.Edited != "/en/contact/" {
		t.Errorf("edit after a page was made in .trash: %+v, want /en/contact/ edited", ev)
	}
	if status, _, _ := p.get("/en/old/"); status != http.StatusNotFound {
		t.Errorf("GET /en/old/, a page in .trash: %d, want 404", status)
	}
	p.matchesFullBuild()
	if err := os.Rename(filepath.Join(p.dir, "content/en/.trash/news.md"), filepath.Join(p.dir, "content/en/news.md")); err != nil {
		t.Fatal(err)
	}
	if ev, _ = p.nextReload(); ev.Edited != "/en/news/" {
		t.Errorf("page moved out of .trash: edited = %q", ev.Edited)
	}

	// Deleted: a page, then a folder of pages.
	if err := os.Remove(filepath.Join(p.dir, "content/en/news.md")); err != nil {
		t.Fatal(err)
	}
	ev, _ = p.nextReload()
	if !has(ev.Changed, "/en/news/") || !has(ev.Changed, "/sitemap.xml") {
		t.Errorf("page deleted: %+v", ev)
	}
	if strings.Contains(p.page("/sitemap.xml"), "/en/news/") {
		t.Error("the sitemap still lists the deleted page")
	}
	if err := os.RemoveAll(filepath.Join(p.dir, "content/en/help")); err != nil {
		t.Fatal(err)
	}
	if ev, _ = p.nextReload(); !has(ev.Changed, "/en/faq/") {
		t.Errorf("folder deleted: %+v", ev)
	}
	if status, _, _ := p.get("/en/faq/"); status != http.StatusNotFound {
		t.Errorf("GET /en/faq/ after its folder was deleted: %d, want 404", status)
	}
	p.matchesFullBuild()
}

// TestEditDataAndTheme: data and theme changes re-render what uses them;
// a new stylesheet gets a new hashed name and the old one goes.
func TestEditDataAndTheme(t *testing.T) {
	p := startPreview(t, copySite(t), 0)

	p.edit("content/data/cookies.yaml", "lifetime: 13mo", "lifetime: 14mo")
	ev, _ := p.nextReload()
	if !has(ev.Changed, "/en/cookies/") || !has(ev.Changed, "/sq/") || ev.Edited != "" {
		t.Errorf("data edit: %+v, want every page (the banner lists cookies) changed", ev)
	}
	if !strings.Contains(p.page("/en/cookies/"), "14 months") {
		t.Error("the new duration is not served")
	}
	p.matchesFullBuild()

	oldCSS := assetURL(t, p.page("/en/"), "/assets/site.")
	p.edit("themes/default/assets/css/site.css", "}", "}\n.added-while-serving{color:red}")
	ev, _ = p.nextReload()
	newCSS := assetURL(t, p.page("/en/"), "/assets/site.")
	if newCSS == oldCSS || !has(ev.Changed, oldCSS) || !has(ev.Changed, newCSS) || !has(ev.Changed, "/en/") {
		t.Errorf("stylesheet edit: %s -> %s, event %+v", oldCSS, newCSS, ev)
	}
	if status, _, _ := p.get(oldCSS); status != http.StatusNotFound {
		t.Errorf("GET %s (the old stylesheet): %d, want 404", oldCSS, status)
	}
	if !strings.Contains(p.page(newCSS), "added-while-serving") {
		t.Error("the new stylesheet lacks the edit")
	}
	p.matchesFullBuild()

	p.edit("themes/default/layouts/partials/footer.html", "<footer", "<p class=\"from-the-theme\">x</p><footer")
	ev, _ = p.nextReload()
	if !has(ev.Changed, "/sr/privatnost/") || !strings.Contains(p.page("/sr/privatnost/"), "from-the-theme") {
		t.Errorf("template edit: %+v", ev)
	}
	p.matchesFullBuild()

	// New headers change no output, but how every page runs: all reload.
	p.edit("themes/default/headers.yaml", `Referrer-Policy: "strict-origin-when-cross-origin"`, `Referrer-Policy: "no-referrer"`)
	ev, _ = p.nextReload()
	if _, h, _ := p.get("/en/"); h.Get("Referrer-Policy") != "no-referrer" || !has(ev.Changed, "/en/") || !has(ev.Changed, "/sr/privatnost/") {
		t.Errorf("headers edit: Referrer-Policy %q, event %+v; want no-referrer and every page changed", h.Get("Referrer-Policy"), ev)
	}
}

func assetURL(t *testing.T, html, prefix string) string {
	t.Helper()
	i := strings.Index(html, prefix)
	if i < 0 {
		t.Fatalf("no %s… in the page", prefix)
	}
	return html[i : i+strings.IndexByte(html[i:], '"')]
}

// TestIncrementalMatchesFullBuild: after every kind of edit, what the
// preview serves is byte for byte what a fresh build gives. This is what
// holds the dependency graph to account: an output left stale would differ.
func TestIncrementalMatchesFullBuild(t *testing.T) {
	p := startPreview(t, copySite(t), 0)
	sr := p.read("content/sr/index.md")
	steps := []struct {
		name     string
		file     string
		old, new string // no old: delete the file; no new: write old as the file
	}{
		{"home text", "content/en/index.md", "Welcome to", "Hello and welcome to"},
		{"home title", "content/en/index.md", "title: Privacy at", "title: All about privacy at"},
		{"weight reorders the home page", "content/en/cookies.md", "weight: 20", "weight: 45"},
		{"translation unlinked", "content/en/categories.md", "translationKey: categories", "translationKey: categories-en"},
		{"translation linked again", "content/en/categories.md", "translationKey: categories-en", "translationKey: categories"},
		{"draft leaves the menu", "content/en/contact.md", "layout: contact", "layout: contact\ndraft: true"},
		{"draft back", "content/en/contact.md", "layout: contact\ndraft: true", "layout: contact"},
		{"layout change", "content/en/privacy.md", "layout: policy", "layout: page"},
		{"a home page deleted", "content/sr/index.md", "", ""},
		{"and restored", "content/sr/index.md", sr, ""},
		{"menu reordered", "content/config.yaml", "menu: [privacy, cookies,", "menu: [cookies, privacy,"},
		{"strings of the theme", "themes/default/i18n/en.yaml", "skip_to_content: Skip to content", "skip_to_content: Skip ahead"},
	}
	for _, s := range steps {
		switch {
		case s.old == "":
			if err := os.Remove(filepath.Join(p.dir, s.file)); err != nil {
				t.Fatal(err)
			}
		case s.new == "" && s.old != "":
			p.write(s.file, s.old)
		default:
			p.edit(s.file, s.old, s.new)
		}
		ev, _ := p.nextReload()
		if len(ev.Changed) == 0 {
			t.Errorf("%s: no output changed", s.name)
		}
		p.matchesFullBuild()
		if t.Failed() {
			t.Fatalf("after %q the served site differs from a fresh build", s.name)
		}
	}

	// Without its policy the site cannot record consent: an error until the
	// key is back, then the site as a full build gives it.
	p.edit("content/sq/privatesia.md", "translationKey: privacy", "translationKey: privacy-old")
	if errs := p.nextBroken(); len(errs) == 0 || !strings.Contains(errs[0], "no privacy policy") {
		t.Errorf("the policy lost its key: errors %q", errs)
	}
	p.edit("content/sq/privatesia.md", "translationKey: privacy-old", "translationKey: privacy")
	p.nextReload()
	p.matchesFullBuild()
}
