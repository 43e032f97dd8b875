package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"pelqim/cmd/site/internal/source"
	"pelqim/cmd/site/internal/theme"
	"pelqim/content"
)

// EmbedPath is the shop's tag, the one address other sites load the banner
// from: stable, so the CDN keeps it briefly (infra/README.md); what it
// loads is named by its content and kept long.
const EmbedPath = "embed/v1/consent.js"

// embedSettings is what the banner reads from its markup's data-* on the
// site, given to the tag (as self.pelqimE) on another site, with absolute
// addresses.
type embedSettings struct {
	ConsentVersion string            `json:"consentVersion"`
	PolicyVersion  string            `json:"policyVersion"`
	ReconsentDays  content.Days      `json:"reconsentDays"`
	CookieDays     content.Days      `json:"cookieDays"`
	CookieDomain   string            `json:"cookieDomain,omitempty"`
	ConsentMode    bool              `json:"consentMode,omitempty"` // consent.js asks whether the key is there
	API            string            `json:"api"`
	Lang           string            `json:"lang"` // when the page's is none of Src's
	Cats           []string          `json:"cats"`
	Src            map[string]string `json:"src"` // each language's markup and styles
	CSS            string            `json:"css"` // the styles alone, for browsers without constructable style sheets
}

// embed renders the tag (EmbedPath), the banner's core (consent.js) after
// its settings, and, by output path, the file of each language that it
// loads (nothing when the theme has no consent.js): the banner's markup as
// the site's pages have it (banner.html), with absolute links, and its
// styles (embed.css), as self.pelqimL, then the banner's code
// (consent-ui.js), which draws them.
func (s *Site) embed() (tag []byte, files map[string][]byte, err error) {
	c := s.Content
	css, js, ui := s.Theme.Assets["embed.css"], s.Theme.Assets["consent.js"], s.Theme.Assets["consent-ui.js"]
	if js.Data == nil {
		return nil, nil, nil // a theme without the banner has no tag
	}
	if ui.Data == nil {
		return nil, nil, fmt.Errorf("%s/assets/js: consent.js without consent-ui.js, the banner it draws", s.Theme.Dir)
	}
	set := embedSettings{
		ConsentVersion: c.ConsentVersion, PolicyVersion: c.PolicyVersion,
		ReconsentDays: c.Config.Consent.ReconsentDays, CookieDays: content.ConsentCookie,
		CookieDomain: c.Config.Consent.CookieDomain, ConsentMode: c.Config.Consent.ConsentMode,
		API: s.Abs(content.ConsentPath), Lang: c.Config.DefaultLanguage,
		Src: map[string]string{}, CSS: s.Abs(css.URL),
	}
	for _, cat := range c.Data.Categories {
		set.Cats = append(set.Cats, cat.ID)
	}
	files = map[string][]byte{}
	for _, lang := range c.Langs() {
		// The banner is the same on every page of a language (Shared):
		// any one of them draws it.
		i := slices.IndexFunc(c.Pages, func(p *source.Page) bool { return p.Lang == lang })
		if i < 0 {
			continue // a language without pages yet: the tag shows its default's
		}
		html, err := s.view(c.Pages[i], "").Shared("banner.html")
		if err != nil {
			return nil, nil, err
		}
		// The markup's links lead to the site, from the shop's pages; the
		// dialog's data-* are the settings, which the tag has.
		abs := strings.ReplaceAll(string(html), ` href="/`, ` href="`+s.base+`/`)
		if i, j := strings.Index(abs, "<dialog "), strings.Index(abs, ">"); i == 0 && j > i {
			abs = dialogData().ReplaceAllString(abs[:j], "") + abs[j:]
		}
		var b bytes.Buffer
		b.WriteString("self.pelqimL=[")
		if err := jsonTo(&b, abs, ","); err != nil {
			return nil, nil, err
		}
		if err := jsonTo(&b, string(css.Data), "];\n"); err != nil {
			return nil, nil, err
		}
		b.Write(ui.Data)
		path := "assets/" + theme.HashName("embed-"+lang+".js", b.Bytes())
		files[path] = b.Bytes()
		set.Src[lang] = s.Abs("/" + path)
	}
	var t bytes.Buffer
	fmt.Fprintf(&t, "// pelqim's banner, from %s/assets/js/consent.js\nself.pelqimE=", s.Theme.Dir)
	if err := jsonTo(&t, set, ";\n"); err != nil {
		return nil, nil, err
	}
	t.Write(js.Data)
	return t.Bytes(), files, nil
}

// jsonTo writes v as JSON, as JavaScript reads it, then end.
func jsonTo(b *bytes.Buffer, v any, end string) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false) // a file of its own: no </script> to fear
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	b.WriteString(end)
	return nil
}

// dialogData matches the data-* attributes of the banner's <dialog>.
var dialogData = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(` data-[a-z-]+(="[^"]*")?`) })
