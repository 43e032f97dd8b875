package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium is the browser the tests drive: Debian's chromium package.
const Chromium = "/usr/bin/chromium"

// env is what the browser tests share: one site binary, two served copies of
// the site and one browser, each made once, on first use.
var env struct {
	once sync.Once
	err  error

	root    string // the repository
	tmp     string
	a, b    *server         // the test site, and the same with another consent version
	shop    *shop           // the fixture shop, whose origin a's consent function takes
	other   *shop           // the same pages on an origin it does not take
	tracker *tracker        // the shop's third parties
	browser context.Context // has the browser running; tabs are its children
	stop    []func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(env.stop) - 1; i >= 0; i-- {
		env.stop[i]()
	}
	if env.tmp != "" {
		os.RemoveAll(env.tmp)
	}
	os.Exit(code)
}

// setup returns the shared environment, making it on the first call.
func setup(t testing.TB) {
	t.Helper()
	env.once.Do(func() { env.err = start() })
	if env.err != nil {
		t.Fatal(env.err)
	}
}

func start() error {
	if _, err := os.Stat(Chromium); err != nil {
		return fmt.Errorf("the browser tests need Chromium at %s: install it with `apt-get install chromium` (%v)", Chromium, err)
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	env.root = root
	if env.tmp, err = os.MkdirTemp("", "pelqim-e2e-"); err != nil {
		return err
	}
	bin := filepath.Join(env.tmp, "site")
	build := exec.Command("go", "build", "-o", bin, "./cmd/site")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/site: %v\n%s", err, out)
	}
	a, b := filepath.Join(env.tmp, "site-a"), filepath.Join(env.tmp, "site-b")
	if err := testSite(root, a); err != nil {
		return fmt.Errorf("make the test site: %w", err)
	}
	if err := copyTree(a, b); err != nil {
		return err
	}
	// Any change to the cookie declaration gives a new consent version.
	if err := edit(filepath.Join(b, "content/data/cookies.yaml"), "lifetime: 3mo", "lifetime: 4mo"); err != nil {
		return err
	}
	// The shop's servers first: a's consent function takes the shop's
	// origin (-origins), which has the port they got.
	if env.shop, env.other, env.tracker, err = startFixtures(root); err != nil {
		return err
	}
	if env.a, err = serve(bin, a, "-origins", env.shop.URL); err != nil {
		return err
	}
	if env.b, err = serve(bin, b); err != nil {
		return err
	}

	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		// *.pelqim.test: the test site under a domain of its own, for the
		// consent cookie's Domain; the fixture shop's hosts first.
		chromedp.Flag("host-resolver-rules", shopResolverRules+"MAP *.pelqim.test 127.0.0.1"),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(filepath.Join(env.tmp, "profile")),
	)...)
	env.stop = append(env.stop, cancel)
	browser, cancel := chromedp.NewContext(alloc)
	env.stop = append(env.stop, cancel)
	if err := chromedp.Do(browser); err != nil {
		return fmt.Errorf("start %s: %w", Chromium, err)
	}
	env.browser = browser
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// testSite copies the site's content and theme to dir and adds what the
// tests need and the real theme must not have: two gated test scripts (a
// statistics one that sets the cookies and storage its category declares,
// and a marketing one), an inline gated script that must never run, and
// Consent Mode switched on.
func testSite(root, dir string) error {
	for _, sub := range []string{"content", "themes"} {
		if err := copyTree(filepath.Join(root, sub), filepath.Join(dir, sub)); err != nil {
			return err
		}
	}
	theme := filepath.Join(dir, "themes/default")
	files := map[string]string{
		"assets/js/test-stats.js": `// A stand-in for a statistics tag.
var root = document.documentElement;
root.dataset.statsRan = "1";
root.dataset.consentModeSeen = String(window.dataLayer ? dataLayer.length : -1);
document.cookie = "_ga=GA1.1.1.1;Path=/;Max-Age=3600";
document.cookie = "_ga_TEST=GS1.1.1;Path=/;Max-Age=3600";
document.cookie = "_gax=not-declared;Path=/;Max-Age=3600";
localStorage.setItem("_test_stats_1", "x");
`,
		"assets/js/test-ads.js": `// A stand-in for a marketing tag.
document.documentElement.dataset.adsRan = "1";
document.cookie = "_fbp=fb.1.1;Path=/;Max-Age=3600";
`,
		"layouts/partials/gated.html": `<script type="text/plain" data-category="statistics" src="{{.Asset "test-stats.js"}}"></script>
<script type="text/plain" data-category="marketing" src="{{.Asset "test-ads.js"}}"></script>
<script type="text/plain" data-category="statistics" id="inline-gated">document.documentElement.dataset.inlineRan = "1"</script>
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(theme, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	if err := edit(filepath.Join(theme, "layouts/base.html"), `{{.Shared "banner.html"}}`, `{{template "gated.html" .}}
{{.Shared "banner.html"}}`); err != nil {
		return err
	}
	if err := edit(filepath.Join(dir, "content/config.yaml"), "consentMode: false", "consentMode: true"); err != nil {
		return err
	}
	for old, new := range map[string]string{"cookieDomain: xiaomistore-ks.com": "cookieDomain: pelqim.test", "baseURL: https://privatesia.xiaomistore-ks.com/": "baseURL: https://privatesia.pelqim.test/"} {
		if err := edit(filepath.Join(dir, "content/config.yaml"), old, new); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, "content/data/cookies.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(`- name: _test_stats*
  domain: 127.0.0.1
  recipient: Xiaomi Store Kosova
  category: statistics
  kind: localStorage
  duration: {sq: "1 orë", en: "1 hour", sr: "1 sat"}
  purpose: {sq: "Test.", en: "Test.", sr: "Test."}
`)
	return errors.Join(err, f.Close())
}

// edit replaces old by new in a file, and fails when old is not there.
func edit(file, old, new string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !strings.Contains(string(b), old) {
		return fmt.Errorf("%s: no %q to replace", file, old)
	}
	return os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o644)
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
}

// server is a running `site serve`.
type server struct {
	URL    string // http://127.0.0.1:PORT, no trailing slash
	data   string // the -data folder: store and mail outbox
	stderr *strings.Builder
}

var serving = regexp.MustCompile(`^serving .* at (http://\S+)/ \(`)

// serve starts `site serve` on a free port with its own store, and more
// arguments if any, and returns once it has said where it listens.
func serve(bin, src string, args ...string) (*server, error) {
	data := src + "-data"
	cmd := exec.Command(bin, append([]string{"serve", "-src", src, "-addr", "127.0.0.1:0", "-data", data}, args...)...)
	// Serve refuses TABLE_NAME and AWS_ENDPOINT_URL_SESV2 (it has only its
	// local store and outbox), and must derive the origin from its address;
	// the outbox's From is its default.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "TABLE_NAME", "SITE_ORIGIN", "AWS_ENDPOINT_URL_SESV2", "SENDER_ADDRESS":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &server{data: data, stderr: &strings.Builder{}}
	cmd.Stderr = &lockedWriter{w: s.stderr}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start site serve: %w", err)
	}
	env.stop = append(env.stop, func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			return nil, fmt.Errorf("site serve -src %s stopped before serving:\n%s", src, s.stderr)
		}
		s.URL = u
		return s, nil
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("site serve -src %s did not say where it serves within 60s:\n%s", src, s.stderr)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// event is a consent record as GET /api/consent/{id} returns it.
type event struct {
	ConsentID  string          `json:"consentId"`
	EventID    string          `json:"eventId"`
	Action     string          `json:"action"`
	Categories map[string]bool `json:"categories"`
	Consent    string          `json:"consentVersion"`
	Policy     string          `json:"policyVersion"`
	Language   string          `json:"language"`
	Page       string          `json:"page"`
	Origin     string          `json:"origin"`
	GPC        bool            `json:"gpc"`
	ChosenAt   string          `json:"chosenAt"`
	RecordedAt string          `json:"recordedAt"`
}

// history reads the consent records of id from the server's store; nil when
// it has none.
func (s *server) history(t *testing.T, id string) []event {
	t.Helper()
	resp, err := http.Get(s.URL + "/api/consent/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusNotFound:
		return nil
	case http.StatusOK:
	default:
		t.Fatalf("GET /api/consent/%s: %s %s", id, resp.Status, body)
	}
	var h struct{ Events []event }
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatalf("GET /api/consent/%s: %v in %s", id, err, body)
	}
	return h.Events
}

// historyOf waits until the store has n records of id (the banner posts
// asynchronously) and returns them.
func (s *server) historyOf(t *testing.T, id string, n int) []event {
	t.Helper()
	var evs []event
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if evs = s.history(t, id); len(evs) >= n {
			break
		}
	}
	if len(evs) != n {
		t.Fatalf("the store has %d records of consent %s, want %d: %+v", len(evs), id, n, evs)
	}
	return evs
}
