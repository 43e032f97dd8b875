package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// bench holds what every measurement needs: the options, the work
// directory and the two binaries ("" for one that is left out).
type bench struct {
	options
	work        string
	log         io.Writer
	ours, hugo  string
	hugoVersion string
}

// result is one size's figures.
type result struct {
	perLang    int // pages per language
	ours, hugo figures
}

// figures summarise one generator's runs: median wall time, highest peak
// RSS, and the pages and HTML bytes of its output.
type figures struct {
	wall  time.Duration
	rss   int64
	pages int
	html  int64
}

// size writes a corpus of n pages per language and builds it b.runs times
// with each generator, alternating ours and Hugo.
func (b *bench) size(repo string, n int) (result, error) {
	dir := filepath.Join(b.work, fmt.Sprintf("pages-%d", n))
	if err := os.RemoveAll(dir); err != nil {
		return result{}, err
	}
	if b.keep == "" {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintf(b.log, "bench: writing %d pages per language into %s\n", n, dir)
	ours, hugo, err := writeSites(dir, repo, corpus{pages: n, seed: b.seed})
	if err != nil {
		return result{}, fmt.Errorf("write the corpus: %w", err)
	}
	res := result{perLang: n}
	var oursRuns, hugoRuns []sample
	for r := range b.runs {
		label := fmt.Sprintf("%d pages/lang, run %d/%d", n, r+1, b.runs)
		if b.ours != "" {
			out := filepath.Join(dir, "public-ours")
			s, err := b.build(label+": ours", &res.ours, n, out, nil, b.ours, "build", "-src", ours, "-out", out)
			if err != nil {
				return res, err
			}
			oursRuns = append(oursRuns, s)
		}
		if b.hugo != "" {
			out, cache := filepath.Join(dir, "public-hugo"), filepath.Join(dir, "hugo-cache")
			// Every Hugo run starts as cold as ours: no file cache, no
			// generated resources from the run before.
			for _, d := range []string{cache, filepath.Join(hugo, "resources")} {
				if err := os.RemoveAll(d); err != nil {
					return res, err
				}
			}
			env := append(os.Environ(), "HUGO_CACHEDIR="+cache)
			s, err := b.build(label+": hugo", &res.hugo, n, out, env, b.hugo,
				"--source", hugo, "--destination", out, "--minify", "--quiet")
			if err != nil {
				return res, err
			}
			hugoRuns = append(hugoRuns, s)
		}
	}
	if len(oursRuns) > 0 {
		res.ours.wall, res.ours.rss = summarize(oursRuns)
	}
	if len(hugoRuns) > 0 {
		res.hugo.wall, res.hugo.rss = summarize(hugoRuns)
	}
	return res, nil
}

// build measures one build into a fresh out directory and checks that it
// wrote at least perLang pages in every language.
func (b *bench) build(label string, f *figures, perLang int, out string, env []string, bin string, args ...string) (sample, error) {
	if err := os.RemoveAll(out); err != nil {
		return sample{}, err
	}
	s, err := measure(env, bin, args...)
	if err != nil {
		return s, err
	}
	pages, html, err := output(out)
	if err != nil {
		return s, fmt.Errorf("%s: read the output: %w", label, err)
	}
	f.pages, f.html = 0, html
	for _, l := range langs {
		if pages[l.code] < perLang {
			return s, fmt.Errorf("%s: wrote %d pages in %s/, want %d", label, pages[l.code], l.code, perLang)
		}
		f.pages += pages[l.code]
	}
	fmt.Fprintf(b.log, "bench: %s %s, %s peak; %d pages, %s of HTML\n", label, ms(s.wall), mib(s.rss), f.pages, mib(html))
	return s, nil
}

// realSite builds the repository's own site b.real times.
func (b *bench) realSite(repo string) (figures, error) {
	var f figures
	var runs []sample
	out := filepath.Join(b.work, "public-real")
	for r := range b.real {
		s, err := b.build(fmt.Sprintf("real site, run %d/%d", r+1, b.real), &f, 1, out, nil, b.ours, "build", "-src", repo, "-out", out)
		if err != nil {
			return f, err
		}
		runs = append(runs, s)
	}
	f.wall, f.rss = summarize(runs)
	return f, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
func mib(n int64) string        { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
