package e2e

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
)

// The banner on the shop (issue 15): the fixture shop (fixture_test.go)
// carries the tag first in its <head>, gates its trackers, and posts its
// visitors' choices to the site's consent function, cross-origin.

// shadowCC is the banner's dialog on a shop page, in its shadow root.
const shadowCC = `document.querySelector("pelqim-consent").shadowRoot.getElementById("cc")`

// shopTab opens a tab in a browser context of its own, as tab does, and
// fails the test if a page in it throws an exception that nothing catches.
func shopTab(t *testing.T) context.Context {
	t.Helper()
	ctx := tab(t)
	var mu sync.Mutex
	var thrown []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			thrown = append(thrown, e.ExceptionDetails.Text+" "+describe(e.ExceptionDetails.Exception)+" at "+e.ExceptionDetails.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if len(thrown) > 0 {
			t.Errorf("uncaught exceptions on the shop's pages:\n%s", strings.Join(thrown, "\n"))
		}
	})
	return ctx
}

// openShop loads a page of the shop and waits until the banner is drawn.
func openShop(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	open(t, ctx, url)
	waitFor(t, ctx, `document.querySelector("pelqim-consent")?.shadowRoot.getElementById("cc")`)
}

// shopClick clicks an element of the banner's shadow root, as a mouse does.
func shopClick(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(`document.querySelector("pelqim-consent").shadowRoot.querySelector("`+css+`")`))); err != nil {
		t.Fatalf("click %s in the banner: %v", css, err)
	}
}

// shopBanner reports whether the banner is open on a shop's page, and
// whether as the settings.
func shopBanner(t *testing.T, ctx context.Context) (open, settings bool) {
	t.Helper()
	s := js[[]bool](t, ctx, `(cc => [cc.open, cc.matches(":modal")])(`+shadowCC+`)`)
	return s[0], s[1]
}

// allCookies lists every cookie of the tab's browser context, whatever
// its site, HttpOnly ones included, by name.
func allCookies(t *testing.T, ctx context.Context) []string {
	t.Helper()
	res, err := chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range res.Cookies {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return names
}

// order is what the shop's gated scripts logged, in the order they ran.
func order(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return js[[]string](t, ctx, `window.order || []`)
}

// consentModeDefault is the Consent Mode default: all seven signals,
// denied but security.
const consentModeDefault = `["consent","default",{"ad_storage":"denied","ad_user_data":"denied","ad_personalization":"denied","analytics_storage":"denied","functionality_storage":"denied","personalization_storage":"denied","security_storage":"granted","wait_for_update":500}]`

// TestShopFirstVisit: a fresh profile on a product page. Before a choice
// the tracker hears nothing, no cookie is set, the banner is drawn in its
// shadow root, and Consent Mode's default comes first.
func TestShopFirstVisit(t *testing.T) {
	ctx := shopTab(t)
	mark := env.tracker.mark()
	openShop(t, ctx, env.shop.URL+"/product.html")

	if open, settings := shopBanner(t, ctx); !open || settings {
		t.Fatalf("first visit: banner open=%v settings=%v, want the first layer", open, settings)
	}
	// Drawn, in the shadow root, where the page's selectors do not reach.
	if !js[bool](t, ctx, `(cc => cc.checkVisibility() && cc.getBoundingClientRect().height > 50 && getComputedStyle(cc).position == "fixed" &&
		[...cc.querySelectorAll("[data-cc=all], [data-cc=none], [data-cc=set]")].every(b => b.checkVisibility()))(`+shadowCC+`)`) {
		t.Error("the banner's dialog or its three buttons are not shown, or it has not its styles")
	}
	if n := js[int](t, ctx, `document.querySelectorAll("#cc, .cc, [data-cc]").length`); n != 0 {
		t.Errorf("%d of the banner's elements are in the shop's document, want all in the shadow root", n)
	}
	if got := js[string](t, ctx, `document.querySelector("pelqim-consent").shadowRoot.querySelector("h2").textContent`); got == "" {
		t.Error("the banner has no title")
	}
	time.Sleep(200 * time.Millisecond) // a gated script would have run by now
	if got := env.tracker.since(mark); len(got) != 0 {
		t.Errorf("the tracker was asked for %v before a choice", got)
	}
	// The shop's HttpOnly session alone: the page cannot see it, the
	// browser's cookie jar does, so would it others.
	if got := allCookies(t, ctx); !slices.Equal(got, []string{"wp_woocommerce_session_test"}) {
		t.Errorf("cookies before a choice: %v, want the shop's session alone", got)
	}
	if got := js[string](t, ctx, `document.cookie`); got != "" {
		t.Errorf("the page sees the cookies %q before a choice", got)
	}
	if got := order(t, ctx); len(got) != 0 {
		t.Errorf("gated scripts ran before a choice: %v", got)
	}
	// The video: no address, and a placeholder saying what allowing it does.
	if !js[bool](t, ctx, `(f => !f.src && f.hidden && f.previousElementSibling.localName == "pelqim-frame")(document.querySelector("iframe"))`) {
		t.Error("the gated frame has an address, or is shown, or has no placeholder before a choice")
	}
	if got := js[string](t, ctx, `document.querySelector("pelqim-frame").shadowRoot.querySelector("button[data-cc-allow=marketing]").textContent`); !strings.Contains(got, "Marketing") {
		t.Errorf("the placeholder's button says %q, want it to name the category (Marketing)", got)
	}
	// Consent Mode: the default is dataLayer's first entry, set before any
	// tag after ours could push.
	if got := js[string](t, ctx, `JSON.stringify([...dataLayer[0]])`); got != consentModeDefault {
		t.Errorf("dataLayer[0] before a choice: %s, want %s", got, consentModeDefault)
	}
	if js[bool](t, ctx, `pelqim.consent() !== null`) {
		t.Error("pelqim.consent() is not null before a choice")
	}
}

// TestShopRejectAll: Reject all on the shop is recorded by the site's
// consent function, as made on the shop's origin; the pages after it stay
// clean.
func TestShopRejectAll(t *testing.T) {
	ctx := shopTab(t)
	mark := env.tracker.mark()
	openShop(t, ctx, env.shop.URL+"/product.html")
	shopClick(t, ctx, `[data-cc=none]`)

	if open, _ := shopBanner(t, ctx); open {
		t.Error("the banner stays open after Reject all")
	}
	c := mustStore(t, ctx)
	if !slices.Equal(c.Granted, []string{"necessary"}) {
		t.Errorf("granted %v after Reject all, want only necessary", c.Granted)
	}
	ev := env.a.historyOf(t, c.ID, 1)[0]
	want := map[string]bool{"necessary": true, "preferences": false, "statistics": false, "marketing": false}
	if ev.Action != "reject_all" || !equalMaps(ev.Categories, want) || ev.Origin != env.shop.URL || ev.Page != "/product.html" || ev.Language != "en" {
		t.Errorf("record %+v, want reject_all of every optional category, made on %s/product.html in en", ev, env.shop.URL)
	}
	waitFor(t, ctx, `localStorage.getItem("pelqim_queue") === null`)

	// Three more pages: no banner, nothing run, asked for or stored.
	for _, page := range []string{"/product.html", "/wp.html", "/csp.html"} {
		openShop(t, ctx, env.shop.URL+page)
		time.Sleep(200 * time.Millisecond)
		if open, _ := shopBanner(t, ctx); open {
			t.Errorf("%s: the banner is back after Reject all", page)
		}
		if got := order(t, ctx); len(got) != 0 {
			t.Errorf("%s: gated scripts ran after Reject all: %v", page, got)
		}
		if js[bool](t, ctx, `!!document.querySelector("iframe").src`) {
			t.Errorf("%s: the gated frame got its address after Reject all", page)
		}
		if got := js[string](t, ctx, `JSON.stringify(dataLayer.filter(a => a[0] == "consent").map(a => [a[1], a[2].analytics_storage, a[2].ad_storage]))`); got != `[["default","denied","denied"],["update","denied","denied"]]` {
			t.Errorf("%s: Consent Mode calls %s, want the default and an update, denied", page, got)
		}
	}
	if got := env.tracker.since(mark); len(got) != 0 {
		t.Errorf("the tracker was asked for %v after Reject all", got)
	}
	if got := allCookies(t, ctx); !slices.Equal(got, []string{"pelqim_consent", "wp_woocommerce_session_test"}) {
		t.Errorf("cookies after Reject all: %v, want pelqim_consent and the shop's session", got)
	}
	if n := len(env.a.history(t, c.ID)); n != 1 {
		t.Errorf("%d records after the pages that followed, want still 1", n)
	}
}

// gatedOrder is the order the fixture's gated scripts run in with all
// granted, gtag.js (ga.js) left out: the GA snippet loads it async.
var gatedOrder = []string{"ga-snippet", "pixel.js", "pixel-snippet:function"}

// ranInOrder waits for the gated scripts to run and checks their order.
func ranInOrder(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, `window.order && order.includes("ga.js") && order.length >= 4`)
	got := order(t, ctx)
	if n := slices.Index(got, "ga.js"); !slices.Equal(slices.Delete(slices.Clone(got), n, n+1), gatedOrder) {
		t.Errorf("the gated scripts ran as %v, want %v and ga.js (in document order, each once; the unknown category never)", got, gatedOrder)
	}
}

// TestShopAcceptAll: Accept all on a WooCommerce-like page runs the
// trackers in document order, with their cookies and the video; Consent
// Mode and the WP Consent API are told; the next page does the same at
// once.
func TestShopAcceptAll(t *testing.T) {
	ctx := shopTab(t)
	mark := env.tracker.mark()
	openShop(t, ctx, env.shop.URL+"/wp.html")
	if got := js[string](t, ctx, `String(wpSeenType)`); got != "optin" {
		t.Errorf("the WP Consent API read wp_consent_type %q when it loaded, want optin", got)
	}
	if got := js[int](t, ctx, `wpCalls.length`); got != 0 {
		t.Errorf("%d wp_set_consent calls before a choice", got)
	}
	shopClick(t, ctx, `[data-cc=all]`)
	ranInOrder(t, ctx)

	if got := js[string](t, ctx, `gaSawConsent`); got != "default,update" {
		t.Errorf("gtag.js saw the Consent Mode calls %q before it ran, want default,update", got)
	}
	if got := js[string](t, ctx, `JSON.stringify([...dataLayer.filter(a => a[0] == "consent").at(-1)])`); got != `["consent","update",{"ad_storage":"granted","ad_user_data":"granted","ad_personalization":"granted","analytics_storage":"granted","functionality_storage":"granted","personalization_storage":"granted","security_storage":"granted"}]` {
		t.Errorf("the last Consent Mode call after Accept all: %s", got)
	}
	const wpAll = `[["functional","allow"],["preferences","allow"],["statistics","allow"],["statistics-anonymous","allow"],["marketing","allow"]]`
	if got := js[string](t, ctx, `JSON.stringify(wpCalls)`); got != wpAll {
		t.Errorf("wp_set_consent calls %s, want %s", got, wpAll)
	}
	waitFor(t, ctx, `(f => f.src && !f.hidden && f.contentDocument === null)(document.querySelector("iframe"))`)
	if got := js[string](t, ctx, `document.querySelector("iframe").src`); got != env.tracker.URL+"/video.html" {
		t.Errorf("the frame's address is %s, want the tracker's video", got)
	}
	if js[bool](t, ctx, `!!document.querySelector("pelqim-frame")`) {
		t.Error("the frame's placeholder stays after Accept all")
	}
	for deadline := time.Now().Add(5 * time.Second); !slices.Contains(env.tracker.since(mark), "/video.html") && time.Now().Before(deadline); {
		time.Sleep(25 * time.Millisecond)
	}
	if got := env.tracker.since(mark); !slices.Contains(got, "/video.html") || !slices.Contains(got, "/ga.js") || !slices.Contains(got, "/pixel.js") {
		t.Errorf("the tracker got %v, want ga.js, pixel.js and video.html", got)
	}
	if got := allCookies(t, ctx); !slices.Equal(got, []string{"_fbp", "_ga", "_ga_TEST", "pelqim_consent", "wp_woocommerce_session_test"}) {
		t.Errorf("cookies after Accept all: %v, want the trackers' and the consent cookie", got)
	}
	c := mustStore(t, ctx)
	if ev := env.a.historyOf(t, c.ID, 1)[0]; ev.Action != "accept_all" || !ev.Categories["marketing"] || ev.Origin != env.shop.URL || ev.Page != "/wp.html" {
		t.Errorf("record %+v, want accept_all with marketing, made on %s/wp.html", ev, env.shop.URL)
	}

	// The next page: no banner; everything told and run as it loads,
	// Consent Mode's update before the GA snippet's first call.
	openShop(t, ctx, env.shop.URL+"/wp.html")
	if open, _ := shopBanner(t, ctx); open {
		t.Error("the banner is back on the next page")
	}
	ranInOrder(t, ctx)
	if got := js[string](t, ctx, `JSON.stringify(dataLayer.slice(0, 3).map(a => a[0] == "consent" ? a[1] : a[0]))`); got != `["default","update","js"]` {
		t.Errorf("dataLayer begins %s on a page with a stored choice, want the default, the update, then the GA snippet's js", got)
	}
	if got := js[string](t, ctx, `String(wpSeenType) + JSON.stringify(wpCalls)`); got != "optin"+wpAll {
		t.Errorf("on a page with a stored choice, the WP Consent API saw %s, want optin and %s", got, wpAll)
	}
}

// TestShopWithdraw: pelqim.open() and Reject all after Accept all delete
// the trackers' cookies, the domain's and the host's, and load the page
// afresh, where the trackers no longer run.
func TestShopWithdraw(t *testing.T) {
	ctx := shopTab(t)
	openShop(t, ctx, env.shop.URL+"/product.html")
	shopClick(t, ctx, `[data-cc=all]`)
	ranInOrder(t, ctx)
	id := mustStore(t, ctx).ID

	js[bool](t, ctx, `window.kept = true`) // lost when the page reloads
	js[bool](t, ctx, `pelqim.open(), true`)
	if _, settings := shopBanner(t, ctx); !settings {
		t.Fatal("pelqim.open() did not open the settings")
	}
	if !js[bool](t, ctx, `[...`+shadowCC+`.querySelectorAll("input:not(:disabled)")].every(i => i.checked)`) {
		t.Error("the settings do not show the choice in force (all on)")
	}
	mark := env.tracker.mark()
	shopClick(t, ctx, `[data-cc=none]`)
	waitFor(t, ctx, `!window.kept && document.readyState == "complete" && document.querySelector("pelqim-consent")`)
	time.Sleep(200 * time.Millisecond)
	if got := allCookies(t, ctx); !slices.Equal(got, []string{"pelqim_consent", "wp_woocommerce_session_test"}) {
		t.Errorf("cookies after withdrawing everything: %v, want pelqim_consent and the shop's session alone (_ga of the domain, _ga_TEST and _fbp of the host deleted)", got)
	}
	if got := order(t, ctx); len(got) != 0 {
		t.Errorf("gated scripts run on the page after the withdrawal: %v", got)
	}
	if got := env.tracker.since(mark); len(got) != 0 {
		t.Errorf("the tracker was asked for %v after the withdrawal", got)
	}
	if open, _ := shopBanner(t, ctx); open {
		t.Error("the banner is open again after the withdrawal")
	}
	if ev := env.a.historyOf(t, id, 2)[1]; ev.Action != "withdraw" || ev.Origin != env.shop.URL {
		t.Errorf("record %+v, want withdraw, made on %s", ev, env.shop.URL)
	}
}

// TestShopAndSite: the choice made on the shop is the site's, and the
// reverse: one pelqim_consent cookie, for the domain.
func TestShopAndSite(t *testing.T) {
	ctx := shopTab(t)
	_, port, _ := strings.Cut(strings.TrimPrefix(env.a.URL, "http://"), ":")
	site := "http://privatesia.pelqim.test:" + port + "/en/"
	consentCookies := func() int {
		t.Helper()
		n := 0
		for _, c := range allCookies(t, ctx) {
			if c == "pelqim_consent" {
				n++
			}
		}
		return n
	}

	// Chosen on the site (whose own consent function takes only its own
	// origin under an address: the record waits in that origin's queue;
	// the cookie is what is checked here).
	open(t, ctx, site)
	click(t, ctx, `#cc [data-cc=none]`)
	onSite := mustStore(t, ctx)
	openShop(t, ctx, env.shop.URL+"/product.html")
	if open, _ := shopBanner(t, ctx); open {
		t.Error("the shop asks again after a choice on the site")
	}
	if got := js[string](t, ctx, `JSON.stringify(pelqim.consent())`); !strings.Contains(got, `"consentId":"`+onSite.ID+`"`) || !strings.Contains(got, `"categories":{"necessary":true,"preferences":false,"statistics":false,"marketing":false}`) {
		t.Errorf("pelqim.consent() on the shop is %s, want the site's choice %+v", got, onSite)
	}

	// Changed on the shop: the site reads it.
	js[bool](t, ctx, `pelqim.open(), true`)
	shopClick(t, ctx, `[data-cc=all]`)
	ranInOrder(t, ctx)
	if onShop := mustStore(t, ctx); onShop.ID != onSite.ID {
		t.Errorf("the shop's choice has consent id %s, the site's %s: one visitor's history must stay one", onShop.ID, onSite.ID)
	}
	if ev := env.a.historyOf(t, onSite.ID, 1)[0]; ev.Action != "accept_all" || ev.Origin != env.shop.URL {
		t.Errorf("record %+v, want accept_all made on the shop", ev)
	}
	open(t, ctx, site)
	if open, _ := banner(t, ctx); open {
		t.Error("the site asks again after a choice on the shop")
	}
	if c := mustStore(t, ctx); c.ID != onSite.ID || !c.has("marketing") {
		t.Errorf("the site reads %+v after Accept all on the shop", c)
	}
	if got := js[string](t, ctx, `(c => c.consentId + " " + c.categories.marketing)(pelqim.consent())`); got != onSite.ID+" true" {
		t.Errorf("pelqim.consent() on the site: %s, want %s with marketing", got, onSite.ID)
	}
	if n := consentCookies(); n != 1 {
		t.Errorf("%d pelqim_consent cookies, want 1 for the domain", n)
	}
	if n := js[int](t, ctx, `document.cookie.split("; ").filter(c => c.startsWith("pelqim_consent=")).length`); n != 1 {
		t.Errorf("the site's page sees %d pelqim_consent cookies, want 1", n)
	}
}

// TestShopAPI: the shop's own code asks pelqim.consent(), hears
// pelqim:consent, and opens the settings with pelqim.open().
func TestShopAPI(t *testing.T) {
	ctx := shopTab(t)
	openShop(t, ctx, env.shop.URL+"/product.html")
	if !js[bool](t, ctx, `pelqim.consent() === null`) {
		t.Errorf("pelqim.consent() before a choice: %s, want null", js[string](t, ctx, `JSON.stringify(pelqim.consent())`))
	}
	js[bool](t, ctx, `window.heard = [], document.addEventListener("pelqim:consent", e => heard.push(e.detail)), true`)
	js[bool](t, ctx, `pelqim.open(), true`)
	if open, settings := shopBanner(t, ctx); !open || !settings {
		t.Fatalf("pelqim.open(): open=%v settings=%v, want the settings", open, settings)
	}
	shopClick(t, ctx, `input[name=marketing]`)
	shopClick(t, ctx, `[data-cc=save]`)

	c := mustStore(t, ctx)
	got := js[string](t, ctx, `JSON.stringify(pelqim.consent())`)
	if want := `{"consentId":"` + c.ID + `","categories":{"necessary":true,"preferences":false,"statistics":false,"marketing":true},"chosenAt":"`; !strings.HasPrefix(got, want) {
		t.Errorf("pelqim.consent() after the choice: %s, want it to begin %s", got, want)
	}
	at, err := time.Parse(time.RFC3339, js[string](t, ctx, `pelqim.consent().chosenAt`))
	if err != nil || time.Since(at) > time.Minute || time.Since(at) < -time.Second {
		t.Errorf("chosenAt %v (%v), want the time of the choice", at, err)
	}
	if heard := js[string](t, ctx, `JSON.stringify(heard)`); heard != "["+got+"]" {
		t.Errorf("pelqim:consent details %s, want one, %s", heard, got)
	}
	// A choice made again is heard again.
	js[bool](t, ctx, `pelqim.open(), true`)
	shopClick(t, ctx, `[data-cc=none]`)
	waitFor(t, ctx, `document.readyState == "complete" && document.querySelector("pelqim-consent")`)
	if got := js[string](t, ctx, `JSON.stringify(pelqim.consent().categories)`); got != `{"necessary":true,"preferences":false,"statistics":false,"marketing":false}` {
		t.Errorf("pelqim.consent().categories after Reject all: %s", got)
	}
}

// TestShopFramePlaceholder: the gated video's placeholder grants marketing
// alone, and the video and marketing's scripts start.
func TestShopFramePlaceholder(t *testing.T) {
	ctx := shopTab(t)
	openShop(t, ctx, env.shop.URL+"/product.html")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(`document.querySelector("pelqim-frame").shadowRoot.querySelector("button")`))); err != nil {
		t.Fatalf("click the placeholder's button: %v", err)
	}
	waitFor(t, ctx, `document.querySelector("iframe").src && window.order?.includes("pixel-snippet:function")`)
	if c := mustStore(t, ctx); !slices.Equal(c.Granted, []string{"necessary", "marketing"}) {
		t.Errorf("granted %v, want necessary and marketing", c.Granted)
	}
	if open, _ := shopBanner(t, ctx); open {
		t.Error("the banner stays open after a choice made on the placeholder")
	}
	time.Sleep(200 * time.Millisecond)
	if got := order(t, ctx); !slices.Equal(got, []string{"pixel.js", "pixel-snippet:function"}) {
		t.Errorf("gated scripts ran as %v, want marketing's alone", got)
	}
	if ev := env.a.historyOf(t, mustStore(t, ctx).ID, 1)[0]; ev.Action != "custom" || !ev.Categories["marketing"] || ev.Categories["statistics"] {
		t.Errorf("record %+v, want custom with marketing alone", ev)
	}
}
