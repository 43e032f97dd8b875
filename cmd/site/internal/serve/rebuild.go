package serve

import (
	"bytes"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"pelqim/cmd/site/internal/site"
	"pelqim/cmd/site/internal/source"
	"pelqim/content"
	"pelqim/content/schema"
)

// builder keeps the loaded site between edits and re-renders only the
// outputs a change can affect, found through each output's Deps. It is
// used by one goroutine at a time.
//
// It holds two states: the model (content, theme, pages), which a failed
// rebuild may leave ahead, and what was last built without error (the
// outputs, their bytes, the pages they were made from). The two differ only
// in the pending files, so every rebuild re-applies all of them from disk
// and compares against the last good build: fixing one of several broken
// files loses nothing.
type builder struct {
	root string
	opts site.Options

	site  *site.Site              // the model; nil until a first load succeeds
	pages map[string]*source.Page // the model's pages by file

	outputs map[string]*site.Output // last good build, by output path
	bytes   map[string][]byte       // their bytes
	good    map[string]*source.Page // the pages they were made from, by file

	pending map[string]bool // sources changed since the last good build
	full    bool            // the next rebuild must load everything
}

func newBuilder(root string, opts site.Options) *builder {
	return &builder{root: root, opts: opts, pending: map[string]bool{}, full: true,
		outputs: map[string]*site.Output{}, bytes: map[string][]byte{}}
}

// result is what a rebuild changed, by output path.
type result struct {
	put      map[string][]byte // new or changed outputs
	removed  []string          // outputs that no longer exist
	edited   string            // output path of the one page edited, when it changed
	rendered int               // how many outputs were rendered
	site     *site.Site        // the site now served (for its headers)
}

// changed lists the changed outputs' URL paths, sorted.
func (r *result) changed() []string {
	urls := []string{}
	for p := range r.put {
		urls = append(urls, urlPath(p))
	}
	for _, p := range r.removed {
		urls = append(urls, urlPath(p))
	}
	slices.Sort(urls)
	return urls
}

// urlPath is the address an output is served at: its folder for an index.
func urlPath(out string) string {
	return "/" + strings.TrimSuffix(out, "index.html")
}

// rebuild applies the changed source files (slash-separated, relative to
// the root); full asks for a complete reload (the watcher lost events). It
// returns nil when none of the files is a source of the site.
func (b *builder) rebuild(files []string, full bool) (*result, error) {
	news := full
	for _, f := range files {
		if b.relevant(f) {
			b.pending[f], news = true, true
		}
	}
	if !news {
		// Only editors' scratch files: rebuilding could but repeat the
		// last outcome, or catch a save halfway.
		return nil, nil
	}
	b.full = b.full || full
	if b.full || b.site == nil || b.pending[schema.ConfigFile] || b.pending["content"] {
		return b.reload()
	}
	return b.update()
}

// relevant tells whether f can change the site: the theme, the config,
// data, and anything under a language folder (pages, or folders of pages).
// Editors' swap and backup files elsewhere are ignored.
func (b *builder) relevant(f string) bool {
	switch {
	case f == "content" || f == "themes" || f == schema.ConfigFile:
		return true
	case isScratch(f):
		return false
	case strings.HasPrefix(f, "themes/"), strings.HasPrefix(f, "content/data"):
		return true
	case b.site == nil:
		return strings.HasPrefix(f, "content/")
	}
	lang, _, _ := strings.Cut(strings.TrimPrefix(f, "content/"), "/")
	return strings.HasPrefix(f, "content/") && slices.Contains(b.site.Content.Langs(), lang)
}

// isScratch matches editors' temporary files (.x.swp, x~, #x#, 4913) and
// anything in a hidden folder (.trash/), which site build skips too.
func isScratch(f string) bool {
	if strings.HasPrefix(f, ".") || strings.Contains(f, "/.") {
		return true
	}
	name := path.Base(f)
	return strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~") || name == "4913"
}

// reload loads and renders everything, as `site build` does.
func (b *builder) reload() (*result, error) {
	st, err := site.Load(b.root, b.opts)
	if err != nil {
		return nil, err
	}
	pages := map[string]*source.Page{}
	for _, p := range st.Content.Pages {
		pages[p.File] = p
	}
	outs := index(st.Outputs())
	res, err := b.render(st, outs, slices.Collect(maps.Values(outs)))
	if err != nil {
		return nil, err
	}
	b.site, b.pages, b.good = st, pages, maps.Clone(pages)
	b.commit(outs, res)
	b.full = false
	return res, nil
}

// update applies the pending changes to the model and re-renders the
// outputs that depend on them.
func (b *builder) update() (*result, error) {
	c := b.site.Content
	var theme, data bool
	var files []string // page files to re-read
	langs := map[string]bool{}
	for f := range b.pending {
		switch {
		case strings.HasPrefix(f, "themes/") || f == "themes":
			theme = true
		case strings.HasPrefix(f, "content/data/") || f == "content/data":
			data = true
		case strings.HasSuffix(f, ".md"):
			files = append(files, f)
		default: // a folder, or a file that is no page: rescan its language
			lang, _, _ := strings.Cut(strings.TrimPrefix(f, "content/"), "/")
			langs[lang] = true
		}
	}
	rescanned, err := b.rescan(langs)
	if err != nil {
		return nil, err
	}
	files = append(files, rescanned...)
	slices.Sort(files)
	files = slices.Compact(files)
	if data {
		if err := c.LoadData(); err != nil {
			return nil, err
		}
	}
	if err := b.readPages(files); err != nil {
		return nil, err
	}
	if theme {
		st, err := site.New(b.root, c, b.opts)
		if err != nil {
			return nil, err
		}
		b.site = st
	} else if err := b.site.Validate(); err != nil {
		return nil, err
	}
	outs := index(b.site.Outputs())
	dirty := slices.Collect(maps.Values(outs))
	if !theme && !data {
		dirty = b.dirty(outs, files)
	}
	res, err := b.render(b.site, outs, dirty)
	if err != nil {
		return nil, err
	}
	res.edited = b.edited(files, res)
	for _, f := range files {
		if p := b.pages[f]; p != nil {
			b.good[f] = p
		} else {
			delete(b.good, f)
		}
	}
	b.commit(outs, res)
	return res, nil
}

// dirty lists the outputs the changed page files can affect. A page whose
// front matter is as it was can only change the outputs that show its body
// (BodyDeps); otherwise every output that lists it in Deps, before or
// after the change, is re-rendered, as is every new output.
func (b *builder) dirty(outs map[string]*site.Output, files []string) []*site.Output {
	body, whole := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		old, cur := b.good[f], b.pages[f]
		if old != nil && cur != nil && old.FrontMatter == cur.FrontMatter {
			body[f] = true
		} else {
			whole[f] = true
		}
	}
	uses := func(deps []string, changed map[string]bool) bool {
		if len(changed) == 0 {
			return false
		}
		for _, d := range deps {
			if changed[d] || d == "*" {
				return true
			}
		}
		return false
	}
	var dirty []*site.Output
	for p, o := range outs {
		prev := b.outputs[p]
		if prev == nil || uses(o.Deps, whole) || uses(prev.Deps, whole) || uses(o.BodyDeps, body) || uses(prev.BodyDeps, body) {
			dirty = append(dirty, o)
		}
	}
	return dirty
}

// render renders the dirty outputs, one per CPU at a time, and compares
// them with the last good build; outputs of that build missing from outs
// are removed. On error nothing is kept.
func (b *builder) render(st *site.Site, outs map[string]*site.Output, dirty []*site.Output) (*result, error) {
	rendered := make([][]byte, len(dirty))
	errs := make([]error, len(dirty))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				rendered[i], errs[i] = dirty[i].Render()
			}
		})
	}
	for i := range dirty {
		next <- i
	}
	close(next)
	wg.Wait()
	var all content.Errors
	for _, err := range errs {
		all = append(all, content.List(err)...)
	}
	if len(all) > 0 {
		return nil, all
	}
	res := &result{put: map[string][]byte{}, site: st, rendered: len(dirty)}
	for i, o := range dirty {
		if old, ok := b.bytes[o.Path]; !ok || !bytes.Equal(old, rendered[i]) {
			res.put[o.Path] = rendered[i]
		}
	}
	for p := range b.outputs {
		if outs[p] == nil {
			res.removed = append(res.removed, p)
		}
	}
	slices.Sort(res.removed)
	return res, nil
}

// commit makes outs, with the bytes res changed, the last good build.
func (b *builder) commit(outs map[string]*site.Output, res *result) {
	maps.Copy(b.bytes, res.put)
	for _, p := range res.removed {
		delete(b.bytes, p)
	}
	b.outputs = outs
	b.pending = map[string]bool{}
}

// edited is the output of the one page a change was about, if its bytes
// changed: browsers showing another page are taken there.
func (b *builder) edited(files []string, res *result) string {
	var edited []string
	for _, f := range files {
		if p := b.pages[f]; p != nil {
			edited = append(edited, p.OutputPath())
		}
	}
	if len(edited) != 1 || res.put[edited[0]] == nil {
		return ""
	}
	return edited[0]
}

// index maps outputs by path.
func index(outs []*site.Output) map[string]*site.Output {
	m := make(map[string]*site.Output, len(outs))
	for _, o := range outs {
		m[o.Path] = o
	}
	return m
}
