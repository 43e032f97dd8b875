package bench

import (
	"bytes"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"

	"pelqim/cmd/site/internal/content"
	"pelqim/cmd/site/internal/markdown"
	"pelqim/cmd/site/internal/site"
)

// BenchmarkStages times the per-page stages of a build on one synthetic
// policy page, to show where a page's time goes.
func BenchmarkStages(b *testing.B) {
	src := corpus{pages: 100, seed: 1}.page(0, 7)
	p, err := content.ParsePage("content/sq/p.md", "sq", src)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("page: %d bytes, body %d", len(src), len(p.Body))
	b.Run("frontmatter", func(b *testing.B) {
		for b.Loop() {
			content.ParsePage("content/sq/p.md", "sq", src)
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
	for name, md := range map[string]goldmark.Markdown{
		"goldmark-plain": goldmark.New(),
		"goldmark-attr":  goldmark.New(goldmark.WithParserOptions(parser.WithAttribute(), parser.WithAutoHeadingID())),
		"goldmark-gfm-nolinkify": goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough),
			goldmark.WithParserOptions(parser.WithAttribute(), parser.WithAutoHeadingID())),
		"goldmark-ours": goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
			goldmark.WithParserOptions(parser.WithAttribute(), parser.WithAutoHeadingID())),
	} {
		b.Run(name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				md.Convert(p.Body, &buf)
			}
		})
	}
}
