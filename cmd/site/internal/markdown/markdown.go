// Package markdown turns a page body into safe HTML, and reports what the
// rest of the build needs from it: the headings (for the table of contents
// and anchor checks) and the links (for the link check).
//
// Raw HTML in Markdown is dropped, not passed through, and goldmark drops
// dangerous link destinations (javascript:, vbscript:, file:, data:).
package markdown

import (
	"bytes"
	"fmt"
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
	Dest string
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

// Render parses src and renders it.
func Render(src []byte) (*Doc, error) {
	reader := text.NewReader(src)
	root := md.Parser().Parse(reader)
	d := &Doc{}
	lines := newLineIndex(src)
	var unsafeLinks []*ast.Link
	var rawHTML []ast.Node
	err := ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			id, _ := n.AttributeString("id")
			d.Headings = append(d.Headings, Heading{
				Level: n.Level,
				ID:    string(asBytes(id)),
				Text:  plainText(n, src),
				Line:  lines.of(blockStart(n)),
			})
		case *ast.Link:
			d.Links = append(d.Links, Link{Dest: string(n.Destination), Line: lines.of(blockStart(n))})
			if dangerous(n.Destination) {
				unsafeLinks = append(unsafeLinks, n)
			}
		case *ast.Image:
			d.Links = append(d.Links, Link{Dest: string(n.Destination), Line: lines.of(blockStart(n))})
		case *ast.AutoLink:
			d.Links = append(d.Links, Link{Dest: string(n.URL(src)), Line: lines.of(blockStart(n))})
		case *ast.RawHTML, *ast.HTMLBlock:
			rawHTML = append(rawHTML, n)
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return nil, err
	}
	// goldmark would render these as <a href>, a link to the page itself;
	// keeping only their text says more plainly that they lead nowhere.
	for _, n := range unsafeLinks {
		parent := n.Parent()
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
	// Raw HTML is never rendered; goldmark would leave a comment in its
	// place, which only adds bytes to the page.
	for _, n := range rawHTML {
		n.Parent().RemoveChild(n.Parent(), n)
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
// lowercases both sides of every comparison): javascript:, vbscript:,
// file: and data: URLs other than PNG, GIF, JPEG and WebP images.
func dangerous(url []byte) bool {
	has := func(s []byte, prefix string) bool {
		return len(s) >= len(prefix) && bytes.EqualFold(s[:len(prefix)], []byte(prefix))
	}
	if has(url, "data:image/") {
		v := url[len("data:image/"):]
		return !(has(v, "png;") || has(v, "gif;") || has(v, "jpeg;") || has(v, "webp;"))
	}
	return has(url, "javascript:") || has(url, "vbscript:") || has(url, "file:") || has(url, "data:")
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
