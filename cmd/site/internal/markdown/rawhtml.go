package markdown

import (
	"bytes"
	"fmt"

	"github.com/yuin/goldmark/ast"
)

// opaque are the elements whose content a browser never shows as text of
// the page: a script's code, a style sheet, an iframe's or a noscript's
// fallback, a template. Dropping only their tags, as goldmark's raw HTML
// nodes are dropped, would put that content on the page as text.
var opaque = []string{"script", "style", "iframe", "noscript", "template", "title", "noembed", "noframes"}

// item is a node of the body in document order: raw HTML (raw is its
// text) or content that would reach the page.
type item struct {
	n     ast.Node
	raw   []byte
	block ast.Node // the block that holds it
}

// dropRawHTML removes every raw HTML node from the tree under root, and
// with them the content of the opaque elements they open: everything up
// to the node that closes the element, across blocks, or, when none does,
// to the end of the block that opened it. It returns a report of each
// element or declaration dropped, at its line; HTML comments, notes to
// other editors, go without a word.
func dropRawHTML(root ast.Node, src []byte, lines lineIndex) []Ignored {
	var items []item
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.RawHTML:
			items = append(items, item{n, n.Segments.Value(src), blockOf(n)})
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			raw := n.Lines().Value(src)
			if n.HasClosure() {
				raw = append(raw, n.ClosureLine.Value(src)...)
			}
			items = append(items, item{n, raw, n})
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan, *ast.AutoLink, *ast.Image:
			items = append(items, item{n: n, block: blockOf(n)})
			return ast.WalkSkipChildren, nil
		}
		if !n.HasChildren() && n.Kind() != ast.KindDocument {
			items = append(items, item{n: n, block: blockOf(n)}) // text, a code block, a rule
		}
		return ast.WalkContinue, nil
	})
	next := closers(items)
	var ignored []Ignored
	reported := map[string]int{}
	open := "" // the opaque element whose content this is, if any
	for i := 0; i < len(items); i++ {
		it := items[i]
		if it.raw == nil {
			if open != "" {
				remove(it.n)
			}
			continue
		}
		if open == "" {
			if what, name, ok := label(it.raw); ok && (name == "" || name[0] != '/' || reported[name[1:]] == 0) {
				reported[name]++
				msg := "raw HTML %s is not rendered: pages take only Markdown"
				if _, block := it.n.(*ast.HTMLBlock); block || isOpaque(name) {
					msg = "raw HTML %s is not rendered, nor what it holds: pages take only Markdown"
				}
				ignored = append(ignored, Ignored{What: fmt.Sprintf(msg, what), Line: lines.of(start(it))})
			}
		}
		remove(it.n)
		if open = after(it.raw, open); open == "" {
			continue
		}
		if j := next(i+1, open); j >= 0 {
			// Its content runs to item j, which closes it: the loop
			// drops the content, then reads j.
			continue
		}
		// Never closed: as far as its block goes.
		for i+1 < len(items) && items[i+1].block == it.block {
			i++
			remove(items[i].n)
		}
		open = ""
	}
	return ignored
}

// closers returns next, which tells the first item from k on whose raw
// HTML closes the opaque element name (-1: none); each call is O(1).
func closers(items []item) func(k int, name string) int {
	at := make([][]int, len(opaque)) // at[e][k]: first item from k that closes opaque[e]
	for e, name := range opaque {
		at[e] = make([]int, len(items)+1)
		at[e][len(items)] = -1
		for k := len(items) - 1; k >= 0; k-- {
			at[e][k] = at[e][k+1]
			if items[k].raw != nil && indexFold(items[k].raw, "</"+name) >= 0 {
				at[e][k] = k
			}
		}
	}
	return func(k int, name string) int {
		for e, o := range opaque {
			if o == name {
				return at[e][k]
			}
		}
		return -1
	}
}

// after tells which opaque element is open after raw, given the one open
// before it ("": none). Within one, only its end tag counts, as browsers
// read a script; comments are skipped.
func after(raw []byte, open string) string {
	for len(raw) > 0 {
		if open != "" {
			i := indexFold(raw, "</"+open)
			if i < 0 {
				return open
			}
			raw, open = raw[i+2+len(open):], ""
			continue
		}
		i := bytes.IndexByte(raw, '<')
		if i < 0 {
			return ""
		}
		raw = raw[i+1:]
		if bytes.HasPrefix(raw, []byte("!--")) {
			j := bytes.Index(raw, []byte("-->"))
			if j < 0 {
				return ""
			}
			raw = raw[j+3:]
			continue
		}
		if name := tagName(raw); isOpaque(name) {
			open = name
		}
	}
	return open
}

// label names what raw starts with for the report, "<script>", "</div>",
// "<!DOCTYPE>", and the tag's lower-case name ("/div" for an end tag);
// ok is false for a comment.
func label(raw []byte) (what, name string, ok bool) {
	raw = bytes.TrimLeft(raw, " \t\n")
	switch {
	case bytes.HasPrefix(raw, []byte("<!--")):
		return "", "", false
	case bytes.HasPrefix(raw, []byte("</")):
		name = tagName(raw[2:])
		return "</" + name + ">", "/" + name, true
	case bytes.HasPrefix(raw, []byte("<?")):
		return "<?…?>", "", true
	case bytes.HasPrefix(raw, []byte("<![CDATA[")):
		return "<![CDATA[…]]>", "", true
	case bytes.HasPrefix(raw, []byte("<!")):
		end := bytes.IndexAny(raw, " \t\n>")
		if end < 0 {
			end = len(raw)
		}
		return string(raw[:end]) + ">", "", true
	}
	name = tagName(raw[min(1, len(raw)):])
	return "<" + name + ">", name, true
}

// tagName is the lower-case tag name b starts with, "" if none.
func tagName(b []byte) string {
	n := 0
	for n < len(b) && (isLetter(b[n]) || n > 0 && (b[n] >= '0' && b[n] <= '9' || b[n] == '-')) {
		n++
	}
	return string(bytes.ToLower(b[:n]))
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isOpaque(name string) bool {
	for _, o := range opaque {
		if o == name {
			return true
		}
	}
	return false
}

// indexFold is bytes.Index of s, ASCII, ignoring case.
func indexFold(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if b[i] == '<' && bytes.EqualFold(b[i:i+len(s)], []byte(s)) {
			return i
		}
	}
	return -1
}

// blockOf is the block that holds n.
func blockOf(n ast.Node) ast.Node {
	for n != nil && n.Type() != ast.TypeBlock {
		n = n.Parent()
	}
	return n
}

// start is the source offset of a raw HTML item.
func start(it item) int {
	if r, ok := it.n.(*ast.RawHTML); ok && r.Segments.Len() > 0 {
		return r.Segments.At(0).Start
	}
	if it.n.Lines().Len() > 0 {
		return it.n.Lines().At(0).Start
	}
	return blockStart(it.n)
}

// remove takes n out of the tree, and its parents that it leaves empty:
// inline markup (a link, emphasis) and paragraphs, which would render as
// empty elements.
func remove(n ast.Node) {
	for {
		parent := n.Parent()
		if parent == nil {
			return
		}
		parent.RemoveChild(parent, n)
		if parent.HasChildren() || parent.Type() != ast.TypeInline && parent.Kind() != ast.KindParagraph && parent.Kind() != ast.KindTextBlock {
			return
		}
		n = parent
	}
}
