package bench

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// sample is one measured child process.
type sample struct {
	wall time.Duration
	cpu  time.Duration // user + system time: what the build cost, even on a busy machine
	rss  int64         // peak resident set size, bytes
}

// measure runs bin as a child process and takes its wall time, process
// start included, and its peak RSS as the kernel accounted it. Dirty pages
// of the previous run are flushed first so that no run pays for another's
// writes.
func measure(env []string, bin string, args ...string) (sample, error) {
	flush()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, tail(out.String(), 2000))
	}
	ps := cmd.ProcessState
	return sample{wall: wall, cpu: ps.UserTime() + ps.SystemTime(), rss: peakRSS(ps)}, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// summarize gives the medians of the samples' wall times, CPU times and
// peaks. (A small build's peak varies with when the collector ran; the
// median keeps one such run from speaking for all.)
func summarize(ss []sample) figures {
	walls, cpus, rss := make([]int64, len(ss)), make([]int64, len(ss)), make([]int64, len(ss))
	for i, s := range ss {
		walls[i], cpus[i], rss[i] = int64(s.wall), int64(s.cpu), s.rss
	}
	return figures{wall: time.Duration(median(walls)), cpu: time.Duration(median(cpus)), rss: median(rss)}
}

func median(xs []int64) int64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// output counts the pages (index.html) a build wrote under each language
// and the bytes of all its HTML, so that a generator that silently skipped
// pages cannot look fast.
func output(dir string) (pages map[string]int, htmlBytes int64, err error) {
	pages = map[string]int{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		htmlBytes += info.Size()
		if rel, _ := filepath.Rel(dir, path); d.Name() == "index.html" {
			pages[strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]]++
		}
		return nil
	})
	return pages, htmlBytes, err
}

// load is the 1-minute load average ("" where unknown): wall times taken
// while other work competes for the CPUs say little.
func load() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	avg, _, _ := strings.Cut(string(b), " ")
	return avg
}
