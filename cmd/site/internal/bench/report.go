package bench

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// The targets, reported next to the figures (never asserted).
const (
	targetSpeedup = 5.0                   // Hugo's wall time over ours, at least
	targetMemory  = 0.25                  // our peak RSS over Hugo's, at most
	targetReal    = 15 * time.Millisecond // the real site, process start included
)

// report prints the table, one row per size as soon as it is measured.
type report struct {
	w          io.Writer
	ours, hugo bool
}

func (r report) header(o options, hugoVersion string) {
	fmt.Fprintf(r.w, "site bench: %s/%s, %d CPUs, %s; synthetic corpus (seed %d) in 3 languages (sq en sr)\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), o.seed)
	fmt.Fprintf(r.w, "each size built %d times per generator, alternating, each run a child process into a fresh output dir;\n", o.runs)
	fmt.Fprintln(r.w, "wall = median, process start included; peak = highest maximum RSS of the child")
	if r.ours {
		fmt.Fprintln(r.w, "ours: site build (minifies its HTML and CSS itself)")
	}
	if r.hugo {
		fmt.Fprintf(r.w, "hugo: %s, with --minify to match ours; fresh HUGO_CACHEDIR each run\n", hugoVersion)
	}
	fmt.Fprintf(r.w, "targets (issue 2): hugo/ours time >= %.0fx, ours/hugo peak <= %.2f; real site < %v\n\n",
		targetSpeedup, targetMemory, targetReal)
	fmt.Fprintf(r.w, "%10s %6s | %10s %8s %8s | %10s %8s %8s | %14s %14s\n",
		"pages/lang", "pages", "ours ms", "ms/page", "peak MiB", "hugo ms", "ms/page", "peak MiB", "hugo/ours time", "ours/hugo peak")
}

func (r report) row(res result) {
	pages := 3 * res.perLang
	fmt.Fprintf(r.w, "%10d %6d | %s | %s | ", res.perLang, pages, r.cells(r.ours, res.ours, pages), r.cells(r.hugo, res.hugo, pages))
	if !r.ours || !r.hugo {
		fmt.Fprintf(r.w, "%14s %14s\n", "-", "-")
		return
	}
	speedup := float64(res.hugo.wall) / float64(res.ours.wall)
	memory := float64(res.ours.rss) / float64(res.hugo.rss)
	fmt.Fprintf(r.w, "%7.1fx %-6s %7.2f %-6s\n", speedup, verdict(speedup >= targetSpeedup), memory, verdict(memory <= targetMemory))
}

func (r report) cells(ran bool, f figures, pages int) string {
	if !ran {
		return fmt.Sprintf("%10s %8s %8s", "-", "-", "-")
	}
	wall := float64(f.wall) / float64(time.Millisecond)
	return fmt.Sprintf("%10.1f %8.3f %8.1f", wall, wall/float64(pages), float64(f.rss)/(1<<20))
}

func (r report) real(runs int, f figures) {
	fmt.Fprintf(r.w, "\nreal site (this repository, %d pages): site build median %s over %d runs, peak %s, process start included; < %v: %s\n",
		f.pages, ms(f.wall), runs, mib(f.rss), targetReal, verdict(f.wall < targetReal))
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}
