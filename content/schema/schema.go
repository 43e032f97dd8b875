// Package schema reads and validates what editors configure: the site's
// configuration (content/config.yaml), its data files (content/data/) and
// the theme's security headers. It is the one schema of those files:
// the generator, `site check` and the deploy all read them here, and every
// problem is reported as file:line: message.
package schema

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"pelqim/content"
)

// Text is a string in every language of the site, keyed by language code.
type Text map[string]string

// Config is content/config.yaml: what the site is and where it lives.
type Config struct {
	Title           Text       `yaml:"title"`
	BaseURL         string     `yaml:"baseURL"`
	DefaultLanguage string     `yaml:"defaultLanguage"`
	Languages       []Language `yaml:"languages"`
	Store           string     `yaml:"store"`
	Wishlist        string     `yaml:"wishlist"`
	// Menu lists, by translationKey, the pages of the main navigation.
	Menu    []string `yaml:"menu"`
	Lines   KeyLines `yaml:"-"` // line of each key, for errors
	Consent struct {
		ConsentMode bool `yaml:"consentMode"`
		// CookieDomain, when set, is the Domain of the consent cookie: the
		// store's pages on the same domain read the choice made here.
		CookieDomain string `yaml:"cookieDomain"`
		// Origins are the other origins whose pages carry the banner (the
		// shop's): the consent function takes their visitors' choices,
		// besides the site's own. The deploy passes them on.
		Origins []string `yaml:"origins"`
		// ReconsentDays is how long a choice holds before the banner asks
		// again (content.DefaultReconsent when left out).
		ReconsentDays content.Days `yaml:"reconsentDays"`
		// RetentionDays is how long the consent function keeps each
		// record (content.DefaultRetention when left out): the deploy
		// passes it on. The cookie page states the period in its text,
		// which must be changed with it.
		RetentionDays content.Days `yaml:"retentionDays"`
	} `yaml:"consent"`
	Requests struct {
		// RetentionDays is how long an answered data request is kept
		// (content.DefaultRetention when left out): the deploy passes it
		// on. The data-request pages state the period, and must change
		// with it.
		RetentionDays content.Days `yaml:"retentionDays"`
	} `yaml:"requests"`
}

// Language is one language of the site.
type Language struct {
	Code   string `yaml:"code"`
	Name   string `yaml:"name"`
	Locale string `yaml:"locale"`
}

// Category is a purpose that cookies serve and visitors consent to.
type Category struct {
	ID          string `yaml:"id"`
	Required    bool   `yaml:"required"`
	Label       Text   `yaml:"label"`
	Description Text   `yaml:"description"`
}

// Cookie is one cookie or storage entry that the site or store sets.
type Cookie struct {
	Name string `yaml:"name"`
	// Domain is the site the cookie or storage belongs to, the one that
	// sets it: the shop's own for a first-party cookie, even when another
	// company's script writes it.
	Domain string `yaml:"domain"`
	// Recipient is the company that receives what it holds.
	Recipient string `yaml:"recipient"`
	Category  string `yaml:"category"`
	Kind      string `yaml:"kind"`
	// Lifetime is how long a cookie lives at most (storage entries may
	// leave it out); Duration says it to visitors, writing {lifetime}
	// where the period goes.
	Lifetime *Lifetime `yaml:"lifetime"`
	Duration Text      `yaml:"duration"`
	Purpose  Text      `yaml:"purpose"`
	// Confirmed is set once the store, or the cookie audit, has seen the
	// cookie as declared; until then the cookie page says it is not.
	Confirmed bool `yaml:"confirmed"`
	Line      int  `yaml:"-"`
}

// Products is the store's list of product categories.
type Products struct {
	Note  Text      `yaml:"note"`
	Items []Product `yaml:"items"`
}

// Product is one product category, linking to the store.
type Product struct {
	Name Text   `yaml:"name"`
	URL  string `yaml:"url"`
}

// Contact is how to reach the store.
type Contact struct {
	Name         string `yaml:"name"`
	Email        string `yaml:"email"`
	Phone        string `yaml:"phone"`
	PhoneDisplay string `yaml:"phoneDisplay"`
	Street       Text   `yaml:"street"`
	City         Text   `yaml:"city"`
	Country      string `yaml:"country"`
	URL          string `yaml:"url"`
}

// Data is everything under content/data/.
type Data struct {
	Categories []Category
	Cookies    []Cookie
	Products   Products
	Contact    Contact
	Notice     Notice
}

// isDomain tells whether s is a lowercase domain name of two labels or
// more, as a cookie's Domain must be.
func isDomain(s string) bool {
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' ||
			strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return len(labels) > 1
}

var (
	langCode   = regexp.MustCompile(`^[a-z]{2,3}$`)
	categoryID = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	cookieKind = []string{"cookie", "localStorage", "sessionStorage"}
)

// validator gathers problems with their lines.
type validator struct {
	file  string
	langs []string
	errs  content.Errors
}

func (v *validator) errorf(n *yaml.Node, format string, args ...any) {
	v.errs = append(v.errs, content.Errorf(v.file, n.Line, format, args...))
}

// text requires t to have a non-empty value in every language, and no other.
func (v *validator) text(n *yaml.Node, name string, t Text) {
	for _, l := range v.langs {
		if t[l] == "" {
			v.errorf(n, "%s: missing the %q text", name, l)
		}
	}
	for l := range t {
		if !slices.Contains(v.langs, l) {
			v.errorf(n, "%s: %q is not a language of the site", name, l)
		}
	}
}

func (v *validator) absURL(n *yaml.Node, name, s string) {
	if _, err := parseAbsURL(s); err != nil {
		v.errorf(n, "%s: %v", name, err)
	}
}

func parseAbsURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return u, nil
}

// ParseBaseURL parses s as the base of every absolute URL of the site
// (canonical, hreflang, sitemap), which must be an http(s) origin with the
// root path and nothing after it.
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := parseAbsURL(s)
	switch {
	case err != nil:
		return nil, err
	case u.Path != "/" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || u.User != nil:
		return nil, fmt.Errorf("%q must be an origin and the root path /, like https://example.com/, with no other path, query or fragment", s)
	}
	return u, nil
}

// validateConfig reports the configuration's problems, and whether its
// languages are sound: everything else can be loaded with them.
func validateConfig(c *Config, root *yaml.Node) (languagesOK bool, err error) {
	v := &validator{file: ConfigFile}
	seen := map[string]bool{}
	for i, l := range c.Languages {
		n := item(field(root, "languages"), i)
		switch {
		case !langCode.MatchString(l.Code):
			v.errorf(n, "language code %q is not a two- or three-letter code", l.Code)
		case seen[l.Code]:
			v.errorf(n, "language %q is listed twice", l.Code)
		case l.Name == "":
			v.errorf(n, "language %q has no name", l.Code)
		}
		seen[l.Code] = true
		v.langs = append(v.langs, l.Code)
	}
	if len(c.Languages) == 0 {
		v.errorf(root, "no languages")
	}
	if !seen[c.DefaultLanguage] {
		v.errorf(field(root, "defaultLanguage"), "defaultLanguage %q is not one of the languages", c.DefaultLanguage)
	}
	languagesOK = len(v.errs) == 0
	v.text(field(root, "title"), "title", c.Title)
	base, err := ParseBaseURL(c.BaseURL)
	if err != nil {
		v.errorf(field(root, "baseURL"), "baseURL: %v", err)
	}
	if d := c.Consent.CookieDomain; d != "" && base != nil {
		if h := base.Hostname(); !isDomain(d) || h != d && !strings.HasSuffix(h, "."+d) {
			v.errorf(field(field(root, "consent"), "cookieDomain"), "cookieDomain %q must be the site's host (%s) or a domain above it, like the store's", d, h)
		}
	}
	for i, o := range c.Consent.Origins {
		// Published pages are https; `site serve -origins` adds http ones
		// for a local test.
		p, err := content.ParseOrigin(o)
		if err == nil && !strings.HasPrefix(p, "https://") {
			err = fmt.Errorf("%q: the shop's pages are served over https://", o)
		}
		if err != nil {
			v.errorf(item(field(field(root, "consent"), "origins"), i), "consent.origins: %v", err)
		}
		c.Consent.Origins[i] = p
	}
	v.absURL(field(root, "store"), "store", c.Store)
	if c.Wishlist != "" {
		v.absURL(field(root, "wishlist"), "wishlist", c.Wishlist)
	}
	// A period left out takes its default; 0 would make every choice
	// outdated as soon as it is made (a banner that never goes away), or
	// every record expire at once.
	periods := []struct {
		parent, key string
		days        *content.Days
		def, max    content.Days
	}{
		{"consent", "reconsentDays", &c.Consent.ReconsentDays, content.DefaultReconsent, content.ConsentCookie},
		{"consent", "retentionDays", &c.Consent.RetentionDays, content.DefaultRetention, content.MaxRetention},
		{"requests", "retentionDays", &c.Requests.RetentionDays, content.DefaultRetention, content.MaxRetention},
	}
	for _, p := range periods {
		parent := field(root, p.parent)
		n := field(parent, p.key)
		switch {
		case n == parent:
			*p.days = p.def
		case *p.days < 1 || *p.days > p.max:
			v.errorf(n, "%s.%s must be between 1 and %d days, or left out: %d", p.parent, p.key, p.max, p.def)
		}
	}
	return languagesOK, v.errs.Err()
}

func validateCategories(langs []string, cs []Category, root *yaml.Node) error {
	v := &validator{file: DataFiles.Categories, langs: langs}
	seen := map[string]bool{}
	for i, c := range cs {
		n := item(root, i)
		if !categoryID.MatchString(c.ID) {
			v.errorf(n, "category id %q: use lowercase letters, digits, - and _", c.ID)
		}
		if seen[c.ID] {
			v.errorf(n, "category %q is listed twice", c.ID)
		}
		seen[c.ID] = true
		if c.Required && i > 0 {
			// A consent record holds every category but the first as a
			// choice the visitor makes.
			v.errorf(field(n, "required"), "category %q: only the first category can be required", c.ID)
		}
		v.text(field(n, "label"), "label", c.Label)
		v.text(field(n, "description"), "description", c.Description)
	}
	if len(cs) == 0 || !cs[0].Required {
		v.errorf(root, "the first category must be the required one (necessary)")
	}
	return v.errs.Err()
}

func validateCookies(langs []string, cats []Category, cs []Cookie, root *yaml.Node) error {
	v := &validator{file: DataFiles.Cookies, langs: langs}
	known := map[string]bool{}
	for _, c := range cats {
		known[c.ID] = true
	}
	seen := map[string]bool{}
	for i, c := range cs {
		n := item(root, i)
		cs[i].Line = n.Line
		if c.Name == "" {
			v.errorf(n, "cookie without a name")
		}
		if seen[c.Name] {
			v.errorf(n, "cookie %q is listed twice", c.Name)
		}
		seen[c.Name] = true
		if !known[c.Category] {
			v.errorf(field(n, "category"), "cookie %q: unknown category %q (see %s)", c.Name, c.Category, DataFiles.Categories)
		}
		if !slices.Contains(cookieKind, c.Kind) {
			v.errorf(field(n, "kind"), "cookie %q: kind %q is not one of %v", c.Name, c.Kind, cookieKind)
		}
		if c.Domain == "" || c.Recipient == "" {
			v.errorf(n, "cookie %q: say its domain (the site that sets it) and its recipient (the company that receives it)", c.Name)
		}
		v.text(field(n, "duration"), "duration", c.Duration)
		v.lifetime(n, c)
		v.text(field(n, "purpose"), "purpose", c.Purpose)
	}
	return v.errs.Err()
}

// lifetime requires a cookie to declare its lifetime, and every duration
// text to say it through {lifetime}: the period is written once, where the
// cookie audit reads it, and no translation can state another.
func (v *validator) lifetime(n *yaml.Node, c Cookie) {
	if c.Lifetime == nil {
		if c.Kind == "cookie" {
			v.errorf(n, "cookie %q: say its lifetime (session, or a number of days, months or years such as 2d, 13mo, 2y): the cookie audit compares it with what browsers keep", c.Name)
		}
		for _, l := range v.langs {
			if strings.Contains(c.Duration[l], LifetimeMark) {
				v.errorf(field(n, "duration"), "cookie %q: the %q duration says %s but the cookie has no lifetime", c.Name, l, LifetimeMark)
			}
		}
		return
	}
	for _, l := range v.langs {
		if t := c.Duration[l]; t != "" && strings.Count(t, LifetimeMark) != 1 {
			v.errorf(field(n, "duration"), "cookie %q: the %q duration must say %s once, where the period %s goes", c.Name, l, LifetimeMark, c.Lifetime)
		}
	}
}

// LifetimeMark is where a duration text has the cookie's lifetime.
const LifetimeMark = "{lifetime}"

func validateProducts(langs []string, p *Products, root *yaml.Node) error {
	v := &validator{file: DataFiles.Products, langs: langs}
	if p.Note != nil {
		v.text(field(root, "note"), "note", p.Note)
	}
	for i, it := range p.Items {
		n := item(field(root, "items"), i)
		v.text(field(n, "name"), "name", it.Name)
		v.absURL(field(n, "url"), "url", it.URL)
	}
	return v.errs.Err()
}

func validateContact(langs []string, c *Contact, root *yaml.Node) error {
	v := &validator{file: DataFiles.Contact, langs: langs}
	for _, f := range []struct{ key, val string }{{"name", c.Name}, {"email", c.Email}, {"phone", c.Phone}, {"country", c.Country}} {
		if f.val == "" {
			v.errorf(root, "contact has no %s", f.key)
		}
	}
	v.text(field(root, "street"), "street", c.Street)
	v.text(field(root, "city"), "city", c.City)
	v.absURL(field(root, "url"), "url", c.URL)
	return v.errs.Err()
}

// In returns t in lang. Templates call it; a missing text was already
// reported when the data was loaded.
func (t Text) In(lang string) string { return t[lang] }

// Langs returns the language codes in configured order.
func (c *Config) Langs() []string {
	var ls []string
	for _, l := range c.Languages {
		ls = append(ls, l.Code)
	}
	return ls
}
