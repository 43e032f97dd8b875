package check

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"pelqim/cmd/site/internal/source"
	"pelqim/content/schema"
	"pelqim/functions/consent/testenv"
)

func repoRoot(t *testing.T) string { return testenv.RepoRoot(t) }

// copySite copies the real site's content and theme into a temp folder.
func copySite(t *testing.T) string {
	t.Helper()
	root, dst := repoRoot(t), t.TempDir()
	for _, d := range []string{"content", "themes"} {
		if err := os.CopyFS(filepath.Join(dst, d), os.DirFS(filepath.Join(root, d))); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestRealSitePasses(t *testing.T) {
	r, err := Run(repoRoot(t))
	n := r.Pages
	if err != nil {
		t.Fatalf("check of the real site:\n%v", err)
	}
	if n < 18 {
		t.Errorf("checked only %d pages", n)
	}
}

const contactEN = `---
title: Contact
slug: contact
translationKey: contact
layout: contact
weight: 40
lastmod: 2026-11-25
---

Write to us.

`

// TestReportsBadInput breaks a copy of the real site in one way per case and
// expects that problem, as file:line: message, and no other crash.
func TestReportsBadInput(t *testing.T) {
	page := func(body string) func(string) error {
		return func(dir string) error { return write(dir, "content/en/contact.md", body) }
	}
	// replace replaces old with new in file, for each pair of oldNew.
	replace := func(file string, oldNew ...string) func(string) error {
		return func(dir string) error {
			b, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				return err
			}
			text := string(b)
			for i := 0; i+1 < len(oldNew); i += 2 {
				if !strings.Contains(text, oldNew[i]) {
					t.Fatalf("%s has no %q", file, oldNew[i])
				}
				text = strings.Replace(text, oldNew[i], oldNew[i+1], 1)
			}
			return write(dir, file, text)
		}
	}
	cases := []struct {
		name   string
		break_ func(dir string) error
		want   string // a regexp matched against the whole report
	}{
		{"yaml syntax in front matter", page(strings.Replace(contactEN, "title: Contact", "title: [Contact", 1)), `content/en/contact.md:2: did not find expected`},
		{"unknown front matter key", page(strings.Replace(contactEN, "weight: 40", "wieght: 40", 1)), `content/en/contact.md:6: field wieght not found`},
		{"no front matter", page("# Contact\n"), `content/en/contact.md:1: front matter missing`},
		{"unclosed front matter", page("---\ntitle: x\n"), `content/en/contact.md:1: front matter not closed`},
		{"missing title", page(strings.Replace(contactEN, "title: Contact\n", "", 1)), `content/en/contact.md:1: front matter: title is missing`},
		{"date in another format", replace("content/sq/privatesia.md", "date: 2018-05-25", "date: 25.11.2018"), `content/sq/privatesia.md:8: parsing time "25.11.2018"`},
		{"key twice", replace("content/sq/privatesia.md", "date: 2018-05-25", "date: 2018-05-25\ntitle: Twice"), `content/sq/privatesia.md:9: mapping key "title" already defined at line 2`},
		{"wrong type", page(strings.Replace(contactEN, "weight: 40", "weight: forty", 1)), `content/en/contact.md:6: cannot unmarshal !!str .forty. into int`},
		{"unknown layout", page(strings.Replace(contactEN, "layout: contact", "layout: fancy", 1)), `content/en/contact.md:5: front matter: layout "fancy"`},
		{"home layout elsewhere", page(strings.Replace(contactEN, "layout: contact", "layout: home", 1)), `content/en/contact.md:5: front matter: layout home is for a language's home page, index.md`},
		{"home without its layout", replace("content/sr/index.md", "layout: home\n", ""), `content/sr/index.md:1: front matter: a home page \(index.md\) has layout: home`},
		{"bad slug", page(strings.Replace(contactEN, "slug: contact", "slug: Kontakt Us", 1)), `content/en/contact.md:3: front matter: slug`},
		{"slug taken", page(strings.Replace(contactEN, "slug: contact", "slug: privacy", 1)), `content/en/contact.md:3: /en/privacy/ is also the address of content/en/privacy.md`},
		{"invalid utf-8", page("---\ntitle: \xff\n---\n"), `content/en/contact.md:2: not valid UTF-8 \(byte 0xff\)`},
		{"invalid utf-8 in the text", page(contactEN + "\nWindows-1252: \x93quoted\x94\n"), `content/en/contact.md:13: not valid UTF-8 \(byte 0x93\)`},
		{"invalid utf-8 in data", replace("content/data/contact.yaml", "email:", "# \xe8\nemail:"), `content/data/contact.yaml:\d+: not valid UTF-8 \(byte 0xe8\)`},
		{"broken link", page(contactEN + "See [the policy](/en/privacyy/).\n"), `content/en/contact.md:12: broken link "/en/privacyy/"`},
		{"broken anchor", page(contactEN + "\nSee [cookies](/en/privacy/#no-such-section).\n"), `content/en/contact.md:13: broken anchor "/en/privacy/#no-such-section"`},
		{"broken link with non-ASCII letters", page(contactEN + "See [the policy](/en/privatësia/).\n"), `content/en/contact.md:12: broken link "/en/privat%C3%ABsia/"`},
		{"relative broken link", page(contactEN + "See [x](../nowhere/).\n"), `content/en/contact.md:12: broken link "../nowhere/": no page at /en/nowhere/`},
		{"javascript link", page(contactEN + "Click [me](javascript:alert(1)).\n"), `content/en/contact.md:12: link "javascript:alert\(1\)": the javascript: scheme is not allowed`},
		{"data link", page(contactEN + "A [dot](data:image/png;base64,AAAA).\n"), `content/en/contact.md:12: link "data:image/png;base64,AAAA": the data: scheme is not allowed`},
		{"image from another origin", page(contactEN + "\n![logo](https://cdn.example/x.png)\n"), `content/en/contact.md:13: <img src="https://cdn.example/x.png"> loads from another origin`},
		{"image from //host", page(contactEN + "\n![logo](//cdn.example/x.png)\n"), `content/en/contact.md:13: <img src="//cdn.example/x.png"> points at another origin`},
		{"heading style", page(contactEN + "\n## Hours {style=\"color:red\"}\n"), `content/en/contact.md:13: heading attribute style="color:red" is not rendered: a heading keeps only its \{#id\}`},
		{"raw script inline", page(contactEN + "Write <script>alert(1)</script> now.\n"), `content/en/contact.md:12: raw HTML <script> is not rendered, nor what it holds`},
		{"raw script block", page(contactEN + "Text.\n\n<script>\nalert(1)\n</script>\n"), `content/en/contact.md:14: raw HTML <script> is not rendered, nor what it holds`},
		{"raw style block", page(contactEN + "<style>\np { color: red }\n</style>\n"), `content/en/contact.md:12: raw HTML <style> is not rendered, nor what it holds`},
		{"raw iframe", page(contactEN + "Watch:\n\n<iframe src=\"https://video.example/1\"></iframe>\n"), `content/en/contact.md:14: raw HTML <iframe> is not rendered, nor what it holds`},
		{"raw inline tag", page(contactEN + "Call <b>now</b>.\n"), `content/en/contact.md:12: raw HTML <b> is not rendered: pages take only Markdown`},
		{"lists nested too deep", page(contactEN + deepList(2000)), `content/en/contact.md:28: lists and block quotes nested 17 levels deep: a page may nest at most 16`},
		{"missing translation", func(dir string) error { return os.Remove(filepath.Join(dir, "content/sr/kontakt.md")) }, `content/sq/kontakt.md:\d+: no Srpski translation`},
		{"stale translation", page(strings.Replace(contactEN, "lastmod: 2026-11-25", "lastmod: 2020-01-01", 1)), `content/en/contact.md:7: translation is older \(2020-01-01\) than its source content/sq/kontakt.md`},
		{"cookie with unknown category", replace("content/data/cookies.yaml", "category: necessary", "category: essential"), `content/data/cookies.yaml:13: cookie "pelqim_consent": unknown category "essential"`},
		{"unknown key in data", replace("content/data/cookies.yaml", "category: necessary", "categry: necessary"), `content/data/cookies.yaml:13: field categry not found in type schema.Cookie`},
		{"unknown nested key in data", replace("content/data/cookies.yaml", "  purpose:", "  porpose:"), `content/data/cookies.yaml:\d+: field porpose not found in type schema.Cookie`},
		{"unknown nested key in config", replace("content/config.yaml", "  consentMode:", "  consentMod:"), `content/config.yaml:16: field consentMod not found in type struct`},
		{"base URL with a query", replace("content/config.yaml", "xiaomistore-ks.com/\n", "xiaomistore-ks.com/?utm=1\n"), `content/config.yaml:\d+: baseURL: "https://privatesia.xiaomistore-ks.com/\?utm=1" must be an origin and the root path /`},
		{"menu key without a page", replace("content/config.yaml", "menu: [privacy, ", "menu: [privacy, nosuchpage, "), `content/config.yaml:\d+: menu: no page has translationKey "nosuchpage"`},
		{"heading anchor twice", page(contactEN + "## Again {#write}\n\n## And again {#write}\n"), `content/en/contact.md:12: heading anchor "write" is used twice on the page`},
		{"heading anchor of the layout", page(contactEN + "## Main {#main}\n"), `content/en/contact.md:12: heading anchor "main" is used twice on the page \(by another heading or by the layout\)`},
		{"unknown key in config", replace("content/config.yaml", "baseURL:", "baseUrl:"), `content/config.yaml:\d+: field baseUrl not found in type schema.Config`},
		{"data yaml syntax", replace("content/data/contact.yaml", "email:", "email: [\n"), `content/data/contact.yaml:\d+: `},
		{"data missing language", replace("content/data/cookie-categories.yaml", "sr:", "sx:"), `content/data/cookie-categories.yaml:\d+: .*missing the "sr" text`},
		{"category renamed", func(dir string) error {
			for file, old := range map[string]string{"content/data/cookie-categories.yaml": "- id: marketing", "content/data/cookies.yaml": "category: marketing"} {
				b, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					return err
				}
				if err := write(dir, file, strings.ReplaceAll(string(b), old, strings.Replace(old, "marketing", "advertising", 1))); err != nil {
					return err
				}
			}
			return nil
		}, `content/facts_generated.go: out of date with the content and the theme it is made from: run go run ./cmd/site generate`},
		{"function string changed", replace("themes/default/i18n/sr.yaml", "req_type_erase: ", "req_type_erase: Obriši "), `content/text_generated.go: out of date`},
		{"category required", replace("content/data/cookie-categories.yaml", "- id: preferences\n  required: false", "- id: preferences\n  required: true"), `content/data/cookie-categories.yaml:\d+: category "preferences": only the first category can be required`},
		{"data-request page gone", func(dir string) error { return os.Remove(filepath.Join(dir, "content/en/data-requests.md")) }, `content/facts_generated.go: out of date`},
		{"data-request page moved", replace("content/en/data-requests.md", "slug: data-requests", "slug: requests"), `content/facts_generated.go: out of date`},
		{"cookie domain elsewhere", replace("content/config.yaml", "cookieDomain: xiaomistore-ks.com", "cookieDomain: example.com"), `content/config.yaml:\d+: cookieDomain "example.com" must be the site's host \(privatesia.xiaomistore-ks.com\) or a domain above it`},
		{"cookie domain a suffix", replace("content/config.yaml", "cookieDomain: xiaomistore-ks.com", "cookieDomain: store-ks.com"), `content/config.yaml:\d+: cookieDomain "store-ks.com" must be`},
		{"cookie domain a top-level domain", replace("content/config.yaml", "cookieDomain: xiaomistore-ks.com", "cookieDomain: com"), `content/config.yaml:\d+: cookieDomain "com" must be`},
		{"reconsent never", replace("content/config.yaml", "reconsentDays: 182", "reconsentDays: 0"), `content/config.yaml:\d+: consent.reconsentDays must be between 1 and 390 days, or left out: 182`},
		{"reconsent too late", replace("content/config.yaml", "reconsentDays: 182", "reconsentDays: 400"), `content/config.yaml:\d+: consent.reconsentDays must be between 1 and 390 days`},
		{"retention not positive", replace("content/config.yaml", "consent:\n", "consent:\n  retentionDays: -1\n"), `content/config.yaml:\d+: consent.retentionDays must be between 1 and 36500 days`},
		{"request retention overflowing", appendTo("content/config.yaml", "requests:\n  retentionDays: 200000\n"), `content/config.yaml:\d+: requests.retentionDays must be between 1 and 36500 days`},
		{"config default language", replace("content/config.yaml", "defaultLanguage: sq", "defaultLanguage: de"), `content/config.yaml:\d+: defaultLanguage "de" is not one of the languages`},
		{"template syntax", replace("themes/default/layouts/policy.html", "{{.Content}}", "{{.Content"), `themes/default/layouts/policy.html:7: unexpected "<" in operand`},
		{"template unknown field", replace("themes/default/layouts/policy.html", "{{.Content}}", "{{.Contnet}}"), `themes/default/layouts/policy.html:6: .*can't evaluate field Contnet`},
		{"template error in an included partial", replace("themes/default/layouts/partials/toc.html", "{{.Text}}", "{{.Txet}}"), `themes/default/layouts/partials/toc.html:3: .*can't evaluate field Txet`},
		{"template error in a shared partial", replace("themes/default/layouts/partials/footer.html", `{{.T "contact"}}`, `{{.T "contactt"}}`), `themes/default/layouts/partials/footer.html:7: .*has no key "contactt"`},
		{"template calls itself", replace("themes/default/layouts/partials/toc.html", "{{if .TOC}}", `{{template "toc.html" .}}{{if .TOC}}`), `themes/default/layouts/partials/toc.html:1: toc.html calls itself \(toc.html → toc.html\) outside any if, range or with`},
		{"template missing partial", replace("themes/default/layouts/policy.html", `{{template "toc.html" .}}`, `{{template "missing.html" .}}`), `themes/default/layouts/policy.html:4: no such template "missing.html"`},
		{"template unknown string", replace("themes/default/layouts/policy.html", "{{.Content}}", `{{.T "no_such_key"}}`), `themes/default/layouts/policy.html:6: .*has no key "no_such_key"`},
		{"header twice", replace("themes/default/headers.yaml", `X-Frame-Options: "DENY"`, "X-Frame-Options: \"DENY\"\nx-frame-options: SAMEORIGIN"), `themes/default/headers.yaml:\d+: x-frame-options is defined twice`},
		{"header not a string", replace("themes/default/headers.yaml", `X-Frame-Options: "DENY"`, `X-Frame-Options: [DENY]`), `themes/default/headers.yaml:\d+: X-Frame-Options: the value must be a non-empty string`},
		{"header name", replace("themes/default/headers.yaml", `X-Frame-Options: "DENY"`, `X Frame Options: "DENY"`), `themes/default/headers.yaml:\d+: "X Frame Options" is not a header name`},
		{"string twice", replace("themes/default/i18n/en.yaml", "toc:", "toc: Twice\ntoc:"), `themes/default/i18n/en.yaml:\d+: "toc" is defined twice \(first at line \d+\)`},
		{"string empty", replace("themes/default/i18n/sr.yaml", "toc:", `toc: ""`+"\nx_toc:"), `themes/default/i18n/sr.yaml:\d+: "toc" has no text`},
		{"string null", replace("themes/default/i18n/sr.yaml", "toc:", "toc:\nx_toc:"), `themes/default/i18n/sr.yaml:\d+: "toc" has no text`},
		{"string missing in a language", replace("themes/default/i18n/sr.yaml", "toc:", "tox:"), `themes/default/i18n/sr.yaml:1: missing key "toc"`},
		{"script syntax", appendTo("themes/default/assets/js/consent.js", "\nfunction (\n"), `themes/default/assets/js/consent.js:\d+: expected Identifier instead of \( in function declaration \(column 10\)`},
		{"style syntax", appendTo("themes/default/assets/css/site.css", "\na { color red; }\n"), `themes/default/assets/css/site.css:\d+: expected colon in declaration \(column 11\)`},
		{"style block never closed", appendTo("themes/default/assets/css/consent.css", "\n.cc {\n"), `themes/default/assets/css/consent.css:\d+: this \{ is never closed \(column 5\)`},
		{"policy a draft", replace("content/sq/privatesia.md", "title:", "draft: true\ntitle:"), `content/sq: no privacy policy \(a page with translationKey privacy, not a draft\)`},
		{"svg not xml", func(dir string) error {
			return write(dir, "themes/default/assets/img/favicon.svg", "<svg>\n<g></svg>\n")
		}, `themes/default/assets/img/favicon.svg:2: element <g> closed by </svg>`},
		{"inline style", replace("themes/default/layouts/policy.html", "<h1>", `<h1 style="color:red">`), `a style= attribute on <h1>: the Content-Security-Policy forbids`},
		{"inline script", replace("themes/default/layouts/policy.html", "<h1>", `<script>alert(1)</script><h1>`), `an inline <script> with code`},
		{"third-party script", replace("themes/default/layouts/base.html", "</head>", `<script src="https://cdn.example.com/x.js"></script></head>`), `loads from another origin`},
		{"empty link", replace("themes/default/layouts/policy.html", "<h1>", `<a href="{{.URLOf "nosuchpage"}}">x</a><h1>`), `content/en/privacy.md: <a href=""> leads nowhere \(in the layout\)`},
		{"css import from elsewhere", func(dir string) error {
			b, err := os.ReadFile(filepath.Join(dir, "themes/default/assets/css/site.css"))
			return errors.Join(err, write(dir, "themes/default/assets/css/site.css", "\n@import \"https://fonts.example/x.css\";\n"+string(b)))
		}, `themes/default/assets/css/site.css:2: "https://fonts.example/x.css": pages load nothing from another origin`},
		{"css url from elsewhere", appendTo("themes/default/assets/css/consent.css", "\n.x {\n  background: url( '//cdn.example/x.png' );\n}\n"), `themes/default/assets/css/consent.css:\d+: "//cdn.example/x.png": pages load nothing`},
		{"css data url", appendTo("themes/default/assets/css/consent.css", "\n.x { background: url(data:image/png;base64,AAAA) }\n"), `themes/default/assets/css/consent.css:\d+: "data:image/png;base64,AAAA": pages load nothing`},
		{"svg image from elsewhere", func(dir string) error {
			return write(dir, "themes/default/assets/img/favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n<image xlink:href=\"https://cdn.example/x.png\"/>\n</svg>\n")
		}, `themes/default/assets/img/favicon.svg:2: "https://cdn.example/x.png": pages load nothing`},
		{"no chooser layout", func(dir string) error { return os.Remove(filepath.Join(dir, "themes/default/layouts/chooser.html")) }, `themes/default/layouts: the theme has no chooser.html`},
		{"empty base layout", func(dir string) error { return write(dir, "themes/default/layouts/base.html", "") }, `content/en/contact.md: the page has no <main>`},
		{"missing layout file", func(dir string) error { return os.Remove(filepath.Join(dir, "themes/default/layouts/contact.html")) }, `content/\w+/\w+\.md:5: layout "contact": the theme has no themes/default/layouts/contact.html`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copySite(t)
			if err := c.break_(dir); err != nil {
				t.Fatal(err)
			}
			_, err := Run(dir)
			if err == nil {
				t.Fatalf("no problem reported; want %s", c.want)
			}
			report := err.Error()
			if !regexp.MustCompile(c.want).MatchString(report) {
				t.Errorf("report does not match %s:\n%s", c.want, report)
			}
			for _, line := range strings.Split(report, "\n") {
				if !regexp.MustCompile(`^[\w./-]+(:\d+)?: `).MatchString(line) {
					t.Errorf("not in file:line: message form: %q", line)
				}
				// A page that a theme error keeps from rendering still
				// exists: links to it are not broken, and 88 lines saying
				// so would bury the one error to fix.
				if strings.Contains(line, "broken link") && strings.HasPrefix(c.want, "themes/") {
					t.Errorf("a consequence reported as a problem of its own: %q", line)
				}
			}
		})
	}
}

// deepList is an indented list n levels deep, a level a line.
func deepList(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat("  ", i) + "- level\n")
	}
	return b.String()
}

// appendTo adds text at the end of file.
func appendTo(file, text string) func(string) error {
	return func(dir string) error {
		f, err := os.OpenFile(filepath.Join(dir, file), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, err = f.WriteString(text)
		return errors.Join(err, f.Close())
	}
}

func write(dir, file, body string) error {
	return os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644)
}

// TestNewLanguageAtOnce: a language added to the configuration alone gets
// everything it still needs in one report, not a stage per run.
func TestNewLanguageAtOnce(t *testing.T) {
	dir := copySite(t)
	cfg := filepath.Join(dir, "content/config.yaml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "languages:\n", "languages:\n  - {code: de, name: Deutsch, locale: de_DE}\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Run(dir)
	if err == nil {
		t.Fatal("no problem reported")
	}
	for _, want := range []string{
		`content/config.yaml:\d+: title: missing the "de" text`,
		`content/data/cookies.yaml:\d+: duration: missing the "de" text`,
		`content/de: no such file or directory`,
		`themes/default/i18n/de.yaml: no such file or directory`,
	} {
		if !regexp.MustCompile(want).MatchString(err.Error()) {
			t.Errorf("report lacks %s:\n%s", want, err)
		}
	}
}

// TestStaleTranslationByDay: a translation's lastmod is compared with its
// source's by the day, as editors write it; a source dated by its last
// commit has a time of day too.
func TestStaleTranslationByDay(t *testing.T) {
	at := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tt := range []struct {
		source, translation string
		stale               bool
	}{
		{"2026-11-25T09:24:40Z", "2026-11-25T00:00:00Z", false},
		{"2026-11-25T09:24:40+01:00", "2026-11-25T00:00:00Z", false},
		{"2026-11-25T09:24:40Z", "2026-11-24T00:00:00Z", true},
		{"2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z", false},
	} {
		c := &source.Content{Config: schema.Config{DefaultLanguage: "sq", Languages: []schema.Language{{Code: "sq", Name: "Shqip"}, {Code: "en", Name: "English"}}}}
		src := &source.Page{File: "content/sq/a.md", Lang: "sq", FrontMatter: source.FrontMatter{TranslationKey: "a", Lastmod: at(tt.source)}}
		tr := &source.Page{File: "content/en/a.md", Lang: "en", FrontMatter: source.FrontMatter{TranslationKey: "a", Lastmod: at(tt.translation)}}
		if err := c.SetPages([]*source.Page{src, tr}); err != nil {
			t.Fatal(err)
		}
		if errs := translations(c); (len(errs) > 0) != tt.stale {
			t.Errorf("source %s, translation %s: %v, want stale %v", tt.source, tt.translation, errs, tt.stale)
		}
	}
}

// TestNoWishlist: the wishlist is optional; without it the footer has no
// link to it, rather than one that leads nowhere.
func TestNoWishlist(t *testing.T) {
	dir := copySite(t)
	b, err := os.ReadFile(filepath.Join(dir, schema.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	config := regexp.MustCompile(`(?m)^wishlist: .*\n`).ReplaceAllString(string(b), "")
	if config == string(b) {
		t.Fatal("the config has no wishlist line to remove")
	}
	if err := write(dir, schema.ConfigFile, config); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(dir); err != nil {
		t.Errorf("a site without a wishlist: %v", err)
	}
}

// TestCSSURLs: the addresses a style sheet loads, at their lines, even from
// a url( the file never closes (theme loading refuses such a file first,
// but the scan must not depend on it).
func TestCSSURLs(t *testing.T) {
	for src, want := range map[string][]assetURL{
		"a{}\n@import \"https://x.example/a.css\";\nb{background:url( 'c.png' )}": {{"https://x.example/a.css", 2}, {"c.png", 3}},
		"@import url(//x.example/a.css);":                                         {{"//x.example/a.css", 1}},
		".x{background:URL(d.png)}":                                               {{"d.png", 1}},
		".x{background:url(":                                                      {{"", 1}},
		".x{background:url(e":                                                     {{"e", 1}},
	} {
		if got := cssURLs([]byte(src)); !slices.Equal(got, want) {
			t.Errorf("cssURLs(%q) = %v, want %v", src, got, want)
		}
	}
}

// TestUnconfirmed: what the store has not confirmed, in the notice and the
// cookie list, is listed at its line; once confirmed it is not.
func TestUnconfirmed(t *testing.T) {
	dir := copySite(t)
	r, err := Run(dir)
	if err != nil {
		t.Fatal(err)
	}
	var notice, cookie bool
	for _, e := range r.Unconfirmed {
		notice = notice || regexp.MustCompile(`^content/data/notice\.yaml:\d+: controller\.registration: not confirmed by the store$`).MatchString(e.Error())
		cookie = cookie || regexp.MustCompile(`^content/data/cookies\.yaml:\d+: cookie "_fbp": not confirmed`).MatchString(e.Error())
	}
	if !notice || !cookie {
		t.Errorf("unconfirmed facts listed as %v", r.Unconfirmed)
	}
	for _, f := range []string{"content/data/notice.yaml", "content/data/cookies.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := write(dir, f, strings.ReplaceAll(string(b), "confirmed: false", "confirmed: true")); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := Run(dir); err != nil || len(r.Unconfirmed) != 0 {
		t.Errorf("all confirmed: %v, still listed %v", err, r.Unconfirmed)
	}
}
