package source

import (
	"bytes"
	"errors"
	"path"
	"pelqim/cmd/site/internal/markdown"
	"pelqim/content"
	"pelqim/content/schema"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// FrontMatter is a page's YAML header, with Hugo's field names so that
// editors who know Hugo feel at home.
type FrontMatter struct {
	Title          string    `yaml:"title"`
	Slug           string    `yaml:"slug"`
	TranslationKey string    `yaml:"translationKey"`
	Layout         string    `yaml:"layout"`
	Weight         int       `yaml:"weight"`
	Description    string    `yaml:"description"`
	Date           time.Time `yaml:"date"`
	Lastmod        time.Time `yaml:"lastmod"`
	Draft          bool      `yaml:"draft"`
}

// Page is one Markdown file: its front matter and its body, not yet rendered.
type Page struct {
	FrontMatter
	File     string // e.g. content/sq/privatesia.md
	Lang     string
	Body     []byte
	BodyLine int             // line of the body's first line in File
	Lines    schema.KeyLines // line of each front matter key, for errors
}

// URL is the page's root-relative address: /sq/ for a home page,
// /sq/404.html for a not-found page, /sq/slug/ for the rest.
func (p *Page) URL() string {
	switch {
	case p.Layout == "404":
		return "/" + p.Lang + "/404.html"
	case p.Slug == "":
		return "/" + p.Lang + "/"
	}
	return "/" + p.Lang + "/" + p.Slug + "/"
}

// OutputPath is where the page is written, relative to the output root.
func (p *Page) OutputPath() string {
	u := strings.TrimPrefix(p.URL(), "/")
	if strings.HasSuffix(u, "/") {
		return u + "index.html"
	}
	return u
}

// Line returns the line of front matter key, or of the file's first line.
func (p *Page) Line(key string) int { return p.Lines.Line(key) }

// FileLine returns the line in File of line n (from 1) of the body.
func (p *Page) FileLine(n int) int { return p.BodyLine + n - 1 }

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(?:[-_][a-z0-9]+)*$`)
	fence  = []byte("---")
)

// ParsePage reads a page from src, the contents of file in language lang.
func ParsePage(file, lang string, src []byte) (*Page, error) {
	if err := schema.ValidUTF8(file, 0, src); err != nil {
		return nil, err
	}
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	fm, body, bodyLine, err := splitFrontMatter(file, src)
	if err != nil {
		return nil, err
	}
	p := &Page{File: file, Lang: lang, Body: body, BodyLine: bodyLine}
	if err := p.decode(fm); err != nil {
		return nil, err
	}
	// Refused as the page is read, before anything renders it: build,
	// check and the preview alike, at the line in the file.
	var deep *markdown.NestingError
	if err := markdown.CheckNesting(body); errors.As(err, &deep) {
		return nil, content.Errorf(file, p.FileLine(deep.Line), "%s", deep.Reason())
	}
	return p, p.validate()
}

// decode parses the front matter once, as a node, which gives the keys'
// lines and is decoded from; or, for the usual plain lines, without one.
func (p *Page) decode(fm []byte) error {
	if quick, lines, ok := quickFrontMatter(fm); ok {
		p.FrontMatter, p.Lines = quick, lines
		return nil
	}
	const offset = 1 // the opening "---"
	root, err := schema.Decode(p.File, offset, fm, &p.FrontMatter)
	if err != nil {
		return err
	}
	p.Lines = schema.LinesOf(root, offset)
	return nil
}

// splitFrontMatter separates the YAML between the leading "---" lines from
// the Markdown body, and tells on which line the body starts.
func splitFrontMatter(file string, src []byte) (fm, body []byte, bodyLine int, err error) {
	first, rest := cutLine(src)
	if !isFence(first) {
		return nil, nil, 0, content.Errorf(file, 1, `front matter missing: the file must start with a "---" line`)
	}
	// Line by line to the closing fence only: the body may be long.
	fmStart := len(first)
	for n := 3; len(rest) > 0; n++ {
		line, after := cutLine(rest)
		if isFence(line) {
			return src[fmStart : len(src)-len(rest)], after, n, nil
		}
		rest = after
	}
	return nil, nil, 0, content.Errorf(file, 1, `front matter not closed: no second "---" line`)
}

// cutLine splits b after its first newline (the line keeps it).
func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1], b[i+1:]
	}
	return b, nil
}

func isFence(line []byte) bool { return bytes.Equal(bytes.TrimRight(line, " \r\n"), fence) }

// Layouts are the page layouts the theme provides.
var Layouts = []string{"home", "page", "policy", "cookies", "categories", "contact", "requests", "404"}

func (p *Page) validate() error {
	var es content.Errors
	bad := func(key, format string, args ...any) {
		es = append(es, content.Errorf(p.File, p.Line(key), format, args...))
	}
	if strings.TrimSpace(p.Title) == "" {
		bad("title", "front matter: title is missing")
	}
	if p.TranslationKey == "" {
		bad("translationKey", "front matter: translationKey is missing (it links the page to its translations)")
	}
	if p.Layout == "" {
		p.Layout = "page"
	}
	if !slices.Contains(Layouts, p.Layout) {
		bad("layout", "front matter: layout %q is not one of %s", p.Layout, strings.Join(Layouts, ", "))
	}
	isHome := path.Base(p.File) == "index.md"
	switch {
	case isHome && p.Layout != "home":
		bad("layout", "front matter: a home page (index.md) has layout: home")
	case !isHome && p.Layout == "home":
		bad("layout", "front matter: layout home is for a language's home page, index.md")
	}
	switch {
	case isHome && p.Slug != "":
		bad("slug", "front matter: a home page (index.md) has no slug")
	case !isHome && p.Layout != "404" && !slugRE.MatchString(p.Slug):
		bad("slug", "front matter: slug %q must be lowercase ASCII letters and digits joined by - or _", p.Slug)
	}
	// Search engines show about 160 characters; past 300 it is no summary.
	if n := utf8.RuneCountInString(p.Description); n > 300 {
		bad("description", "front matter: description is %d characters; keep it under 300, best under 160", n)
	}
	if !p.Date.IsZero() && !p.Lastmod.IsZero() && p.Lastmod.Before(p.Date) {
		bad("lastmod", "front matter: lastmod %s is before date %s", p.Lastmod.Format(time.DateOnly), p.Date.Format(time.DateOnly))
	}
	return es.Err()
}
