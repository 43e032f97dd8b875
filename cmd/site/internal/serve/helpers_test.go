package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pelqim/cmd/site/internal/site"
)

// wait bounds every wait for an event: generous, as CI machines stall;
// nothing is asserted about how long anything takes.
const wait = 60 * time.Second

// repoRoot is the module root, three levels above this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../../../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// copySite copies the repository's content and theme into a temporary
// folder, which the tests then edit while it is served.
func copySite(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"content", "themes"} {
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join(repoRoot(t), d))); err != nil {
			t.Fatalf("copy %s: %v", d, err)
		}
	}
	return dir
}

// preview is a Server under test on a real loopback listener, with a
// reload client reading its event stream.
type preview struct {
	t        testing.TB
	dir      string
	srv      *Server
	url      string
	opts     site.Options // what the server builds with, for comparisons
	events   chan event
	rebuilds chan Rebuild
	log      *syncBuffer
	// workerDown is how many more requests for the reload worker get
	// 503, as when the server was down as a page started it.
	workerDown atomic.Int32
	// workerMute is how many more requests for the reload worker get a
	// worker that never speaks.
	workerMute atomic.Int32
}

// event is one Server-Sent Event as a browser receives it.
type event struct {
	Name string
	Data string
}

func (e event) reload(t testing.TB) reloadEvent {
	t.Helper()
	var r reloadEvent
	if err := json.Unmarshal([]byte(e.Data), &r); err != nil {
		t.Fatalf("reload event %q: %v", e.Data, err)
	}
	return r
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startPreview serves dir and connects a reload client; debounce 0 is the
// default.
func startPreview(t testing.TB, dir string, debounce time.Duration) *preview {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	p := &preview{t: t, dir: dir, url: base, events: make(chan event, 1000), rebuilds: make(chan Rebuild, 1000), log: &syncBuffer{}}
	p.opts = site.Options{BaseURL: base + "/", Scripts: []string{ClientScript}}
	srv, err := Start(Options{Src: dir, BaseURL: base + "/", Debounce: debounce, Log: p.log,
		OnRebuild: func(r Rebuild) {
			select {
			case p.rebuilds <- r:
			default: // nobody is following: do not hold up the server
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	p.srv = srv
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == clientWorker && p.workerDown.Add(-1) >= 0 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == clientWorker && p.workerMute.Add(-1) >= 0 {
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, "onconnect = () => {}")
			return
		}
		srv.ServeHTTP(w, r)
	})
	ts.Start()
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	<-p.rebuilds // the first build
	p.listen()
	if e := p.next("hello"); !strings.Contains(e.Data, `"build"`) {
		t.Fatalf("hello event without a build: %q", e.Data)
	}
	return p
}

// listen opens the event stream as the reload client does.
func (p *preview) listen() {
	ctx, cancel := context.WithCancel(context.Background())
	p.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url+eventsPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		p.t.Fatalf("%s: Content-Type %q, want text/event-stream", eventsPath, ct)
	}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var e event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				e.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.Data = strings.TrimPrefix(line, "data: ")
			case line == "" && e.Name != "":
				p.events <- e
				e = event{}
			}
		}
	}()
}

// nextEvent returns the next event.
func (p *preview) nextEvent() event {
	p.t.Helper()
	select {
	case e := <-p.events:
		return e
	case <-time.After(wait):
		p.t.Fatalf("no event within %v\nserver log:\n%s", wait, p.log)
	}
	return event{}
}

// next returns the next event, which must be called name.
func (p *preview) next(name string) event {
	p.t.Helper()
	e := p.nextEvent()
	if e.Name != name {
		p.t.Fatalf("got event %s %s, want a %s event\nserver log:\n%s", e.Name, e.Data, name, p.log)
	}
	return e
}

// nextReload waits for the next event, which must be a reload, and the
// rebuild behind it.
func (p *preview) nextReload() (reloadEvent, Rebuild) {
	p.t.Helper()
	return p.rebuildFor(p.next("reload").reload(p.t))
}

// settledReload is nextReload for a file written in place: the server may
// read it between truncation and write, and report it broken first.
func (p *preview) settledReload() (reloadEvent, Rebuild) {
	p.t.Helper()
	e := p.nextEvent()
	for e.Name == "broken" {
		e = p.nextEvent()
	}
	if e.Name != "reload" {
		p.t.Fatalf("got event %s %s, want a reload event", e.Name, e.Data)
	}
	return p.rebuildFor(e.reload(p.t))
}

// rebuildFor finds the rebuild that sent ev (rebuilds are reported after
// their event is sent).
func (p *preview) rebuildFor(ev reloadEvent) (reloadEvent, Rebuild) {
	p.t.Helper()
	for {
		select {
		case r := <-p.rebuilds:
			if r.Err == nil && slices.Equal(r.Changed, ev.Changed) {
				return ev, r
			}
		case <-time.After(wait):
			p.t.Fatalf("no rebuild reported for %+v", ev)
		}
	}
}

// nextBroken waits for the next broken event and returns its errors.
func (p *preview) nextBroken() []string {
	p.t.Helper()
	var b brokenEvent
	if e := p.next("broken"); json.Unmarshal([]byte(e.Data), &b) != nil {
		p.t.Fatalf("broken event %q is not JSON", e.Data)
	}
	return b.Errors
}

// get fetches a path, as a browser navigating to a page does.
func (p *preview) get(path string) (int, http.Header, []byte) {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.url+path, nil)
	req.Header.Set("Accept", "text/html,*/*")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// page fetches a path that must be there.
func (p *preview) page(path string) string {
	p.t.Helper()
	status, _, b := p.get(path)
	if status != http.StatusOK {
		p.t.Fatalf("GET %s: %d, want 200\n%s", path, status, b)
	}
	return string(b)
}

// write replaces a source file the way editors save: a temporary file
// renamed over it.
func (p *preview) write(rel, data string) {
	p.t.Helper()
	name := filepath.Join(p.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		p.t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(name), ".save-"+filepath.Base(name))
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		p.t.Fatal(err)
	}
	if err := os.Rename(tmp, name); err != nil {
		p.t.Fatal(err)
	}
}

func (p *preview) read(rel string) string {
	p.t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dir, filepath.FromSlash(rel)))
	if err != nil {
		p.t.Fatal(err)
	}
	return string(b)
}

// streams counts the event streams open on the server.
func (p *preview) streams() int {
	p.srv.hub.mu.Lock()
	defer p.srv.hub.mu.Unlock()
	return len(p.srv.hub.subs)
}

// edit rewrites a source file, replacing old (which must occur) by new.
func (p *preview) edit(rel, old, new string) {
	p.t.Helper()
	src := p.read(rel)
	if !strings.Contains(src, old) {
		p.t.Fatalf("%s does not contain %q", rel, old)
	}
	p.write(rel, strings.Replace(src, old, new, 1))
}

// matchesFullBuild checks that what is served, after any number of
// incremental rebuilds, is exactly what a fresh build of the sources gives.
func (p *preview) matchesFullBuild() {
	p.t.Helper()
	st, err := site.Load(p.dir, p.opts)
	if err != nil {
		p.t.Fatalf("fresh build: %v", err)
	}
	want := map[string][]byte{}
	for _, o := range st.Outputs() {
		b, err := o.Render()
		if err != nil {
			p.t.Fatalf("fresh build: %v", err)
		}
		want[o.Path] = b
	}
	p.srv.mu.RLock()
	defer p.srv.mu.RUnlock()
	for name, b := range want {
		got, ok := p.srv.files[name]
		switch {
		case !ok:
			p.t.Errorf("%s: in a fresh build, not served", name)
		case !bytes.Equal(got, b):
			p.t.Errorf("%s: served bytes differ from a fresh build", name)
		}
	}
	for name := range p.srv.files {
		if _, ok := want[name]; !ok {
			p.t.Errorf("%s: served, not in a fresh build", name)
		}
	}
}

// lineOf is the 1-based line of the first occurrence of s in src.
func lineOf(t testing.TB, src, s string) int {
	t.Helper()
	i := strings.Index(src, s)
	if i < 0 {
		t.Fatalf("%q not found", s)
	}
	return strings.Count(src[:i], "\n") + 1
}

func has(list []string, s string) bool { return slices.Contains(list, s) }
