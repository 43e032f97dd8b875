package bench

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"pelqim/cmd/site/internal/site"
)

var benchPages = flag.Int("pages", 1000, "pages per language for BenchmarkSiteBuild")

// BenchmarkSiteBuild builds the synthetic corpus in-process, to profile the
// generator without the child process around it:
//
//	go test ./cmd/site/internal/bench -run '^$' -bench SiteBuild -cpuprofile cpu.out -memprofile mem.out -pages 3000
func BenchmarkSiteBuild(b *testing.B) {
	repo, err := repoRoot()
	if err != nil {
		b.Fatal(err)
	}
	dir := workDir(b, repo)
	src, _, err := writeSites(dir, repo, corpus{pages: *benchPages, seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := site.Build(src, filepath.Join(dir, fmt.Sprint("public-", i)), site.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*3**benchPages), "ms/page")
}

// BenchmarkRealSite builds the repository's own site in-process: the
// build's share of `site build`, without the process start.
func BenchmarkRealSite(b *testing.B) {
	repo, err := repoRoot()
	if err != nil {
		b.Fatal(err)
	}
	dir := workDir(b, repo)
	for i := 0; b.Loop(); i++ {
		if _, err := site.Build(repo, filepath.Join(dir, fmt.Sprint("public-", i)), site.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// workDir is WorkDir, removed when b ends.
func workDir(b *testing.B, repo string) string {
	dir, err := WorkDir(repo)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
