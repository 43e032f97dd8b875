package theme

import (
	"errors"
	"testing"

	"github.com/tdewolff/parse/v2"
)

func TestCSSSyntax(t *testing.T) {
	cases := []struct {
		css       string
		line, col int // 0: no error
	}{
		{"a{color:red}", 0, 0},
		{"@media (min-width: 40em) {\n  a { b: c }\n}", 0, 0},
		{"a { content: '{' } /* { */", 0, 0},
		{"a { color red; }", 1, 11},
		{"a { b: c }\n}", 2, 2},
		{"a { b: c }\n.x {\n  d: e;\n", 2, 4},
		{"@media print {\n  a { b: c }\n", 1, 14},
		{"a{}\n/* x\n\nb{c:d}\n", 2, 1},
		{"a{} /**/ b{}", 0, 0},
		{"a{b:'x\n}", 1, 5},
		{"a{background:url(x y)}", 1, 14},
	}
	for _, c := range cases {
		err := cssSyntax([]byte(c.css))
		var pe *parse.Error
		switch {
		case c.line == 0 && err != nil:
			t.Errorf("%q: %v, want no error", c.css, err)
		case c.line != 0 && !errors.As(err, &pe):
			t.Errorf("%q: %v, want a syntax error at %d:%d", c.css, err, c.line, c.col)
		case c.line != 0 && (pe.Line != c.line || pe.Column != c.col):
			t.Errorf("%q: error at %d:%d (%v), want %d:%d", c.css, pe.Line, pe.Column, err, c.line, c.col)
		}
	}
}
