package serve

import (
	"embed"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"pelqim/cmd/site/internal/site"
	"pelqim/content"
	"pelqim/content/schema"
)

// The preview's own files live under /_pelqim/, a path no site output
// takes; the page script is added with site.Options.Scripts, so it is never
// inline and never in `site build` output.
const (
	clientPrefix = "/_pelqim/"
	// ClientScript is the reload client, which serve adds to every page.
	ClientScript = clientPrefix + "reload.js"
	clientWorker = clientPrefix + "reload-worker.js" // holds the event stream
	clientStyle  = clientPrefix + "reload.css"
	eventsPath   = clientPrefix + "events"
)

//go:embed client
var client embed.FS

// DefaultDebounce is how long the watcher waits after the last change
// before rebuilding: long enough to take in an editor's save or a git
// checkout as one change, short enough to go unnoticed.
const DefaultDebounce = 20 * time.Millisecond

// Options configure a preview server.
type Options struct {
	Src     string       // site source folder (holds content/ and themes/)
	BaseURL string       // absolute URL the pages are served under
	API     http.Handler // serves /api/; nil leaves it out
	// Debounce is the quiet time that ends a burst of changes; 0 means
	// DefaultDebounce.
	Debounce time.Duration
	// Log receives what the terminal shows: errors (file:line: message,
	// the same text the browser shows) and one line per rebuild.
	Log io.Writer
	// OnRebuild, if set, is called after every rebuild, on the rebuilding
	// goroutine; tests and benchmarks follow the server with it.
	OnRebuild func(Rebuild)
}

// Rebuild describes one rebuild.
type Rebuild struct {
	Files   []string // the changed source files it took in, relative to the source folder
	Changed []string // URL paths whose output changed or disappeared
	// Rendered counts the outputs rendered: those whose Deps name a
	// changed file, all of them after a theme, data or config change.
	Rendered int
	Err      error // why it failed; pages answer the error page until a fix
	Took     time.Duration
}

// Server is the live preview: it serves the site from memory with the
// headers the CDN sends, watches the sources, rebuilds what a change
// affects and tells open pages through Server-Sent Events.
type Server struct {
	opts    Options
	builder *builder
	hub     *hub
	stop    chan struct{}
	done    chan struct{}
	closing sync.Once
	limits  limits // what a client may hold: Run's HTTP server, the event streams

	mu      sync.RWMutex
	files   map[string][]byte // the last good site, by output path
	headers []schema.Header
	build   int64    // counts the builds that changed what is served
	broken  []string // errors of the last rebuild, nil when it succeeded
	loaded  bool     // some build has succeeded

	rebuilds atomic.Int64
}

// Start builds the site under opts.Src and starts watching it. A site that
// does not build is no error: its errors are served until it is fixed.
func Start(opts Options) (*Server, error) {
	if opts.Debounce == 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	s := &Server{
		opts:    opts,
		builder: newBuilder(opts.Src, site.Options{BaseURL: opts.BaseURL, Scripts: []string{ClientScript}}),
		hub:     newHub(),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		files:   map[string][]byte{},
		limits:  defaultLimits,
	}
	w, err := newWatcher(opts.Src, []string{"content", schema.ThemeDir}, opts.Debounce, opts.Log)
	if err != nil {
		return nil, err
	}
	s.rebuild(nil, true)
	go func() {
		defer close(s.done)
		w.run(s.stop, s.rebuild)
	}()
	return s, nil
}

// Close stops watching and ends the event streams, so that an HTTP server
// shutting down need not wait for them.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.hub.close()
		close(s.stop)
		<-s.done // a rebuild under way finishes first
	})
	return nil
}

// Rebuilds counts the rebuilds so far, the first build included.
func (s *Server) Rebuilds() int64 { return s.rebuilds.Load() }

// rebuild applies changed source files and publishes the outcome.
func (s *Server) rebuild(files []string, full bool) {
	start := time.Now()
	res, err := s.builder.rebuild(files, full)
	if res == nil && err == nil {
		return // nothing the site is made from
	}
	s.rebuilds.Add(1)
	info := Rebuild{Files: files, Err: err}
	if err != nil {
		s.fail(err)
	} else {
		var first bool
		info.Changed, first = s.apply(res)
		info.Rendered = res.rendered
		if took := time.Since(start); first {
			fmt.Fprintf(s.opts.Log, "built %d files in %v\n", len(res.put), took.Round(time.Millisecond))
		} else {
			fmt.Fprintf(s.opts.Log, "rebuilt in %v: %s\n", took.Round(100*time.Microsecond), summary(info.Changed))
		}
	}
	info.Took = time.Since(start)
	if s.opts.OnRebuild != nil {
		s.opts.OnRebuild(info)
	}
}

// fail shows the errors in the terminal and in open pages; until a build
// succeeds, every page answers 500 with them (serveSite), while assets are
// still the last good build's.
func (s *Server) fail(err error) {
	var lines []string
	for _, e := range content.List(err) {
		lines = append(lines, e.Error())
		fmt.Fprintln(s.opts.Log, e)
	}
	s.mu.Lock()
	s.broken = lines
	if !s.loaded && s.headers == nil { // the error page runs under them too
		s.headers, _ = schema.ReadHeaders(s.opts.Src)
	}
	s.mu.Unlock()
	s.hub.publish("broken", brokenEvent{Errors: lines})
}

// apply serves a rebuild's result and tells open pages what changed;
// first tells whether it is the first good build.
func (s *Server) apply(res *result) (changed []string, first bool) {
	changed = res.changed()
	s.mu.Lock()
	first = !s.loaded
	maps.Copy(s.files, res.put)
	for _, p := range res.removed {
		delete(s.files, p)
	}
	if !first && !slices.Equal(s.headers, res.site.Theme.Headers) {
		// New headers (a new CSP) change how every page runs, though no
		// output changed: every open page reloads.
		changed = nil
		for p := range s.files {
			changed = append(changed, urlPath(p))
		}
		slices.Sort(changed)
	}
	s.headers = res.site.Theme.Headers
	fixed := s.broken != nil
	s.broken, s.loaded = nil, true
	if len(changed) > 0 {
		s.build++
	}
	build := s.build
	s.mu.Unlock()
	if fixed {
		fmt.Fprintln(s.opts.Log, "fixed: serving the site again")
	}
	if len(changed) > 0 || fixed {
		ev := reloadEvent{Build: build, Changed: changed}
		if res.edited != "" {
			ev.Edited = urlPath(res.edited)
		}
		s.hub.publish("reload", ev)
	}
	return changed, first
}

// summary shortens a list of changed URL paths for the terminal.
func summary(changed []string) string {
	switch n := len(changed); {
	case n == 0:
		return "no output changed"
	case n <= 3:
		return strings.Join(changed, " ")
	default:
		return fmt.Sprintf("%s and %d more", strings.Join(changed[:3], " "), n-3)
	}
}
