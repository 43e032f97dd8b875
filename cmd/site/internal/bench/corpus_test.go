package bench

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// generate collects a corpus's files by path, in the order they come.
func generate(t *testing.T, c corpus) (files map[string][]byte, order []string) {
	t.Helper()
	files = map[string][]byte{}
	err := c.each(func(rel string, data []byte) error {
		if _, dup := files[rel]; dup {
			return fmt.Errorf("%s generated twice", rel)
		}
		files[rel] = data
		order = append(order, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, order
}

func TestCorpusIsDeterministic(t *testing.T) {
	a, orderA := generate(t, corpus{pages: 50, seed: 7})
	b, orderB := generate(t, corpus{pages: 50, seed: 7})
	if strings.Join(orderA, " ") != strings.Join(orderB, " ") {
		t.Fatal("same seed, different file order")
	}
	for rel := range a {
		if !bytes.Equal(a[rel], b[rel]) {
			t.Fatalf("same seed, different bytes in %s", rel)
		}
	}
	other, _ := generate(t, corpus{pages: 50, seed: 8})
	if bytes.Equal(a["en/page-00001.md"], other["en/page-00001.md"]) {
		t.Error("seeds 7 and 8 gave the same page: the seed is not used")
	}
	// A page reads the same whatever the corpus size, apart from where its
	// links lead: only to pages that exist at that size.
	big, _ := generate(t, corpus{pages: 5000, seed: 7})
	for _, rel := range []string{"sq/index.md", "sr/strana-00003.md", "en/page-00049.md"} {
		small, large := linkRE.ReplaceAll(a[rel], nil), linkRE.ReplaceAll(big[rel], nil)
		if !bytes.Equal(small, large) {
			t.Errorf("%s reads differently at 50 and 5000 pages", rel)
		}
	}
}

func frontMatterOf(page []byte) []byte {
	fm, _, _ := bytes.Cut(bytes.TrimPrefix(page, []byte("---\n")), []byte("\n---\n"))
	return fm
}

// frontMatter is every field the corpus writes; decoding with KnownFields
// rejects any other.
type frontMatter struct {
	Title          string `yaml:"title"`
	Slug           string `yaml:"slug"`
	TranslationKey string `yaml:"translationKey"`
	Layout         string `yaml:"layout"`
	Weight         int    `yaml:"weight"`
	Description    string `yaml:"description"`
	Date           string `yaml:"date"`
	Lastmod        string `yaml:"lastmod"`
}

var (
	linkRE   = regexp.MustCompile(`\]\((/[^)]*)\)`)
	anchorRE = regexp.MustCompile(`(?m)^#{2,3} .+ \{#([a-z0-9-]+)\}$`)
)

func TestCorpusPages(t *testing.T) {
	for _, n := range []int{1, 2, 10, 123} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			files, _ := generate(t, corpus{pages: n, seed: 1})
			if len(files) != 3*(n+1) {
				t.Fatalf("%d files, want %d (a 404 page and %d pages per language)", len(files), 3*(n+1), n)
			}
			urls := map[string]bool{} // page URLs and URL#anchor
			keys := map[string][]string{}
			var links []string
			for rel, data := range files {
				fm := parseFrontMatter(t, rel, data)
				lang, name := path.Split(rel)
				url := "/" + lang
				switch name {
				case "404.md":
					if fm.Slug != "" || fm.Layout != "404" {
						t.Errorf("%s: slug %q, layout %q; want no slug, layout 404", rel, fm.Slug, fm.Layout)
					}
					url += "404.html"
				case "index.md":
					if fm.Slug != "" || fm.Layout != "home" {
						t.Errorf("%s: slug %q, layout %q; want no slug, layout home", rel, fm.Slug, fm.Layout)
					}
				default:
					if fm.Slug+".md" != name {
						t.Errorf("%s: slug %q does not match the file name", rel, fm.Slug)
					}
					url += fm.Slug + "/"
				}
				keys[fm.TranslationKey] = append(keys[fm.TranslationKey], lang)
				urls[url] = true
				for _, m := range anchorRE.FindAllSubmatch(data, -1) {
					urls[url+"#"+string(m[1])] = true
				}
				for _, m := range linkRE.FindAllSubmatch(data, -1) {
					links = append(links, rel+" -> "+string(m[1]))
				}
			}
			if len(keys) != n+1 {
				t.Errorf("%d translation keys, want %d", len(keys), n+1)
			}
			for key, ls := range keys {
				if len(ls) != 3 {
					t.Errorf("translationKey %s is in %v, want every language", key, ls)
				}
			}
			if n > 1 && len(links) == 0 {
				t.Error("no links between pages")
			}
			for _, l := range links {
				_, target, _ := strings.Cut(l, " -> ")
				if !urls[target] {
					t.Errorf("broken link %s", l)
				}
			}
		})
	}
}

func parseFrontMatter(t *testing.T, rel string, data []byte) frontMatter {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("---\n")) || !bytes.Contains(data, []byte("\n---\n")) {
		t.Fatalf("%s: no front matter", rel)
	}
	var fm frontMatter
	dec := yaml.NewDecoder(bytes.NewReader(frontMatterOf(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil {
		t.Fatalf("%s: front matter: %v", rel, err)
	}
	if fm.Title == "" || fm.TranslationKey == "" || fm.Description == "" || fm.Weight <= 0 {
		t.Errorf("%s: incomplete front matter %+v", rel, fm)
	}
	switch fm.Layout {
	case "home", "page", "policy", "404":
	default:
		t.Errorf("%s: layout %q", rel, fm.Layout)
	}
	for _, d := range []string{fm.Date, fm.Lastmod} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			t.Errorf("%s: date %q: %v", rel, d, err)
		}
	}
	return fm
}
