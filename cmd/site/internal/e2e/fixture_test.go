package e2e

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"text/template"
	"time"
)

// The shop and its trackers, for the tests of the banner on the shop (the
// tag, embed/v1/consent.js). Three origins, as in production, each on a
// loopback address of its own (Linux answers on all of 127.0.0.0/8):
//
//   - the privacy site: `site serve`, env.a, on 127.0.0.1;
//   - the shop: testdata/shop/, on 127.0.0.2, opened as store.pelqim.test
//     (the consent cookie's domain, as xiaomistore-ks.com is the site's and
//     the shop's); the same pages on 127.0.0.4 as other.pelqim.test, an
//     origin the consent function does not list;
//   - the trackers: testdata/tracker/, on 127.0.0.3, another site, which
//     records every request it gets.

// The shop's nonce on csp.html, and that page's policies. The first is
// the strict CSP the issue asks the tag to work under (a nonce and
// 'strict-dynamic', no 'unsafe-inline' styles). What the shop must add for
// the banner, besides the nonce on the tag: connect-src for the consent
// API (the site's origin). Its own trackers need theirs (frame-src for the
// video; the tracker's scripts come in through 'strict-dynamic').
// style-src needs the site's origin only for browsers without
// constructable style sheets (Safari before 16.4), where the banner links
// its styles.
//
// The second policy, enforced with it, has the nonce without
// 'strict-dynamic' (and the tracker's host, for the script the GA snippet
// creates): Chromium lets 'strict-dynamic' cover an inline script that a
// script inserts, the CSP spec does not (w3c/webappsec-csp#426), and
// other browsers may follow it. Under this one, the gated inline scripts
// run only with the nonce the tag gives them, and the banner's file only
// with the nonce the tag passes on.
const shopNonce = "XYZ"

func shopCSP(site, tracker string) []string {
	return []string{
		"default-src 'self'; script-src 'nonce-" + shopNonce + "' 'strict-dynamic'; style-src 'self'; object-src 'none'; base-uri 'none'; " +
			"connect-src 'self' " + site + "; frame-src " + tracker,
		"script-src 'nonce-" + shopNonce + "' " + tracker,
	}
}

// shop serves the fixture shop's pages: testdata/shop/*.html, templates
// (_parts.html has what they share) given the origins of the site and the
// tracker.
type shop struct {
	URL string // http://store.pelqim.test:PORT or the like, no trailing slash
}

// tracker serves testdata/tracker/ and records the path of every request.
type tracker struct {
	URL  string // http://127.0.0.3:PORT
	mu   sync.Mutex
	seen []string
}

// mark is where the requests made from now on start, for since.
func (tr *tracker) mark() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.seen)
}

// since returns the paths requested since mark. The tests run one at a
// time, so they are the running test's.
func (tr *tracker) since(mark int) []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.seen[mark:]...)
}

// listen listens on ip, port chosen by the system, and serves h there
// until the tests end; it returns the port.
func listen(ip string, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		return "", fmt.Errorf("listen on %s (the shop's tests need the loopback addresses 127.0.0.2 to .4): %w", ip, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	env.stop = append(env.stop, func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}

// startFixtures starts the tracker and the two shops. The site's origin is
// read when a page is asked for: `site serve` starts after them, for it
// must be told the shop's origin.
func startFixtures(root string) (store, other *shop, tr *tracker, err error) {
	dir := filepath.Join(root, "cmd/site/internal/e2e/testdata")
	tr = &tracker{}
	files := http.FileServer(http.Dir(filepath.Join(dir, "tracker")))
	port, err := listen("127.0.0.3", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		tr.seen = append(tr.seen, r.URL.Path)
		tr.mu.Unlock()
		w.Header().Set("Cache-Control", "no-store") // every load asks again, and is seen
		files.ServeHTTP(w, r)
	}))
	if err != nil {
		return nil, nil, nil, err
	}
	tr.URL = "http://127.0.0.3:" + port

	pages, err := template.ParseGlob(filepath.Join(dir, "shop/*.html"))
	if err != nil {
		return nil, nil, nil, err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Base(r.URL.Path)
		switch name {
		case "/":
			name = "index.html"
		case "loop": // a redirect loop, for the audit's bad input
			http.Redirect(w, r, "loop", http.StatusFound)
			return
		case "slow": // an answer given late: longer than the audit waits for a page
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
			w.WriteHeader(http.StatusNoContent)
			return
		case "audit-httponly.html": // a cookie only the browser's jar shows
			w.Header().Add("Set-Cookie", "xs_secret=1; Path=/; HttpOnly")
		}
		if strings.HasPrefix(name, "_") || pages.Lookup(name) == nil {
			http.NotFound(w, r)
			return
		}
		data := struct{ Site, Tracker, Nonce string }{env.a.URL, tr.URL, ""}
		if name == "csp.html" {
			data.Nonce = shopNonce
			w.Header()["Content-Security-Policy"] = shopCSP(env.a.URL, tr.URL)
		}
		var b bytes.Buffer
		if err := pages.ExecuteTemplate(&b, name, data); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		// The shop's session, as WooCommerce keeps it: necessary, and
		// HttpOnly, which only the browser's own cookie jar shows.
		w.Header().Add("Set-Cookie", "wp_woocommerce_session_test=1; Path=/; Max-Age=172800; HttpOnly; SameSite=Lax")
		w.Write(b.Bytes())
	})
	store, other = &shop{}, &shop{}
	for _, s := range []struct {
		shop     *shop
		ip, host string
	}{{store, "127.0.0.2", "store.pelqim.test"}, {other, "127.0.0.4", "other.pelqim.test"}} {
		port, err := listen(s.ip, h)
		if err != nil {
			return nil, nil, nil, err
		}
		s.shop.URL = "http://" + s.host + ":" + port
	}
	return store, other, tr, nil
}

// shopResolverRules map the shop's names to their addresses, before the
// rule for the rest of pelqim.test (Chromium uses the first rule that
// matches; TestShopFirstVisit fails if it did not, for nothing else
// listens on their ports).
const shopResolverRules = "MAP store.pelqim.test 127.0.0.2,MAP other.pelqim.test 127.0.0.4,"
