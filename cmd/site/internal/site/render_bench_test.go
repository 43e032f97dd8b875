package site

import (
	"html/template"
	"testing"

	"pelqim/cmd/site/internal/markdown"
)

// BenchmarkExecute runs the policy layout on the real site's English
// policy, its Markdown rendered beforehand: the template's share of a page.
func BenchmarkExecute(b *testing.B) {
	s, err := Load(repoRoot(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	p := s.Content.Page("en", "privacy")
	doc, err := markdown.Render(p.Body)
	if err != nil {
		b.Fatal(err)
	}
	s.Outputs() // starts a render pass
	for b.Loop() {
		v := &View{s: s, Page: p, Content: template.HTML(doc.HTML)}
		for _, h := range doc.Headings {
			if h.Level == 2 {
				v.TOC = append(v.TOC, h)
			}
		}
		if _, err := s.execute(p.Layout, v, p); err != nil {
			b.Fatal(err)
		}
	}
}
