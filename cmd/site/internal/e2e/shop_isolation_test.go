package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The banner on the shop, continued: what the shop's page does to it
// (its CSS, its CSP, the tag twice, a cookie it did not write), how it is
// used without a mouse, and how its choices reach the consent function,
// or wait, or are refused.

// bannerLook describes how the banner looks: for its dialog, title and
// buttons, whether shown, the box, and the styles a page's CSS could
// change by inheritance or custom properties.
// The host element's box is left out: it is empty, at the end of the
// page, wherever the page ends.
const bannerLook = `(r => [r.host, r.getElementById("cc"), r.querySelector("h2"), ...r.querySelectorAll("[data-cc]")].map(e => {
	const b = e == r.host ? {} : e.getBoundingClientRect(), s = getComputedStyle(e)
	return [e.dataset.cc || e.localName, e.checkVisibility(), b.x, b.y, b.width, b.height, s.display, s.color, s.backgroundColor,
		s.fontSize, s.fontFamily, s.lineHeight, s.letterSpacing, s.borderTopColor, s.borderTopWidth, s.padding].join(" | ")
}))(document.querySelector("pelqim-consent").shadowRoot)`

// TestShopHostileCSS: a shop's CSS at its worst (hiding every button and
// dialog, huge serif text, the banner's own custom properties and class
// names, its host element hidden) leaves the banner as it is on a plain
// page; and the banner's CSS leaves the shop's elements alone, its .btn
// too.
func TestShopHostileCSS(t *testing.T) {
	ctx := shopTab(t)
	viewport(t, ctx, 1280)
	looks := map[string][2][]string{}
	for _, page := range []string{"/product.html", "/hostile.html"} {
		openShop(t, ctx, env.shop.URL+page)
		first := js[[]string](t, ctx, bannerLook)
		js[bool](t, ctx, `pelqim.open(), true`)
		looks[page] = [2][]string{first, js[[]string](t, ctx, bannerLook)}
	}
	for i, layer := range []string{"first layer", "settings"} {
		plain, hostile := looks["/product.html"][i], looks["/hostile.html"][i]
		if !slices.Equal(plain, hostile) {
			t.Errorf("the banner's %s differs under the shop's hostile CSS:\nplain:   %s\nhostile: %s", layer, strings.Join(plain, "\n         "), strings.Join(hostile, "\n         "))
		}
	}
	if !strings.HasPrefix(looks["/product.html"][0][1], "dialog | true") {
		t.Fatalf("the banner is not shown on the plain page: %v", looks["/product.html"][0])
	}

	// The shop's own button, class btn as ours, with and without the tag.
	const shopButton = `(s => [s.fontWeight, s.borderRadius, s.minHeight, s.padding, s.borderTopWidth, s.cursor].join(" "))(getComputedStyle(document.getElementById("add")))`
	openShop(t, ctx, env.shop.URL+"/product.html")
	with := js[string](t, ctx, shopButton)
	open(t, ctx, env.shop.URL+"/notag.html")
	if without := js[string](t, ctx, shopButton); with != without {
		t.Errorf("the banner's CSS styles the shop's button.btn: %q with the tag, %q without", with, without)
	}
}

// cspReports collects what the CSP of the tab's pages refused, as the page
// hears it (securitypolicyviolation, on the page shown) and as the
// console reports it (every page since).
func cspReports(t *testing.T, ctx context.Context) (events, console func() []string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.violations = []
document.addEventListener("securitypolicyviolation", e => violations.push(e.effectiveDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber), true)`,
	}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var logged []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			mu.Lock()
			logged = append(logged, e.Entry.Text)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return func() []string { return js[[]string](t, ctx, `violations`) }, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(logged)
	}
}

// TestShopCSP: under the shop's strict CSP (shopCSP: a nonce and
// 'strict-dynamic', no inline styles; and the nonce alone) the banner is
// drawn and styled, the gated scripts, inline and files, run with the
// nonce after Accept all, the video loads, the choice is recorded; and the
// CSP refuses nothing of ours. The page has one script without the nonce,
// which it must refuse: the reports are heard.
func TestShopCSP(t *testing.T) {
	ctx := shopTab(t)
	events, console := cspReports(t, ctx)
	mark := env.tracker.mark()
	openShop(t, ctx, env.shop.URL+"/csp.html")
	if open, _ := shopBanner(t, ctx); !open {
		t.Fatal("no banner under the strict CSP")
	}
	if !js[bool](t, ctx, `(cc => getComputedStyle(cc).position == "fixed" && getComputedStyle(cc.querySelector("[data-cc=all]")).minHeight == "44px")(`+shadowCC+`)`) {
		t.Error("the banner has not its styles under the strict CSP")
	}
	time.Sleep(200 * time.Millisecond)
	if got := env.tracker.since(mark); len(got) != 0 {
		t.Errorf("the tracker was asked for %v before a choice", got)
	}
	shopClick(t, ctx, `[data-cc=all]`)
	ranInOrder(t, ctx)
	waitFor(t, ctx, `document.querySelector("iframe").src`)
	for deadline := time.Now().Add(5 * time.Second); !slices.Contains(env.tracker.since(mark), "/video.html") && time.Now().Before(deadline); {
		time.Sleep(25 * time.Millisecond)
	}
	if got := env.tracker.since(mark); !slices.Contains(got, "/video.html") {
		t.Errorf("the tracker got %v, want the video too", got)
	}
	if ev := env.a.historyOf(t, mustStore(t, ctx).ID, 1)[0]; ev.Action != "accept_all" || ev.Origin != env.shop.URL {
		t.Errorf("record %+v, want accept_all made on the shop", ev)
	}
	js[bool](t, ctx, `pelqim.open(), true`) // the settings' styles too
	if _, settings := shopBanner(t, ctx); !settings {
		t.Error("pelqim.open() did not open the settings under the strict CSP")
	}

	if js[bool](t, ctx, `"unnonced" in window`) {
		t.Fatal("the page's script without the nonce ran: the CSP is not in force")
	}
	// The script without the nonce, refused by each of the two policies;
	// a refused script of ours would be reported from the tag's file.
	want := regexp.MustCompile(`^script-src-elem inline ` + regexp.QuoteMeta(env.shop.URL) + `/csp.html:\d+$`)
	got := events()
	if len(got) != 2 || !want.MatchString(got[0]) || !want.MatchString(got[1]) {
		t.Errorf("the page heard these CSP violations: %q, want only the script without the nonce's, twice", got)
	}
	if logged := console(); len(logged) != len(got) {
		t.Errorf("the console reports %d CSP violations, the page heard %d:\n%s", len(logged), len(got), strings.Join(logged, "\n"))
	}
}

// TestShopTwice: the tag twice (a plugin adding it again, in another
// language) or three times: one banner, the first tag's, and each gated
// script run once.
func TestShopTwice(t *testing.T) {
	ctx := shopTab(t)
	openShop(t, ctx, env.shop.URL+"/product.html")
	title := js[string](t, ctx, shadowCC+`.querySelector("h2").textContent`)
	openShop(t, ctx, env.shop.URL+"/twice.html") // the same context: the choice is still to make
	time.Sleep(200 * time.Millisecond)
	if n := js[int](t, ctx, `document.querySelectorAll("pelqim-consent").length`); n != 1 {
		t.Fatalf("%d banners with the tag three times, want 1", n)
	}
	if n := js[int](t, ctx, `performance.getEntriesByType("resource").filter(r => r.name.includes("/embed-")).length`); n != 1 {
		t.Errorf("the banner's file was loaded %d times, want once", n)
	}
	if got := js[string](t, ctx, shadowCC+`.querySelector("h2").textContent`); got != title {
		t.Errorf("the banner's title is %q, want the first tag's language's, %q", got, title)
	}
	shopClick(t, ctx, `[data-cc=all]`)
	ranInOrder(t, ctx)
	time.Sleep(200 * time.Millisecond)
	if got := order(t, ctx); len(got) != 4 {
		t.Errorf("gated scripts ran %v, want each once", got)
	}
	if ev := env.a.historyOf(t, mustStore(t, ctx).ID, 1); ev[0].Action != "accept_all" {
		t.Errorf("record %+v, want one accept_all", ev[0])
	}
}

// deepFocus names the focused element, inside the banner's shadow root
// too: its data-cc, name or id, else its tag name.
const deepFocus = `(() => {
	let e = document.activeElement
	while (e?.shadowRoot?.activeElement) e = e.shadowRoot.activeElement
	return e.dataset?.cc || e.name || e.id || e.tagName
})()`

// TestShopKeyboard goes through the banner on the shop with the keyboard
// only: Tab reaches the buttons in the shadow root, Enter and Space work,
// and the settings keep the focus.
func TestShopKeyboard(t *testing.T) {
	ctx := shopTab(t)
	openShop(t, ctx, env.shop.URL+"/product.html")
	// The banner takes the focus in the frame after it opens.
	waitFor(t, ctx, deepFocus+` == "cc-title"`)
	tabTo := func(want string) []string {
		return tabUntil(t, ctx, func() string { return js[string](t, ctx, deepFocus) }, want)
	}
	if got := tabTo("set"); !slices.Contains(got, "all") || !slices.Contains(got, "none") {
		t.Errorf("Tab went %v: it must pass both Accept all and Reject all", got)
	}
	keys(t, ctx, kb.Enter)
	if _, settings := shopBanner(t, ctx); !settings {
		t.Fatal("Enter on Settings did not open the settings")
	}
	// Modal: Tab stays in the settings (or the browser's own controls,
	// where the page sees its body focused), never the shop's page.
	for range 15 {
		keys(t, ctx, kb.Tab)
		if !js[bool](t, ctx, `(a => a == document.body || a.localName == "pelqim-consent" && `+shadowCC+`.contains(a.shadowRoot.activeElement))(document.activeElement)`) {
			t.Fatalf("Tab reached the shop's page behind the open settings: %s", js[string](t, ctx, deepFocus))
		}
	}
	tabTo("statistics")
	keys(t, ctx, " ")
	if !js[bool](t, ctx, shadowCC+`.querySelector("[name=statistics]").checked`) {
		t.Fatal("Space did not switch statistics on")
	}
	tabTo("save")
	keys(t, ctx, kb.Enter)
	waitFor(t, ctx, `!`+shadowCC+`.open`)
	if c := mustStore(t, ctx); !slices.Equal(c.Granted, []string{"necessary", "statistics"}) {
		t.Errorf("granted %v, want necessary and statistics", c.Granted)
	}
	waitFor(t, ctx, `window.order?.includes("ga.js")`)
}

// TestShopAxe runs axe-core on the strict-CSP shop page with the banner's
// first layer and its settings open; axe reaches into the shadow root.
// Narrow only: TestAxe covers the banner's layouts, this what the shop
// changes (the shadow root, the shop's CSP, the frame's placeholder).
func TestShopAxe(t *testing.T) {
	setup(t)
	for _, width := range []int64{360} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			ctx := shopTab(t)
			viewport(t, ctx, width)
			openShop(t, ctx, env.shop.URL+"/csp.html")
			check := axe(t, ctx)
			check("first layer")
			js[bool](t, ctx, `pelqim.open(), true`)
			if _, settings := shopBanner(t, ctx); !settings {
				t.Fatal("the settings did not open")
			}
			check("settings open")
			// The check can fail: a nameless button in the shadow root is found.
			got := js[[]string](t, ctx, shadowCC+`.querySelector(".cc-btns").append(document.createElement("button")),
				axe.run(document).then(r => r.violations.map(v => v.id))`)
			if !slices.Contains(got, "button-name") {
				t.Errorf("axe-core missed a nameless button in the shadow root: %v", got)
			}
		})
	}
}

// consentVersion is the version of the cookie declaration the site's tag
// carries.
func consentVersion(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(env.a.URL + "/embed/v1/consent.js")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`"consentVersion":"([0-9a-f]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no consentVersion in the tag: %.200s", b)
	}
	return string(m[1])
}

// TestShopBadCookie: a pelqim_consent cookie the banner did not write, of
// the host or of the domain, is no choice: the banner asks, nothing runs,
// nothing throws, and the next choice replaces it, one cookie. A category
// the site does not have never runs, even when a cookie grants it.
func TestShopBadCookie(t *testing.T) {
	setup(t)
	const id = "0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b"
	now := fmt.Sprint(time.Now().Unix())
	version := consentVersion(t)
	for _, c := range []struct {
		name, value string
		domain      bool // of pelqim.test, else of the shop's host
		choice      bool // a choice all the same: no banner
	}{
		{"garbage", "garbage", false, false},
		{"not the format", "1.x.y.z.all", true, false},
		{"another version", "1." + id + ".deadbeef." + now + ".necessary+statistics+marketing", true, false},
		{"from the future", "1." + id + "." + version + ".99999999999.necessary+statistics", true, false},
		{"an unknown category", "1." + id + "." + version + "." + now + ".necessary+analytics", true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := shopTab(t)
			// Set as a page of the shop would set it (the URL gives the
			// cookie the page's scheme and port; CDP reads a domain
			// without its leading dot as a host).
			p := network.SetCookieParams{Name: "pelqim_consent", Value: c.value, URL: env.shop.URL + "/", Path: "/"}
			if c.domain {
				p.Domain = ".pelqim.test"
			}
			if _, err := chromedp.Call(ctx, network.SetCookie, p); err != nil {
				t.Fatal(err)
			}
			openShop(t, ctx, env.shop.URL+"/product.html")
			time.Sleep(200 * time.Millisecond)
			if got := order(t, ctx); len(got) != 0 {
				t.Errorf("gated scripts ran: %v", got)
			}
			if c.choice {
				if open, _ := shopBanner(t, ctx); open {
					t.Error("the banner asks again, though the cookie holds a choice of necessary alone")
				}
				if got := js[string](t, ctx, `JSON.stringify(pelqim.consent().categories)`); got != `{"necessary":true,"preferences":false,"statistics":false,"marketing":false}` {
					t.Errorf("pelqim.consent().categories %s, want necessary alone", got)
				}
				return
			}
			if open, settings := shopBanner(t, ctx); !open || settings {
				t.Errorf("banner open=%v settings=%v, want the first layer", open, settings)
			}
			if !js[bool](t, ctx, `pelqim.consent() === null`) {
				t.Errorf("pelqim.consent() is %s, want null", js[string](t, ctx, `JSON.stringify(pelqim.consent())`))
			}
			shopClick(t, ctx, `[data-cc=none]`)
			if got := allCookies(t, ctx); !slices.Equal(got, []string{"pelqim_consent", "wp_woocommerce_session_test"}) {
				t.Errorf("cookies after the choice: %v, want one pelqim_consent (and the shop's session)", got)
			}
			if got := mustStore(t, ctx); !slices.Equal(got.Granted, []string{"necessary"}) {
				t.Errorf("the choice in the cookie: %+v, want necessary alone", got)
			}
		})
	}
}

// TestShopQueue: the consent function out of reach (its address blocked),
// the shop's choice waits in the shop's localStorage, and is delivered on
// a later page once it is reachable.
func TestShopQueue(t *testing.T) {
	ctx := shopTab(t)
	var blocked atomic.Int32
	go func() {
		for ev, err := range chromedp.Events(ctx, network.LoadingFailed) {
			if err != nil {
				return
			}
			if ev.BlockedReason != "" {
				blocked.Add(1)
			}
		}
	}()
	block := func(patterns ...string) {
		t.Helper()
		var ps []*network.BlockPattern
		for _, p := range patterns {
			ps = append(ps, &network.BlockPattern{URLPattern: p, Block: true})
		}
		if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: ps}); err != nil {
			t.Fatal(err)
		}
	}
	block("*://*:*/api/consent")
	openShop(t, ctx, env.shop.URL+"/product.html")
	shopClick(t, ctx, `[data-cc=none]`)
	id := mustStore(t, ctx).ID
	for deadline := time.Now().Add(10 * time.Second); blocked.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if blocked.Load() == 0 {
		t.Fatal("the banner did not try to post the choice, or the block did not hold")
	}
	if q := queue(t, ctx); len(q) != 1 || q[0].Action != "reject_all" || q[0].ConsentID != id {
		t.Fatalf("queue %+v, want the one reject_all of %s", q, id)
	}
	if h := env.a.history(t, id); h != nil {
		t.Fatalf("the store has %+v, though the function was out of reach", h)
	}

	block()
	openShop(t, ctx, env.shop.URL+"/product.html")
	waitFor(t, ctx, `localStorage.getItem("pelqim_queue") === null`)
	if ev := env.a.historyOf(t, id, 1)[0]; ev.Action != "reject_all" || ev.Origin != env.shop.URL {
		t.Errorf("record %+v, want the queued reject_all, made on the shop", ev)
	}
}

// TestShopCORS: the consent function takes choices from the listed shop
// only. Asked directly: the preflight is answered for exactly that origin,
// 403 for another, and a POST from another is refused with nothing
// stored. In the browser: a page of an unlisted origin (other.pelqim.test,
// the same pages) cannot deliver its choice, which stays queued.
func TestShopCORS(t *testing.T) {
	setup(t)
	do := func(method, origin, body string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, env.a.URL+"/api/consent", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp := do(http.MethodOptions, env.shop.URL, "")
	if h := resp.Header; resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != env.shop.URL ||
		!slices.Contains(h.Values("Vary"), "Origin") || h.Get("Access-Control-Allow-Credentials") != "" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight from the shop: %s %v, want 204 allowing exactly %s, POST, Vary: Origin, no credentials", resp.Status, h, env.shop.URL)
	}
	for _, o := range []string{env.other.URL, env.tracker.URL, "null"} {
		if resp := do(http.MethodOptions, o, ""); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s: %s %v, want 403 and no Access-Control-Allow-Origin", o, resp.Status, resp.Header)
		}
	}
	const id = "5d1c3a0e-2b4f-4e6a-8c7d-9e0f1a2b3c4d"
	ev := fmt.Sprintf(`{"consentId":%q,"eventId":"6e2d4b1f-3c5a-4f7b-9d8e-0f1a2b3c4d5e","action":"reject_all","categories":{"necessary":true,"preferences":false,"statistics":false,"marketing":false},"consentVersion":%q,"policyVersion":"abc","language":"en","page":"/product.html","gpc":false,"chosenAt":%d}`, id, consentVersion(t), time.Now().Unix())
	if resp := do(http.MethodPost, env.other.URL, ev); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("POST from %s: %s, want 403 and no Access-Control-Allow-Origin", env.other.URL, resp.Status)
	}
	if h := env.a.history(t, id); h != nil {
		t.Errorf("the store has %+v from an unlisted origin", h)
	}

	// In the browser.
	ctx := shopTab(t)
	var refused atomic.Int32
	go func() {
		for ev, err := range chromedp.Events(ctx, network.LoadingFailed) {
			if err != nil {
				return
			}
			if ev.CorsErrorStatus != nil {
				refused.Add(1)
			}
		}
	}()
	openShop(t, ctx, env.other.URL+"/product.html")
	shopClick(t, ctx, `[data-cc=none]`)
	c := mustStore(t, ctx)
	for deadline := time.Now().Add(10 * time.Second); refused.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if refused.Load() == 0 {
		t.Error("the browser reported no CORS refusal of the choice's POST")
	}
	if q := queue(t, ctx); len(q) != 1 || q[0].ConsentID != c.ID {
		t.Errorf("queue %+v, want the refused choice kept", q)
	}
	if h := env.a.history(t, c.ID); h != nil {
		t.Errorf("the store has %+v from an unlisted origin", h)
	}
}
