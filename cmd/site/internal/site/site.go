// Package site builds the static site: it joins the loaded content with the
// theme, renders every page through its layout, and writes the result
// together with the assets, the sitemap and robots.txt.
//
// Every output names the source files it was made from (Output.Deps), so
// that a live preview can re-render only what an edit affects.
package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"pelqim/cmd/site/internal/markdown"
	"pelqim/cmd/site/internal/outdir"
	"pelqim/cmd/site/internal/source"
	"pelqim/cmd/site/internal/theme"
	"pelqim/content"
	"pelqim/content/schema"
)

// Options tune a build.
type Options struct {
	// BaseURL overrides the configured base URL (canonical and hreflang links).
	BaseURL string
	// Scripts are extra script URLs added to every page; the live preview
	// adds its reload client this way, so it never reaches a real build.
	Scripts []string
}

// Site is a loaded site, ready to render.
type Site struct {
	Content *source.Content
	Theme   *theme.Theme
	Options Options
	base    string // the base URL without its trailing slash

	// shared holds the partials that are the same on every page of a
	// language (see View.Shared), rendered once per render pass.
	shared sync.Map
	// written holds the buffers of pages Write has written, for the
	// pages it renders next: a page's buffer is most of what rendering it
	// allocates, and fresh memory costs a page fault every 4 KB.
	written sync.Pool
}

// Load reads the content and the theme under root. The theme needs only
// the languages, so it loads while the pages do.
func Load(root string, opts Options) (*Site, error) {
	var (
		wg        sync.WaitGroup
		t         *theme.Theme
		themeErr  error
		langs     []string
		cfg, lerr = schema.ReadConfig(root)
	)
	if cfg != nil {
		langs = cfg.Langs()
	}
	if langs != nil {
		wg.Go(func() { t, themeErr = theme.Load(root, schema.ThemeDir, langs) })
	}
	c, err := source.Load(root)
	wg.Wait()
	if err != nil {
		// With the theme's: a new language's missing strings are said
		// with its missing pages.
		return nil, content.Errors(append(content.List(err), content.List(themeErr)...)).Err()
	}
	if lerr != nil || !slices.Equal(langs, c.Langs()) { // changed in between
		return New(root, c, opts)
	}
	if themeErr != nil {
		return nil, themeErr
	}
	return join(c, t, opts)
}

// New joins already-loaded content with the theme under root.
func New(root string, c *source.Content, opts Options) (*Site, error) {
	t, err := theme.Load(root, schema.ThemeDir, c.Langs())
	if err != nil {
		return nil, err
	}
	return join(c, t, opts)
}

func join(c *source.Content, t *theme.Theme, opts Options) (*Site, error) {
	s := &Site{Content: c, Theme: t, Options: opts}
	if err := s.SetBaseURL(opts.BaseURL); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Validate reports what content and theme cannot make a site of together:
// a page whose layout the theme lacks, no language chooser (without its
// layout, the root page would be base.html with nothing in it), or no
// privacy policy, whose version every consent record carries (the consent
// API refuses a choice without one). The live preview calls it after
// changing the pages of a loaded site.
func (s *Site) Validate() error {
	if !s.Theme.Layouts.Has("chooser") {
		return content.Errorf(schema.ThemeDir+"/layouts", 0, "the theme has no chooser.html: the layout of the root page, where visitors choose their language")
	}
	for _, p := range s.Content.Pages {
		if !s.Theme.Layouts.Has(p.Layout) {
			return content.Errorf(p.File, p.Line("layout"), "layout %q: the theme has no %s/layouts/%s.html", p.Layout, schema.ThemeDir, p.Layout)
		}
	}
	if s.Content.PolicyVersion == "" {
		return content.Errorf("content/"+s.Content.Config.DefaultLanguage, 0,
			"no privacy policy (a page with translationKey %s, not a draft): consent cannot be recorded without its version", source.PolicyKey)
	}
	return nil
}

// SetBaseURL sets the absolute URL the site is published under ("" keeps
// the configured one).
func (s *Site) SetBaseURL(raw string) error {
	if raw == "" {
		raw = s.Content.Config.BaseURL
	}
	u, err := schema.ParseBaseURL(raw)
	if err != nil {
		return fmt.Errorf("base URL: %w", err)
	}
	s.base = strings.TrimSuffix(u.String(), "/")
	return nil
}

// Abs makes a root-relative URL absolute under the base URL.
func (s *Site) Abs(rel string) string {
	return s.base + rel
}

// Output is one file of the built site.
type Output struct {
	Path string       // relative to the output root, slash-separated
	Page *source.Page // the page it renders, if any
	// Deps are the source files (relative to the root) it was made from.
	// "*" means everything: configuration, theme, the policy version.
	Deps []string
	// BodyDeps are the Deps whose Markdown body it shows, as text or as the
	// policy version; of the others it shows only front matter (titles,
	// addresses, dates). An edit that leaves a page's front matter as it was
	// can change only the outputs that list the page here.
	BodyDeps []string
	render   func() ([]byte, *markdown.Doc, error)
}

// Render produces the output's bytes.
func (o *Output) Render() ([]byte, error) {
	b, _, err := o.render()
	return b, err
}

// RenderDoc is Render that also returns a page's rendered Markdown, whose
// headings and links know their lines in the source (nil for the rest).
func (o *Output) RenderDoc() ([]byte, *markdown.Doc, error) { return o.render() }

// noDoc adapts the render of an output that is not a page.
func noDoc(render func() ([]byte, error)) func() ([]byte, *markdown.Doc, error) {
	return func() ([]byte, *markdown.Doc, error) {
		b, err := render()
		return b, nil, err
	}
}

// Outputs lists every file of the site, in a fixed order.
// Each call starts a render pass: what the outputs share is rendered anew.
func (s *Site) Outputs() []*Output {
	s.shared.Clear()
	var outs []*Output
	var policy []string
	if pol := s.policy(); pol != nil {
		policy = []string{pol.File}
	}
	every := slices.Clip(s.filesWhere(func(*source.Page) bool { return true }))
	deps := s.depsOf(every)
	for _, p := range s.Content.Pages {
		body := []string{p.File}
		if len(policy) > 0 && policy[0] != p.File {
			body = append(body, policy...)
		}
		outs = append(outs, &Output{Path: p.OutputPath(), Page: p, Deps: deps(p), BodyDeps: body, render: func() ([]byte, *markdown.Doc, error) { return s.renderPage(p) }})
	}
	// The chooser is drawn like the default language's home page (menu,
	// footer, banner), which is what it depends on.
	chooser := s.filesWhere(func(p *source.Page) bool { return p.Layout == "home" })
	if home := s.Content.Page(s.Content.Config.DefaultLanguage, "home"); home != nil {
		chooser = deps(home)
	}
	outs = append(outs,
		&Output{Path: "index.html", Deps: chooser, BodyDeps: policy, render: noDoc(s.renderChooser)},
		&Output{Path: "sitemap.xml", Deps: every, render: noDoc(s.sitemap)},
		&Output{Path: "robots.txt", render: noDoc(s.robots)},
	)
	// The shop's tag and the files of each language it loads. Their names
	// come from their contents, so they are made here; an error is the
	// tag's to report. The tag names the policy's version; the banner
	// links to a page, like any page's.
	if tag, files, err := s.embed(); tag != nil || err != nil {
		outs = append(outs, &Output{Path: EmbedPath, Deps: every, BodyDeps: policy, render: func() ([]byte, *markdown.Doc, error) { return tag, nil, err }})
		for _, path := range slices.Sorted(maps.Keys(files)) {
			outs = append(outs, &Output{Path: path, Deps: every, render: func() ([]byte, *markdown.Doc, error) { return files[path], nil, nil }})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Theme.Assets)) {
		a := s.Theme.Assets[name]
		outs = append(outs, &Output{Path: strings.TrimPrefix(a.URL, "/"), render: func() ([]byte, *markdown.Doc, error) { return a.Data, nil, nil }})
	}
	return outs
}

// depsOf returns the function that lists what a page depends on: its own
// text, its translations and the home pages it links to, the menu in its
// language, the pages the layouts name (the footer's, the banner's), and
// (home) every page of its language. Data files, the theme and the
// configuration affect every page; the live preview treats those as "*".
// every is all page files: what a page depends on when the layouts may
// link to any page, shared by all pages, so the outputs stay linear in
// the number of pages.
func (s *Site) depsOf(every []string) func(*source.Page) []string {
	if s.Theme.LinksAnyPage {
		return func(*source.Page) []string { return every }
	}
	keys := slices.Concat(s.Content.Config.Menu, s.Theme.LinkedKeys)
	pol := s.policy()
	return func(p *source.Page) []string {
		deps := []string{p.File}
		for _, t := range s.Content.Translations(p) {
			if t != p {
				deps = append(deps, t.File)
			}
		}
		if p.Layout == "home" {
			deps = append(deps, s.filesWhere(func(q *source.Page) bool { return q.Lang == p.Lang && q != p })...)
		} else {
			// Looked up by key, not by scanning every page.
			for _, key := range keys {
				if q := s.Content.Page(p.Lang, key); q != nil && q != p && !slices.Contains(deps, q.File) {
					deps = append(deps, q.File)
				}
			}
		}
		if pol != nil && pol != p && !slices.Contains(deps, pol.File) {
			deps = append(deps, pol.File) // its version is on every page, for the banner
		}
		// The header links to the home page, and the language switcher to
		// the other languages' home pages where p has no translation.
		for _, l := range s.Content.Config.Languages {
			if h := s.Content.Page(l.Code, "home"); h != nil && h != p && !slices.Contains(deps, h.File) {
				deps = append(deps, h.File)
			}
		}
		return deps
	}
}

// policy is the page whose body hash is the policy version, or nil.
func (s *Site) policy() *source.Page {
	return s.Content.Page(s.Content.Config.DefaultLanguage, source.PolicyKey)
}

func (s *Site) filesWhere(keep func(*source.Page) bool) []string {
	var files []string
	for _, p := range s.Content.Pages {
		if keep(p) {
			files = append(files, p.File)
		}
	}
	return files
}

// Stats tells what a build did.
type Stats struct {
	Files, Written, Kept int
}

// Build renders the site under root into out. Either the whole site is
// written, or out is left exactly as it was.
func Build(root, out string, opts Options) (Stats, error) {
	if err := outsideSources(root, out); err != nil {
		return Stats{}, err
	}
	s, err := Load(root, opts)
	if err != nil {
		return Stats{}, err
	}
	return s.Write(out)
}

// Write renders every output into out, in parallel, through a staging
// folder that replaces out at the end.
func (s *Site) Write(out string) (Stats, error) {
	dir, err := outdir.Create(out)
	if err != nil {
		return Stats{}, err
	}
	outs := s.Outputs()
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(runtime.GOMAXPROCS(0))
	// The outputs that are not pages go first: the sitemap alone takes as
	// long as dozens of pages, and started last it would finish alone.
	pages, others := splitPages(outs)
	for _, o := range slices.Concat(others, pages) {
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil // another output failed: the build is lost anyway
			}
			b, err := o.Render()
			if err != nil {
				return err
			}
			if err := dir.Write(o.Path, b); err != nil {
				return err
			}
			if o.Page != nil { // not an asset, whose bytes the theme keeps
				s.written.Put(bytes.NewBuffer(b))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		dir.Abort()
		return Stats{}, err
	}
	if err := dir.Commit(); err != nil {
		return Stats{}, err
	}
	return Stats{Files: len(outs), Written: int(dir.Written.Load()), Kept: int(dir.Kept.Load())}, nil
}

// splitPages separates the outputs that render a page from the others.
func splitPages(outs []*Output) (pages, others []*Output) {
	for _, o := range outs {
		if o.Page != nil {
			pages = append(pages, o)
		} else {
			others = append(others, o)
		}
	}
	return pages, others
}

// outsideSources refuses an output folder that is the source folder, holds
// it, or lies in its content or theme: the build replaces its output whole.
func outsideSources(root, out string) error {
	absRoot, err1 := filepath.Abs(root)
	absOut, err2 := filepath.Abs(out)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	within := func(dir, path string) bool {
		rel, err := filepath.Rel(dir, path)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if within(absOut, absRoot) || within(filepath.Join(absRoot, "content"), absOut) || within(filepath.Join(absRoot, "themes"), absOut) {
		return fmt.Errorf("-out %s would replace the site's sources in %s: choose a folder outside them, such as %s", out, root, filepath.Join(root, "public"))
	}
	return nil
}
