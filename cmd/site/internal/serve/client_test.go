package serve

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium is the browser the test drives: Debian's chromium package.
const chromium = "/usr/bin/chromium"

// browser opens a headless Chromium tab, and collects what the page logs
// about the Content Security Policy and script errors.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("the reload client test needs Chromium at %s: install it with `apt-get install chromium` (%v)", chromium, err)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()))...)
	t.Cleanup(cancel)
	var mu sync.Mutex
	var problems []string
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *cdplog.EventEntryAdded:
			if strings.Contains(e.Entry.Text, "Content Security Policy") {
				problems = append(problems, e.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, fmt.Sprintf("%s %v", e.ExceptionDetails.Text, e.ExceptionDetails.Exception))
		}
	}))
	t.Cleanup(cancel)
	for _, enable := range []cdp.Command[cdp.Empty, cdp.Empty]{cdplog.Enable, runtime.Enable} {
		if _, err := chromedp.Call(ctx, enable, cdp.Empty{}); err != nil {
			t.Fatalf("start %s: %v", chromium, err)
		}
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return problems
	}
}

// eventually waits until the expression is true in the tab; it survives
// the reloads and navigations it waits for.
func eventually(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var ok bool
		if ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(`+expr+`)`)); err == nil && ok {
			return
		}
	}
	t.Fatalf("waited %v for %s (last error: %v)", wait, expr, err)
}

// inStep waits until the page's reload client follows the server's
// current build, so that no event is sent before the page listens.
func inStep(t *testing.T, ctx context.Context, p *preview) {
	t.Helper()
	p.srv.mu.RLock()
	build := p.srv.build
	p.srv.mu.RUnlock()
	eventually(t, ctx, fmt.Sprintf(`document.documentElement.dataset.pelqimBuild == "%d"`, build))
}

// withoutSharedWorker makes the tab's pages see a browser without shared
// workers, whose reload client holds a stream of its own.
func withoutSharedWorker(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: "delete window.SharedWorker"}); err != nil {
		t.Fatal(err)
	}
}

// TestReloadClient drives the reload client in Chromium under the site's
// CSP: it follows edits to other pages, reloads its own page when it
// changes, shows build errors over the page, and recovers.
// It runs with the shared worker, and without, as on Chrome for Android.
func TestReloadClient(t *testing.T) {
	t.Run("shared worker", func(t *testing.T) { testReloadClient(t, true) })
	t.Run("own stream", func(t *testing.T) { testReloadClient(t, false) })
}

func testReloadClient(t *testing.T, shared bool) {
	p := startPreview(t, copySite(t), 0)
	ctx, problems := browser(t)
	if !shared {
		withoutSharedWorker(t, ctx)
	}
	// A page that reloads loses the mark.
	mark := func() {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/en/cookies/")); err != nil {
		t.Fatal(err)
	}
	mark()
	inStep(t, ctx, p)

	// An edit elsewhere takes the browser there.
	p.edit("content/en/privacy.md", "## 1. Security", "Shown in the browser.\n\n## 1. Security")
	p.nextReload()
	eventually(t, ctx, `location.pathname == "/en/privacy/" && document.body.textContent.includes("Shown in the browser.")`)

	// An edit of the page shown reloads it.
	mark()
	inStep(t, ctx, p)
	p.edit("content/en/privacy.md", "Shown in the browser.", "Reloaded in the browser.")
	p.nextReload()
	eventually(t, ctx, `!window.notReloaded && document.body.textContent.includes("Reloaded in the browser.")`)

	// A data edit changes every page: this one reloads where it is.
	mark()
	inStep(t, ctx, p)
	p.edit("content/data/cookies.yaml", "lifetime: 13mo", "lifetime: 14mo")
	p.nextReload()
	eventually(t, ctx, `!window.notReloaded && location.pathname == "/en/privacy/"`)

	// A broken file: the errors over the page, styled by the preview's
	// stylesheet (no inline styles), until the fix.
	mark()
	inStep(t, ctx, p)
	p.edit("content/en/privacy.md", "title: Privacy policy", "title: [Privacy policy")
	errs := p.nextBroken()
	eventually(t, ctx, `document.querySelector(".pelqim-overlay") && getComputedStyle(document.querySelector(".pelqim-overlay")).position == "fixed" && document.querySelector(".pelqim-overlay").textContent.includes(`+jsString(errs[0])+`)`)
	p.edit("content/en/privacy.md", "title: [Privacy policy", "title: Privacy policy")
	p.nextReload()
	eventually(t, ctx, `!document.querySelector(".pelqim-overlay") && window.notReloaded`)

	// Opened while broken: the error page, which turns into the page once
	// the site builds again.
	p.edit("themes/default/layouts/policy.html", "{{.Content}}", "{{.Content}")
	p.nextBroken()
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/en/privacy/")); err != nil {
		t.Fatal(err)
	}
	eventually(t, ctx, `document.documentElement.hasAttribute("data-pelqim-error") && getComputedStyle(document.body).backgroundColor == "rgb(43, 11, 11)"`)
	inStep(t, ctx, p)
	p.edit("themes/default/layouts/policy.html", "{{.Content}", "{{.Content}}")
	p.nextReload()
	eventually(t, ctx, `!document.documentElement.hasAttribute("data-pelqim-error") && document.body.textContent.includes("Reloaded in the browser.")`)

	// A page that missed a rebuild (hidden, it follows nothing; or loaded
	// as the rebuild went out) catches up once it follows again: the hello
	// names a newer build than the one it shows.
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/en/contact/")); err != nil {
		t.Fatal(err)
	}
	inStep(t, ctx, p)
	mark()
	visibility(t, ctx, "hidden")
	p.edit("content/en/contact.md", "Write to us", "Written while the page was not listening")
	p.nextReload()
	visibility(t, ctx, "visible")
	eventually(t, ctx, `!window.notReloaded && document.body.textContent.includes("Written while the page was not listening")`)
	if !shared {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof SharedWorker == "undefined"`)); err != nil || !ok {
			t.Fatalf("the page has shared workers (%v): the test does not cover it without", err)
		}
	}

	if ps := problems(); len(ps) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(ps, "\n"))
	}
}

// TestReloadClientManyPages: an editor going from page to page keeps a
// live preview. The streams of the pages left behind (which the browser may
// keep in its back/forward cache) must not use up the six connections it
// allows to the server, or the seventh page never loads; a page brought
// back from that cache listens again.
func TestReloadClientManyPages(t *testing.T) {
	p := startPreview(t, copySite(t), 0)
	ctx, problems := browser(t)
	pages := []string{"/en/", "/en/privacy/", "/en/cookies/", "/en/categories/", "/en/contact/", "/en/data-requests/"}
	for round := range 2 {
		for _, path := range pages {
			nav, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := chromedp.Do(nav, chromedp.Navigate(p.url+path))
			cancel()
			if err != nil {
				t.Fatalf("round %d, %s did not load: %v", round+1, path, err)
			}
			if path == "/en/contact/" { // survives only in the cache
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.cached = true`)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	inStep(t, ctx, p)

	// Not chromedp.NavigateBack: it waits for a load event, which a page
	// restored from the cache does not fire.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`history.back(), true`)); err != nil {
		t.Fatal(err)
	}
	eventually(t, ctx, `location.pathname == "/en/contact/"`)
	if cached, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.cached === true`)); err != nil || !cached {
		t.Fatalf("going back loaded /en/contact/ anew (%v), not from the back/forward cache: the test no longer covers it", err)
	}
	inStep(t, ctx, p)
	p.edit("content/en/contact.md", "Write to us", "Written after going back")
	p.nextReload()
	eventually(t, ctx, `document.body.textContent.includes("Written after going back")`)

	// Eight tabs, each put in the background as the next opens, as a
	// browser does.
	var tabs []context.Context
	for i := range 8 {
		tab, cancel := chromedp.NewContext(ctx)
		defer cancel()
		if err := chromedp.Do(tab); err != nil { // opens the tab: a timeout on this first run would close it
			t.Fatal(err)
		}
		nav, cancelNav := context.WithTimeout(tab, 10*time.Second)
		err := chromedp.Do(nav, chromedp.Navigate(p.url+pages[i%len(pages)]))
		cancelNav()
		if err != nil {
			t.Fatalf("tab %d (%s) did not load: %v", i+1, pages[i%len(pages)], err)
		}
		visibility(t, tab, "hidden")
		tabs = append(tabs, tab)
	}
	// The first tab, shown again, follows edits again: its page is /en/.
	visibility(t, tabs[0], "visible")
	inStep(t, tabs[0], p)
	p.edit("content/en/index.md", "Welcome to the privacy site", "Shown again: welcome to the privacy site")
	p.nextReload()
	eventually(t, tabs[0], `document.body.textContent.includes("Shown again: welcome")`)

	if ps := problems(); len(ps) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(ps, "\n"))
	}
}

// TestReloadClientManyWindows: windows all shown at once share the shared
// worker's one stream, so a seventh window still loads (with a stream
// each, it waited forever for one of Chromium's six connections to a
// server); every one follows an edit, and one shown again catches up.
func TestReloadClientManyWindows(t *testing.T) {
	p := startPreview(t, copySite(t), 0)
	ctx, problems := browser(t)
	var windows []context.Context
	for i := range 8 {
		w, cancel := chromedp.NewContext(ctx)
		defer cancel()
		if err := chromedp.Do(w); err != nil { // opens it: a timeout on this first run would close it
			t.Fatal(err)
		}
		nav, cancelNav := context.WithTimeout(w, 10*time.Second)
		err := chromedp.Do(nav, chromedp.Navigate(p.url+"/en/privacy/"))
		cancelNav()
		if err != nil {
			t.Fatalf("window %d did not load: %v", i+1, err)
		}
		inStep(t, w, p)
		windows = append(windows, w)
	}
	if n := p.streams(); n != 2 {
		t.Errorf("%d event streams are open for 8 windows and the test's own; want 2", n)
	}
	p.edit("content/en/privacy.md", "## 1. Security", "Shown in eight windows.\n\n## 1. Security")
	p.nextReload()
	for _, w := range windows {
		eventually(t, w, `document.body.textContent.includes("Shown in eight windows.")`)
	}
	// One window hidden misses an edit; shown again, the worker's hello
	// brings it up to date.
	visibility(t, windows[0], "hidden")
	p.edit("content/en/privacy.md", "Shown in eight windows.", "Shown after it was hidden.")
	p.nextReload()
	eventually(t, windows[1], `document.body.textContent.includes("Shown after it was hidden.")`)
	if stale, err := chromedp.Run(windows[0], chromedp.Evaluate[bool](`document.body.textContent.includes("Shown in eight windows.")`)); err != nil || !stale {
		t.Fatalf("the hidden window followed the edit (%v): the test no longer covers catching up", err)
	}
	visibility(t, windows[0], "visible")
	eventually(t, windows[0], `document.body.textContent.includes("Shown after it was hidden.")`)
	if ps := problems(); len(ps) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(ps, "\n"))
	}
}

// visibility tells the page it is shown or hidden, as a browser does a tab
// (headless tabs all count as shown).
func visibility(t *testing.T, ctx context.Context, state string) {
	t.Helper()
	js := fmt.Sprintf(`Object.defineProperty(document, "visibilityState", {value: %q, configurable: true}),
		document.dispatchEvent(new Event("visibilitychange")), true`, state)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatal(err)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`", "$", "\\$").Replace(s) + "`"
}

// TestReloadClientWorkerRetry: a worker that fails to start (its script
// could not be had), or starts and never speaks, is started again, and the
// page then follows edits.
func TestReloadClientWorkerRetry(t *testing.T) {
	for _, shared := range []bool{true, false} {
		for _, mute := range []bool{false, true} {
			name := map[bool]string{true: "shared worker", false: "own stream"}[shared] + map[bool]string{true: ", mute", false: ", refused"}[mute]
			t.Run(name, func(t *testing.T) {
				p := startPreview(t, copySite(t), 0)
				ctx, _ := browser(t) // the failed load is a console error: expected
				if !shared {
					withoutSharedWorker(t, ctx)
				}
				bad := &p.workerDown
				if mute {
					bad = &p.workerMute
				}
				bad.Store(2)
				if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/en/privacy/")); err != nil {
					t.Fatal(err)
				}
				inStep(t, ctx, p)
				if n := bad.Load(); n >= 0 {
					t.Fatalf("the worker was asked for %d times, want 3 (2 bad, then started)", 2-n)
				}
				p.edit("content/en/privacy.md", "## 1. Security", "Shown after a retry.\n\n## 1. Security")
				p.nextReload()
				eventually(t, ctx, `document.body.textContent.includes("Shown after a retry.")`)
			})
		}
	}
}
