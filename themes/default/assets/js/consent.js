// The consent banner (markup: layouts/partials/banner.html; its behaviour:
// themes/default/README.md). It asks before anything non-essential runs,
// keeps the choice in the pelqim_consent cookie, runs the scripts and
// frames gated on it, deletes what a refused category had stored, and posts
// every choice to the consent API as proof of consent (GDPR Art. 7(1)). All
// its text comes from the markup.
//
// The same file is the shop's tag (/embed/v1/consent.js, which the build
// writes with the settings pelqimE before it): there the markup and its
// styles come in a second, per-language file, into a shadow root of their
// own, so that the shop's CSS and ours leave each other alone.
(() => {
  const d = document, w = self, E = w.pelqimE, me = d.currentScript
  delete w.pelqimE
  // The tag twice, or the tag on a page that has the banner: one banner.
  if (w.pelqim) return
  let cc = d.getElementById('cc')
  if (!E && !cc) return
  const ds = E || cc.dataset
  const lang = E ? [me?.dataset.lang, d.documentElement.lang.split('-')[0]].find(l => E.src[l]) || E.lang : ds.lang
  const gpc = navigator.globalPrivacyControl === true
  const Q = 'pelqim_queue'
  const MAX_AGE = ds.cookieDays * 864e2 // under the 13 months regulators allow
  const ran = {} // categories whose gated scripts run in this page
  // A random UUID v4: crypto.randomUUID exists only in secure contexts, and
  // the preview may be opened over http from a phone.
  const uuid = () => ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, c => (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16))
  const all = (s, r = d) => [...r.querySelectorAll(s)]
  let root, boxes = [], optional = [], cats = E ? E.cats : all('input', cc).map(b => b.name)
  let opener, memory = [], busy, backoff = 2e3, modal, sheet, asked, told, wp, going, todo = []

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
  // The cookie is the whole domain's where the page is on it: the site and
  // the shop read one choice.
  const scope = (h = location.hostname, dom = ds.cookieDomain) => dom && (h == dom || h.endsWith('.' + dom)) ? ';Domain=' + dom : ''
  // Writes the cookie chosen at t (ms), replacing one of this host alone;
  // it ends MAX_AGE after the choice, however often it is written.
  const write = (v, t, sc = scope()) => {
    sc && (d.cookie = 'pelqim_consent=;Path=/;Max-Age=0')
    d.cookie = `pelqim_consent=${v};Path=/;Max-Age=${MAX_AGE - ((Date.now() - t) / 1e3 | 0)};SameSite=Lax${sc}${location.protocol == 'https:' ? ';Secure' : ''}`
  }

  // What the page's own code may ask: pelqim.consent() is the choice in
  // force (null before one), pelqim.open() the settings; every choice is
  // also a pelqim:consent event on document.
  const state = () => valid() ? { consentId: rec.id, categories: Object.fromEntries(cats.map(c => [c, granted(c)])), chosenAt: new Date(rec.t).toISOString() } : null
  w.pelqim = { consent: state, open: () => root ? settings() : asked = 1 }

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
  // Gated frames get their address, and a placeholder until then.
  const apply = () => {
    valid() && tell()
    all('script[type="text/plain"][data-category]').forEach(s => {
      const c = s.dataset.category
      granted(c) && !todo.includes(s) && (todo.push(s), ran[c] = 1)
    })
    going || next()
    root && all('iframe[data-category][data-src]').forEach(f => {
      const c = f.dataset.category, ph = f.previousElementSibling?.localName == 'pelqim-frame' && f.previousElementSibling
      if (granted(c)) {
        f.src = f.dataset.src
        f.removeAttribute('data-src')
        f.hidden = false
        ph && ph.remove()
      } else if (!ph && cats.includes(c)) {
        const p = d.createElement('pelqim-frame'), r = sheet ? p.attachShadow({ mode: 'open' }) : p
        sheet && (r.adoptedStyleSheets = [sheet])
        r.append(root.getElementById('cc-frame').content.cloneNode(1))
        const b = r.querySelector('button'), label = boxes.find(x => x.name == c).parentNode.textContent.trim()
        b.textContent = b.textContent.replace('{category}', label)
        b.dataset.ccAllow = c
        f.hidden = true
        f.before(p)
      }
    })
  }

  // Deletes the cookies and storage entries declared under a category;
  // a name ending in * (like _ga_*) stands for every name it begins.
  const wipe = box => all('li', box.closest('.cc-cat')).forEach(li => {
    const name = li.firstChild.textContent, k = li.dataset.k
    const hit = n => name.endsWith('*') ? n.startsWith(name.slice(0, -1)) : n == name
    if (k == 'cookie') {
      const h = location.hostname
      d.cookie.split('; ').forEach(c => {
        c = c.split('=')[0]
        hit(c) && ['', h, h.replace(/^[^.]+\./, '')].forEach(dom => {
          d.cookie = c + '=;Path=/;Max-Age=0' + (dom && ';Domain=' + dom)
        })
      })
    } else try {
      const st = w[k]
      Object.keys(st).forEach(n => hit(n) && st.removeItem(n))
    } catch (e) {}
  })

  // Choices not yet delivered wait in localStorage (pelqim_queue, declared
  // as necessary: it holds only the visitor's own choices, needed to prove
  // them), at most 10, oldest dropped. Every choice goes through it, so a
  // reload or a closed tab loses none; the server stores a resent eventId
  // once. The key is removed once the queue is empty.
  const load = () => {
    try { memory = JSON.parse(localStorage[Q] || '[]') } catch (e) {}
    return memory
  }
  const save = q => {
    memory = q.slice(-10)
    try { memory[0] ? localStorage[Q] = JSON.stringify(memory) : localStorage.removeItem(Q) } catch (e) {}
  }
  const flush = async () => {
    if (busy) return
    busy = 1
    for (let ev; ev = load()[0];) {
      let r
      try {
        r = await fetch(ds.api, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ev), keepalive: true })
      } catch (e) {}
      const s = r ? r.status : 0
      // Stored (2xx), or refused as malformed, too large or of the wrong
      // type: final, for sending the same bytes again cannot help. Anything
      // else (offline, 5xx, throttled, or a 403 or 404 of a misconfigured
      // origin or route) may pass later: in order, after a pause.
      const bad = s == 400 || s == 413 || s == 415
      if (s < 200 || s > 299 && !bad) {
        busy = 0
        backoff = Math.min(backoff * 2, 6e4)
        return setTimeout(flush, r && r.headers.get('Retry-After') * 1e3 || backoff)
      }
      bad && console.error('consent record refused', s, ev)
      save(load().filter(x => x.eventId != ev.eventId))
      backoff = 2e3
    }
    busy = 0
  }

  // The switches show the current choice; none is on before one is made.
  const sync = () => optional.forEach(b => b.checked = granted(b.name))
  // While the first layer covers the bottom of the screen, the page scrolls
  // what gets the focus clear of it, up to its very end (WCAG 2.4.11). A
  // ResizeObserver calls it once the page is laid out: asking for the
  // height at once would lay it out in this task, a long one on a phone.
  const clear = () => {
    const h = cc.open && !modal ? cc.offsetHeight + 'px' : ''
    d.documentElement.style.scrollPaddingBottom = d.body.style.paddingBottom = h
  }
  // (`modal` is kept, not asked of :modal, which browsers that have
  // <dialog> without :modal refuse with an exception.)
  // The first layer opens without show(), whose focusing steps would lay
  // the page out at once; its title takes the focus after the next frame.
  const show = m => {
    const focus = () => cc.querySelector('h2').focus({ preventScroll: true })
    cc.open && cc.close()
    modal = m
    m ? (cc.showModal(), focus()) : (cc.open = true, requestAnimationFrame(() => setTimeout(focus)))
  }
  const settings = t => {
    opener = t || d.activeElement
    sync()
    show(1)
  }
  // Closed by a choice, or by Esc in the settings: Esc before any choice
  // goes back to the first layer, for the banner stays until one is made
  // (at once on cancel; on close too, when the browser refuses the cancel).
  const back = e => valid() || (e.preventDefault(), show())

  const choose = how => {
    const cats = {}
    // "Accept all" leaves marketing off under GPC, unless switched on here.
    boxes.forEach(b => cats[b.name] = b.disabled || how == 'all' && !(gpc && b.name == 'marketing') || how != 'none' && b.checked)
    const yes = optional.filter(b => cats[b.name])
    const action = yes[0]
      ? yes.length == optional.length ? 'accept_all' : 'custom'
      : rec && optional.some(b => rec.on.includes(b.name)) ? 'withdraw' : 'reject_all'
    const id = rec ? rec.id : uuid(), t = Date.now() / 1e3 | 0
    const on = Object.keys(cats).filter(c => cats[c])
    rec = { id, v: ds.consentVersion, t: t * 1e3, on }
    write(`1.${id}.${rec.v}.${t}.${on.join('+')}`, rec.t)
    seen = cookie()
    save([...load(), {
      consentId: id, eventId: uuid(), action, categories: cats,
      consentVersion: ds.consentVersion, policyVersion: ds.policyVersion,
      language: lang, page: location.pathname.replace(/[^\w/.~%!$&'()*+,;=:@-]/g, encodeURIComponent).replace(/^\/+/, '/').slice(0, 256), gpc,
      chosenAt: t
    }])
    flush()
    sync()
    apply()
    cc.close()
    receipt()
    d.dispatchEvent(new CustomEvent('pelqim:consent', { detail: state() }))
    const off = optional.filter(b => !cats[b.name])
    off.forEach(wipe)
    // A script already running cannot be stopped: start the page afresh.
    off.some(b => ran[b.name]) && location.reload()
  }

  // The receipt on the cookie page.
  const receipt = () => {
    const q = s => d.querySelector('[data-cc-' + s + ']')
    if (!q('receipt')) return
    all('[data-cc-receipt]').forEach(e => e.hidden = false)
    q('nojs').hidden = true
    if (!rec) return
    // An outdated choice grants nothing: the receipt says so, not what it was.
    const st = q('receipt-status')
    st.textContent = valid() ? boxes.filter(b => granted(b.name)).map(b => b.nextSibling.textContent.trim()).join(', ') : st.dataset.outdated
    q('receipt-date').textContent = new Date(rec.t).toLocaleString(d.documentElement.lang, { dateStyle: 'long', timeStyle: 'short' })
    q('receipt-id').textContent = rec.id
    const h = q('history')
    h.href = ds.api + '/' + rec.id
    h.hidden = false
  }

  // A page brought back from the back/forward cache, or a tab shown again,
  // acts on the choice as it was when the visitor left it. Made or changed
  // meanwhile on another page, the choice is applied here too: the banner
  // closes, granted scripts start; a withdrawn script that runs here cannot
  // be stopped but by loading the page afresh.
  const refresh = () => {
    if (cookie() == seen) return
    rec = parse(seen = cookie())
    if (optional.some(b => ran[b.name] && !granted(b.name))) return location.reload()
    sync()
    valid() ? (apply(), cc.open && cc.close()) : cc.open || show()
    receipt()
  }

  // The banner's markup is in the page (the site), or in the shadow root r.
  const start = r => {
    root = r
    cc = r.getElementById('cc')
    boxes = all('input', cc)
    optional = boxes.filter(b => !b.disabled)
    cc.addEventListener('cancel', back)
    cc.addEventListener('close', e => cc.open || back(e) && (opener && opener != d.body ? opener : d.getElementById('main'))?.focus({ preventScroll: true }))
    // Clicks in a shadow root reach the document as its host's: the path
    // names the element clicked.
    d.addEventListener('click', e => {
      const t = e.composedPath()[0].closest?.('[data-cc],[data-cc-open],[data-cc-allow]')
      if (!t) return
      const how = t.dataset.cc, c = t.dataset.ccAllow
      if (how == 'set') return show(1)
      if (how) return choose(how)
      e.preventDefault()
      if (c) return optional.forEach(b => b.checked = granted(b.name) || b.name == c), choose()
      settings(t)
    })
    new ResizeObserver(clear).observe(cc)
    addEventListener('online', flush)
    addEventListener('pageshow', e => e.persisted && refresh())
    d.addEventListener('visibilitychange', () => d.visibilityState == 'visible' && refresh())
    cc.querySelector('[data-cc-gpc]').hidden = !gpc
    // A choice made before the cookie was the domain's moves there.
    rec && scope() && (write(seen, rec.t), seen = cookie())
    opener = d.activeElement
    sync()
    apply()
    asked ? settings() : valid() || show()
    receipt()
    setTimeout(flush)
  }

  if (!E) return start(d)
  // The shop: the choice in force is told at once (Consent Mode, before any
  // Google tag after this one); the banner, its styles and its texts in
  // the page's language come next, into a shadow root.
  valid() && tell()
  // Gated scripts run once the page is parsed, whether the banner's own
  // file comes or not.
  d.readyState == 'loading' ? d.addEventListener('DOMContentLoaded', apply) : apply()
  // Each step is a task of its own, so that none is long on a slow phone:
  // the styles, the markup, then the banner, once the page has loaded.
  w.pelqim._mount = (html, css) => setTimeout(() => {
    const r = d.createElement('pelqim-consent').attachShadow({ mode: 'open' })
    let link = ''
    try {
      sheet = new CSSStyleSheet()
      sheet.replaceSync(css)
      r.adoptedStyleSheets = [sheet]
    } catch (e) {
      // No constructable style sheets (Safari before 16.4): the same
      // styles as a file, which the shop's CSP must allow (style-src).
      sheet = 0
      link = `<link rel="stylesheet" href="${E.css}">`
    }
    setTimeout(() => {
      r.innerHTML = link + html
      // After the page's load, so that the banner's first paint does not
      // delay the page's own largest one.
      const go = () => d.body.append(r.host) & setTimeout(start, 0, r)
      d.readyState == 'complete' ? go() : addEventListener('load', go)
    })
  })
  const s = d.createElement('script')
  s.src = E.src[lang]
  s.nonce = me?.nonce
  setTimeout(() => d.head.append(s))
})()
