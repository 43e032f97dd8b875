package site

import (
	"bytes"
	"encoding/xml"
	"time"
)

type sitemapURL struct {
	Loc     string        `xml:"loc"`
	Lastmod string        `xml:"lastmod,omitempty"`
	Links   []sitemapLink `xml:"xhtml:link"`
}

type sitemapLink struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// sitemap lists every page with its translations as xhtml:link alternates.
func (s *Site) sitemap() ([]byte, error) {
	var urls []sitemapURL
	for _, p := range s.Content.Pages {
		if p.Layout == "404" {
			continue
		}
		u := sitemapURL{Loc: s.Abs(p.URL())}
		if !p.Lastmod.IsZero() {
			u.Lastmod = p.Lastmod.UTC().Format(time.DateOnly)
		}
		for _, a := range s.alternates(p) {
			u.Links = append(u.Links, sitemapLink{"alternate", a.Hreflang, a.Href})
		}
		urls = append(urls, u)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">` + "\n")
	enc := xml.NewEncoder(&buf)
	enc.Indent(" ", " ")
	for _, u := range urls {
		if err := enc.EncodeElement(u, xml.StartElement{Name: xml.Name{Local: "url"}}); err != nil {
			return nil, err
		}
	}
	buf.WriteString("\n</urlset>\n")
	return buf.Bytes(), nil
}

// robots lets every crawler in, except into the API, and names the sitemap.
func (s *Site) robots() ([]byte, error) {
	return []byte("User-agent: *\nDisallow: /api/\n\nSitemap: " + s.Abs("/sitemap.xml") + "\n"), nil
}
