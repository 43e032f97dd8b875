// Package check finds what would make the published site wrong: bad input
// (front matter, data, templates), broken internal links and anchors, pages
// missing in a language, translations older than their Albanian source, and
// pages that break the site's promises (inline code under the CSP, requests
// to other origins, the weight budget). Each problem is file:line: message.
package check

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"

	"pelqim/cmd/site/internal/generate"
	"pelqim/cmd/site/internal/markdown"
	"pelqim/cmd/site/internal/site"
	"pelqim/cmd/site/internal/source"
	"pelqim/content"
	"pelqim/content/schema"
)

// PageBudget is the most a page may weigh, HTML with its CSS and JS,
// gzip-compressed: what fits the first round trips of a new connection.
const PageBudget = 14 * 1024

// Run checks the site under root and returns how many pages it checked.
func Run(root string) (Report, error) {
	s, err := site.Load(root, site.Options{})
	if err != nil {
		return Report{}, err
	}
	return Built(s)
}

// Report is what a check found besides errors.
type Report struct {
	Pages int // checked
	// Unconfirmed are the facts of the privacy notice and the cookies the
	// store has not confirmed (schema.Unconfirmed): warnings, which a
	// release refuses.
	Unconfirmed []error
}

// Built checks a loaded site.
func Built(s *site.Site) (Report, error) {
	var errs content.Errors
	errs = append(errs, translations(s.Content)...)
	errs = append(errs, menu(s.Content)...)
	errs = append(errs, generated(s)...)
	errs = append(errs, assetRequests(s.Content.Root, s.Theme.Dir)...)
	built := map[string]*page{}
	assets := map[string][]byte{}
	for _, o := range s.Outputs() {
		b, doc, err := o.RenderDoc()
		if err != nil {
			errs = append(errs, content.List(err)...)
			// The page exists, and links to it are not broken: its
			// own error is the one to fix.
			built[urlOf(o.Path)] = nil
			continue
		}
		if strings.HasPrefix(o.Path, "assets/") {
			assets["/"+o.Path] = b
		}
		if strings.HasSuffix(o.Path, ".html") {
			p, err := parse(o, b, doc)
			if err != nil {
				errs = append(errs, err)
				built[urlOf(o.Path)] = nil // as a page that did not render
				continue
			}
			built[urlOf(o.Path)] = p
		}
	}
	checked := 0
	for u, p := range built {
		if p == nil {
			continue
		}
		checked++
		errs = append(errs, p.duplicates()...)
		errs = append(errs, p.leftOut()...)
		if !p.main {
			errs = append(errs, p.errorf("", "the page has no <main>: its content, and the skip link's target, are missing"))
		}
		errs = append(errs, p.links(u, built, assets)...)
		errs = append(errs, p.policy(s.Theme.Header("Content-Security-Policy"))...)
		errs = append(errs, p.weight(assets)...)
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return Report{checked, schema.Unconfirmed(&s.Content.Data)}, errs.Err()
}

// urlOf maps an output path to the URL it is served at.
func urlOf(p string) string {
	if p == "index.html" {
		return "/"
	}
	if strings.HasSuffix(p, "/index.html") {
		return "/" + strings.TrimSuffix(p, "index.html")
	}
	return "/" + p
}

// menu reports the menu's keys that no page has: the menu would silently
// leave them out.
func menu(c *source.Content) []error {
	keys := map[string]bool{}
	for _, p := range c.Pages {
		keys[p.TranslationKey] = true
	}
	var errs []error
	for _, key := range c.Config.Menu {
		if !keys[key] {
			errs = append(errs, content.Errorf(schema.ConfigFile, c.Config.Lines.Line("menu"), "menu: no page has translationKey %q", key))
		}
	}
	return errs
}

// generated reports the generated Go copies (package generate) that no
// longer match the content and theme they are made from: the consent
// function would refuse a new language or category, or show old texts.
func generated(s *site.Site) []error {
	files, err := generate.Files(s)
	if err != nil {
		return content.List(err)
	}
	return generate.Stale(s.Content.Root, files)
}

// translations reports pages missing in a language, and translations older
// than the default language's version they translate.
func translations(c *source.Content) []error {
	var errs []error
	def := c.Config.DefaultLanguage
	seen := map[string]bool{}
	for _, p := range c.Pages {
		if seen[p.TranslationKey] {
			continue
		}
		seen[p.TranslationKey] = true
		for _, l := range c.Config.Languages {
			if c.Page(l.Code, p.TranslationKey) == nil {
				errs = append(errs, content.Errorf(p.File, p.Line("translationKey"), "no %s translation: add a page with translationKey %q under content/%s/", l.Name, p.TranslationKey, l.Code))
			}
		}
	}
	for _, p := range c.Pages {
		src := c.Page(def, p.TranslationKey)
		if p.Lang == def || src == nil || p.Lastmod.IsZero() || src.Lastmod.IsZero() {
			continue
		}
		// By the day, as editors write lastmod: a date from git has a time
		// of day, and a translation dated the day its source was committed
		// is not older than it.
		if day, srcDay := p.Lastmod.Format(time.DateOnly), src.Lastmod.Format(time.DateOnly); day < srcDay {
			errs = append(errs, content.Errorf(p.File, p.Line("lastmod"), "translation is older (%s) than its source %s (%s): update it, then its lastmod",
				day, src.File, srcDay))
		}
	}
	return errs
}

// page is a built HTML page, reduced to what the checks need.
type page struct {
	out   *site.Output
	ids   map[string]bool
	refs  []ref
	html  []byte
	lines map[string]int     // Markdown source line of each link destination
	bad   []string           // inline code and styles found
	heads []markdown.Heading // the page's Markdown headings, if it is a page
	left  []markdown.Ignored // markup of its Markdown that the page did not get
	main  bool               // it has a <main>
	// dup lists the ids found twice on the page, whose links go to the
	// first only.
	dup []string
}

type ref struct {
	attr, val string
	tag       string
	rel       string
}

func parse(o *site.Output, b []byte, doc *markdown.Doc) (*page, error) {
	p := &page{out: o, ids: map[string]bool{}, html: b, lines: map[string]int{}}
	if doc != nil {
		p.heads, p.left = doc.Headings, doc.Ignored
		for _, l := range doc.Links {
			// by the destination as written, and as the page has it: the
			// renderer escapes ë as %C3%AB
			for _, dest := range []string{l.Dest, string(util.URLEscape([]byte(l.Dest), true))} {
				if _, ok := p.lines[dest]; !ok {
					p.lines[dest] = o.Page.FileLine(l.Line)
				}
			}
			// The renderer drops dangerous links and images from elsewhere,
			// so only the source shows them.
			switch u, err := url.Parse(l.Dest); {
			case l.Image && markdown.OffSite([]byte(l.Dest)):
				p.refs = append(p.refs, ref{attr: "src", val: l.Dest, tag: "img"})
			case err == nil && !allowedScheme[u.Scheme]:
				p.refs = append(p.refs, ref{attr: "href", val: l.Dest, tag: "a"})
			}
		}
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	var inScript bool
	var scriptType string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return p, nil
		case html.TextToken:
			if inScript && strings.TrimSpace(string(z.Text())) != "" && scriptType != "application/ld+json" {
				p.bad = append(p.bad, "an inline <script> with code")
			}
		case html.EndTagToken:
			inScript = false
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			attrs := map[string]string{}
			for _, a := range t.Attr {
				attrs[a.Key] = a.Val
			}
			for _, a := range t.Attr {
				switch {
				case a.Key == "id":
					if p.ids[a.Val] && !slices.Contains(p.dup, a.Val) {
						p.dup = append(p.dup, a.Val)
					}
					p.ids[a.Val] = true
				case a.Key == "style":
					p.bad = append(p.bad, "a style= attribute on <"+t.Data+">")
				case strings.HasPrefix(a.Key, "on"):
					p.bad = append(p.bad, "an event handler attribute "+a.Key+"= on <"+t.Data+">")
				case a.Key == "href" || a.Key == "src" || a.Key == "action":
					p.refs = append(p.refs, ref{attr: a.Key, val: a.Val, tag: t.Data, rel: attrs["rel"]})
				}
			}
			switch t.Data {
			case "main":
				p.main = true
			case "style":
				p.bad = append(p.bad, "a <style> element")
			case "script":
				inScript, scriptType = tt == html.StartTagToken, attrs["type"]
			}
		}
	}
}

// duplicates reports the ids used twice on the page, at the heading that
// has one when there is such a heading.
func (p *page) duplicates() []error {
	var errs []error
	for _, id := range p.dup {
		if i := slices.IndexFunc(p.heads, func(h markdown.Heading) bool { return h.ID == id }); i >= 0 {
			errs = append(errs, content.Errorf(p.out.Page.File, p.out.Page.FileLine(p.heads[i].Line), "heading anchor %q is used twice on the page (by another heading or by the layout): links to it reach only the first", id))
		} else {
			errs = append(errs, p.errorf("", "id %q is used twice on the page: links to it reach only the first", id))
		}
	}
	return errs
}

// leftOut reports what the page's Markdown asked for and did not get.
func (p *page) leftOut() []error {
	var errs []error
	for _, l := range p.left {
		errs = append(errs, content.Errorf(p.out.Page.File, p.out.Page.FileLine(l.Line), "%s", l.What))
	}
	return errs
}

// where names the source of a problem: the Markdown line of a link when
// the page's text has it, else the page file, else the output.
func (p *page) where(val string) (string, int) {
	if p.out.Page == nil {
		return "public/" + p.out.Path, 0
	}
	return p.out.Page.File, p.lines[val]
}

func (p *page) errorf(val, format string, args ...any) error {
	file, line := p.where(val)
	msg := fmt.Sprintf(format, args...)
	if line == 0 && p.out.Page != nil {
		msg += " (in the layout)"
	}
	return content.Errorf(file, line, "%s", msg)
}

// links checks every same-site link and anchor, and that nothing is loaded
// from another origin.
func (p *page) links(self string, built map[string]*page, assets map[string][]byte) []error {
	var errs []error
	seen := map[string]bool{}
	for _, r := range p.refs {
		if seen[r.val] {
			continue
		}
		seen[r.val] = true
		if strings.TrimSpace(r.val) == "" {
			// It would lead back to the page itself: a page or a setting
			// the layout names is missing.
			errs = append(errs, p.errorf("", "<%s %s=\"\"> leads nowhere", r.tag, r.attr))
			continue
		}
		u, err := url.Parse(strings.TrimSpace(r.val))
		if err != nil {
			errs = append(errs, p.errorf(r.val, "link %q: %v", r.val, err))
			continue
		}
		switch {
		case !allowedScheme[u.Scheme]:
			errs = append(errs, p.errorf(r.val, "link %q: the %s: scheme is not allowed", r.val, u.Scheme))
			continue
		case u.Scheme != "":
			// Links may lead anywhere; nothing may load from elsewhere.
			if r.tag != "a" && r.rel != "canonical" && r.rel != "alternate" {
				errs = append(errs, p.errorf(r.val, "<%s %s=%q> loads from another origin: pages must make no third-party request", r.tag, r.attr, r.val))
			}
			continue
		}
		if u.Host != "" {
			errs = append(errs, p.errorf(r.val, "<%s %s=%q> points at another origin", r.tag, r.attr, r.val))
			continue
		}
		target := (&url.URL{Path: self}).ResolveReference(&url.URL{Path: u.Path}).Path
		if strings.HasPrefix(target, "/api/") || target == "/sitemap.xml" || target == "/robots.txt" {
			continue
		}
		if _, ok := assets[target]; ok {
			continue
		}
		dest, ok := built[target]
		if !ok {
			errs = append(errs, p.errorf(r.val, "broken link %q: no page at %s", r.val, target))
			continue
		}
		if dest != nil && u.Fragment != "" && !dest.ids[u.Fragment] {
			errs = append(errs, p.errorf(r.val, "broken anchor %q: %s has no id %q", r.val, target, u.Fragment))
		}
	}
	return errs
}

var allowedScheme = map[string]bool{"": true, "http": true, "https": true, "mailto": true, "tel": true}

// policy reports what the Content-Security-Policy would block.
func (p *page) policy(csp string) []error {
	var errs []error
	if strings.Contains(csp, "unsafe-inline") {
		errs = append(errs, p.errorf("", "the Content-Security-Policy allows 'unsafe-inline'"))
	}
	for _, b := range slices.Compact(slices.Clone(p.bad)) {
		errs = append(errs, p.errorf("", "%s: the Content-Security-Policy forbids inline code and styles", b))
	}
	return errs
}

// weight holds the page, with the CSS and JS it loads, to PageBudget.
func (p *page) weight(assets map[string][]byte) []error {
	total := GzipSize(p.html)
	for _, r := range p.refs {
		if (r.tag == "script" && r.attr == "src") || (r.tag == "link" && r.rel == "stylesheet") {
			total += GzipSize(assets[r.val])
		}
	}
	if total > PageBudget {
		return []error{p.errorf("", "the page weighs %d bytes gzip-compressed with its CSS and JS; the budget is %d", total, PageBudget)}
	}
	return nil
}

// GzipSize is what b weighs on the wire, compressed as the CDN would.
func GzipSize(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Len()
}
