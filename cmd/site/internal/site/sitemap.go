package site

import (
	"bytes"
	"encoding/xml"
	"time"
)

// sitemap lists every page with its translations as xhtml:link alternates.
// It is written directly: encoding/xml's reflection made it cost as much as
// dozens of pages on a large site.
func (s *Site) sitemap() ([]byte, error) {
	var b bytes.Buffer
	b.Grow(1024 * len(s.Content.Pages)) // a URL with three translations and x-default: 600-800 bytes
	b.WriteString(xml.Header)
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">` + "\n")
	text := func(s string) { xml.EscapeText(&b, []byte(s)) }
	for _, p := range s.Content.Pages {
		if p.Layout == "404" {
			continue
		}
		b.WriteString(" <url>\n  <loc>")
		text(s.Abs(p.URL()))
		b.WriteString("</loc>\n")
		if !p.Lastmod.IsZero() {
			b.WriteString("  <lastmod>" + p.Lastmod.UTC().Format(time.DateOnly) + "</lastmod>\n")
		}
		for _, a := range s.alternates(p) {
			b.WriteString(`  <xhtml:link rel="alternate" hreflang="`)
			text(a.Hreflang)
			b.WriteString(`" href="`)
			text(a.Href)
			b.WriteString("\"></xhtml:link>\n")
		}
		b.WriteString(" </url>\n")
	}
	b.WriteString("</urlset>\n")
	return b.Bytes(), nil
}

// robots lets every crawler in, except into the API, and names the sitemap.
func (s *Site) robots() ([]byte, error) {
	return []byte("User-agent: *\nDisallow: /api/\n\nSitemap: " + s.Abs("/sitemap.xml") + "\n"), nil
}
