package bench

import (
	"bytes"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"

	"pelqim/cmd/site/internal/markdown"
	"pelqim/cmd/site/internal/site"
	"pelqim/cmd/site/internal/source"
)

// BenchmarkStages times the per-page stages of a build on one synthetic
// policy page, to show where a page's time goes.
func BenchmarkStages(b *testing.B) {
	src := corpus{pages: 100, seed: 1}.page(0, 7)
	p, err := source.ParsePage("content/sq/p.md", "sq", src)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("page: %d bytes, body %d", len(src), len(p.Body))
	b.Run("frontmatter", func(b *testing.B) {
		for b.Loop() {
			source.ParsePage("content/sq/p.md", "sq", src)
		}
	})
	b.Run("render", func(b *testing.B) {
		repo, err := repoRoot()
		if err != nil {
			b.Fatal(err)
		}
		src, _, err := writeSites(workDir(b, repo), repo, corpus{pages: 100, seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		s, err := site.Load(src, site.Options{})
		if err != nil {
			b.Fatal(err)
		}
		outs := s.Outputs()
		o := outs[7]
		b.Logf("rendering %s", o.Path)
		for b.Loop() {
			if _, err := o.Render(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("markdown", func(b *testing.B) {
		for b.Loop() {
			markdown.Render(p.Body)
		}
	})
	// goldmark alone: as ours is configured, with no options at all, and
	// with the GitHub extensions ours leaves out (Linkify is most of their
	// cost).
	for _, c := range []struct {
		name string
		md   goldmark.Markdown
	}{
		{"goldmark-ours", markdown.Goldmark()},
		{"goldmark-plain", goldmark.New()},
		{"goldmark-gfm", goldmark.New(goldmark.WithExtensions(extension.GFM),
			goldmark.WithParserOptions(parser.WithAttribute(), parser.WithAutoHeadingID()))},
	} {
		name, md := c.name, c.md
		b.Run(name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				md.Convert(p.Body, &buf)
			}
		})
	}
}
