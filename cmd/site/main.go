// Command site builds, checks, serves and benchmarks the pelqim site.
//
//	site build [-src DIR] [-out DIR] [-baseURL URL]
//	site check [-src DIR]
//	site serve [-src DIR] [-addr HOST:PORT] [-data DIR]
//	site generate [-src DIR]
//	site audit [flags] URL...
//	site bench [flags]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"

	"pelqim/cmd/site/internal/bench"
	"pelqim/cmd/site/internal/check"
	"pelqim/cmd/site/internal/generate"
	"pelqim/cmd/site/internal/site"
	"pelqim/content"
)

const usage = `usage: site <command> [flags]

commands:
  build   render the site into -out (default public)
  check   report broken links, missing translations and bad input
  serve   build, serve and rebuild on change, with the API at /api/
  generate  write the Go copies of the facts the consent function needs
  audit   check pages against the cookie declaration in a real browser
  bench   compare build speed and memory with Hugo

Run "site <command> -h" for the flags of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) error{
		"build":    build,
		"check":    runCheck,
		"serve":    runServe,
		"generate": runGenerate,
		"audit":    runAudit,
		"bench":    bench.Run,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "site: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	err := cmd(args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errFindings):
		return 1
	}
	for _, e := range content.List(err) {
		fmt.Fprintln(stderr, e)
	}
	return 1
}

var errUsage = errors.New("usage")

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("site "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}

func build(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", stderr)
	src := fs.String("src", ".", "site source `dir` (holds content/ and themes/)")
	out := fs.String("out", "public", "output `dir`")
	base := fs.String("baseURL", "", "publish under this absolute `URL` instead of the configured one")
	if err := parse(fs, args); err != nil {
		return err
	}
	tuneGC(*src)
	st, err := site.Build(*src, *out, site.Options{BaseURL: *base})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "built %d files into %s (%d written, %d unchanged)\n", st.Files, *out, st.Written, st.Kept)
	return nil
}

func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	src := fs.String("src", ".", "site source `dir`")
	release := fs.Bool("release", false, "refuse, as the deploy does, what the store has not confirmed in the privacy notice and the cookie list")
	if err := parse(fs, args); err != nil {
		return err
	}
	r, err := check.Run(*src)
	if err != nil {
		return err
	}
	if *release && len(r.Unconfirmed) > 0 {
		return content.Errors(r.Unconfirmed)
	}
	for _, w := range r.Unconfirmed {
		fmt.Fprintln(stderr, w)
	}
	fmt.Fprintf(stdout, "checked %d pages: no problems", r.Pages)
	if n := len(r.Unconfirmed); n > 0 {
		fmt.Fprintf(stdout, "; %d facts the store has not confirmed (listed above: a release refuses them)", n)
	}
	fmt.Fprintln(stdout)
	return nil
}

func runGenerate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("generate", stderr)
	src := fs.String("src", ".", "repository `dir`")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := site.Load(*src, site.Options{})
	if err != nil {
		return err
	}
	files, err := generate.Files(s)
	if err != nil {
		return err
	}
	if err := generate.Write(*src, files); err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(stdout, "wrote", f.Path)
	}
	return nil
}

// A build allocates much and keeps little. For a small site (the real one
// is a few hundred KB of Markdown) garbage collection only costs time, about
// a third of the build, and the heap stays far below smallSiteHeap; so it
// is off there, with smallSiteHeap as the limit where it starts after all.
// Larger sites keep the runtime's usual pacing, which keeps their peak
// memory proportional to the site.
const (
	smallSite     = 4 << 20  // bytes of content/
	smallSiteHeap = 64 << 20 // bytes
)

func tuneGC(src string) {
	var size int64
	filepath.WalkDir(filepath.Join(src, "content"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
		}
		if size > smallSite {
			return filepath.SkipAll
		}
		return nil
	})
	if size <= smallSite && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(smallSiteHeap)
	}
}
