package bench

import (
	"bytes"
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// sample is one measured child process.
type sample struct {
	wall time.Duration
	rss  int64 // peak resident set size, bytes
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
	return sample{wall: wall, rss: peakRSS(cmd.ProcessState)}, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// median of the walls and the highest peak of the samples.
func summarize(ss []sample) (wall time.Duration, rss int64) {
	walls := make([]time.Duration, len(ss))
	for i, s := range ss {
		walls[i] = s.wall
		rss = max(rss, s.rss)
	}
	slices.Sort(walls)
	n := len(walls)
	if n%2 == 1 {
		return walls[n/2], rss
	}
	return (walls[n/2-1] + walls[n/2]) / 2, rss
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
