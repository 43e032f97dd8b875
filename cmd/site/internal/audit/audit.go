// Package audit checks a site against its cookie declaration
// (content/data/cookies.yaml) in headless Chromium. For each start URL it
// loads the pages in fresh profiles, one per phase of consent: no choice,
// Reject all, each optional category alone and then Accept all, and Global
// Privacy Control on. It records every cookie (HttpOnly ones included),
// Set-Cookie header, storage entry and third-party host, and reports, with
// a stable kind, where they differ from what the declaration promises.
// README.md describes the phases, the kinds and the report's JSON.
package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"pelqim/cmd/site/internal/site"
)

// Options say what to audit and how.
type Options struct {
	Src      string   // the site source whose declaration is compared
	URLs     []string // start URLs
	MaxPages int      // pages per start URL, found by following links
	// Seed, when not 0, shuffles the links of each page before they are
	// followed: another sample of a large shop, the same for the same seed.
	// With 0 they are followed in document order.
	Seed   uint64
	Phases []Phase
	// PageTimeout bounds a page's load and settling.
	PageTimeout time.Duration
	// Quiet is how long the network must be idle for a page to be settled.
	Quiet    time.Duration
	Parallel int // passes at once
	// Chromium is the browser's path; Flags are added to its command line
	// (the tests map host names to loopback addresses).
	Chromium string
	Flags    map[string]any
	Lang     string // of the declared texts in the report; the site's default when ""
	// Own are hosts or URLs of the store's own besides the configured
	// site and origins (a staging copy, a test server): never a third party.
	Own      []string
	Progress io.Writer // a line per page, or nil
}

// ErrBrowser is the error of an audit that could not drive the browser.
var ErrBrowser = errors.New("browser")

// Run audits. It returns an error only when it could not audit at all
// (the declaration is broken, the browser does not start); what went
// wrong with a page is a problem in the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	start := time.Now()
	o.PageTimeout = cmp.Or(o.PageTimeout, 20*time.Second)
	o.Quiet = cmp.Or(o.Quiet, 300*time.Millisecond)
	o.Parallel, o.MaxPages = max(o.Parallel, 1), max(o.MaxPages, 1)
	s, err := site.Load(o.Src, site.Options{})
	if err != nil {
		return nil, err
	}
	lang := o.Lang
	if lang == "" {
		lang = s.Content.Config.DefaultLanguage
	}
	declared, err := declaration(s, lang)
	if err != nil {
		return nil, err
	}
	var required []string
	for _, c := range s.Content.Data.Categories {
		if c.Required {
			required = append(required, c.ID)
		}
	}
	b, err := startBrowser(ctx, o)
	if err != nil {
		return nil, err
	}
	defer b.close()

	r := &Report{Version: 1, Started: start.UTC(), Source: o.Src, Seed: o.Seed, Declared: declared, Lang: lang}
	a := &auditor{o: o, b: b, required: required, report: r, optional: optional(s), own: map[string]bool{}}
	// The privacy site and the shop are the store's own, whatever domain
	// each is on: the shop loading the banner is no third party.
	for _, u := range append(append([]string{s.Content.Config.BaseURL}, s.Content.Config.Consent.Origins...), o.Own...) {
		a.own[siteOf(hostOf(u))] = true
	}
	a.progress.w = o.Progress
	if f, ok := o.Progress.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			a.progress.tty = true
		}
	}
	for _, u := range o.URLs {
		r.Targets = append(r.Targets, &Target{URL: u})
	}
	// Phase none first, for it finds the pages the others load; the
	// passes then run side by side, each in a profile of its own.
	a.each(r.Targets, func(t *Target) []*Pass { return []*Pass{{Phase: None}} })
	a.each(r.Targets, func(t *Target) []*Pass {
		if !t.Banner || len(t.Pages) == 0 {
			return nil
		}
		var ps []*Pass
		for _, ph := range o.Phases {
			switch ph {
			case Reject:
				ps = append(ps, &Pass{Phase: Reject})
			case Accept:
				for _, c := range a.optional {
					ps = append(ps, &Pass{Phase: Accept, Grant: c})
				}
				ps = append(ps, &Pass{Phase: Accept, Grant: "all"})
			case GPC:
				ps = append(ps, &Pass{Phase: GPC, GPC: true})
			}
		}
		return ps
	})
	if err := b.err(); err != nil {
		return nil, err
	}
	a.progress.done()
	r.Findings = append([]Finding{}, Compare(r.Targets, declared, required)...)
	r.Problems = a.problemLines()
	for _, t := range r.Targets {
		t.Pages = append([]string{}, t.Pages...)
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

func optional(s *site.Site) []string {
	var ids []string
	for _, c := range s.Content.Data.Categories {
		if !c.Required {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// declaration reads the declared cookies with their texts in lang.
func declaration(s *site.Site, lang string) ([]Declared, error) {
	cs, err := s.Cookies(lang, "")
	if err != nil {
		return nil, err
	}
	ds := make([]Declared, len(cs))
	for i, c := range cs {
		ds[i] = Declared{Name: c.Name, Kind: c.Kind, Category: c.Category, Domain: c.Domain, Recipient: c.Recipient,
			Lifetime: c.Lifetime, Duration: c.Duration[lang], Purpose: c.Purpose[lang], Confirmed: c.Confirmed, Line: c.Line}
	}
	return ds, nil
}

type auditor struct {
	o        Options
	b        *browser
	required []string
	optional []string
	own      map[string]bool // sites never third parties
	report   *Report
	mu       sync.Mutex          // guards problems and lines
	problems map[string][]string // line → the passes it happened in
	lines    []string            // the problems in the order they came
	progress progress
}

// each runs the passes passes(t) of every target, o.Parallel at a time,
// and adds them to their targets in the order listed.
func (a *auditor) each(ts []*Target, passes func(*Target) []*Pass) {
	type job struct {
		t *Target
		p *Pass
	}
	var jobs []job
	for _, t := range ts {
		for _, p := range passes(t) {
			jobs = append(jobs, job{t, p})
			t.Passes = append(t.Passes, p)
		}
	}
	sem := make(chan struct{}, a.o.Parallel)
	var wg sync.WaitGroup
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			a.run(j.t, j.p)
			a.progress.pass(j.t, j.p)
		})
	}
	wg.Wait()
}

// problem notes what could not be audited on page u in pass p; the same
// trouble in several passes is one line that names them.
func (a *auditor) problem(u string, p *Pass, format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	line := u + ": " + fmt.Sprintf(format, args...)
	if a.problems == nil {
		a.problems = map[string][]string{}
	}
	if _, ok := a.problems[line]; !ok {
		a.lines = append(a.lines, line)
	}
	a.problems[line] = append(a.problems[line], p.Name())
}

// problemLines are the problems as the report has them.
func (a *auditor) problemLines() []string {
	out := []string{}
	for _, l := range a.lines {
		ps := a.problems[l]
		slices.Sort(ps)
		out = append(out, fmt.Sprintf("%s (phase %s)", l, strings.Join(ps, ", ")))
	}
	return out
}

// run makes one pass over a target's pages in a fresh profile.
func (a *auditor) run(t *Target, p *Pass) {
	start := time.Now()
	defer func() { p.Seconds = time.Since(start).Seconds() }()
	tab, err := a.b.tab(p.GPC, a.own)
	if err != nil {
		a.b.fail(err)
		return
	}
	defer tab.close()
	defer tab.finish(p) // however the pass ends
	p.Granted = slices.Clone(a.required)
	p.first = map[string]int{}
	pages := t.Pages
	if p.Phase == None {
		pages = []string{t.URL}
	}
	host := ""
	var rnd *rand.Rand
	if a.o.Seed != 0 {
		rnd = rand.New(rand.NewPCG(a.o.Seed, 0))
	}
	for i := 0; i < len(pages) && i < a.o.MaxPages; i++ {
		u := pages[i]
		v, links := tab.visit(a.o, u, p)
		p.Visits = append(p.Visits, v)
		a.progress.page(p, u)
		if v.Error != "" {
			a.problem(u, p, "%s", cmp.Or(v.problem, v.Error))
			if v.Status == 0 && i == 0 && p.Phase == None {
				return // the start URL did not load: nothing to audit
			}
			if v.Status == 0 {
				continue
			}
		}
		if i == 0 {
			if host == "" {
				host = hostOf(v.URL)
			}
			if p.Phase == None {
				t.Banner = tab.hasBanner()
				if !t.Banner {
					a.problem(u, p, "no banner of ours on this page: only phase none ran")
				}
			}
			if t.Banner {
				p.Screenshot = tab.bannerShot()
				if p.Phase != None {
					if err := tab.choose(p); err != nil {
						a.problem(u, p, "%v", err)
						return
					}
					p.Granted = tab.granted(a.required)
					tab.settle(a.o)
				}
			}
		}
		if err := tab.collect(p, u); err != nil {
			a.problem(u, p, "%v", err)
		}
		if p.Phase == None {
			if rnd != nil {
				rnd.Shuffle(len(links), func(i, j int) { links[i], links[j] = links[j], links[i] })
			}
			for _, l := range links {
				if hostOf(l) == host && !slices.Contains(pages, l) {
					pages = append(pages, l)
				}
			}
		}
	}
	if p.Phase == None {
		t.Pages = pages[:min(len(pages), a.o.MaxPages)]
	}
}

// hostOf is the host of a URL, or of a cookie's domain (".example.com").
func hostOf(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return strings.TrimPrefix(s, ".")
}

// progress tells, while the audit runs, how far it is: on a terminal one
// line rewritten per page, elsewhere (CI logs) a line per pass.
type progress struct {
	w      io.Writer
	tty    bool
	mu     sync.Mutex
	pages  int
	passes int
}

func (pr *progress) page(p *Pass, u string) {
	if pr.w == nil {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.pages++
	if pr.tty {
		fmt.Fprintf(pr.w, "\raudit: %d pages · %s %s\x1b[K", pr.pages, p.Name(), u)
	}
}

func (pr *progress) pass(t *Target, p *Pass) {
	if pr.w == nil {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.passes++
	if !pr.tty {
		fmt.Fprintf(pr.w, "audit: %s %s: %d pages\n", t.URL, p.Name(), len(p.Visits))
	}
}

func (pr *progress) done() {
	if pr.w != nil && pr.tty {
		fmt.Fprintf(pr.w, "\raudit: %d pages in %d passes\x1b[K\n", pr.pages, pr.passes)
	}
}
