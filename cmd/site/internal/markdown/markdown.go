// Package markdown turns a page body into safe HTML, and reports what the
// rest of the build needs from it: the headings (for the table of contents
// and anchor checks) and the links (for the link check).
//
// Raw HTML in Markdown is dropped, not passed through, and so is the
// content of a <script>, <style>, <iframe> and the like; each element is
// reported, for the checker to name (an HTML comment goes without a
// word). Lists and block quotes nested past MaxNesting are refused before
// goldmark parses them, as its time grows much faster than the depth. A
// link to a dangerous destination (javascript:, vbscript:, file:, data:)
// keeps only its text, and so does an image from another origin or a
// data: URL, which the pages' Content-Security-Policy would refuse anyway.
// A heading keeps only its id of the attributes Markdown can give it
// ({#id .class style=…}).
package markdown

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Doc is a rendered page body.
type Doc struct {
	HTML     string // a string from the start: a page's layout takes it as one, uncopied
	Headings []Heading
	Links    []Link
	Ignored  []Ignored // what the source asks for and the page does not get
}

// Heading is a section heading with its anchor.
type Heading struct {
	Level int
	ID    string
	Text  string
	Line  int // line in the Markdown source, 1-based
}

// Link is a link or image destination as written in the source.
type Link struct {
	Dest  string
	Line  int
	Image bool
}

// Ignored is markup left out of the page, for the checker to report.
type Ignored struct {
	What string
	Line int
}

// md is plain CommonMark. goldmark's extensions (GitHub's tables,
// strikethrough, Linkify) share one package whose start-up compiles
// Linkify's large regular expressions: 1.3 ms of every build, where the
// real site's whole build is meant to take under 15. The policy needs
// none of them; the cookie table comes from data. A bare address stays
// text: write [text](url) or <url>.
var md = goldmark.New(
	goldmark.WithParserOptions(
		parser.WithAttribute(),     // {#id} on headings: stable anchors chosen by editors
		parser.WithAutoHeadingID(), // and an id for every other heading
	),
)

// Goldmark is goldmark configured as pages are parsed, for benchmarks of
// goldmark alone.
func Goldmark() goldmark.Markdown { return md }

// Render parses src and renders it. A body nested deeper than MaxNesting
// is refused (*NestingError) before goldmark parses it.
func Render(src []byte) (*Doc, error) {
	if err := CheckNesting(src); err != nil {
		return nil, err
	}
	reader := text.NewReader(src)
	root := md.Parser().Parse(reader)
	d := &Doc{}
	lines := newLineIndex(src)
	var unsafe []ast.Node
	var rawHTML bool
	err := ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			id, _ := n.AttributeString("id")
			line := lines.of(blockStart(n))
			d.Headings = append(d.Headings, Heading{
				Level: n.Level,
				ID:    string(asBytes(id)),
				Text:  plainText(n, src),
				Line:  line,
			})
			d.Ignored = append(d.Ignored, onlyID(n, id, line)...)
		case *ast.Link:
			d.Links = append(d.Links, Link{Dest: string(n.Destination), Line: lines.of(blockStart(n))})
			if dangerous(n.Destination) {
				unsafe = append(unsafe, n)
			}
		case *ast.Image:
			d.Links = append(d.Links, Link{Dest: string(n.Destination), Line: lines.of(blockStart(n)), Image: true})
			if dangerous(n.Destination) || OffSite(n.Destination) {
				unsafe = append(unsafe, n)
			}
		case *ast.AutoLink:
			d.Links = append(d.Links, Link{Dest: string(n.URL(src)), Line: lines.of(blockStart(n))})
		case *ast.RawHTML, *ast.HTMLBlock:
			rawHTML = true
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return nil, err
	}
	// goldmark would render these links as <a href>, a link to the page
	// itself, and the images as they are; keeping only their text (an
	// image's is its description) says plainly that they lead nowhere.
	for _, n := range unsafe {
		parent := n.Parent()
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
	// Raw HTML is never rendered, nor the code of a <script> or <style>
	// (rawhtml.go); goldmark would leave a comment in its place, which
	// only adds bytes to the page. Each is reported at its line.
	if rawHTML {
		d.Ignored = append(d.Ignored, dropRawHTML(root, src, lines)...)
		slices.SortStableFunc(d.Ignored, func(a, b Ignored) int { return a.Line - b.Line })
	}
	var buf builder
	buf.Grow(len(src) + len(src)/4 + 512) // HTML is a little longer than its Markdown
	if err := md.Renderer().Render(&buf, src, root); err != nil {
		return nil, fmt.Errorf("rendering: %w", err)
	}
	d.HTML = buf.String()
	return d, nil
}

// builder is a strings.Builder that goldmark's renderer writes into
// directly: as a util.BufWriter it gets no bufio.Writer of its own (4 KB a
// page, and a second copy of every byte).
type builder struct{ strings.Builder }

func (b *builder) Available() int { return b.Cap() - b.Len() }
func (b *builder) Buffered() int  { return 0 }
func (b *builder) Flush() error   { return nil }

var _ util.BufWriter = (*builder)(nil)

// dangerous is goldmark's html.IsDangerousURL without its allocations (it
// lowercases both sides of every comparison), and stricter: javascript:,
// vbscript:, file: and every data: URL, where goldmark lets PNG, GIF, JPEG
// and WebP images through (the CSP would refuse them: no source but 'self').
func dangerous(url []byte) bool {
	has := func(s []byte, prefix string) bool {
		return len(s) >= len(prefix) && bytes.EqualFold(s[:len(prefix)], []byte(prefix))
	}
	return has(url, "javascript:") || has(url, "vbscript:") || has(url, "file:") || has(url, "data:")
}

// OffSite tells whether url names an origin of its own (a scheme, or
// //host): an image from there would be a request to a third party.
func OffSite(url []byte) bool {
	if len(url) >= 2 && (url[0] == '/' || url[0] == '\\') && (url[1] == '/' || url[1] == '\\') {
		return true // browsers take /\host and \\host for //host
	}
	i := bytes.IndexAny(url, ":/?#")
	return i > 0 && url[i] == ':'
}

// onlyID removes every attribute of heading h but its id, and says what
// went: a class or a style= written in Markdown would reach the page, and
// the CSP forbids inline styles.
func onlyID(h *ast.Heading, id any, line int) []Ignored {
	attrs := h.Attributes()
	if len(attrs) == 0 || len(attrs) == 1 && id != nil {
		return nil
	}
	var ignored []Ignored
	for _, a := range attrs {
		if string(a.Name) != "id" {
			ignored = append(ignored, Ignored{What: fmt.Sprintf("heading attribute %s=%q is not rendered: a heading keeps only its {#id}", a.Name, asBytes(a.Value)), Line: line})
		}
	}
	h.RemoveAttributes()
	if id != nil {
		h.SetAttributeString("id", id)
	}
	return ignored
}

func asBytes(v any) []byte {
	switch v := v.(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}

// plainText is the text of an inline tree, without markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Segment.Value(src))
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.CodeSpan:
				// its children are Text nodes; nothing extra
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// blockStart is the source offset of the block that holds n: inline nodes
// carry no position of their own, so a link is reported at its paragraph.
func blockStart(n ast.Node) int {
	for ; n != nil; n = n.Parent() {
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return n.Lines().At(0).Start
		}
		if n.Type() == ast.TypeBlock && n.HasChildren() {
			if c := n.FirstChild(); c.Type() == ast.TypeBlock && c.Lines().Len() > 0 {
				return c.Lines().At(0).Start
			}
		}
	}
	return 0
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int

func newLineIndex(src []byte) lineIndex {
	idx := make(lineIndex, 1, bytes.Count(src, []byte("\n"))+1)
	for off := 0; ; {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return idx
		}
		off += i + 1
		idx = append(idx, off)
	}
}

func (idx lineIndex) of(off int) int {
	lo, hi := 0, len(idx)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if idx[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}
