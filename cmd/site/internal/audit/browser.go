package audit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/domstorage"
	"github.com/chromedp/cdproto/indexeddb"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/publicsuffix"
)

// browser is one Chromium, whose tabs each have a profile of their own.
type browser struct {
	ctx    context.Context
	cancel []context.CancelFunc
	mu     sync.Mutex
	failed error
}

// FindChromium returns the browser to drive: $CHROME_PATH, else chromium
// or google-chrome on $PATH.
func FindChromium() (string, error) {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: no Chromium found: install it (apt-get install chromium) or set CHROME_PATH", ErrBrowser)
}

func startBrowser(ctx context.Context, o Options) (*browser, error) {
	path := o.Chromium
	if path == "" {
		var err error
		if path, err = FindChromium(); err != nil {
			return nil, err
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
	)
	for k, v := range o.Flags {
		opts = append(opts, chromedp.Flag(k, v))
	}
	b := &browser{}
	alloc, cancel := chromedp.NewExecAllocator(ctx, opts...)
	b.cancel = append(b.cancel, cancel)
	b.ctx, cancel = chromedp.NewContext(alloc)
	b.cancel = append(b.cancel, cancel)
	if err := chromedp.Do(b.ctx); err != nil {
		b.close()
		return nil, fmt.Errorf("%w: start %s: %v", ErrBrowser, path, err)
	}
	return b, nil
}

func (b *browser) close() {
	for i := len(b.cancel) - 1; i >= 0; i-- {
		b.cancel[i]()
	}
}

// fail keeps the first error of the browser itself: the audit stops with it.
func (b *browser) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failed == nil {
		b.failed = fmt.Errorf("%w: %v", ErrBrowser, err)
	}
}

func (b *browser) err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failed
}

// tab is a page in a fresh browser context: no cookies, no storage. It
// records the network as it goes.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	page     string // the page being audited, to which what happens is put
	site     string // its site (registrable domain)
	inflight map[network.RequestID]bool
	urls     map[network.RequestID]string
	last     time.Time // of the last network event
	hosts    map[string]*Host
	order    []string
	sets     []SetCookie
	status   int             // of the page's document
	own      map[string]bool // sites that are the store's own
}

// third reports whether host is another site than the page's, and not
// one of the store's own. The caller holds t.mu, or t.site is settled.
func (t *tab) third(host string) bool {
	s := siteOf(host)
	return s != t.site && !t.own[s]
}

// gpcScript makes navigator.globalPrivacyControl true, as a browser with
// GPC on has it, in every document before its scripts run.
const gpcScript = `Object.defineProperty(Navigator.prototype, "globalPrivacyControl", {get: () => true, configurable: true})`

func (b *browser) tab(gpc bool, own map[string]bool) (*tab, error) {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t := &tab{ctx: ctx, cancel: cancel, own: own, inflight: map[network.RequestID]bool{}, urls: map[network.RequestID]string{}, hosts: map[string]*Host{}}
	if err := chromedp.Listen(ctx, t.event); err != nil {
		cancel()
		return nil, err
	}
	if gpc {
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Sec-GPC": "1"}}); err != nil {
			cancel()
			return nil, err
		}
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: gpcScript}); err != nil {
			cancel()
			return nil, err
		}
	}
	return t, nil
}

func (t *tab) close() { t.cancel() }

// event records the network: what is in flight (to know when the page has
// settled), the other sites contacted, and every Set-Cookie header.
func (t *tab) event(ev any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		t.last = time.Now()
		u := e.Request.URL
		// A worker's request (no loader) ends in the worker's target,
		// which this tab does not hear: it does not hold the page.
		if e.LoaderID != "" {
			t.inflight[e.RequestID] = true
		}
		t.urls[e.RequestID] = u
		if !strings.HasPrefix(u, "http") || t.site == "" {
			return
		}
		if h := hostOf(u); t.third(h) {
			if t.hosts[h] == nil {
				t.hosts[h] = &Host{Host: h, Page: t.page}
				t.order = append(t.order, h)
			}
			t.hosts[h].Requests++
		}
	case *network.EventResponseReceived:
		// Answered is settled enough: a stream (Server-Sent Events, a
		// worker's script) may never finish loading.
		t.last = time.Now()
		delete(t.inflight, e.RequestID)
		// The main frame's id is its target's.
		if e.Type == network.ResourceTypeDocument && string(e.FrameID) == string(chromedp.FromContext(t.ctx).Target.TargetID) {
			t.status = int(e.Response.Status)
		}
	case *network.EventLoadingFinished:
		t.last = time.Now()
		delete(t.inflight, e.RequestID)
	case *network.EventLoadingFailed:
		t.last = time.Now()
		delete(t.inflight, e.RequestID)
	case *network.EventResponseReceivedExtraInfo:
		blocked := map[string]string{}
		for _, bc := range e.BlockedCookies {
			var why []string
			for _, r := range bc.BlockedReasons {
				why = append(why, string(r))
			}
			blocked[bc.CookieLine] = strings.Join(why, ",")
		}
		for k, v := range e.Headers {
			if !strings.EqualFold(k, "set-cookie") {
				continue
			}
			s, _ := v.(string)
			for _, line := range strings.Split(s, "\n") {
				if c, err := http.ParseSetCookie(line); err == nil {
					t.sets = append(t.sets, SetCookie{Name: c.Name, URL: t.urls[e.RequestID], Status: int(e.StatusCode), Blocked: blocked[line], Page: t.page})
				}
			}
		}
	}
}

// visit loads u, waits for it to settle and returns the visit and the
// links of the page.
func (t *tab) visit(o Options, u string, p *Pass) (Visit, []string) {
	start := time.Now()
	t.mu.Lock()
	t.page, t.site, t.status = u, siteOf(hostOf(u)), 0
	// What the last page left in flight does not hold this one: a
	// keepalive request (the banner's proof of consent is one) outlives
	// its page, and its end may never be told to this tab.
	clear(t.inflight)
	t.mu.Unlock()
	v := Visit{URL: u}
	ctx, cancel := context.WithTimeout(t.ctx, o.PageTimeout)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Navigate(u))
	t.mu.Lock()
	v.Status = t.status
	t.mu.Unlock()
	if err != nil {
		var le *chromedp.LoadError
		switch {
		case errors.As(err, &le):
			v.Error = "did not load: " + le.ErrorText
		case ctx.Err() != nil:
			v.Error = fmt.Sprintf("did not load within %s", o.PageTimeout)
		default:
			v.Error = "did not load: " + err.Error()
		}
		v.Status = 0
		v.Ms = ms(time.Since(start))
		return v, nil
	}
	if !t.settleUntil(ctx, o.Quiet) {
		v.problem = fmt.Sprintf("did not settle within %s; audited as it was", o.PageTimeout)
		v.Error = fmt.Sprintf("did not settle within %s (%s); audited as it was", o.PageTimeout, t.open(o.Quiet))
	}
	if v.Status >= 400 {
		v.Error = fmt.Sprintf("answered %d", v.Status)
	}
	links, _ := chromedp.Run(t.ctx, chromedp.Evaluate[[]string](`[...document.links].map(a => a.href.split("#")[0]).filter(h => /^https?:/.test(h))`))
	if here, _ := chromedp.Run(t.ctx, chromedp.Evaluate[string](`location.href`)); here != "" {
		v.URL = here
		t.mu.Lock()
		t.site = siteOf(hostOf(here))
		t.mu.Unlock()
	}
	v.Ms = ms(time.Since(start))
	return v, links
}

// open says why a page did not settle: the requests in flight, or its
// network never quiet.
func (t *tab) open(quiet time.Duration) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.inflight) == 0 {
		return fmt.Sprintf("its network was never quiet for %s", quiet)
	}
	var us []string
	for id := range t.inflight {
		us = append(us, t.urls[id])
	}
	slices.Sort(us)
	if len(us) > 3 {
		us = append(us[:3], fmt.Sprintf("and %d more", len(us)-3))
	}
	return "still open: " + strings.Join(us, ", ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

// settle waits, within the page's time, for the network to go quiet.
func (t *tab) settle(o Options) {
	ctx, cancel := context.WithTimeout(t.ctx, o.PageTimeout)
	defer cancel()
	t.settleUntil(ctx, o.Quiet)
}

func (t *tab) settleUntil(ctx context.Context, quiet time.Duration) bool {
	for {
		t.mu.Lock()
		idle := len(t.inflight) == 0 && time.Since(t.last) >= quiet
		t.mu.Unlock()
		if idle {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(quiet / 5):
		}
	}
}

// ccJS finds our banner: in the shadow root the shop's tag makes, or in
// the privacy site's page.
const ccJS = `(document.querySelector("pelqim-consent")?.shadowRoot || document).getElementById("cc")`

// hasBanner reports whether the page runs our banner.
func (t *tab) hasBanner() bool {
	ok, err := chromedp.Run(t.ctx, chromedp.Evaluate[bool](`!!(window.pelqim && window.pelqim.consent)`))
	return err == nil && ok
}

// until polls a JavaScript condition for up to d.
func (t *tab) until(expr string, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(25 * time.Millisecond) {
		if ok, err := chromedp.Run(t.ctx, chromedp.Evaluate[bool](`!!(`+expr+`)`)); err == nil && ok {
			return true
		}
	}
	return false
}

// bannerShot waits for the banner to open and captures the window.
func (t *tab) bannerShot() []byte {
	if !t.until(ccJS+`?.open`, 5*time.Second) {
		return nil
	}
	q := int64(60)
	shot, err := chromedp.Call(t.ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatJpeg, Quality: &q})
	if err != nil {
		return nil
	}
	return shot.Data
}

// choose makes the pass's choice through the banner's own buttons, as a
// visitor would: a click at each.
func (t *tab) choose(p *Pass) error {
	if !t.until(ccJS+`?.open`, 5*time.Second) {
		return errors.New("the banner did not open")
	}
	click := func(css string) error {
		ctx, cancel := context.WithTimeout(t.ctx, 5*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(ccJS+`.querySelector("`+css+`")`))); err != nil {
			return fmt.Errorf("click %s in the banner: %v", css, err)
		}
		return nil
	}
	var steps []string
	switch {
	case p.Phase == Reject:
		steps = []string{"[data-cc=none]"}
	case p.Phase == GPC, p.Grant == "all":
		steps = []string{"[data-cc=all]"}
	default:
		box := `input[name=` + p.Grant + `]`
		steps = []string{"[data-cc=set]", box, "[data-cc=save]"}
	}
	for _, s := range steps {
		if !t.until(ccJS+`.querySelector("`+s+`")?.checkVisibility()`, 5*time.Second) {
			return fmt.Errorf("the banner has no visible %s", s)
		}
		if err := click(s); err != nil {
			return err
		}
	}
	if !t.until(`pelqim.consent()`, 5*time.Second) {
		return errors.New("the banner recorded no choice")
	}
	return nil
}

// granted are the categories the banner says are in force.
func (t *tab) granted(required []string) []string {
	cats, err := chromedp.Run(t.ctx, chromedp.Evaluate[map[string]bool](`pelqim.consent()?.categories || {}`))
	if err != nil {
		return required
	}
	var on []string
	for c, ok := range cats {
		if ok {
			on = append(on, c)
		}
	}
	slices.Sort(on)
	return on
}

// collect adds to the pass what the browser holds now and it had not yet
// seen: cookies of the whole profile, and the storage of every frame's
// origin.
func (t *tab) collect(p *Pass, pageURL string) error {
	now := float64(time.Now().UnixNano()) / 1e9
	res, err := chromedp.CallBrowser(t.ctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: chromedp.FromContext(t.ctx).BrowserContextID})
	if err != nil {
		return fmt.Errorf("read the cookies: %v", err)
	}
	for _, c := range res.Cookies {
		key := "cookie\x00" + c.Name + "\x00" + c.Domain + "\x00" + c.Path
		if _, ok := p.first[key]; ok {
			continue
		}
		ck := Cookie{Name: c.Name, Domain: c.Domain, Path: c.Path, HTTPOnly: c.HTTPOnly, Secure: c.Secure, SameSite: string(c.SameSite),
			Session: c.Session, ThirdParty: t.third(hostOf(c.Domain)), Page: pageURL}
		if !c.Session {
			ck.Expires, ck.Lifetime = c.Expires, c.Expires-now
		}
		p.first[key] = len(p.Cookies)
		p.Cookies = append(p.Cookies, ck)
	}
	tree, err := chromedp.Call(t.ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return fmt.Errorf("read the frames: %v", err)
	}
	var origins []string
	var walk func(*page.FrameTree)
	walk = func(f *page.FrameTree) {
		if o := f.Frame.SecurityOrigin; strings.HasPrefix(o, "http") && !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
		for _, c := range f.ChildFrames {
			walk(c)
		}
	}
	walk(tree.FrameTree)
	for _, o := range origins {
		add := func(kind, name string) {
			key := kind + "\x00" + o + "\x00" + name
			if _, ok := p.first[key]; ok {
				return
			}
			p.first[key] = len(p.Storage)
			p.Storage = append(p.Storage, Storage{Kind: kind, Origin: o, Name: name, ThirdParty: t.third(hostOf(o)), Page: pageURL})
		}
		for _, local := range []bool{true, false} {
			items, err := chromedp.Call(t.ctx, domstorage.GetDOMStorageItems, domstorage.GetDOMStorageItemsParams{StorageID: &domstorage.StorageID{SecurityOrigin: o, IsLocalStorage: local}})
			if err != nil {
				continue
			}
			kind := map[bool]string{true: "localStorage", false: "sessionStorage"}[local]
			for _, it := range items.Entries {
				if len(it) > 0 {
					add(kind, it[0])
				}
			}
		}
		if dbs, err := chromedp.Call(t.ctx, indexeddb.RequestDatabaseNames, indexeddb.RequestDatabaseNamesParams{SecurityOrigin: o}); err == nil {
			for _, n := range dbs.DatabaseNames {
				add("indexedDB", n)
			}
		}
	}
	return nil
}

// finish hands the pass what the network showed over all its pages.
func (t *tab) finish(p *Pass) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p.Hosts, p.SetCookies = []Host{}, append([]SetCookie{}, t.sets...)
	for _, h := range t.order {
		p.Hosts = append(p.Hosts, *t.hosts[h])
	}
	// Empty lists, not null, in the JSON.
	p.Cookies, p.Storage, p.Visits = append([]Cookie{}, p.Cookies...), append([]Storage{}, p.Storage...), append([]Visit{}, p.Visits...)
}

// siteOf is a host's site, its registrable domain ("example.co.uk"); an
// IP address or a single label is its own.
func siteOf(host string) string {
	if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return host
	}
	if s, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return s
	}
	return host
}
