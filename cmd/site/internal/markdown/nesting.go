package markdown

import (
	"bytes"
	"fmt"
)

// MaxNesting is how deep lists and block quotes may nest in a page: far
// more than a policy needs (its deepest list has two levels), and little
// enough that goldmark's time, which grows much faster than the depth
// (0.06, 0.40, 3.0 and 22.9 s for a list 250, 500, 1,000 and 2,000
// levels deep), stays that of any page.
const MaxNesting = 16

// NestingError is a body whose lists and block quotes nest deeper than
// MaxNesting.
type NestingError struct {
	Line  int // the line that goes past it, 1-based in the Markdown
	Depth int
}

func (e *NestingError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason()) }

// Reason is the error without its line, for a caller that names the line
// in the file.
func (e *NestingError) Reason() string {
	return fmt.Sprintf("lists and block quotes nested %d levels deep: a page may nest at most %d "+
		"(deeper nesting costs the Markdown parser time that grows much faster than the depth)", e.Depth, MaxNesting)
}

// CheckNesting refuses a body whose lists and block quotes nest deeper
// than MaxNesting, before goldmark sees it: a scan of each line's
// indentation and markers, in one pass, which stops at the first line too
// deep. It follows CommonMark's container rules (a line continues an open
// list item when indented to its content, a block quote when it has its
// >; a line may open several: "- > - x") closely enough to count what
// goldmark would nest: it never counts fewer levels than goldmark makes,
// and more only for a list that a paragraph after a blank line ended,
// then indented as if still in it. Fenced code and indented code are
// not read for markers.
func CheckNesting(src []byte) error {
	if depth, line := nesting(src, MaxNesting); depth > MaxNesting {
		return &NestingError{Line: line, Depth: depth}
	}
	return nil
}

// nesting returns the deepest nesting of src and its line, stopping at
// the first line deeper than limit.
func nesting(src []byte, limit int) (depth, line int) {
	var (
		open      []container // the open list items and block quotes, outermost first
		fence     []byte      // the open code fence's marker (``` or ~~~…), nil when none
		fenceAt   int         // how many containers hold the fence
		prevBlank bool
	)
	for n := 1; len(src) > 0; n++ {
		var text []byte
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			text, src = src[:i], src[i+1:]
		} else {
			text, src = src, nil
		}
		s := scanner{line: bytes.TrimSuffix(text, []byte("\r"))}
		// Which open containers the line continues.
		matched := 0
		for matched < len(open) && s.continues(open[matched]) {
			matched++
		}
		blank := s.blank()
		if fence != nil {
			if matched >= fenceAt || blank {
				if s.closesFence(fence) {
					fence = nil
				}
				prevBlank = blank
				continue
			}
			fence = nil // its container ended, and the fence with it
		}
		if blank {
			prevBlank = true
			continue
		}
		// New containers the line opens, after those it continues.
		opened := false
		for {
			c, ok := s.opens()
			if !ok {
				break
			}
			if !opened {
				open, opened = open[:matched], true
			}
			open = append(open, c)
			if len(open) > limit {
				return len(open), n // one line may open many: "> > > …"
			}
		}
		if len(open) > depth {
			depth, line = len(open), n
		}
		switch {
		case opened:
		case matched < len(open) && prevBlank:
			// Text after a blank line is no lazy continuation: the
			// containers it does not continue have ended.
			open = open[:matched]
		}
		if f := s.fenceOpener(); f != nil {
			fence, fenceAt = f, len(open)
		}
		prevBlank = false
	}
	return depth, line
}

// container is an open list item (the column its content starts at) or
// block quote (quote true).
type container struct {
	col   int
	quote bool
}

// scanner reads one line from pos, at column col (a tab reaches the next
// multiple of 4).
type scanner struct {
	line     []byte
	pos, col int
}

// spaces skips spaces and tabs while the column is under limit; it
// returns the column reached.
func (s *scanner) spaces(limit int) int {
	for s.pos < len(s.line) && s.col < limit {
		switch s.line[s.pos] {
		case ' ':
			s.col++
		case '\t':
			s.col += 4 - s.col%4
		default:
			return s.col
		}
		s.pos++
	}
	return s.col
}

func (s *scanner) blank() bool {
	return len(bytes.Trim(s.line[s.pos:], " \t")) == 0
}

// continues consumes what continues c: for a block quote up to three
// spaces and its >, for a list item its content's indentation (a blank
// line continues every list item).
func (s *scanner) continues(c container) bool {
	if c.quote {
		save := *s
		s.spaces(s.col + 3)
		if s.pos < len(s.line) && s.line[s.pos] == '>' {
			s.pos++
			s.col++
			s.afterMarker()
			return true
		}
		*s = save
		return false
	}
	if s.blank() {
		return true
	}
	save := *s
	if s.spaces(c.col) >= c.col {
		return true
	}
	*s = save
	return false
}

// afterMarker skips the one space that may follow a >.
func (s *scanner) afterMarker() {
	if s.pos < len(s.line) && (s.line[s.pos] == ' ' || s.line[s.pos] == '\t') {
		s.spaces(s.col + 1)
	}
}

// opens consumes the start of a new block quote or list item, if the
// line has one here (up to three spaces in: four are code).
func (s *scanner) opens() (container, bool) {
	save := *s
	start := s.col
	if s.spaces(start+4) >= start+4 || s.pos >= len(s.line) {
		*s = save
		return container{}, false
	}
	rest := s.line[s.pos:]
	if rest[0] == '>' {
		c := container{col: s.col, quote: true}
		s.pos++
		s.col++
		s.afterMarker()
		return c, true
	}
	if thematicBreak(rest) {
		*s = save
		return container{}, false
	}
	width := 0
	switch c := rest[0]; {
	case c == '-' || c == '+' || c == '*':
		width = 1
	case c >= '0' && c <= '9':
		for width < len(rest) && width < 9 && rest[width] >= '0' && rest[width] <= '9' {
			width++
		}
		if width == len(rest) || rest[width] != '.' && rest[width] != ')' {
			*s = save
			return container{}, false
		}
		width++
	default:
		*s = save
		return container{}, false
	}
	if width < len(rest) && rest[width] != ' ' && rest[width] != '\t' {
		*s = save
		return container{}, false
	}
	s.pos += width
	s.col += width
	marker := s.col
	// Content starts after one to four spaces; with more (code), or none
	// (an empty item), one column after the marker.
	if s.blank() {
		return container{col: marker + 1}, true
	}
	save = *s
	if s.spaces(marker+5) >= marker+5 {
		*s = save
		s.spaces(marker + 1)
		return container{col: marker + 1}, true
	}
	return container{col: s.col}, true
}

// thematicBreak tells whether b is a rule, "- - -" or "***": no list.
func thematicBreak(b []byte) bool {
	var mark byte
	count := 0
	for _, c := range b {
		switch {
		case c == ' ' || c == '\t':
		case mark == 0 && (c == '-' || c == '*' || c == '_'):
			mark, count = c, 1
		case c == mark:
			count++
		default:
			return false
		}
	}
	return count >= 3
}

// fenceOpener returns the code fence the rest of the line opens, if any.
func (s *scanner) fenceOpener() []byte {
	rest := bytes.TrimLeft(s.line[s.pos:], " ")
	for _, c := range []byte("`~") {
		n := 0
		for n < len(rest) && rest[n] == c {
			n++
		}
		if n >= 3 && (c == '~' || bytes.IndexByte(rest[n:], '`') < 0) {
			return rest[:n]
		}
	}
	return nil
}

// closesFence tells whether the rest of the line closes fence.
func (s *scanner) closesFence(fence []byte) bool {
	rest := bytes.TrimLeft(s.line[s.pos:], " ")
	n := 0
	for n < len(rest) && rest[n] == fence[0] {
		n++
	}
	return n >= len(fence) && len(bytes.Trim(rest[n:], " \t")) == 0
}
