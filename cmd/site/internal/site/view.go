package site

import (
	"bytes"
	"fmt"
	"html/template"
	"slices"

	"strings"
	"time"

	"pelqim/cmd/site/internal/markdown"
	"pelqim/cmd/site/internal/source"
	"pelqim/content"
	"pelqim/content/schema"
)

// View is what a layout sees as its dot: one page in one language.
//
// What every page shows is computed into fields before the layout runs:
// text/template finds a field by name far more cheaply than it looks up
// and calls a method, and pages are many.
type View struct {
	s *Site
	*source.Page
	Content template.HTML
	// TOC lists the page's second-level headings, for its table of contents.
	TOC []markdown.Heading

	Tag        string      // BCP 47 tag of the page's language (sr-Latn for Serbian in Latin)
	SiteTitle  string      // the site's title in the page's language
	Permalink  string      // the canonical, absolute URL
	Version    string      // the policy's or cookie declaration's version, on those pages
	Alternates []Alternate // hreflang links: every translation and x-default
	Languages  []Link      // the page in every language, for the switcher
	Menu       []Link      // the main navigation in the page's language
	Scripts    []string    // extra scripts the build was asked to add (the live preview's)
}

// view makes the View of page p, at its own URL or at canonical.
func (s *Site) view(p *source.Page, canonical string) *View {
	v := &View{s: s, Page: p, Scripts: s.Options.Scripts}
	v.Tag = tag(s.language(p.Lang))
	v.SiteTitle = s.Content.Config.Title[p.Lang]
	if canonical == "" {
		canonical = p.URL()
	}
	v.Permalink = s.Abs(canonical)
	switch p.Layout {
	case "policy":
		v.Version = s.Content.PolicyVersion
	case "cookies":
		v.Version = s.Content.ConsentVersion
	}
	v.Alternates = s.alternates(p)
	v.Languages = s.languages(p)
	v.Menu = s.menu(p)
	return v
}

// Link is a labelled link, for menus and switchers.
type Link struct {
	Label, URL string
	Lang       string // language tag of the target, when it differs
	Current    bool
}

// Alternate is an hreflang link to a translation (or x-default).
type Alternate struct{ Hreflang, Href string }

func (s *Site) renderPage(p *source.Page) ([]byte, *markdown.Doc, error) {
	doc, err := markdown.Render(p.Body)
	if err != nil {
		return nil, nil, content.Errorf(p.File, p.BodyLine, "%v", err)
	}
	b, err := s.execute(p.Layout, s.pageView(p, doc), p)
	return b, doc, err
}

// pageView is the view of page p whose body rendered to doc.
func (s *Site) pageView(p *source.Page, doc *markdown.Doc) *View {
	v := s.view(p, "")
	v.Content = template.HTML(doc.HTML)
	for _, h := range doc.Headings {
		if h.Level == 2 {
			v.TOC = append(v.TOC, h)
		}
	}
	return v
}

func (s *Site) execute(layout string, v *View, p *source.Page) ([]byte, error) {
	buf, _ := s.written.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	buf.Grow(len(v.Content) + 16<<10)
	if err := s.Theme.Layouts.Execute(buf, layout, "base.html", v); err != nil {
		err = s.Theme.Explain(layout, "base.html", v, err)
		if p != nil {
			err = fmt.Errorf("%w (rendering %s)", err, p.File)
		}
		return nil, err
	}
	return buf.Bytes(), nil
}

// renderChooser renders the root page: a choice of language, where the CDN
// sends visitors to their language (it is x-default of the home pages).
func (s *Site) renderChooser() ([]byte, error) {
	home := s.Content.Page(s.Content.Config.DefaultLanguage, "home")
	if home == nil {
		return nil, content.Errorf("content/"+s.Content.Config.DefaultLanguage, 0, "no home page (index.md with translationKey home)")
	}
	return s.execute("chooser", s.view(home, "/"), nil)
}

// Shared renders the partial name, which must be the same on every page of
// a language (the footer, the banner: nothing in them may depend on the
// page), once per language and render pass, and reuses it on every page.
func (v *View) Shared(name string) (template.HTML, error) {
	key := v.Lang + "\x00" + name
	if h, ok := v.s.shared.Load(key); ok {
		return h.(template.HTML), nil
	}
	var buf bytes.Buffer
	if err := v.s.Theme.Layouts.Execute(&buf, v.Layout, name, v); err != nil {
		return "", v.s.Theme.Explain(v.Layout, name, v, err)
	}
	h, _ := v.s.shared.LoadOrStore(key, template.HTML(buf.String()))
	return h.(template.HTML), nil
}

// T returns the theme string key in the page's language.
func (v *View) T(key string) (string, error) {
	str, ok := v.s.Theme.Strings[v.Lang][key]
	if !ok {
		return "", fmt.Errorf("%s/i18n/%s.yaml has no key %q", v.s.Theme.Dir, v.Lang, key)
	}
	return str, nil
}

// Config is the site configuration.
func (v *View) Config() *schema.Config { return &v.s.Content.Config }

// Data is the site's data: cookies, categories, products, contact.
func (v *View) Data() *schema.Data { return &v.s.Content.Data }

// RequestTypes are the kinds of data request the form offers.
func (v *View) RequestTypes() []string { return content.RequestTypes }

// ConsentPath and RequestsPath are where the banner and the data-request
// form post to.
func (v *View) ConsentPath() string  { return content.ConsentPath }
func (v *View) RequestsPath() string { return content.RequestsPath }

// alternates are the hreflang links: every translation, the page itself
// included, and x-default (the language chooser for home pages, else the
// default language's page). They are the same on every translation, which
// makes them reciprocal.
func (s *Site) alternates(p *source.Page) []Alternate {
	var alts []Alternate
	var def string
	for _, t := range s.Content.Translations(p) {
		alts = append(alts, Alternate{tag(s.language(t.Lang)), s.Abs(t.URL())})
		if t.Lang == s.Content.Config.DefaultLanguage {
			def = s.Abs(t.URL())
			// The home pages' x-default is the language chooser; decided
			// by the default language's page, so that every translation
			// names the same one.
			if t.Layout == "home" {
				def = s.Abs("/")
			}
		}
	}
	if def != "" {
		alts = append(alts, Alternate{"x-default", def})
	}
	return alts
}

// languages links to p in every language (to that language's home page
// where it has no translation), for the language switcher.
func (s *Site) languages(p *source.Page) []Link {
	var links []Link
	for _, l := range s.Content.Config.Languages {
		t := s.Content.Page(l.Code, p.TranslationKey)
		if t == nil {
			t = s.Content.Page(l.Code, "home")
		}
		if t == nil {
			continue
		}
		links = append(links, Link{Label: l.Name, URL: t.URL(), Lang: tag(l), Current: l.Code == p.Lang})
	}
	return links
}

// menu is the main navigation in p's language.
func (s *Site) menu(p *source.Page) []Link {
	var links []Link
	for _, key := range s.Content.Config.Menu {
		if q := s.Content.Page(p.Lang, key); q != nil {
			links = append(links, Link{Label: q.Title, URL: q.URL(), Current: q == p})
		}
	}
	return links
}

// Pages lists the other pages of the page's language, for the home page.
func (v *View) Pages() []*source.Page {
	var ps []*source.Page
	for _, p := range v.s.Content.Pages {
		if p.Lang == v.Lang && p.Layout != "home" && p.Layout != "404" {
			ps = append(ps, p)
		}
	}
	return ps
}

// URLOf is the address of the page with translationKey key in the page's
// language ("" when there is none), for links from layouts.
func (v *View) URLOf(key string) string {
	if p := v.s.Content.Page(v.Lang, key); p != nil {
		return p.URL()
	}
	return ""
}

// Asset is the hashed URL of a theme asset.
func (v *View) Asset(name string) (string, error) { return v.s.Theme.AssetURL(name) }

// CookieDays is how long the consent cookie lives (content.ConsentCookie): no
// choice may hold longer than its cookie.
func (v *View) CookieDays() content.Days { return content.ConsentCookie }

// PolicyVersion and ConsentVersion: see source.Content.
func (v *View) PolicyVersion() string  { return v.s.Content.PolicyVersion }
func (v *View) ConsentVersion() string { return v.s.Content.ConsentVersion }

// Fact is one fact of the privacy notice as a layout shows it (fact.html).
type Fact struct {
	Text      string
	Confirmed bool
	TBC       string // the mark of an unconfirmed fact, in the page's language
}

// F is f in the page's language.
func (v *View) F(f schema.Fact) (Fact, error) {
	tbc, err := v.T("tbc")
	return Fact{f.In(v.Lang), f.Confirmed, tbc}, err
}

// Cookies lists the declared cookies of a category.
func (v *View) Cookies(category string) ([]schema.Cookie, error) {
	return v.s.Cookies(v.Lang, category)
}

// Date formats t in the page's language, with month names from the theme.
func (v *View) Date(t time.Time) (string, error) {
	if t.IsZero() {
		return "", nil
	}
	months, err := v.T("months")
	if err != nil {
		return "", err
	}
	layout, err := v.T("date_format")
	if err != nil {
		return "", err
	}
	names := strings.Fields(months)
	if len(names) != 12 {
		return "", fmt.Errorf("%s/i18n/%s.yaml: months must list 12 names", v.s.Theme.Dir, v.Lang)
	}
	return strings.Replace(t.Format(layout), t.Format("January"), names[t.Month()-1], 1), nil
}

// ContactLD is the store as a schema.org object, for a JSON-LD data block.
func (v *View) ContactLD() any {
	c := v.s.Content.Data.Contact
	return map[string]any{
		"@context":  "https://schema.org",
		"@type":     "Store",
		"name":      c.Name,
		"url":       c.URL,
		"email":     c.Email,
		"telephone": c.Phone,
		"address": map[string]string{
			"@type":           "PostalAddress",
			"streetAddress":   c.Street[v.Lang],
			"addressLocality": c.City[v.Lang],
			"addressCountry":  c.Country,
		},
	}
}

func (s *Site) language(code string) schema.Language {
	i := slices.IndexFunc(s.Content.Config.Languages, func(l schema.Language) bool { return l.Code == code })
	if i < 0 {
		return schema.Language{Code: code}
	}
	return s.Content.Config.Languages[i]
}

// tag is a language's BCP 47 tag: its code, plus the script subtag of its
// locale (sr_Latn_RS gives sr-Latn), which tells readers and search engines
// which alphabet the page uses.
func tag(l schema.Language) string {
	for _, part := range strings.Split(l.Locale, "_")[1:] {
		if len(part) == 4 {
			return l.Code + "-" + part
		}
	}
	return l.Code
}
