package site

import (
	"testing"

	"pelqim/cmd/site/internal/markdown"
)

// BenchmarkExecute runs the policy layout on the real site's English
// policy, its Markdown rendered beforehand: the template's share of a page,
// with the page's view (links to translations, menu).
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
		if _, err := s.execute(p.Layout, s.pageView(p, doc), p); err != nil {
			b.Fatal(err)
		}
	}
}
