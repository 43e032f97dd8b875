package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"pelqim/cmd/site/internal/source"
)

// corpus is a synthetic site in our content format: pages pages in every
// language (a home page and pages-1 policy-like pages) plus a not-found page,
// the same seed always giving the same bytes. Page i's text depends only on the seed, the language
// and i, so a page reads the same at every corpus size.
type corpus struct {
	pages int
	seed  uint64
}

// each calls fn for every page, language by language, with its path under
// content/ ("sq/index.md", "sq/404.md", "sq/faqja-00042.md") and its bytes.
func (c corpus) each(fn func(rel string, data []byte) error) error {
	for li, l := range langs {
		if err := fn(l.code+"/404.md", c.notFound(li)); err != nil {
			return err
		}
		for i := range c.pages {
			rel := langs[li].code + "/index.md"
			if i > 0 {
				rel = fmt.Sprintf("%s/%s.md", langs[li].code, slug(langs[li], i))
			}
			if err := fn(rel, c.page(li, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func slug(l lang, i int) string { return fmt.Sprintf("%s-%05d", l.slug, i) }

// sections is how many ## sections page i has; links from other pages need
// it to point only at anchors that exist.
func sections(i int) int { return 4 + i%5 }

// page writes page i of language li.
func (c corpus) page(li, i int) []byte {
	l := langs[li]
	w := c.writer(li, uint64(i))
	lastmod := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%300)
	if i == 0 {
		w.frontMatter(l.home, "", "home", "home", 1, lastmod)
		w.paragraph()
		for range min(c.pages-1, 8) {
			w.printf("- %s\n", w.link())
		}
		return w.buf.Bytes()
	}
	layout := "policy"
	if i%4 == 0 {
		layout = "page"
	}
	title := fmt.Sprintf("%s %d: %s", l.section, i, w.words(3, true))
	key := fmt.Sprintf("p%05d", i)
	if i == 1 {
		key = source.PolicyKey // every site has one: consent records carry its version
	}
	w.frontMatter(title, slug(l, i), key, layout, 10+i, lastmod)
	w.paragraph()
	for s := 1; s <= sections(i); s++ {
		w.printf("## %d. %s {#%s-%d}\n\n", s, w.words(2+w.rng.IntN(4), true), l.anchor, s)
		for range 1 + w.rng.IntN(3) {
			w.paragraph()
		}
		if w.rng.IntN(2) == 0 {
			w.list()
		}
		if (i+s)%3 == 0 {
			w.printf("### %d.1 %s {#%s-%d-1}\n\n", s, w.words(3, true), l.anchor, s)
			w.paragraph()
		}
	}
	return w.buf.Bytes()
}

// notFound is the language's 404 page (/sq/404.html).
func (c corpus) notFound(li int) []byte {
	w := c.writer(li, 1<<31)
	w.frontMatter("404", "", "404", "404", 1000, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	w.paragraph()
	return w.buf.Bytes()
}

// writer writes one page's Markdown from its own random streams: one for
// the text, one for link targets, so that the text is the same whatever the
// number of pages links can reach.
type writer struct {
	l       lang
	pages   int
	rng     *rand.Rand
	targets *rand.Rand
	buf     bytes.Buffer
}

func (c corpus) writer(li int, page uint64) *writer {
	stream := uint64(li)<<32 | page
	return &writer{
		l:       langs[li],
		pages:   c.pages,
		rng:     rand.New(rand.NewPCG(c.seed, stream)),
		targets: rand.New(rand.NewPCG(c.seed^0x9e3779b97f4a7c15, stream)),
	}
}

func (w *writer) printf(format string, args ...any) { fmt.Fprintf(&w.buf, format, args...) }

// frontMatter writes the YAML header with Hugo's field names. Strings are
// double-quoted; the vocabulary has no quote or backslash to escape.
func (w *writer) frontMatter(title, slug, key, layout string, weight int, lastmod time.Time) {
	w.printf("---\ntitle: %q\n", title)
	if slug != "" {
		w.printf("slug: %s\n", slug)
	}
	w.printf("translationKey: %s\nlayout: %s\nweight: %d\n", key, layout, weight)
	w.printf("description: %q\n", w.sentence(10+w.rng.IntN(8)))
	w.printf("date: 2018-05-25\nlastmod: %s\n---\n\n", lastmod.Format(time.DateOnly))
}

// paragraph writes 2–5 sentences with some emphasis and a link or two.
func (w *writer) paragraph() {
	n := 2 + w.rng.IntN(4)
	for s := range n {
		if s > 0 {
			w.buf.WriteByte(' ')
		}
		w.buf.WriteString(w.sentence(8 + w.rng.IntN(12)))
		switch w.rng.IntN(4) {
		case 0:
			w.printf(" %s.", w.link())
		case 1:
			w.printf(" *%s* **%s**.", w.words(2, false), w.words(1, false))
		}
	}
	w.buf.WriteString("\n\n")
}

// list writes a bullet list whose items sometimes link elsewhere.
func (w *writer) list() {
	for range 3 + w.rng.IntN(3) {
		item := w.sentence(4 + w.rng.IntN(8))
		if w.rng.IntN(3) == 0 {
			item += " " + w.link()
		}
		w.printf("- %s\n", item)
	}
	w.buf.WriteByte('\n')
}

// link is a Markdown link to another page of the same language, now and then
// to one of its sections; every target exists in the corpus.
func (w *writer) link() string {
	text := w.words(2, false)
	j := w.targets.IntN(w.pages)
	url := "/" + w.l.code + "/"
	if j > 0 {
		url += slug(w.l, j) + "/"
		if w.targets.IntN(2) == 0 {
			url += fmt.Sprintf("#%s-%d", w.l.anchor, 1+w.targets.IntN(sections(j)))
		}
	}
	return fmt.Sprintf("[%s](%s)", text, url)
}

func (w *writer) sentence(n int) string { return w.words(n, true) + "." }

// words joins n random words, the first capitalised if asked.
func (w *writer) words(n int, capital bool) string {
	ws := make([]string, n)
	for k := range ws {
		ws[k] = w.l.words[w.rng.IntN(len(w.l.words))]
	}
	s := strings.Join(ws, " ")
	if capital {
		r := []rune(s)
		s = strings.ToUpper(string(r[0])) + string(r[1:])
	}
	return s
}
