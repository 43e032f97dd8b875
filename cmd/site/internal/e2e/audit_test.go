package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"pelqim/cmd/site/internal/audit"
)

// The cookie audit (site audit) against the fixture shop and `site serve`,
// in real Chromium: a clean shop passes, each kind of finding is provoked
// by a page made for it, and bad input is a clear line each.

// audited runs an audit of the test site's declaration (site a, whose
// consent function takes the shop's choices) over urls.
func audited(t *testing.T, src string, maxPages int, phases []audit.Phase, urls ...string) *audit.Report {
	t.Helper()
	setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := audit.Run(ctx, auditOptions(src, maxPages, phases, urls))
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	return r
}

func auditOptions(src string, maxPages int, phases []audit.Phase, urls []string) audit.Options {
	return audit.Options{
		Src: src, URLs: urls, MaxPages: maxPages, Phases: phases,
		PageTimeout: 10 * time.Second, Quiet: 250 * time.Millisecond, Parallel: 3,
		Chromium: Chromium,
		Own:      []string{env.a.URL}, // the privacy site, on its own address here
		Flags:    map[string]any{"host-resolver-rules": shopResolverRules + "MAP *.pelqim.test 127.0.0.1"},
	}
}

func siteA() string { return filepath.Join(env.tmp, "site-a") }

// visitErrors lists each visit that went wrong, with the detail the
// report's problems leave out (what was still open).
func visitErrors(r *audit.Report) string {
	var b strings.Builder
	for _, tg := range r.Targets {
		for _, p := range tg.Passes {
			for _, v := range p.Visits {
				if v.Error != "" {
					fmt.Fprintf(&b, "%s %s: %s (%.0f ms)\n", p.Name(), v.URL, v.Error, v.Ms)
				}
			}
		}
	}
	return b.String()
}

// pass returns the target's pass of that name ("accept:statistics").
func passNamed(t *testing.T, tg *audit.Target, name string) *audit.Pass {
	t.Helper()
	for _, p := range tg.Passes {
		if p.Name() == name {
			return p
		}
	}
	t.Fatalf("%s: no pass %s", tg.URL, name)
	return nil
}

func cookieNames(p *audit.Pass) []string {
	var ns []string
	for _, c := range p.Cookies {
		ns = append(ns, c.Name)
	}
	slices.Sort(ns)
	return ns
}

// TestAuditCleanShop: the fixture shop, crawled from its home, does what
// its declaration says in every phase.
func TestAuditCleanShop(t *testing.T) {
	setup(t)
	r := audited(t, siteA(), 10, audit.Phases, env.shop.URL+"/")
	var text bytes.Buffer
	r.WriteText(&text)
	if r.Failed() {
		t.Fatalf("the clean shop failed its audit:\n%s%s", text.String(), visitErrors(r))
	}
	tg := r.Targets[0]
	if !tg.Banner {
		t.Fatal("the shop's banner was not found")
	}
	// The home and its five links on the shop's host; not the other site.
	if len(tg.Pages) != 6 || slices.ContainsFunc(tg.Pages, func(p string) bool { return !strings.HasPrefix(p, env.shop.URL) }) {
		t.Errorf("pages %v, want the home and its 5 links on the shop", tg.Pages)
	}
	if len(tg.Passes) != 7 {
		t.Errorf("%d passes, want none, reject, accept for each of 3 categories and all, gpc", len(tg.Passes))
	}
	for _, tt := range []struct {
		pass string
		want []string
	}{
		{"none", []string{"wp_woocommerce_session_test"}},
		{"reject", []string{"pelqim_consent", "wp_woocommerce_session_test"}},
		{"accept:preferences", []string{"pelqim_consent", "wp_woocommerce_session_test"}},
		{"accept:statistics", []string{"_ga", "_ga_TEST", "pelqim_consent", "wp_woocommerce_session_test"}},
		{"accept:marketing", []string{"_fbp", "pelqim_consent", "wp_woocommerce_session_test"}},
		{"accept:all", []string{"_fbp", "_ga", "_ga_TEST", "pelqim_consent", "wp_woocommerce_session_test"}},
		// GPC: Accept all leaves marketing off.
		{"gpc", []string{"_ga", "_ga_TEST", "pelqim_consent", "wp_woocommerce_session_test"}},
	} {
		if got := cookieNames(passNamed(t, tg, tt.pass)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: cookies %v, want %v", tt.pass, got, tt.want)
		}
	}
	none := passNamed(t, tg, "none")
	if len(none.Hosts) != 0 {
		t.Errorf("phase none contacted %v", none.Hosts)
	}
	if s := none.Cookies[0]; !s.HTTPOnly || s.Session || s.Lifetime < 47*3600 || s.Lifetime > 48*3600 {
		t.Errorf("the shop's session cookie as seen: %+v, want HttpOnly and 2 days", s)
	}
	if !slices.ContainsFunc(none.SetCookies, func(s audit.SetCookie) bool { return s.Name == "wp_woocommerce_session_test" && s.Status == 200 }) {
		t.Errorf("Set-Cookie headers seen: %+v, want the session's", none.SetCookies)
	}
	if h := passNamed(t, tg, "accept:statistics").Hosts; len(h) != 1 || h[0].Host != "127.0.0.3" {
		t.Errorf("accept:statistics contacted %+v, want the tracker", h)
	}
	if p := passNamed(t, tg, "gpc"); !p.GPC || slices.Contains(p.Granted, "marketing") {
		t.Errorf("gpc pass: GPC %v, granted %v", p.GPC, p.Granted)
	}
	if p := passNamed(t, tg, "reject"); !slices.Equal(p.Granted, []string{"necessary"}) || p.Screenshot == nil {
		t.Errorf("reject pass: granted %v, screenshot %d bytes", p.Granted, len(p.Screenshot))
	}
	// Declared and never seen: a warning, and the logins are among them.
	if !slices.ContainsFunc(r.Findings, func(f audit.Finding) bool {
		return f.Kind == audit.DeclaredNotSeen && f.Name == "wordpress_logged_in_*" && f.Warning
	}) {
		t.Errorf("no declared_not_seen warning for wordpress_logged_in_*:\n%s", text.String())
	}
	// Seen as declared and not confirmed: what the store may now confirm.
	if got, want := r.Unconfirmed(), []string{"wp_woocommerce_*", "_ga", "_ga_*", "_fbp"}; !slices.Equal(got, want) {
		t.Errorf("seen as declared, unconfirmed: %v, want %v", got, want)
	}
	if !strings.Contains(text.String(), "not yet confirmed in cookies.yaml (confirmed: true, once the store agrees): wp_woocommerce_*, _ga, _ga_*, _fbp") {
		t.Errorf("the summary does not list what may be confirmed:\n%s", text.String())
	}
	validJSON(t, r)
}

// TestAuditFindings: each kind of finding, from a fixture page made for
// it, with its name and phase; in the JSON, valid against its schema, and
// in the HTML report.
func TestAuditFindings(t *testing.T) {
	setup(t)
	page := func(name string) string { return env.shop.URL + "/audit-" + name + ".html" }
	r := audited(t, siteA(), 1, audit.Phases, page("undeclared"), page("tracker"), page("category"), page("expiry"), page("httponly"))
	type want struct {
		kind       audit.Kind
		name, pass string
		page       string
	}
	for _, w := range []want{
		{audit.Undeclared, "_xundeclared", "accept:statistics", page("undeclared")},
		{audit.ThirdPartyBeforeConsent, "127.0.0.3", "none", page("tracker")},
		{audit.BeforeConsent, "_ga", "none", page("tracker")},
		{audit.WrongCategory, "_ga_WRONG", "accept:marketing", page("category")},
		{audit.ExpiryExceeds, "_fbc", "accept:marketing", page("expiry")},
		{audit.Undeclared, "xs_secret", "none", page("httponly")},
	} {
		if !slices.ContainsFunc(r.Findings, func(f audit.Finding) bool {
			return f.Kind == w.kind && f.Name == w.name && f.Pass == w.pass && f.Page == w.page && !f.Warning
		}) {
			t.Errorf("no %s finding for %s in %s on %s; findings:\n%s", w.kind, w.name, w.pass, w.page, findingList(r))
		}
	}
	httpOnly := passNamed(t, r.Targets[4], "none")
	if i := slices.IndexFunc(httpOnly.Cookies, func(c audit.Cookie) bool { return c.Name == "xs_secret" }); i < 0 || !httpOnly.Cookies[i].HTTPOnly {
		t.Errorf("xs_secret as seen: %+v, want HttpOnly", httpOnly.Cookies)
	}
	if !r.Failed() {
		t.Error("an audit with findings did not fail")
	}
	validJSON(t, r)

	var html bytes.Buffer
	if err := r.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	for _, s := range []string{"_xundeclared", "_ga_WRONG", "_fbc", "xs_secret", "127.0.0.3", `id="wrong_category"`, `id="expiry_exceeds"`, "data:image/jpeg;base64,", "Content-Security-Policy"} {
		if !strings.Contains(h, s) {
			t.Errorf("the HTML report does not have %q", s)
		}
	}
	// The declared text beside what was seen: _fbc's lifetime as visitors read it.
	if !strings.Contains(h, "3 muaj") {
		t.Error("the HTML report does not show _fbc's declared duration (3 muaj)")
	}
}

func findingList(r *audit.Report) string {
	var b bytes.Buffer
	for _, f := range r.Findings {
		b.WriteString(string(f.Kind) + " " + f.Name + " " + f.Pass + " " + f.Page + ": " + f.Message + "\n")
	}
	return b.String()
}

// validJSON writes the report as JSON and validates it against
// report.schema.json.
func validJSON(t *testing.T, r *audit.Report) {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	s, err := c.Compile(filepath.Join(env.root, "cmd/site/internal/audit/report.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(doc); err != nil {
		t.Errorf("the JSON report does not match its schema: %#v", err)
	}
}

// TestAuditBadInput: what cannot be audited is a clear line each, and the
// rest of the audit goes on.
func TestAuditBadInput(t *testing.T) {
	setup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/"
	ln.Close()
	tls := strings.Replace(env.shop.URL, "http://", "https://", 1) + "/product.html"
	urls := []string{closed, tls, env.shop.URL + "/loop", env.shop.URL + "/audit-busy.html", env.shop.URL + "/notag.html", env.shop.URL + "/product.html"}
	o := auditOptions(siteA(), 1, []audit.Phase{audit.None, audit.Reject}, urls)
	o.PageTimeout = 3 * time.Second
	r, err := audit.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(r.Problems, "\n")
	for _, want := range []string{
		closed + ": did not load: net::ERR_CONNECTION_REFUSED (phase none)",
		tls + ": did not load: net::ERR_SSL_PROTOCOL_ERROR (phase none)",
		"/loop: did not load: net::ERR_TOO_MANY_REDIRECTS (phase none)",
		"/audit-busy.html: did not settle within 3s; audited as it was (phase none, reject)",
		"/notag.html: no banner of ours on this page: only phase none ran (phase none)",
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("no problem saying %q in:\n%s", want, problems)
		}
	}
	if n := len(r.Problems); n != 5 {
		t.Errorf("%d problems, want 5:\n%s", n, problems)
	}
	// The page that works was audited in both phases.
	last := r.Targets[len(r.Targets)-1]
	if !last.Banner || len(last.Passes) != 2 || len(passNamed(t, last, "reject").Visits) != 1 {
		t.Errorf("product.html: banner %v, %d passes", last.Banner, len(last.Passes))
	}
	if !r.Failed() {
		t.Error("an audit with pages it could not audit passed")
	}
	validJSON(t, r)
}

// TestAuditLeave: what a page leaves in flight as it is left (a beacon, a
// keepalive request the banner's click started), which the server answers
// late, does not keep the next page from settling.
func TestAuditLeave(t *testing.T) {
	setup(t)
	o := auditOptions(siteA(), 2, []audit.Phase{audit.None, audit.Reject}, []string{env.shop.URL + "/audit-leave.html"})
	o.PageTimeout = 3 * time.Second // less than the server's 5 s
	r, err := audit.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 {
		t.Errorf("problems:\n%s\n%s", strings.Join(r.Problems, "\n"), visitErrors(r))
	}
	for _, p := range r.Targets[0].Passes {
		if len(p.Visits) != 2 {
			t.Errorf("%s: %d visits, want the page and its link", p.Name(), len(p.Visits))
		}
	}
}

// TestAuditSite: the privacy site itself, as built from the repository's
// content, audits clean; through the command, which writes its reports.
func TestAuditSite(t *testing.T) {
	setup(t)
	s := realSite(t)
	out := t.TempDir()
	cmd := exec.Command(filepath.Join(env.tmp, "site"), "audit", "-src", s.src, "-max-pages", "6",
		"-json", filepath.Join(out, "a.json"), "-html", filepath.Join(out, "a.html"), s.URL+"/")
	cmd.Env = append(os.Environ(), "CHROME_PATH="+Chromium)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("site audit of the privacy site: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "audit clean: 0 findings") {
		t.Errorf("summary:\n%s", stdout.String())
	}
	var r audit.Report
	b, err := os.ReadFile(filepath.Join(out, "a.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Targets) != 1 || len(r.Targets[0].Pages) != 6 || len(r.Targets[0].Passes) != 7 {
		t.Errorf("the site's audit: %d targets, pages %v", len(r.Targets), r.Targets[0].Pages)
	}
	if h, err := os.ReadFile(filepath.Join(out, "a.html")); err != nil || !bytes.Contains(h, []byte("audit clean")) {
		t.Errorf("HTML report: %v", err)
	}
}

// TestAuditExit: findings exit 1 and still write the reports.
func TestAuditExit(t *testing.T) {
	setup(t)
	out := t.TempDir()
	// By address: the command has no host-resolver rules.
	u := strings.Replace(env.shop.URL, "store.pelqim.test", "127.0.0.2", 1) + "/audit-httponly.html"
	cmd := exec.Command(filepath.Join(env.tmp, "site"), "audit", "-src", siteA(), "-phases", "none", "-own", "127.0.0.1", "-json", filepath.Join(out, "r.json"), u)
	cmd.Env = append(os.Environ(), "CHROME_PATH="+Chromium)
	b, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit %d (%v), want 1:\n%s", code, err, b)
	}
	if !strings.Contains(string(b), "undeclared (1)") || !strings.Contains(string(b), "xs_secret") {
		t.Errorf("output:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join(out, "r.json")); err != nil {
		t.Error(err)
	}
}

// TestAuditSeed: the crawl follows links in document order, or in an
// order a seed shuffles, the same for the same seed.
func TestAuditSeed(t *testing.T) {
	setup(t)
	crawl := func(seed uint64) []string {
		o := auditOptions(siteA(), 3, []audit.Phase{audit.None}, []string{env.shop.URL + "/"})
		o.Seed = seed
		r, err := audit.Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		return r.Targets[0].Pages
	}
	home := env.shop.URL + "/"
	if got, want := crawl(0), []string{home, env.shop.URL + "/product.html", env.shop.URL + "/wp.html"}; !slices.Equal(got, want) {
		t.Errorf("seed 0: %v, want the first links in document order %v", got, want)
	}
	a, b := crawl(7), crawl(7)
	if !slices.Equal(a, b) || len(a) != 3 || a[0] != home {
		t.Errorf("seed 7 twice: %v and %v, want the same 3 pages from the home", a, b)
	}
	if slices.Equal(a, crawl(0)) {
		t.Errorf("seed 7 followed the links in document order: %v", a)
	}
}
