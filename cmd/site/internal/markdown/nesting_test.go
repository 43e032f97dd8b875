package markdown

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// lines is line(i) for i from 0 to n-1, each ended by a newline.
func lines(n int, line func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(line(i) + "\n")
	}
	return b.String()
}

// deepList is an indented list n levels deep, a level a line, as in the
// issue: goldmark alone took 22.9 s at 2,000.
func deepList(n int) string {
	return lines(n, func(i int) string { return fmt.Sprintf("%s- level %d", strings.Repeat("  ", i), i+1) })
}

// TestDeepNestingRefused: a body nested past MaxNesting is refused at the
// line that goes past it, before goldmark parses it (the 2,000-level list
// took 35 s to build); up to MaxNesting renders.
func TestDeepNestingRefused(t *testing.T) {
	for _, tt := range []struct {
		name      string
		src       string
		line      int // 0: renders
		wantDepth int
	}{
		{"list of 2,000 levels", "Intro\n\n" + deepList(2000), 2 + MaxNesting + 1, MaxNesting + 1},
		{"list of MaxNesting levels", deepList(MaxNesting), 0, 0},
		{"list one level more", deepList(MaxNesting + 1), MaxNesting + 1, MaxNesting + 1},
		{"block quotes on one line", strings.Repeat("> ", 2000) + "deep\n", 1, MaxNesting + 1},
		{"lists and quotes on one line", "text\n\n" + strings.Repeat("- > ", 1000) + "deep\n", 3, MaxNesting + 1},
		{"quotes line by line", lines(100, func(i int) string { return strings.Repeat(">", i+1) + " level" }), MaxNesting + 1, MaxNesting + 1},
		{"ordered lists", lines(40, func(i int) string { return strings.Repeat("   ", i) + "1. level" }), MaxNesting + 1, MaxNesting + 1},
		{"lazy lines between levels", lines(40, func(i int) string { return strings.Repeat("  ", i) + "- level\nlazy" }), 2*MaxNesting + 1, MaxNesting + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Render([]byte(tt.src))
			if tt.line == 0 {
				if err != nil || !strings.Contains(d.HTML, "<li>") && !strings.Contains(d.HTML, "<blockquote>") {
					t.Errorf("Render: %v", err)
				}
				return
			}
			var deep *NestingError
			if !errors.As(err, &deep) || deep.Line != tt.line || deep.Depth != tt.wantDepth {
				t.Fatalf("Render: %v, want a NestingError at line %d, depth %d", err, tt.line, tt.wantDepth)
			}
			if want := fmt.Sprintf("line %d: lists and block quotes nested %d levels deep: a page may nest at most %d", tt.line, tt.wantDepth, MaxNesting); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q, want it to start %q", err, want)
			}
		})
	}
}

// goldmarkDepth is how deep goldmark nests list items and block quotes
// in src.
func goldmarkDepth(src []byte) int {
	root := md.Parser().Parse(text.NewReader(src))
	deepest, depth := 0, 0
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Kind() != ast.KindListItem && n.Kind() != ast.KindBlockquote {
			return ast.WalkContinue, nil
		}
		if entering {
			depth++
			deepest = max(deepest, depth)
		} else {
			depth--
		}
		return ast.WalkContinue, nil
	})
	return deepest
}

// TestNestingAsGoldmark: the line scan counts as deep as goldmark nests,
// never less (which would let a deep body through to goldmark), on the
// shapes of testdata/nesting.md and on the real pages; a body that is not
// nested at all is not counted as nested.
func TestNestingAsGoldmark(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "nesting.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The cases are separated by lines of "%%%"; each starts with a line
	// "# name: goldmark N, scan M": how deep goldmark nests it, and how
	// deep the scan counts it (M more than N only where the scan is
	// known to count too many).
	for _, c := range strings.Split(string(b), "\n%%%\n") {
		head, body, _ := strings.Cut(c, "\n")
		var name string
		var want, scan int
		if _, err := fmt.Sscanf(head, "# %s goldmark %d, scan %d", &name, &want, &scan); err != nil {
			t.Fatalf("case head %q: %v", head, err)
		}
		if got := goldmarkDepth([]byte(body)); got != want {
			t.Errorf("%s goldmark nests %d deep; the file says %d", name, got, want)
		}
		if got, _ := nesting([]byte(body), 1000); got != scan {
			t.Errorf("%s the scan counts %d levels, want %d (goldmark nests %d)", name, got, scan, want)
		}
	}
	pages, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "content", "*", "*.md"))
	if len(pages) == 0 {
		t.Fatal("no pages found")
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, line := nesting(b, 1000); got < goldmarkDepth(b) {
			t.Errorf("%s: the scan counts %d levels (line %d), goldmark nests %d", p, got, line, goldmarkDepth(b))
		}
	}
}

// FuzzNestingNotUnder: whatever the body, the scan never counts fewer
// levels than goldmark nests. `go test -fuzz FuzzNestingNotUnder` looks
// for one.
func FuzzNestingNotUnder(f *testing.F) {
	for _, s := range []string{deepList(5), "> - a\n>   > b\n", "1. a\n\n   - b\n\n     > c\n", "- a\nlazy\n  - b\n", "-\n  - a\n", "* * *\n- - -\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2000 {
			return
		}
		want := goldmarkDepth([]byte(s))
		if got, _ := nesting([]byte(s), 1000); got < want {
			t.Errorf("%q: the scan counts %d levels, goldmark nests %d", s, got, want)
		}
	})
}

// BenchmarkCheckNesting is the scan's cost on the real privacy policy,
// the largest page: it runs on every page read.
func BenchmarkCheckNesting(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "content", "sq", "privatesia.md"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if err := CheckNesting(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeepList is what refusing the 2,000-level list costs, against
// goldmark's 22.9 s.
func BenchmarkDeepList(b *testing.B) {
	src := []byte(deepList(2000))
	for b.Loop() {
		if _, err := Render(src); err == nil {
			b.Fatal("rendered")
		}
	}
}
