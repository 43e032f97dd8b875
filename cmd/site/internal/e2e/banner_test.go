package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// cookieFormat is the documented value of pelqim_consent.
var cookieFormat = regexp.MustCompile(`^1\.([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.([0-9a-f]+)\.([0-9]+)\.([a-z+]*)$`)

func splitPlus(s string) []string { return strings.Split(s, "+") }

func TestFirstVisit(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, env.a.URL+"/sq/")

	if open, settings := banner(t, ctx); !open || settings {
		t.Fatalf("first visit: banner open=%v settings=%v, want the first layer", open, settings)
	}
	titleFocused(t, ctx)
	// Nothing stored, nothing run, before a choice.
	if c := cookies(t, ctx, env.a); len(c) != 0 {
		t.Errorf("cookies before a choice: %s", describe(c))
	}
	if n := js[int](t, ctx, `localStorage.length + sessionStorage.length`); n != 0 {
		t.Errorf("%d storage entries before a choice", n)
	}
	if ran := js[string](t, ctx, gatedRan); ran != "" {
		t.Errorf("gated scripts ran before a choice: %s", ran)
	}
	// Consent Mode v2: all seven signals, denied by default but security,
	// before any tag.
	if got := js[string](t, ctx, `JSON.stringify(dataLayer.map(a => [...a]))`); got != `[["consent","default",{"ad_storage":"denied","ad_user_data":"denied","ad_personalization":"denied","analytics_storage":"denied","functionality_storage":"denied","personalization_storage":"denied","security_storage":"granted","wait_for_update":500}]]` {
		t.Errorf("dataLayer before a choice: %s", got)
	}

	// The three choices look the same, and the banner overlays the page.
	look := js[[]string](t, ctx, `[...cc.querySelectorAll("[data-cc]")].filter(b => b.checkVisibility()).map(b => {
		const r = b.getBoundingClientRect(), s = getComputedStyle(b)
		return [b.dataset.cc, r.width, r.height, s.color, s.backgroundColor, s.fontSize, s.fontWeight, s.borderColor].join(" ").replace(/^\S+ /, "")
	})`)
	if len(look) != 3 || look[0] != look[1] || look[1] != look[2] {
		t.Errorf("the first layer's buttons differ (size, colours, font): %q", look)
	}
	if pos := js[string](t, ctx, `getComputedStyle(cc).position`); pos != "fixed" {
		t.Errorf("banner position %s, want fixed (it must overlay, not push the page)", pos)
	}

	// Esc does not dismiss it: there is no choice yet.
	keys(t, ctx, kb.Escape)
	if open, _ := banner(t, ctx); !open {
		t.Error("Esc closed the first layer without a choice")
	}
	if _, ok := stored(t, ctx); ok {
		t.Error("Esc stored a choice")
	}
}

func TestRejectAll(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, env.a.URL+"/en/")
	click(t, ctx, `#cc [data-cc=none]`)

	if open, _ := banner(t, ctx); open {
		t.Error("the banner stays open after Reject all")
	}
	c := mustStore(t, ctx)
	if !slices.Equal(c.Granted, []string{"necessary"}) {
		t.Errorf("granted %v after Reject all, want only necessary", c.Granted)
	}
	version := js[string](t, ctx, `cc.dataset.consentVersion`)
	if c.Version != version {
		t.Errorf("cookie has consent version %s, the page %s", c.Version, version)
	}
	time.Sleep(200 * time.Millisecond) // a gated script would have run by now
	if ran := js[string](t, ctx, gatedRan); ran != "" {
		t.Errorf("gated scripts ran after Reject all: %s", ran)
	}
	if n := js[int](t, ctx, `document.querySelectorAll('script[type="text/plain"]').length`); n != 3 {
		t.Errorf("%d gated scripts left inert, want all 3", n)
	}

	// The one cookie, as the browser holds it.
	cs := cookies(t, ctx, env.a)
	if len(cs) != 1 || cs[0].Name != "pelqim_consent" {
		t.Fatalf("cookies after Reject all: %s", describe(cs))
	}
	k := cs[0]
	maxAge := time.Until(time.Unix(int64(k.Expires), 0))
	if k.Path != "/" || k.SameSite != "Lax" || k.Secure || k.HTTPOnly || maxAge > 13*31*24*time.Hour || maxAge < 365*24*time.Hour {
		t.Errorf("pelqim_consent: path %s, SameSite %s, Secure %v, HttpOnly %v, lifetime %v; want /, Lax, not Secure on http, script-readable, 12 to 13 months",
			k.Path, k.SameSite, k.Secure, k.HTTPOnly, maxAge.Round(time.Hour))
	}

	// The proof, in the store.
	ev := env.a.historyOf(t, c.ID, 1)[0]
	want := map[string]bool{"necessary": true, "preferences": false, "statistics": false, "marketing": false}
	policy := js[string](t, ctx, `cc.dataset.policyVersion`)
	if ev.Action != "reject_all" || !equalMaps(ev.Categories, want) || ev.Consent != version || ev.Policy != policy ||
		ev.Language != "en" || ev.Page != "/en/" || ev.GPC {
		t.Errorf("record %+v, want reject_all of every optional category, versions %s/%s, en, /en/, gpc false", ev, version, policy)
	}
	waitFor(t, ctx, `localStorage.getItem("pelqim_queue") === null`)
}

func TestAcceptAllAndReload(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, env.a.URL+"/sq/")
	click(t, ctx, `#cc [data-cc=all]`)
	waitFor(t, ctx, `document.documentElement.dataset.statsRan && document.documentElement.dataset.adsRan`)

	c := mustStore(t, ctx)
	if !slices.Equal(c.Granted, []string{"necessary", "preferences", "statistics", "marketing"}) {
		t.Errorf("granted %v after Accept all", c.Granted)
	}
	if seen := js[string](t, ctx, `document.documentElement.dataset.consentModeSeen`); seen == "-1" || seen == "0" {
		t.Errorf("the statistics tag ran before the Consent Mode default (dataLayer length %s)", seen)
	}
	if got := js[string](t, ctx, `JSON.stringify([...dataLayer.at(-1)])`); got != `["consent","update",{"ad_storage":"granted","ad_user_data":"granted","ad_personalization":"granted","analytics_storage":"granted","functionality_storage":"granted","personalization_storage":"granted","security_storage":"granted"}]` {
		t.Errorf("last Consent Mode call after Accept all: %s", got)
	}
	// Inline gated code is revived as the shop's is, but the site's CSP
	// allows no inline script: it never runs here.
	if js[bool](t, ctx, `"inlineRan" in document.documentElement.dataset || !document.getElementById("inline-gated")`) {
		t.Error("an inline gated script ran under the site's CSP")
	}
	if ev := env.a.historyOf(t, c.ID, 1)[0]; ev.Action != "accept_all" || !ev.Categories["marketing"] || ev.GPC {
		t.Errorf("record %+v, want accept_all with marketing, gpc false", ev)
	}

	// The stored choice holds: no banner, the scripts run on load.
	open(t, ctx, env.a.URL+"/sq/")
	if open, _ := banner(t, ctx); open {
		t.Error("the banner is back after a reload")
	}
	waitFor(t, ctx, `document.documentElement.dataset.statsRan && document.documentElement.dataset.adsRan`)
	if got := js[string](t, ctx, `JSON.stringify(dataLayer.map(a => a[1]))`); got != `["default","update"]` {
		t.Errorf("Consent Mode calls on a page with a stored choice: %s", got)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(env.a.history(t, c.ID)); n != 1 {
		t.Errorf("%d records after a reload, want still 1", n)
	}
}

func TestReprompt(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, env.a.URL+"/sq/")
	click(t, ctx, `#cc [data-cc=all]`)
	first := mustStore(t, ctx)

	// A new cookie declaration (site b: same host, so the same cookie).
	open(t, ctx, env.b.URL+"/sq/")
	if js[string](t, ctx, `cc.dataset.consentVersion`) == first.Version {
		t.Fatal("the changed declaration kept its consent version")
	}
	if open, _ := banner(t, ctx); !open {
		t.Error("no banner after the consent version changed")
	}
	// The cookie page's receipt does not show the old choice as granted.
	open(t, ctx, env.b.URL+"/en/cookies/")
	if got := js[string](t, ctx, `document.querySelector("[data-cc-receipt-status]").textContent`); !strings.HasPrefix(got, "Your last choice has expired") {
		t.Errorf("receipt of an outdated choice says %q, want that it has expired", got)
	}
	open(t, ctx, env.b.URL+"/sq/")
	time.Sleep(200 * time.Millisecond)
	if ran := js[string](t, ctx, gatedRan); ran != "" {
		t.Errorf("gated scripts ran on an outdated choice: %s", ran)
	}
	// The old choice does not cover the new declaration: nothing is on.
	click(t, ctx, `#cc [data-cc=set]`)
	if js[bool](t, ctx, `[...cc.querySelectorAll("input")].some(i => i.checked && !i.disabled)`) {
		t.Error("the settings show an outdated choice as switched on")
	}
	click(t, ctx, `#cc [data-cc=none]`)
	if again := mustStore(t, ctx); again.ID != first.ID {
		t.Errorf("the consent id changed from %s to %s: one visitor's history must stay one", first.ID, again.ID)
	}
	if ev := env.b.historyOf(t, first.ID, 1)[0]; ev.Action != "withdraw" {
		t.Errorf("refusing what was granted before is recorded as %s, want withdraw", ev.Action)
	}

	// A choice older than reconsentDays (182) is asked again.
	open(t, ctx, env.a.URL+"/sq/")
	click(t, ctx, `#cc [data-cc=all]`)
	js[string](t, ctx, `document.cookie = document.cookie.match(/pelqim_consent=[^;]*/)[0].replace(/\.(\d+)\.([a-z+]*)$/, (_, t, on) => "." + (t - 183 * 86400) + "." + on) + ";Path=/"`)
	open(t, ctx, env.a.URL+"/sq/")
	if open, _ := banner(t, ctx); !open {
		t.Error("no banner for a choice 183 days old")
	}
	// ... but not one younger than that.
	js[string](t, ctx, `document.cookie = document.cookie.match(/pelqim_consent=[^;]*/)[0].replace(/\.(\d+)\.([a-z+]*)$/, (_, t, on) => "." + (+t + 2 * 86400) + "." + on) + ";Path=/"`)
	open(t, ctx, env.a.URL+"/sq/")
	if open, _ := banner(t, ctx); open {
		t.Error("a banner for a choice 181 days old")
	}
}

func TestGPC(t *testing.T) {
	ctx := tab(t)
	gpc(t, ctx)
	open(t, ctx, env.a.URL+"/en/")
	if !js[bool](t, ctx, `navigator.globalPrivacyControl === true`) {
		t.Fatal("the init script did not set navigator.globalPrivacyControl")
	}
	click(t, ctx, `#cc [data-cc=all]`)
	waitFor(t, ctx, `document.documentElement.dataset.statsRan`)
	time.Sleep(200 * time.Millisecond)
	if js[bool](t, ctx, `"adsRan" in document.documentElement.dataset`) {
		t.Error("a marketing script ran after Accept all under GPC")
	}
	c := mustStore(t, ctx)
	if c.has("marketing") || !c.has("statistics") {
		t.Errorf("granted %v after Accept all under GPC, want all but marketing", c.Granted)
	}
	ev := env.a.historyOf(t, c.ID, 1)[0]
	if !ev.GPC || ev.Categories["marketing"] || !ev.Categories["statistics"] || ev.Action != "custom" {
		t.Errorf("record %+v, want gpc true, marketing false, action custom", ev)
	}

	// The settings say why, and marketing can still be switched on.
	click(t, ctx, `footer [data-cc-open]`)
	if !js[bool](t, ctx, `cc.querySelector("[data-cc-gpc]").checkVisibility()`) {
		t.Error("the settings do not show the GPC note")
	}
	click(t, ctx, `#cc input[name=marketing]`)
	click(t, ctx, `#cc [data-cc=all]`)
	waitFor(t, ctx, `document.documentElement.dataset.adsRan`)
	if ev := env.a.historyOf(t, c.ID, 2)[1]; !ev.GPC || !ev.Categories["marketing"] || ev.Action != "accept_all" {
		t.Errorf("record %+v after switching marketing on, want accept_all with marketing, gpc true", ev)
	}
}

// TestKeyboard goes through the settings with the keyboard only.
func TestKeyboard(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, env.a.URL+"/sq/")
	focused := func() string {
		return js[string](t, ctx, `(e => e.dataset.cc || e.name || e.id || e.tagName)(document.activeElement)`)
	}
	// tabTo presses Tab until want has the focus, and returns what it passed.
	tabTo := func(want string) []string { return tabUntil(t, ctx, focused, want) }
	titleFocused(t, ctx)
	if got := tabTo("set"); !slices.Contains(got, "all") || !slices.Contains(got, "none") {
		t.Errorf("Tab went %v: it must pass both Accept all and Reject all", got)
	}
	keys(t, ctx, kb.Enter)
	if _, settings := banner(t, ctx); !settings {
		t.Fatal("Enter on Settings did not open the settings")
	}
	// Modal: Tab cycles through the settings (and, as Chromium does, the
	// browser's own controls, where the page sees the body focused), never
	// the page behind.
	for range 15 {
		keys(t, ctx, kb.Tab)
		if !js[bool](t, ctx, `cc.contains(document.activeElement) || document.activeElement == document.body`) {
			t.Fatalf("Tab reached the page behind the open settings: %s", focused())
		}
	}
	// Esc before any choice goes back to the first layer.
	keys(t, ctx, kb.Escape)
	titleFocused(t, ctx) // Tab from there
	if open, settings := banner(t, ctx); !open || settings {
		t.Fatalf("Esc in the settings: open=%v settings=%v, want the first layer", open, settings)
	}
	tabTo("set")
	keys(t, ctx, kb.Enter)
	if js[bool](t, ctx, `[...cc.querySelectorAll("input")].some(i => i.checked && !i.disabled)`) {
		t.Error("an optional category is on before any choice")
	}
	tabTo("statistics")
	keys(t, ctx, " ")
	if !js[bool](t, ctx, `cc.querySelector("[name=statistics]").checked`) {
		t.Fatal("Space did not switch statistics on")
	}
	tabTo("save")
	keys(t, ctx, kb.Enter)
	waitFor(t, ctx, `!cc.open`)
	if c := mustStore(t, ctx); !slices.Equal(c.Granted, []string{"necessary", "statistics"}) {
		t.Errorf("granted %v, want necessary and statistics", c.Granted)
	}
	// The dialog's close event, which returns the focus, comes a task later.
	waitFor(t, ctx, `document.activeElement.id == "main"`)

	// The footer link reopens the settings showing the choice; Esc closes
	// them and gives the focus back to the link.
	js[bool](t, ctx, `document.querySelector("footer [data-cc-open]").focus() || true`)
	keys(t, ctx, kb.Enter)
	if _, settings := banner(t, ctx); !settings {
		t.Fatal("the footer link did not open the settings")
	}
	if !js[bool](t, ctx, `cc.querySelector("[name=statistics]").checked && !cc.querySelector("[name=marketing]").checked`) {
		t.Error("the reopened settings do not show the stored choice")
	}
	keys(t, ctx, kb.Escape)
	waitFor(t, ctx, `!cc.open && document.activeElement.matches("footer [data-cc-open]")`)
}

// TestWithdraw withdraws consent through the footer link: what the
// statistics script stored goes, with the page that ran it.
func TestWithdraw(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, env.a.URL+"/en/cookies/")
	click(t, ctx, `#cc [data-cc=all]`)
	waitFor(t, ctx, `document.documentElement.dataset.statsRan && document.cookie.includes("_ga_TEST=") && localStorage._test_stats_1`)
	id := mustStore(t, ctx).ID

	// The receipt.
	receipt := js[[]string](t, ctx, `[...document.querySelectorAll("[data-cc-receipt-status], [data-cc-receipt-date], [data-cc-receipt-id]")].map(e => e.textContent).concat(
		document.querySelector("[data-cc-history]").getAttribute("href"), String(document.querySelector("[data-cc-nojs]").checkVisibility()))`)
	year := time.Now().Format("2006")
	if receipt[0] != "Necessary, Preferences, Statistics, Marketing" || !strings.Contains(receipt[1], year) || receipt[2] != id || receipt[3] != "/api/consent/"+id || receipt[4] != "false" {
		t.Errorf("receipt %q, want the granted categories, today's date, id %s, its history link, and no no-JS note", receipt, id)
	}

	click(t, ctx, `footer [data-cc-open]`)
	click(t, ctx, `#cc input[name=statistics]`)
	click(t, ctx, `#cc [data-cc=save]`)
	waitFor(t, ctx, `document.readyState == "complete" && !document.cookie.includes("_ga=") && !document.cookie.includes("_ga_TEST=") && !localStorage._test_stats_1 && !cc.open`)
	time.Sleep(200 * time.Millisecond)
	if js[bool](t, ctx, `"statsRan" in document.documentElement.dataset`) {
		t.Error("the statistics script still runs after withdrawal")
	}
	if !js[bool](t, ctx, `document.cookie.includes("_gax=") && document.cookie.includes("_fbp=")`) {
		t.Error("withdrawing statistics deleted cookies it does not declare (_gax) or another category's (_fbp)")
	}
	evs := env.a.historyOf(t, id, 2)
	if evs[1].Action != "custom" || evs[1].Categories["statistics"] || !evs[1].Categories["marketing"] {
		t.Errorf("record %+v, want custom without statistics", evs[1])
	}

	// Reject all, from the receipt's button: a withdrawal of everything.
	click(t, ctx, `.receipt [data-cc-open]`)
	click(t, ctx, `#cc [data-cc=none]`)
	waitFor(t, ctx, `document.readyState == "complete" && !document.cookie.includes("_fbp=") && !cc.open`)
	if ev := env.a.historyOf(t, id, 3)[2]; ev.Action != "withdraw" {
		t.Errorf("record %+v, want withdraw", ev)
	}
}

// TestBackForward: a page the browser brings back from its back/forward
// cache acts on the choice as it is now, not as it was when the page was
// left: chosen elsewhere, its banner is gone and the granted scripts run;
// withdrawn elsewhere, the withdrawn scripts no longer run.
func TestBackForward(t *testing.T) {
	ctx := tab(t)
	back := func(path string) {
		t.Helper()
		js[bool](t, ctx, `history.back(), true`)
		waitFor(t, ctx, `location.pathname == "`+path+`" && document.readyState == "complete"`)
	}

	open(t, ctx, env.a.URL+"/en/")
	if open, _ := banner(t, ctx); !open {
		t.Fatal("no banner on a first visit")
	}
	open(t, ctx, env.a.URL+"/en/privacy/")
	click(t, ctx, `#cc [data-cc=all]`)
	waitFor(t, ctx, `document.documentElement.dataset.statsRan`)
	back("/en/")
	waitFor(t, ctx, `!cc.open && document.documentElement.dataset.statsRan`)

	js[bool](t, ctx, `window.kept = true`) // lost when the page reloads
	open(t, ctx, env.a.URL+"/en/cookies/")
	click(t, ctx, `footer [data-cc-open]`)
	click(t, ctx, `#cc [data-cc=none]`)
	waitFor(t, ctx, `document.readyState == "complete" && !cc.open && !document.documentElement.dataset.statsRan`)
	back("/en/")
	// A running script can only be stopped by a reload: wait for it to end.
	waitFor(t, ctx, `!window.kept && document.readyState == "complete"`)
	time.Sleep(200 * time.Millisecond)
	if ran := js[string](t, ctx, gatedRan); ran != "" {
		t.Errorf("back on a page after withdrawing everything, its gated scripts still run: %s", ran)
	}
	if open, _ := banner(t, ctx); open {
		t.Error("the banner is open again, though a choice was made")
	}
}

// TestOtherTab: a tab shown again applies a choice made in another tab
// meanwhile, without reloading when it can (its banner closes, granted
// scripts start) and by reloading when a script it runs was withdrawn.
func TestOtherTab(t *testing.T) {
	first := tab(t)
	open(t, first, env.a.URL+"/en/")
	if open, _ := banner(t, first); !open {
		t.Fatal("no banner on a first visit")
	}
	second, cancel := chromedp.NewContext(first) // a tab beside it, same cookies
	defer cancel()
	// Headless tabs are all "visible": the test tells the first it is shown.
	shown := func() { js[bool](t, first, `document.dispatchEvent(new Event("visibilitychange")), true`) }

	open(t, second, env.a.URL+"/en/privacy/")
	click(t, second, `#cc [data-cc=all]`)
	waitFor(t, second, `document.documentElement.dataset.statsRan`)
	js[bool](t, first, `window.notReloaded = true`)
	shown()
	waitFor(t, first, `!cc.open && document.documentElement.dataset.statsRan && window.notReloaded`)

	click(t, second, `footer [data-cc-open]`)
	click(t, second, `#cc [data-cc=none]`)
	waitFor(t, second, `document.readyState == "complete" && !cc.open && !document.documentElement.dataset.statsRan`)
	shown()
	waitFor(t, first, `!window.notReloaded && document.readyState == "complete"`)
	time.Sleep(200 * time.Millisecond)
	if ran := js[string](t, first, gatedRan); ran != "" {
		t.Errorf("after a withdrawal in another tab, this tab's gated scripts still run: %s", ran)
	}
	if open, _ := banner(t, first); open {
		t.Error("the banner is open again, though a choice was made")
	}
}

func equalMaps(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// gatedRan lists the markers the test's gated scripts set on <html> (each
// sets data-*-ran), leaving out what serve's reload client sets there.
const gatedRan = `Object.keys(document.documentElement.dataset).filter(k => k.endsWith("Ran")).join()`

// TestCookieDomain: on the configured domain the choice is kept for all of
// it, so the store's pages on another host of it read it; elsewhere (the
// tests' 127.0.0.1) the cookie stays the host's. A choice made before, in a
// cookie of the host alone, moves to the domain's. The pages are http on a
// name, not a secure context: the banner must work there too (a preview
// opened from a phone is one).
func TestCookieDomain(t *testing.T) {
	ctx := tab(t)
	_, port, _ := strings.Cut(strings.TrimPrefix(env.a.URL, "http://"), ":")
	site, shop := "http://privatesia.pelqim.test:"+port, "http://shop.pelqim.test:"+port
	count := `document.cookie.split("; ").filter(c => c.startsWith("pelqim_consent=")).length`

	// A choice in a cookie of the site's host alone, as the banner wrote it
	// before it knew the domain.
	open(t, ctx, site+"/en/")
	const id = "0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b"
	js[bool](t, ctx, `document.cookie = "pelqim_consent=1.`+id+`." + cc.dataset.consentVersion + "." + (Date.now() / 1e3 | 0) + ".necessary+statistics;Path=/;Max-Age=3600", true`)
	open(t, ctx, site+"/en/")
	if n := js[int](t, ctx, count); n != 1 {
		t.Errorf("%d pelqim_consent cookies after the host's moved to the domain, want 1", n)
	}
	open(t, ctx, shop+"/en/")
	if open, _ := banner(t, ctx); open {
		t.Error("another host of the domain asks again: the earlier choice did not move to the domain")
	}
	if c := mustStore(t, ctx); c.ID != id || !c.has("statistics") {
		t.Errorf("the store's host reads %+v, want consent id %s with statistics", c, id)
	}

	// A new choice on the store's host is the site's too.
	click(t, ctx, `footer [data-cc-open]`)
	click(t, ctx, `#cc [data-cc=all]`)
	if n := js[int](t, ctx, count); n != 1 {
		t.Errorf("%d pelqim_consent cookies after a second choice, want 1", n)
	}
	open(t, ctx, site+"/en/")
	if c := mustStore(t, ctx); c.ID != id || !c.has("marketing") {
		t.Errorf("the site's host reads %+v after the choice on the store's, want all granted under %s", c, id)
	}
}

// TestWithoutModalPseudoClass: in a browser that has <dialog> but not the
// :modal pseudo-class (Firefox 98–102, Safari 15.4–15.5), where asking for
// it throws, the banner still opens with its heading focused, and the
// cookie page's receipt still shows.
func TestWithoutModalPseudoClass(t *testing.T) {
	ctx := tab(t)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `for (const name of ["matches", "querySelector", "querySelectorAll", "closest"]) {
			const real = Element.prototype[name]
			Element.prototype[name] = function (s) {
				if (String(s).includes(":modal")) throw new DOMException("unknown pseudo-class :modal", "SyntaxError")
				return real.call(this, s)
			}
		}`,
	}); err != nil {
		t.Fatal(err)
	}
	open(t, ctx, env.a.URL+"/en/cookies/")
	titleFocused(t, ctx)
	if !js[bool](t, ctx, `!document.querySelector("[data-cc-receipt]").hidden`) {
		t.Error("without :modal, the cookie page's receipt stayed hidden")
	}
	click(t, ctx, `#cc [data-cc=none]`)
	waitFor(t, ctx, `!cc.open && document.documentElement.style.scrollPaddingBottom == ""`)
}
