// The consent banner (markup: layouts/partials/banner.html; its behaviour:
// themes/default/README.md), drawn by the core, consent.js, which runs
// first: it asks, keeps the choice in the pelqim_consent cookie, deletes
// what a refused category had stored, and posts every choice to the consent
// API as proof of consent (GDPR Art. 7(1)). All its text comes from the
// markup.
//
// On the site the markup is in the page; on the shop this file comes after
// self.pelqimL = [markup, styles] in the language's file, and draws them
// into a shadow root of their own, so that the shop's CSS and ours leave
// each other alone.
self.pelqim?._m?.(I => {
  const { E, ds, lang, cats, ran, valid, granted, state, apply: run, cookie, rec, set, fresh } = I
  const d = document, w = self, L = w.pelqimL
  delete w.pelqimL
  const gpc = navigator.globalPrivacyControl === true
  const Q = 'pelqim_queue'
  const MAX_AGE = ds.cookieDays * 864e2 // under the 13 months regulators allow
  // A random UUID v4: crypto.randomUUID exists only in secure contexts, and
  // the preview may be opened over http from a phone.
  const uuid = () => ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, c => (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16))
  const all = (s, r = d) => [...r.querySelectorAll(s)]
  let cc, root, boxes, optional, opener, memory = [], busy, backoff = 2e3, modal, sheet

  // The cookie is the whole domain's where the page is on it: the site and
  // the shop read one choice.
  const scope = (h = location.hostname, dom = ds.cookieDomain) => dom && (h == dom || h.endsWith('.' + dom)) ? ';Domain=' + dom : ''
  // Writes the cookie chosen at t (ms), replacing one of this host alone;
  // it ends MAX_AGE after the choice, however often it is written.
  const write = (v, t, sc = scope()) => {
    sc && (d.cookie = 'pelqim_consent=;Path=/;Max-Age=0')
    d.cookie = `pelqim_consent=${v};Path=/;Max-Age=${MAX_AGE - ((Date.now() - t) / 1e3 | 0)};SameSite=Lax${sc}${location.protocol == 'https:' ? ';Secure' : ''}`
  }

  // The gated scripts (the core's), and the gated frames, which get their
  // address, and a placeholder until then.
  const apply = () => {
    run()
    all('iframe[data-category][data-src]').forEach(f => {
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
  // height at once would lay it out in this task, a long one on a phone;
  // and in a task of its own, so that the page's new layout is not the
  // banner's first frame's too.
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
    const cats = {}, r = rec()
    // "Accept all" leaves marketing off under GPC, unless switched on here.
    boxes.forEach(b => cats[b.name] = b.disabled || how == 'all' && !(gpc && b.name == 'marketing') || how != 'none' && b.checked)
    const yes = optional.filter(b => cats[b.name])
    const action = yes[0]
      ? yes.length == optional.length ? 'accept_all' : 'custom'
      : r && optional.some(b => r.on.includes(b.name)) ? 'withdraw' : 'reject_all'
    const id = r ? r.id : uuid(), t = Date.now() / 1e3 | 0
    const on = Object.keys(cats).filter(c => cats[c])
    write(`1.${id}.${ds.consentVersion}.${t}.${on.join('+')}`, t * 1e3)
    set({ id, v: ds.consentVersion, t: t * 1e3, on })
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
  const receipt = (r = rec()) => {
    const q = s => d.querySelector('[data-cc-' + s + ']')
    if (!q('receipt')) return
    all('[data-cc-receipt]').forEach(e => e.hidden = false)
    q('nojs').hidden = true
    if (!r) return
    // An outdated choice grants nothing: the receipt says so, not what it was.
    const st = q('receipt-status')
    st.textContent = valid() ? boxes.filter(b => granted(b.name)).map(b => b.nextSibling.textContent.trim()).join(', ') : st.dataset.outdated
    q('receipt-date').textContent = new Date(r.t).toLocaleString(d.documentElement.lang, { dateStyle: 'long', timeStyle: 'short' })
    q('receipt-id').textContent = r.id
    const h = q('history')
    h.href = ds.api + '/' + r.id
    h.hidden = false
  }

  // A page brought back from the back/forward cache, or a tab shown again,
  // acts on the choice as it was when the visitor left it. Made or changed
  // meanwhile on another page, the choice is applied here too: the banner
  // closes, granted scripts start; a withdrawn script that runs here cannot
  // be stopped but by loading the page afresh.
  const refresh = () => {
    if (!fresh()) return
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
    new ResizeObserver(() => setTimeout(clear)).observe(cc)
    addEventListener('online', flush)
    addEventListener('pageshow', e => e.persisted && refresh())
    d.addEventListener('visibilitychange', () => d.visibilityState == 'visible' && refresh())
    cc.querySelector('[data-cc-gpc]').hidden = !gpc
    // A choice made before the cookie was the domain's moves there.
    const c = rec()
    c && scope() && (write(cookie(), c.t), set(c))
    opener = d.activeElement
    sync()
    apply()
    // On the shop, the banner is put in the page, and opens, in a task
    // after this one; its first layout is clear's, a task of its own,
    // before the frame that paints it.
    const open = () => {
      L && d.body.append(r.host)
      I.open = settings
      I.asked ? settings() : valid() || show()
      L && setTimeout(clear)
    }
    L ? setTimeout(open) : open()
    receipt()
    // Choices not yet delivered are sent again, in a task of their own.
    // Before a first choice there are none, and the storage, whose first
    // reading can block a slow phone for long, is not opened. (A queue
    // that outlived its cookie goes with the next choice.)
    cookie() && setTimeout(flush)
  }

  if (!L) return start(d)
  // The shop: each step is a task of its own, so that none is long on a
  // slow phone: the styles, the markup, the font, the banner's wiring, the
  // banner in the page, then its layout.
  setTimeout(() => {
    const r = d.createElement('pelqim-consent').attachShadow({ mode: 'open' })
    let link = ''
    try {
      sheet = new CSSStyleSheet()
      sheet.replaceSync(L[1])
      r.adoptedStyleSheets = [sheet]
    } catch (e) {
      // No constructable style sheets (Safari before 16.4): the same
      // styles as a file, which the shop's CSP must allow (style-src).
      sheet = 0
      link = `<link rel="stylesheet" href="${E.css}">`
    }
    setTimeout(() => {
      r.innerHTML = link + L[0]
      // The banner's font (the first rule's --font), regular and bold:
      // a canvas measures with each, so that its faces are loaded here,
      // not in the banner's first layout.
      setTimeout(() => {
        const x = sheet && d.createElement('canvas').getContext('2d')
        x && ['', 'bold '].forEach(b => x.measureText(x.font = b + '16px ' + sheet.cssRules[0].style.getPropertyValue('--font')))
        setTimeout(start, 0, r)
      })
    })
  })
})
