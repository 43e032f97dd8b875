package serve

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"pelqim/cmd/site/internal/bench"
	"pelqim/cmd/site/internal/site"
)

var corpus = flag.String("corpus", "", "synthetic site `dir` for BenchmarkEditToReload (holds content/ and themes/); empty: write one with `site bench`")

// BenchmarkEditToReload measures the live preview as an editor feels it:
// from writing a page to its reload event reaching an open page, through
// the watcher, the debounce, the incremental rebuild and the event stream.
// Each iteration is one edit; heap in use is reported before and after
// all of them. Figures for cmd/site/internal/serve/README.md:
//
//	go test ./cmd/site/internal/serve -run '^$' -bench EditToReload -benchtime 1000x
//
// The synthetic site has 3,000 pages per language; its full build time is
// reported alongside for comparison.
func BenchmarkEditToReload(b *testing.B) {
	b.Run("real/en-privacy", func(b *testing.B) {
		benchEdits(b, copySite(b), "content/en/privacy.md", "/en/privacy/")
	})
	// The Albanian policy's text is the policy version on every page: an
	// edit re-renders the whole site.
	b.Run("real/sq-policy", func(b *testing.B) {
		benchEdits(b, copySite(b), "content/sq/privatesia.md", "/sq/privatesia/")
	})
	b.Run("synthetic-3000", func(b *testing.B) {
		dir := syntheticSite(b, 3000)
		start := time.Now()
		if _, err := site.Build(dir, filepath.Join(b.TempDir(), "public"), site.Options{}); err != nil {
			b.Fatal(err)
		}
		build := time.Since(start)
		benchEdits(b, dir, "content/en/page-01500.md", "/en/page-01500/")
		b.ReportMetric(ms(build), "full-build-ms")
	})
}

// benchEdits serves dir and edits file b.N times, each time waiting for
// the reload event that names url.
func benchEdits(b *testing.B, dir, file, url string) {
	start := time.Now()
	p := startPreview(b, dir, 0)
	startup := time.Since(start)
	orig := p.read(file)
	name := filepath.Join(dir, filepath.FromSlash(file))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var latency, rebuild []time.Duration
	for i := 0; b.Loop(); i++ {
		// The same size every time: memory must stay flat because the
		// server keeps nothing per edit, not because edits are small.
		src := orig + fmt.Sprintf("\nEdit number %06d.\n", i)
		t0 := time.Now()
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
		ev, rb := p.settledReload()
		latency = append(latency, time.Since(t0))
		rebuild = append(rebuild, rb.Took)
		if ev.Edited != url {
			b.Fatalf("edit %d: reload event %+v, want %s edited", i, ev, url)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(ms(percentile(latency, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(latency, 99)), "p99-ms")
	b.ReportMetric(ms(percentile(rebuild, 50)), "rebuild-p50-ms")
	b.ReportMetric(ms(startup), "start-ms")
	b.ReportMetric(float64(before.HeapInuse)/(1<<20), "heap-before-MiB")
	b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-after-MiB")
}

func percentile(ds []time.Duration, pct int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*pct/100]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// syntheticSite is a copy of -corpus, or a corpus of pages per language
// written by `site bench` (its generator is not exported; -keep leaves the
// site under pages-N/ours).
func syntheticSite(b *testing.B, pages int) string {
	src := *corpus
	if src == "" {
		keep := b.TempDir()
		args := []string{"-only", "ours", "-sizes", fmt.Sprint(pages), "-runs", "1", "-real", "0", "-keep", keep}
		if err := bench.Run(args, io.Discard, io.Discard); err != nil {
			b.Fatalf("site bench %v: %v", args, err)
		}
		src = filepath.Join(keep, fmt.Sprintf("pages-%d", pages), "ours")
	}
	dir := b.TempDir()
	for _, d := range []string{"content", "themes"} {
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join(src, d))); err != nil {
			b.Fatalf("copy the corpus: %v", err)
		}
	}
	return dir
}
