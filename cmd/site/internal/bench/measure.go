package bench

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"pelqim/cmd/site/internal/markdown"
	"pelqim/cmd/site/internal/rawfile"
	"pelqim/cmd/site/internal/source"
)

// sample is one measured child process.
type sample struct {
	wall time.Duration
	cpu  time.Duration // user + system time: what the build cost, even on a busy machine
	user time.Duration // user time alone: the generator's own work, without the kernel's
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
	return sample{wall: wall, cpu: ps.UserTime() + ps.SystemTime(), user: ps.UserTime(), rss: peakRSS(ps)}, nil
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
	walls, cpus, users, rss := make([]int64, len(ss)), make([]int64, len(ss)), make([]int64, len(ss)), make([]int64, len(ss))
	for i, s := range ss {
		walls[i], cpus[i], users[i], rss[i] = int64(s.wall), int64(s.cpu), int64(s.user), s.rss
	}
	return figures{wall: time.Duration(median(walls)), cpu: time.Duration(median(cpus)), user: time.Duration(median(users)), rss: median(rss)}
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

// writeFloor times creating out's folders and files anew, one after
// another, in a scratch folder beside it: the kernel's share of any build
// that writes this output, which no generator can go below. On some disks
// it is most of the build.
func writeFloor(out string) (time.Duration, error) {
	type file struct {
		rel  string
		size int64
	}
	var files []file
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		files = append(files, file{rel, info.Size()})
		return nil
	})
	if err != nil {
		return 0, err
	}
	scratch := out + "-floor" // removed with the work folder, at the end
	flush()
	start := time.Now()
	made := map[string]bool{}
	buf := make([]byte, 64<<10)
	for _, f := range files {
		path := filepath.Join(scratch, f.rel)
		if dir := filepath.Dir(path); !made[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return 0, err
			}
			made[dir] = true
		}
		if int64(len(buf)) < f.size {
			buf = make([]byte, f.size)
		}
		if err := rawfile.Write(path, buf[:f.size], 0o644); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// markdownFloor is the CPU time of rendering every page's Markdown with
// goldmark as our pages configure it, and nothing else, on one thread
// (garbage collection on other threads not counted): no goldmark-based
// generator spends less CPU than this.
func markdownFloor(c corpus) (time.Duration, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	md := markdown.Goldmark()
	var total time.Duration
	var buf bytes.Buffer
	err := c.each(func(rel string, data []byte) error {
		p, err := source.ParsePage("content/"+rel, "", data)
		if err != nil {
			return err
		}
		buf.Reset()
		start := threadCPU()
		err = md.Convert(p.Body, &buf)
		total += threadCPU() - start
		return err
	})
	return total, err
}
