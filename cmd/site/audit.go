package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"pelqim/cmd/site/internal/audit"
	"pelqim/content"
)

// errFindings is the error of an audit that ran and found what the
// declaration does not say: exit 1, the report already written.
var errFindings = errors.New("the audit found differences from the declaration")

func runAudit(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit", stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: site audit [flags] URL...\n\nChecks the pages at each URL against content/data/cookies.yaml in headless Chromium (cmd/site/internal/audit/README.md).\nExit 0: clean (declared_not_seen warnings allowed); 1: findings or pages that could not be audited; 2: usage or browser errors.\n\n")
		fs.PrintDefaults()
	}
	src := fs.String("src", ".", "site source `dir` whose declaration is compared")
	jsonOut := fs.String("json", "", "write every observation and finding as JSON to `file`")
	htmlOut := fs.String("html", "", "write the report for the DPO as HTML to `file`")
	maxPages := fs.Int("max-pages", 25, "pages per start URL, found by following its links")
	phases := fs.String("phases", "none,reject,accept,gpc", "`list` of phases to run")
	timeout := fs.Duration("timeout", 20*time.Second, "time a page has to load and settle")
	quiet := fs.Duration("quiet", 300*time.Millisecond, "network silence after which a page is settled")
	parallel := fs.Int("parallel", 3, "passes run at once, each a browser profile")
	seed := fs.Uint64("seed", 0, "follow each page's links in an order shuffled by `n` (0: document order): another sample of a large shop, the same for the same n")
	own := fs.String("own", "", "comma-separated `hosts` that are the store's own, besides the configured site and shop (a staging copy)")
	lang := fs.String("lang", "", "language of the declared texts in the reports (default: the site's)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	o := audit.Options{Src: *src, MaxPages: *maxPages, PageTimeout: *timeout, Quiet: *quiet, Parallel: *parallel, Lang: *lang, Seed: *seed, Progress: stderr}
	if *own != "" {
		o.Own = strings.Split(*own, ",")
	}
	bad := func(format string, args ...any) error {
		fmt.Fprintf(stderr, "site audit: "+format+"\n", args...)
		return errUsage
	}
	if fs.NArg() == 0 {
		return bad("give at least one URL to audit")
	}
	for _, u := range fs.Args() {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return bad("%q is not an http or https URL", u)
		}
		o.URLs = append(o.URLs, u)
	}
	for _, ph := range strings.Split(*phases, ",") {
		found := false
		for _, known := range audit.Phases {
			if string(known) == strings.TrimSpace(ph) {
				o.Phases, found = append(o.Phases, known), true
			}
		}
		if !found {
			return bad("unknown phase %q: the phases are %v", ph, audit.Phases)
		}
	}
	if *maxPages < 1 || *parallel < 1 || *timeout <= 0 || *quiet <= 0 {
		return bad("-max-pages and -parallel must be at least 1, -timeout and -quiet above 0")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := audit.Run(ctx, o)
	if errors.Is(err, audit.ErrBrowser) {
		fmt.Fprintln(stderr, "site audit:", err)
		return errUsage
	}
	if err != nil {
		return err
	}
	for _, out := range []struct {
		file  string
		write func(io.Writer) error
	}{{*jsonOut, r.WriteJSON}, {*htmlOut, r.WriteHTML}} {
		if out.file == "" {
			continue
		}
		if err := writeFile(out.file, out.write); err != nil {
			return content.Errorf(out.file, 0, "%v", err)
		}
	}
	if err := r.WriteText(stdout); err != nil {
		return err
	}
	if r.Failed() {
		return errFindings
	}
	return nil
}

// writeFile writes a report whole or not at all.
func writeFile(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".audit-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
