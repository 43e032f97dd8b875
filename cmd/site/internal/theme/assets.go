package theme

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html/template"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/svg"
	"github.com/tdewolff/parse/v2"
	cssparse "github.com/tdewolff/parse/v2/css"

	"pelqim/content"
)

// Minifier minifies the theme's assets: CSS, JS and SVG.
var Minifier = func() *minify.M {
	m := minify.New()
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("application/javascript", js.Minify)
	m.AddFunc("image/svg+xml", svg.Minify)
	return m
}()

// templateMinifier minifies layouts, leaving their {{actions}} as they are:
// a layout is minified once when the theme loads instead of every page it
// renders. Document and end tags stay: validators and some tools expect
// them, and gzip makes them nearly free.
var templateMinifier = func() *minify.M {
	m := minify.New()
	m.Add("text/html", &html.Minifier{KeepDocumentTags: true, KeepEndTags: true, KeepQuotes: true, TemplateDelims: html.GoTemplateDelims})
	return m
}()

// Funcs are the functions every layout may call.
var Funcs = template.FuncMap{
	// jsonld renders v as a JSON-LD data block's content. encoding/json
	// escapes <, > and &, so the block cannot end the script element early.
	"jsonld": func(v any) (template.JS, error) {
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
}

var assetTypes = map[string]string{
	".css": "text/css",
	".js":  "application/javascript",
	".svg": "image/svg+xml",
}

// EmbedCSS are the style sheets of the banner on another site (the shop's
// tag, embed/v1/consent.js), joined in this order into the asset
// embed.css: the palette and what the banner shares with the site, and the
// banner's own.
var EmbedCSS = []string{"base.css", "consent.css"}

// loadAssets minifies and hashes the theme's assets. The CSS files are
// joined, in name order, into one site.css: one request per page; EmbedCSS
// are joined into embed.css too.
func (t *Theme) loadAssets(root string, _ []string) error {
	t.Assets = map[string]Asset{}
	var errs content.Errors
	var joined, embed bytes.Buffer
	for _, f := range t.glob(root, "assets/css/*.css") {
		b, err := t.read(root, f)
		if err != nil {
			errs = append(errs, err)
		} else if err := cssSyntax(b); err != nil {
			// each file on its own, so that an open block is blamed on its file
			errs = append(errs, assetError(t.rel(f), err))
		}
		joined.Write(b)
		joined.WriteByte('\n')
		if slices.Contains(EmbedCSS, path.Base(f)) {
			embed.Write(b)
			embed.WriteByte('\n')
		}
	}
	if len(errs) == 0 {
		for name, css := range map[string][]byte{"site.css": joined.Bytes(), "embed.css": embed.Bytes()} {
			if len(css) == 0 {
				continue // a theme without the banner
			}
			if err := t.addAsset(name, css); err != nil {
				errs = append(errs, assetError(t.rel("assets/css"), err))
			}
		}
	}
	for _, f := range append(t.glob(root, "assets/js/*.js"), t.glob(root, "assets/img/*.svg")...) {
		b, err := t.read(root, f)
		if err == nil && path.Ext(f) == ".svg" {
			err = wellFormed(t.rel(f), b) // the SVG minifier takes broken XML as it is
		}
		if err == nil {
			if err = t.addAsset(path.Base(f), b); err != nil {
				err = assetError(t.rel(f), err)
			}
		}
		errs = append(errs, content.List(err)...)
	}
	return errs.Err()
}

// assetError names the line of a syntax error in file, where the parser
// or minifier gives one. (CSS files are checked one by one before they are
// joined, so a minifier's error in site.css has no single file to name.)
func assetError(file string, err error) error {
	var pe *parse.Error
	if !errors.As(err, &pe) || pe.Line < 1 {
		return content.Errorf(file, 0, "%v", err)
	}
	return content.Errorf(file, pe.Line, "%s (column %d)", pe.Message, pe.Column)
}

func (t *Theme) addAsset(name string, src []byte) error {
	var out bytes.Buffer
	if err := Minifier.Minify(assetTypes[path.Ext(name)], &out, bytes.NewReader(src)); err != nil {
		return err
	}
	t.Assets[name] = Asset{URL: "/assets/" + HashName(name, out.Bytes()), Data: out.Bytes()}
	return nil
}

// AssetURL returns the hashed URL of asset name.
func (t *Theme) AssetURL(name string) (string, error) {
	a, ok := t.Assets[name]
	if !ok {
		return "", content.Errorf(t.rel("assets"), 0, "no asset %q", strings.TrimSpace(name))
	}
	return a.URL, nil
}

// cssSyntax reports the first syntax error in CSS, which the minifier
// passes on as it is: a browser then drops the rule, or, with a block or a
// comment left open, the rest of the file (and of site.css, which joins the
// files).
func cssSyntax(src []byte) error {
	p := cssparse.NewParser(parse.NewInputBytes(src), false)
	for {
		if gt, _, _ := p.Next(); gt == cssparse.ErrorGrammar {
			if err := p.Err(); err != io.EOF {
				return err
			}
			break
		}
	}
	// The parser closes open blocks and comments at the end without a word.
	var open []int // offsets of the unclosed {
	l, off := cssparse.NewLexer(parse.NewInputBytes(src)), 0
	for {
		tt, text := l.Next()
		switch tt {
		case cssparse.ErrorToken:
			if len(open) > 0 {
				return parse.NewError(bytes.NewReader(src), open[len(open)-1], "this { is never closed")
			}
			return nil
		case cssparse.CommentToken:
			if len(text) < 4 || !bytes.HasSuffix(text, []byte("*/")) {
				return parse.NewError(bytes.NewReader(src), off, "this comment is never closed")
			}
		case cssparse.BadStringToken:
			return parse.NewError(bytes.NewReader(src), off, "this string is not closed on its line")
		case cssparse.BadURLToken:
			return parse.NewError(bytes.NewReader(src), off, "this url() is malformed")
		case cssparse.LeftBraceToken:
			open = append(open, off)
		case cssparse.RightBraceToken:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
		off += len(text)
	}
}

// wellFormed reports the first XML syntax error in an SVG file at its line.
func wellFormed(file string, b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return content.Errorf(file, se.Line, "%s", se.Msg)
		}
		if err != nil {
			return content.Errorf(file, 0, "%v", err)
		}
	}
}
