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
	fmt.Fprintf(r.w, "each size built %d times per generator, alternating, each run a child process into a new output dir;\n", o.runs)
	fmt.Fprintln(r.w, "medians of wall time, CPU time (user+sys) and peak (maximum RSS) of the child, process start included")
	if r.ours {
		fmt.Fprintln(r.w, "ours: site build (minified layouts, CSS and JS)")
	}
	if r.hugo {
		fmt.Fprintf(r.w, "hugo: %s, without --minify: like ours it minifies CSS and JS, not each page; empty HUGO_CACHEDIR each run\n", hugoVersion)
	}
	fmt.Fprintf(r.w, "targets (issue 2): hugo/ours time >= %.0fx, ours/hugo peak <= %.2f; real site < %v\n", targetSpeedup, targetMemory, targetReal)
	r.load("at start")
	fmt.Fprintln(r.w, "CPU is user+sys; user is the generator's own work, sys mostly the kernel creating files; write floor:")
	fmt.Fprintln(r.w, "creating our output's folders and files one by one, without generating them (both generators pay it)")
	fmt.Fprintf(r.w, "\n%10s %6s | %-33s | %-33s | %-25s | %-9s | %s\n", "", "", "ours", "hugo", "hugo/ours", "ours/hugo", "write")
	fmt.Fprintf(r.w, "%10s %6s | %8s %7s %7s %8s | %8s %7s %7s %8s | %11s %6s %6s | %9s | %8s\n",
		"pages/lang", "pages", "wall ms", "ms/page", "CPU s", "peak MiB", "wall ms", "ms/page", "CPU s", "peak MiB", "wall", "CPU", "user", "peak", "floor ms")
}

// load prints the load average: a busy machine makes wall times unreliable
// (the CPU times hold up better).
func (r report) load(when string) {
	if l := load(); l != "" {
		fmt.Fprintf(r.w, "load average (1 min) %s: %s on %d CPUs\n", when, l, runtime.NumCPU())
	}
}

func (r report) row(res result) {
	pages := 3 * res.perLang
	fmt.Fprintf(r.w, "%10d %6d | %s | %s | ", res.perLang, pages, r.cells(r.ours, res.ours, pages), r.cells(r.hugo, res.hugo, pages))
	floor := "-"
	if r.ours {
		floor = fmt.Sprintf("%.0f", float64(res.floor)/float64(time.Millisecond))
	}
	if !r.ours || !r.hugo {
		fmt.Fprintf(r.w, "%11s %6s %6s | %9s | %8s\n", "-", "-", "-", "-", floor)
		return
	}
	speedup := float64(res.hugo.wall) / float64(res.ours.wall)
	cpu := float64(res.hugo.cpu) / float64(res.ours.cpu)
	user := float64(res.hugo.user) / float64(res.ours.user)
	memory := float64(res.ours.rss) / float64(res.hugo.rss)
	fmt.Fprintf(r.w, "%6.1fx %-3s %5.1fx %5.1fx | %5.2f %-3s | %8s\n", speedup, mark(speedup >= targetSpeedup), cpu, user, memory, mark(memory <= targetMemory), floor)
	fmt.Fprintf(r.w, "%17s   goldmark alone on this corpus: %s CPU on one thread; Hugo's user CPU is %.1fx that, the most a goldmark-based generator can gain\n",
		"", ms(res.markdown), float64(res.hugo.user)/float64(res.markdown))
}

func (r report) cells(ran bool, f figures, pages int) string {
	if !ran {
		return fmt.Sprintf("%8s %7s %7s %8s", "-", "-", "-", "-")
	}
	wall := float64(f.wall) / float64(time.Millisecond)
	return fmt.Sprintf("%8.0f %7.3f %7.2f %8.1f", wall, wall/float64(pages), f.cpu.Seconds(), float64(f.rss)/(1<<20))
}

func (r report) real(runs int, f realFigures) {
	fmt.Fprintf(r.w, "\nreal site (this repository, %d pages besides the 404s and the language chooser): site build median %s (CPU %s) over %d runs, peak %s, process start included; < %v: %s\n",
		f.build.pages, ms(f.build.wall), ms(f.build.cpu), runs, mib(f.build.rss), targetReal, verdict(f.build.wall < targetReal))
	fmt.Fprintf(r.w, "started alone, building nothing (medians, same runs): goldmark, html/template, yaml.v3 and minify linked (startfloor) %s; site build -h %s\n",
		ms(f.floor), ms(f.start))
}

// mark flags a missed target in a table cell.
func mark(ok bool) string {
	if ok {
		return "ok"
	}
	return "NO"
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}
