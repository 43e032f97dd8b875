package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// tab opens a tab in a browser context of its own: no cookies, no storage.
func tab(t *testing.T) context.Context {
	t.Helper()
	setup(t)
	ctx, cancel := context.WithTimeout(env.browser, 60*time.Second)
	t.Cleanup(cancel)
	ctx, cancel = chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// open loads a page and waits until consent.js has run.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	waitFor(t, ctx, `document.readyState == "complete"`)
}

// js evaluates an expression and returns its value as T.
func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until the expression is true. It survives reloads, which
// the banner makes when a running script's category is withdrawn.
func waitFor(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		var ok bool
		if ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(`+expr+`)`)); err == nil && ok {
			return
		}
	}
	t.Fatalf("waited 10s for %s (last error: %v)", expr, err)
}

// titleFocused waits until the open banner's title has the focus, which
// the banner gives it after its first frame.
func titleFocused(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, `cc.open && document.activeElement.id == "cc-title"`)
}

func click(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		t.Fatalf("click %s: %v", css, err)
	}
}

// keys sends key presses to the focused element, as a keyboard would.
func keys(t *testing.T, ctx context.Context, k string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
		t.Fatalf("key %q: %v", k, err)
	}
}

// choice is the stored choice, parsed from the pelqim_consent cookie.
type choice struct {
	ID, Version string
	Granted     []string
}

func (c choice) has(cat string) bool {
	for _, g := range c.Granted {
		if g == cat {
			return true
		}
	}
	return false
}

// stored returns the choice in the pelqim_consent cookie; ok is false when
// there is none.
func stored(t *testing.T, ctx context.Context) (c choice, ok bool) {
	t.Helper()
	raw := js[string](t, ctx, `(document.cookie.match(/(?:^|; )pelqim_consent=([^;]*)/) || [, ""])[1]`)
	if raw == "" {
		return c, false
	}
	m := cookieFormat.FindStringSubmatch(raw)
	if m == nil {
		t.Fatalf("pelqim_consent=%s does not have the documented format 1.<uuid>.<hex>.<seconds>.<ids joined by +>", raw)
	}
	c = choice{ID: m[1], Version: m[2]}
	if m[4] != "" {
		c.Granted = splitPlus(m[4])
	}
	return c, true
}

func mustStore(t *testing.T, ctx context.Context) choice {
	t.Helper()
	c, ok := stored(t, ctx)
	if !ok {
		t.Fatal("no pelqim_consent cookie after a choice")
	}
	return c
}

// banner reports whether the banner is open, and whether as the settings.
func banner(t *testing.T, ctx context.Context) (open, settings bool) {
	t.Helper()
	s := js[[]bool](t, ctx, `[cc.open, cc.matches(":modal")]`)
	return s[0], s[1]
}

// cookies lists the names of the cookies the browser holds for the site,
// as the DevTools protocol sees them (HttpOnly ones included).
func cookies(t *testing.T, ctx context.Context, s *server) []*network.Cookie {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.URL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Cookies
}

// queue returns the choices waiting for delivery.
func queue(t *testing.T, ctx context.Context) []queued {
	t.Helper()
	raw := js[string](t, ctx, `localStorage.getItem("pelqim_queue") || "[]"`)
	var q []queued
	if err := json.Unmarshal([]byte(raw), &q); err != nil {
		t.Fatalf("pelqim_queue: %v in %s", err, raw)
	}
	return q
}

// queued is an event as the banner sends it: the time of the choice in
// unix seconds, where the record has it as text.
type queued struct {
	event
	ChosenAt int64 `json:"chosenAt"`
}

// gpc makes the tab's pages see navigator.globalPrivacyControl = true, as a
// browser with Global Privacy Control on does.
func gpc(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `Object.defineProperty(Navigator.prototype, "globalPrivacyControl", {get: () => true, configurable: true})`,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func viewport(t *testing.T, ctx context.Context, width int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
		t.Fatal(err)
	}
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// tabUntil presses Tab until focused says want, and returns where the focus
// went on the way; twelve presses at most.
func tabUntil(t *testing.T, ctx context.Context, focused func() string, want string) []string {
	t.Helper()
	var seen []string
	for range 12 {
		keys(t, ctx, kb.Tab)
		f := focused()
		seen = append(seen, f)
		if f == want {
			return seen
		}
	}
	t.Fatalf("Tab never reached %s; focus went %v", want, seen)
	return nil
}
