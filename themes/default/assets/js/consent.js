// The consent banner's core (its behaviour: themes/default/README.md): what
// must run before anything else on the page. It reads the choice kept in
// the pelqim_consent cookie, sets Google Consent Mode's default and the WP
// Consent API's type, runs the scripts gated on the choice, and answers the
// page's own code (pelqim.consent(), pelqim.open()). The banner itself, its
// settings, the choice and its proof are consent-ui.js, which the site
// loads after this file and hands to the core through pelqim._m.
//
// This file is also the shop's tag (/embed/v1/consent.js, which the build
// writes with the settings pelqimE before it): there consent-ui.js comes
// with the banner's markup and styles in a second, per-language file, once
// the shop's page has loaded and painted.
(() => {
  const d = document, w = self, E = w.pelqimE, me = d.currentScript
  delete w.pelqimE
  // The tag twice, or the tag on a page that has the banner: one banner.
  if (w.pelqim) return
  const cc = d.getElementById('cc')
  if (!E && !cc) return
  const ds = E || cc.dataset
  const lang = E ? [me?.dataset.lang, d.documentElement.lang.split('-')[0]].find(l => E.src[l]) || E.lang : ds.lang
  const cats = E ? E.cats : [...cc.querySelectorAll('input')].map(b => b.name)
  const ran = {} // categories whose gated scripts run in this page
  let told, wp, going, todo = []

  // The cookie: 1.<consentId>.<consentVersion>.<unix seconds>.<granted ids joined by +>
  const cookie = () => /(?:^|; )pelqim_consent=([^;]*)/.exec(d.cookie)?.[1]
  const parse = c => (c = /^1\.([\da-f-]{36})\.([\da-f]+)\.(\d+)\.([\w+-]*)$/.exec(c)) &&
    { id: c[1], v: c[2], t: c[3] * 1e3, on: c[4].split('+') }
  let seen = cookie() // the choice this page acts on
  let rec = parse(seen)
  // A choice holds for this version of the declaration, for reconsentDays
  // (one made in the future is none: not ours), for the site's categories.
  const valid = (a = Date.now() - rec?.t) => a >= 0 && a < ds.reconsentDays * 864e5 && rec.v == ds.consentVersion
  const granted = c => valid() && cats.includes(c) && rec.on.includes(c)

  // What the page's own code may ask: pelqim.consent() is the choice in
  // force (null before one), pelqim.open() the settings (once the banner
  // is drawn; asked before, they open then); every choice is also a
  // pelqim:consent event on document.
  const state = () => valid() ? { consentId: rec.id, categories: Object.fromEntries(cats.map(c => [c, granted(c)])), chosenAt: new Date(rec.t).toISOString() } : null
  const P = w.pelqim = { consent: state, open: () => I.open ? I.open() : I.asked = 1 }

  // Google Consent Mode v2: everything but security denied before any tag
  // can run (on the site this script is the first deferred one; on the
  // shop, the first script in <head>), then the choice.
  const gtag = 'consentMode' in ds && (w.dataLayer = w.dataLayer || [],
    w.gtag = w.gtag || function () { dataLayer.push(arguments) })
  const mode = on => {
    const g = c => on(c) ? 'granted' : 'denied', m = g('marketing'), p = g('preferences')
    return { ad_storage: m, ad_user_data: m, ad_personalization: m, analytics_storage: g('statistics'), functionality_storage: p, personalization_storage: p, security_storage: 'granted' }
  }
  gtag && gtag('consent', 'default', { ...mode(() => 0), wait_for_update: 500 })
  // WordPress's WP Consent API, through which WooCommerce and its plugins
  // learn the choice: opt-in, told before they read it.
  E && (w.wp_consent_type = 'optin')
  const WP = { necessary: 'functional', statistics: 'statistics statistics-anonymous' } // else the same name
  // The choice in force, told once, and again whenever it changes: to
  // Consent Mode, and to the WP Consent API once the page has it.
  const tell = () => {
    const m = mode(granted), k = JSON.stringify(m)
    gtag && k != told && gtag('consent', 'update', m)
    told = k
    w.wp_set_consent && k != wp && (wp = k, cats.forEach(c => (WP[c] || c).split(' ').forEach(x => wp_set_consent(x, granted(c) ? 'allow' : 'deny'))))
  }

  // Gated scripts become real ones, with the same attributes (and the tag's
  // nonce, which a strict CSP asks of them), one after the other in
  // document order: a script after a file runs once the file has loaded,
  // inline or not, as in the page.
  const next = () => {
    const s = going = todo.shift(), n = d.createElement('script')
    if (!s) return
    for (const a of s.attributes) a.name == 'type' || n.setAttribute(a.name, a.value)
    n.nonce = s.nonce || me?.nonce
    n.text = s.text
    n.onload = n.onerror = next
    s.replaceWith(n)
    n.src || next()
  }
  const apply = () => {
    valid() && tell()
    d.querySelectorAll('script[type="text/plain"][data-category]').forEach(s => {
      const c = s.dataset.category
      granted(c) && !todo.includes(s) && (todo.push(s), ran[c] = 1)
    })
    going || next()
  }

  // What the banner (consent-ui.js) shares with the core: the settings,
  // the choice in force (rec() reads it; set(r) makes r the page's after
  // writing the cookie; fresh() rereads the cookie, true when it changed),
  // and, once it is drawn, open.
  const I = {
    E, ds, lang, cats, ran, valid, granted, state, apply, cookie,
    rec: () => rec,
    set: r => (rec = r, seen = cookie()),
    fresh: () => cookie() != seen && (rec = parse(seen = cookie()), 1)
  }
  // consent-ui.js calls pelqim._m with the banner: on the site at once
  // (it is the next deferred script), on the shop when its file comes.
  const m = () => P._m = ui => (delete P._m, ui(I))
  if (!E) return m()
  // The shop: the choice in force is told at once (Consent Mode, before
  // any Google tag after this one).
  valid() && tell()
  // Gated scripts run once the page is parsed, whether the banner comes
  // or not.
  d.readyState == 'loading' ? d.addEventListener('DOMContentLoaded', apply) : apply()
  // The banner, its styles and its texts in the page's language come
  // after the page's load, its next frame and, where the browser tells,
  // once it is idle (within a second), so that nothing of theirs delays
  // the page's own largest paint.
  const go = () => requestAnimationFrame(() => (w.requestIdleCallback || setTimeout)(() => {
    const s = d.createElement('script')
    s.src = E.src[lang]
    s.nonce = me?.nonce
    m()
    d.head.append(s)
  }, { timeout: 1e3 }))
  d.readyState == 'complete' ? go() : addEventListener('load', go)
})()
