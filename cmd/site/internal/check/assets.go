package check

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"

	tdparse "github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
	"golang.org/x/net/html"

	"pelqim/cmd/site/internal/markdown"
	"pelqim/content"
)

// assetURL is a URL an asset loads, at its line.
type assetURL struct {
	val  string
	line int
}

// assetRequests reports the URLs in the theme's CSS and SVG files that
// name an origin of their own (or data:): a page would load them from
// there, or rather the CSP (default-src 'self') would refuse to.
func assetRequests(root, themeDir string) []error {
	var errs []error
	for pattern, urls := range map[string]func([]byte) []assetURL{"assets/css/*.css": cssURLs, "assets/img/*.svg": svgURLs} {
		files, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(themeDir), filepath.FromSlash(pattern)))
		for _, f := range files {
			rel := path.Join(themeDir, path.Dir(pattern), filepath.Base(f))
			b, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, content.Errorf(rel, 0, "%v", err))
				continue
			}
			for _, u := range urls(b) {
				if markdown.OffSite([]byte(u.val)) {
					errs = append(errs, content.Errorf(rel, u.line, "%q: pages load nothing from another origin or a data: URL (no third-party request; the CSP refuses them)", u.val))
				}
			}
		}
	}
	return errs
}

// cssURLs finds url(…) and @import "…".
func cssURLs(src []byte) []assetURL {
	var urls []assetURL
	l, off, imp := css.NewLexer(tdparse.NewInputBytes(src)), 0, false
	for {
		tt, text := l.Next()
		line := 1 + bytes.Count(src[:off], []byte("\n"))
		off += len(text)
		switch tt {
		case css.ErrorToken:
			return urls
		case css.URLToken:
			// url(…), or at the end of a file only "url(" and what follows
			u := strings.TrimSuffix(string(text[min(len("url("), len(text)):]), ")")
			urls = append(urls, assetURL{strings.Trim(strings.TrimSpace(u), `"'`), line})
		case css.StringToken:
			if imp {
				urls = append(urls, assetURL{string(text[1 : len(text)-1]), line})
			}
		}
		if tt != css.WhitespaceToken && tt != css.CommentToken {
			imp = tt == css.AtKeywordToken && strings.EqualFold(string(text), "@import")
		}
	}
}

// svgURLs finds the href, xlink:href and src attributes of an SVG.
func svgURLs(src []byte) []assetURL {
	var urls []assetURL
	z, off := html.NewTokenizer(bytes.NewReader(src)), 0
	for {
		tt := z.Next()
		line := 1 + bytes.Count(src[:off], []byte("\n"))
		off += len(z.Raw())
		if tt == html.ErrorToken {
			return urls
		}
		for _, a := range z.Token().Attr {
			if a.Key == "href" || a.Key == "src" || a.Key == "xlink:href" {
				urls = append(urls, assetURL{a.Val, line})
			}
		}
	}
}
