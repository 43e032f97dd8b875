package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The data-request form (issue 4), from the site's page to the confirmation
// link in the email that `site serve` writes into its outbox.

// reference is the documented shape of a request's reference.
var reference = regexp.MustCompile(`KS-[0-9A-Z]{6}`)

// TestRequestWithoutJavaScript sends the form as a browser without
// JavaScript does: a plain POST answered 303 to the received page. Then it
// follows the email's link, which must change nothing until Confirm is
// pressed, and only once.
func TestRequestWithoutJavaScript(t *testing.T) {
	ctx := noScript(t)
	open(t, ctx, env.a.URL+"/en/data-requests/")
	scriptsOff(t, ctx)

	const addr = "nojs.erase@example.com"
	choose(t, ctx, "Delete my data")
	fill(t, ctx, "#req-email", addr)
	resp := submit(t, ctx, `[data-request-form] button`)
	if resp.Status != 200 {
		t.Fatalf("after the form post: %d %s, want 200 (the received page after the 303): %s", resp.Status, resp.URL, bodyText(t, ctx))
	}
	landed, err := url.Parse(resp.URL)
	if err != nil {
		t.Fatal(err)
	}
	if landed.Path != "/api/requests/received" {
		t.Fatalf("the form post landed on %s, want /api/requests/received?…", resp.URL)
	}
	ref := landed.Query().Get("ref")
	if !reference.MatchString(ref) || len(ref) != len("KS-123456") {
		t.Fatalf("received page %s: ref %q is not a reference", resp.URL, ref)
	}
	if lang := landed.Query().Get("lang"); lang != "en" {
		t.Errorf("received page %s: lang %q, want en", resp.URL, lang)
	}
	if h1 := heading(t, ctx); h1 != "Request received" {
		t.Errorf("received page heading %q", h1)
	}
	if text := bodyText(t, ctx); !strings.Contains(text, "Your reference: "+ref+".") {
		t.Errorf("the received page does not show the reference %s:\n%s", ref, text)
	}

	m := env.a.mailTo(t, addr)
	if want := "Confirm your data request " + ref; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	if !strings.Contains(m.Text, "Delete my data (reference "+ref+")") {
		t.Errorf("the email does not name the request type and reference:\n%s", m.Text)
	}
	link := m.link(t)
	checkLink(t, link, ref, "en")

	// Mail scanners open links: opening it, twice, confirms nothing.
	for range 2 {
		open(t, ctx, link)
		if h1 := heading(t, ctx); h1 != "Confirm your request" {
			t.Fatalf("the link shows %q, want the Confirm your request page", h1)
		}
		if text := bodyText(t, ctx); !strings.Contains(text, ref) {
			t.Errorf("the confirm page does not name %s:\n%s", ref, text)
		}
	}
	confirm := `form[action="/api/requests/verify"] button`
	if got := js[string](t, ctx, `document.querySelector(`+quote(confirm)+`).textContent`); got != "Confirm request" {
		t.Errorf("confirm button %q, want Confirm request", got)
	}
	// Had a GET confirmed it, this would say already confirmed.
	if resp := submit(t, ctx, confirm); resp.Status != 200 {
		t.Fatalf("Confirm: %d %s: %s", resp.Status, resp.URL, bodyText(t, ctx))
	}
	if h1 := heading(t, ctx); h1 != "Request confirmed" {
		t.Fatalf("after Confirm: %q, want Request confirmed\n%s", h1, bodyText(t, ctx))
	}
	if text := bodyText(t, ctx); !strings.Contains(text, "Request "+ref+" is confirmed.") {
		t.Errorf("the confirmed page does not name %s:\n%s", ref, text)
	}

	// The link a second time: the button again, and no second change.
	open(t, ctx, link)
	if resp := submit(t, ctx, confirm); resp.Status != 200 {
		t.Fatalf("Confirm again: %d %s: %s", resp.Status, resp.URL, bodyText(t, ctx))
	}
	if h1 := heading(t, ctx); h1 != "Already confirmed" {
		t.Errorf("Confirm a second time: %q, want Already confirmed\n%s", h1, bodyText(t, ctx))
	}
	if n := len(env.a.mailsTo(t, addr)); n != 1 {
		t.Errorf("%d emails to %s, want 1", n, addr)
	}
}

// TestRequestWithoutJavaScriptRefused sends, without JavaScript, an address
// only the server refuses: the function's page shows the form again, filled
// in, with the reason; corrected there, it goes through.
func TestRequestWithoutJavaScriptRefused(t *testing.T) {
	ctx := noScript(t)
	open(t, ctx, env.a.URL+"/en/data-requests/")
	scriptsOff(t, ctx)
	choose(t, ctx, "Restrict processing")
	fill(t, ctx, "#req-email", "ana@localhost")
	before := len(env.a.mails(t))
	resp := submit(t, ctx, `[data-request-form] button`)
	if resp.Status != 400 || !strings.HasSuffix(resp.URL, "/api/requests") {
		t.Fatalf("refused form post: %d %s, want 400 from /api/requests: %s", resp.Status, resp.URL, bodyText(t, ctx))
	}
	if h1 := heading(t, ctx); h1 != "Your request was not sent" {
		t.Errorf("refused form page heading %q", h1)
	}
	if alert := js[string](t, ctx, `(document.querySelector("[role=alert]") || {}).textContent || ""`); alert != "Enter one valid email address." {
		t.Errorf("refused form page alert %q, want the email message", alert)
	}
	if got := js[string](t, ctx, `document.getElementById("req-email").value + " " + (document.querySelector("input[name=type]:checked") || {}).value`); got != "ana@localhost restrict" {
		t.Errorf("the form came back filled with %q, want the address and type sent", got)
	}
	if after := len(env.a.mails(t)); after != before {
		t.Errorf("the outbox went from %d to %d emails on a refused request", before, after)
	}

	const addr = "nojs.restrict@example.com"
	if _, err := chromedp.Run(ctx, chromedp.SetValue(chromedp.CSS("#req-email"), addr)); err != nil {
		t.Fatal(err)
	}
	resp = submit(t, ctx, `form[action="/api/requests"] button`)
	if resp.Status != 200 || !strings.Contains(resp.URL, "/api/requests/received?") {
		t.Fatalf("corrected form post: %d %s, want the received page: %s", resp.Status, resp.URL, bodyText(t, ctx))
	}
	landed, _ := url.Parse(resp.URL)
	ref := landed.Query().Get("ref")
	m := env.a.mailTo(t, addr)
	if !strings.Contains(m.Text, "Restrict processing (reference "+ref+")") {
		t.Errorf("the email does not name the type and reference %s:\n%s", ref, m.Text)
	}
}

// noScript opens a tab with JavaScript off.
func noScript(t *testing.T) context.Context {
	t.Helper()
	ctx := tab(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// scriptsOff checks that the site's page loaded without running its scripts:
// consent.js opens the banner on a first visit. (The test still reads the
// page through CDP evaluation, which works with page scripts off.)
func scriptsOff(t *testing.T, ctx context.Context) {
	t.Helper()
	if js[bool](t, ctx, `document.getElementById("cc").open`) {
		t.Fatal("the banner opened: JavaScript runs in the tab")
	}
}

// TestRequestWithJavaScript sends the form in place, in Albanian: the
// reference appears under the form and the email speaks Albanian.
func TestRequestWithJavaScript(t *testing.T) {
	ctx := tab(t)
	errs := pageErrors(t, ctx)
	open(t, ctx, env.a.URL+"/sq/kerkesat/")
	click(t, ctx, `#cc [data-cc=none]`) // the banner overlays the form
	js[bool](t, ctx, `window.samePage = true`)

	const addr = "js.withdraw@example.com"
	choose(t, ctx, "Tërheqjen e pëlqimit")
	fill(t, ctx, "#req-email", addr)
	click(t, ctx, `[data-request-form] button`)
	status, class := answer(t, ctx, errs)
	if e := errs(); len(e) > 0 {
		t.Errorf("errors on the page: %q", e)
	}

	if !js[bool](t, ctx, `window.samePage === true && location.pathname == "/sq/kerkesat/"`) {
		t.Fatalf("the submit navigated to %s", js[string](t, ctx, `location.href`))
	}
	if !slices.Contains(strings.Fields(class), "ok") {
		t.Errorf("status class %q, want ok: %s", class, status)
	}
	refs := reference.FindAllString(status, -1)
	if len(refs) != 1 {
		t.Fatalf("status %q: want one reference KS-XXXXXX, found %q", status, refs)
	}
	ref := refs[0]
	if !strings.HasPrefix(status, "Kërkesa u pranua me referencën "+ref+".") {
		t.Errorf("status %q is not the Albanian message", status)
	}
	if strings.ContainsAny(status, "{}") || strings.Contains(status, "Invalid Date") {
		t.Errorf("status %q has an unfilled placeholder or a bad date", status)
	}
	if !js[bool](t, ctx, `document.activeElement.matches("[data-request-status]")`) {
		t.Error("focus did not move to the status, so screen readers may miss it")
	}
	if v := js[string](t, ctx, `document.getElementById("req-email").value`); v != "" {
		t.Errorf("the form was not reset: email %q", v)
	}
	// The answer's look is held to axe too.
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("axe-core, after a sent request:\n%s", strings.Join(v, "\n"))
	}

	m := env.a.mailTo(t, addr)
	if want := "Konfirmoni kërkesën tuaj për të dhënat " + ref; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	if !strings.Contains(m.Text, "Tërheqjen e pëlqimit (referenca "+ref+")") {
		t.Errorf("the email does not name the request type and reference in Albanian:\n%s", m.Text)
	}
	checkLink(t, m.link(t), ref, "sq")
}

// TestRequestInvalid sends what the server refuses: the status says what to
// fix, and no email goes out.
func TestRequestInvalid(t *testing.T) {
	for _, c := range []struct {
		name, email string
		prepare     chromedp.Action[chromedp.Void]
	}{
		// The browser's type=email accepts a dotless domain; the server
		// wants a dotted one.
		{"dotless domain", "ana@localhost", nil},
		// A browser that skips validation sends an empty address.
		{"empty email", "", chromedp.RemoveAttribute("#req-email", "required")},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := tab(t)
			errs := pageErrors(t, ctx)
			open(t, ctx, env.a.URL+"/en/data-requests/")
			click(t, ctx, `#cc [data-cc=none]`)
			if c.prepare != nil {
				if _, err := chromedp.Run(ctx, c.prepare); err != nil {
					t.Fatal(err)
				}
			}
			fill(t, ctx, "#req-email", c.email)
			if !js[bool](t, ctx, `document.querySelector("[data-request-form]").checkValidity()`) {
				t.Fatal("the browser refuses the form itself, so it never reaches the server")
			}
			before := len(env.a.mails(t))
			js[bool](t, ctx, `window.samePage = true`)

			click(t, ctx, `[data-request-form] button`)
			status, class := answer(t, ctx, errs)
			if e := errs(); len(e) > 0 {
				t.Errorf("errors on the page: %q", e)
			}
			if !js[bool](t, ctx, `window.samePage === true`) {
				t.Fatal("the submit navigated")
			}
			if want := "Please check the form (the request type and email are required) and try again."; status != want {
				t.Errorf("status %q, want %q", status, want)
			}
			if !slices.Contains(strings.Fields(class), "error") {
				t.Errorf("status class %q, want error", class)
			}
			if !js[bool](t, ctx, `!document.querySelector("[data-request-form] button").disabled`) {
				t.Error("the submit button stays disabled after the answer")
			}
			if after := len(env.a.mails(t)); after != before {
				t.Errorf("the outbox went from %d to %d emails on a refused request", before, after)
			}
		})
	}
}

// TestRequestAxe runs axe-core on the request page of every language at
// 360 px: on a first visit (banner open), and with an error under the form.
func TestRequestAxe(t *testing.T) {
	for _, path := range []string{"/sq/kerkesat/", "/en/data-requests/", "/sr/zahtevi/"} {
		t.Run(path, func(t *testing.T) {
			ctx := tab(t)
			viewport(t, ctx, 360)
			open(t, ctx, env.a.URL+path)
			if open, _ := banner(t, ctx); !open {
				t.Fatal("no banner on a first visit")
			}
			if v := axeViolations(t, ctx); len(v) > 0 {
				t.Errorf("axe-core, first visit:\n%s", strings.Join(v, "\n"))
			}
			click(t, ctx, `#cc [data-cc=none]`)
			if w := js[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
				t.Errorf("the page is %d px wide at a 360 px viewport", w)
			}
			// An address only the server refuses, for the error message.
			fill(t, ctx, "#req-email", "ana@localhost")
			click(t, ctx, `[data-request-form] button`)
			waitFor(t, ctx, `document.querySelector("[data-request-status].error")`)
			if v := axeViolations(t, ctx); len(v) > 0 {
				t.Errorf("axe-core, error shown:\n%s", strings.Join(v, "\n"))
			}
		})
	}
}

// pageErrors collects the uncaught exceptions of the tab's pages, which
// tell why a script did not do its job.
func pageErrors(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var errs []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg = d.Exception.Description
			}
			mu.Lock()
			errs = append(errs, fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, msg))
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(errs)
	}
}

// answer waits for requests.js to show the function's answer under the
// form, and returns its text and class.
func answer(t *testing.T, ctx context.Context, errs func() []string) (text, class string) {
	t.Helper()
	const status = `document.querySelector("[data-request-status]")`
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if text = js[string](t, ctx, status+`.textContent`); text != "" {
			return text, js[string](t, ctx, status+`.className`)
		}
	}
	t.Fatalf("waited 10s for an answer under the form; the page's errors: %q", errs())
	return "", ""
}

// axeViolations runs axe-core on the page, loading it first.
func axeViolations(t *testing.T, ctx context.Context) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(env.root, ".ci/node_modules/axe-core/axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is missing: run `bash .ci/setup` (npm ci in .ci/): %v", err)
	}
	if !js[bool](t, ctx, `!!window.axe`) {
		// CDP evaluation is not subject to the page's CSP.
		js[bool](t, ctx, string(src)+"\n;true")
	}
	return js[[]string](t, ctx, `axe.run(document).then(r => r.violations.map(v =>
		v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.map(n => n.target.join(" ")).join(", ")))`)
}

// choose clicks the request type with this label, as a visitor does.
func choose(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	xpath := `//form[@data-request-form]//label[normalize-space()="` + label + `"]`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.Search(xpath))); err != nil {
		t.Fatalf("choose %q: %v", label, err)
	}
	checked := js[string](t, ctx, `(document.querySelector("[data-request-form] input[name=type]:checked") || {}).parentElement?.textContent.trim() || ""`)
	if checked != label {
		t.Fatalf("chose %q, and %q is checked", label, checked)
	}
}

// fill focuses an empty field and types text into it as a keyboard does.
func fill(t *testing.T, ctx context.Context, css, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css)), chromedp.SendKeys(chromedp.CSS(css), text)); err != nil {
		t.Fatalf("fill %s: %v", css, err)
	}
	if got := js[string](t, ctx, `document.querySelector(`+quote(css)+`).value`); got != text {
		t.Fatalf("fill %s: the field holds %q, want %q", css, got, text)
	}
}

// submit clicks a button that navigates and returns the response of the
// page it lands on (after redirects).
func submit(t *testing.T, ctx context.Context, css string) *network.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("click %s and wait for the page: %v", css, err)
	}
	return resp
}

func heading(t *testing.T, ctx context.Context) string {
	t.Helper()
	return js[string](t, ctx, `(document.querySelector("h1") || {}).textContent || ""`)
}

func bodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return js[string](t, ctx, `document.body.innerText`)
}

// quote makes s a JavaScript string literal.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checkLink holds a confirmation link to the contract: this server's
// /api/requests/verify with ref, token and lang.
func checkLink(t *testing.T, link, ref, lang string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("confirmation link %q: %v", link, err)
	}
	if origin := u.Scheme + "://" + u.Host; origin != env.a.URL || u.Path != "/api/requests/verify" {
		t.Errorf("confirmation link %s, want %s/api/requests/verify?…", link, env.a.URL)
	}
	q := u.Query()
	if q.Get("ref") != ref || q.Get("lang") != lang || q.Get("token") == "" {
		t.Errorf("confirmation link %s: want ref=%s, lang=%s and a token", link, ref, lang)
	}
}

// email is a message from the outbox, its bodies decoded.
type email struct {
	File, To, Subject string
	Text, HTML        string
}

// mails reads every message in the server's outbox, oldest first.
func (s *server) mails(t *testing.T) []email {
	t.Helper()
	dir := filepath.Join(s.data, "outbox")
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var ms []email
	for _, e := range entries {
		// Messages are written aside as .tmp-* and renamed when whole.
		if name := e.Name(); !strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".eml") {
			ms = append(ms, readEmail(t, filepath.Join(dir, name)))
		}
	}
	return ms
}

func (s *server) mailsTo(t *testing.T, addr string) []email {
	t.Helper()
	var ms []email
	for _, m := range s.mails(t) {
		if m.To == addr {
			ms = append(ms, m)
		}
	}
	return ms
}

// mailTo waits for the one message to addr.
func (s *server) mailTo(t *testing.T, addr string) email {
	t.Helper()
	var ms []email
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ms = s.mailsTo(t, addr); len(ms) > 0 {
			break
		}
	}
	if len(ms) != 1 {
		t.Fatalf("%d emails to %s in %s, want 1", len(ms), addr, filepath.Join(s.data, "outbox"))
	}
	return ms[0]
}

// readEmail parses an .eml file: headers, and the text and HTML parts of
// its multipart/alternative body, quoted-printable decoded.
func readEmail(t *testing.T, file string) email {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	m := email{File: file}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 {
		t.Fatalf("%s: To %q: %v", file, msg.Header.Get("To"), err)
	}
	m.To = to[0].Address
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("%s: Subject: %v", file, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("%s: Content-Type %q, want multipart/alternative (%v)", file, msg.Header.Get("Content-Type"), err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		// NextRawPart leaves the transfer encoding to us, so the test
		// reads the encoding the file declares.
		p, err := parts.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var body io.Reader = p
		switch enc := strings.ToLower(p.Header.Get("Content-Transfer-Encoding")); enc {
		case "quoted-printable":
			body = quotedprintable.NewReader(p)
		case "", "7bit", "8bit":
		default:
			t.Fatalf("%s: unexpected Content-Transfer-Encoding %q", file, enc)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		switch pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt {
		case "text/plain":
			m.Text = string(b)
		case "text/html":
			m.HTML = string(b)
		}
	}
	if m.Text == "" || m.HTML == "" {
		t.Fatalf("%s: want a text and an HTML part", file)
	}
	return m
}

var (
	textLink = regexp.MustCompile(`https?://\S+/api/requests/verify\?\S+`)
	htmlLink = regexp.MustCompile(`href="([^"]*/api/requests/verify\?[^"]*)"`)
)

// link is the confirmation link; the text and the HTML part must agree.
func (m email) link(t *testing.T) string {
	t.Helper()
	text := textLink.FindAllString(m.Text, -1)
	if len(text) != 1 {
		t.Fatalf("%s: want one confirmation link in the text part, found %q:\n%s", m.File, text, m.Text)
	}
	h := htmlLink.FindAllStringSubmatch(m.HTML, -1)
	if len(h) != 1 {
		t.Fatalf("%s: want one confirmation link in the HTML part, found %d:\n%s", m.File, len(h), m.HTML)
	}
	if href := html.UnescapeString(h[0][1]); href != text[0] {
		t.Errorf("%s: the HTML part links %s, the text part %s", m.File, href, text[0])
	}
	return text[0]
}
