// Package bench is `site bench`: it builds a synthetic multilingual corpus in
// our content format with our generator and with Hugo, alternating runs of
// the two as child processes, and prints wall time, time per page and peak
// memory of each and their ratios, plus the time to build the real site.
package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// options are the command's flags.
type options struct {
	sizes []int  // pages per language
	runs  int    // runs of each generator per size
	real  int    // runs of the real site build
	keep  string // work directory to keep; "" means a temporary one
	hugo  string // Hugo binary; "" means the pinned one
	site  string // our binary; "" means build ./cmd/site
	only  string // "", "ours" or "hugo"
	seed  uint64
}

// Run runs the benchmark with the given command-line flags.
func Run(args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	repo, err := repoRoot()
	if err != nil {
		return err
	}
	work := o.keep
	if work == "" {
		if work, err = WorkDir(repo); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	b := &bench{options: o, work: work, log: stderr}
	if o.only != "hugo" {
		if b.ours = o.site; b.ours == "" {
			if b.ours, err = buildStatic(repo, filepath.Join(work, "bin"), "cmd/site", stderr); err != nil {
				return err
			}
		}
	}
	if o.only != "ours" {
		if b.hugo, err = hugoBinary(o.hugo, repo, stderr); err != nil {
			return err
		}
		if b.hugoVersion, err = version(b.hugo); err != nil {
			return err
		}
	}
	r := report{w: stdout, ours: b.ours != "", hugo: b.hugo != ""}
	r.header(o, b.hugoVersion)
	// The real site goes first and nothing is deleted until the end: on a
	// disk without a journal (ours in CI), ext4 skips inodes freed in the
	// last five minutes when it allocates new ones, one by one, so every
	// file created after a mass deletion costs more, and the figures would
	// depend on what ran before.
	var realRes realFigures
	if b.ours != "" && o.real > 0 {
		if b.floor, err = buildStatic(repo, filepath.Join(work, "bin"), floorPkg, stderr); err != nil {
			return err
		}
		if realRes, err = b.realSite(repo); err != nil {
			return fmt.Errorf("real site: %w", err)
		}
	}
	for _, n := range o.sizes {
		res, err := b.size(repo, n)
		if err != nil {
			return fmt.Errorf("%d pages per language: %w", n, err)
		}
		r.row(res)
	}
	if b.ours != "" && o.real > 0 {
		r.real(o.real, realRes)
	}
	r.load("at end")
	return nil
}

// WorkDir makes a new folder for a benchmark's corpora and outputs under
// the repository's .bench/, where a real build writes, rather than in /tmp,
// where tests create and delete many files: on a disk without a journal,
// ext4 makes every file created near files deleted in the last five minutes
// cost several times more.
func WorkDir(repo string) (string, error) {
	dir := filepath.Join(repo, ".bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(dir, "run-")
}

func parse(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("site bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "10,1000,10000", "corpus sizes, in pages per language, comma-separated")
	runs := fs.Int("runs", 3, "runs of each generator per size (the table shows the median)")
	real := fs.Int("real", 20, "`runs` of site build on this repository's own site (0: skip)")
	keep := fs.String("keep", "", "keep the corpora and every output in this `dir`")
	hugo := fs.String("hugo", "", "Hugo binary `path` (default: the version pinned in "+hugoTool+", built and cached)")
	site := fs.String("site", "", "our generator's binary `path` (default: go build ./cmd/site)")
	only := fs.String("only", "", "run only `ours` or only `hugo`")
	seed := fs.Uint64("seed", 1, "seed of the synthetic corpus")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	o := options{runs: *runs, real: *real, keep: *keep, hugo: *hugo, site: *site, only: *only, seed: *seed}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	for s := range strings.SplitSeq(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 {
			return o, fmt.Errorf("bench: -sizes: %q is not a number of pages of at least 2 (the home page and the policy)", s)
		}
		o.sizes = append(o.sizes, n)
	}
	switch {
	case o.runs < 1:
		return o, errors.New("bench: -runs must be at least 1")
	case o.only != "" && o.only != "ours" && o.only != "hugo":
		return o, fmt.Errorf("bench: -only %q: want ours or hugo", o.only)
	}
	return o, nil
}
