package site

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tdewolff/minify/v2"
	mhtml "github.com/tdewolff/minify/v2/html"
	"golang.org/x/net/html"

	"pelqim/cmd/site/internal/theme"
	"pelqim/functions/consent/testenv"
)

func repoRoot(t testing.TB) string { return testenv.RepoRoot(t) }

// alternates returns a page's canonical URL and its hreflang links.
func alternates(t *testing.T, b []byte) (canonical string, alts map[string]string) {
	t.Helper()
	alts = map[string]string{}
	z := html.NewTokenizer(bytes.NewReader(b))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		if tok.Data != "link" {
			continue
		}
		a := map[string]string{}
		for _, at := range tok.Attr {
			a[at.Key] = at.Val
		}
		switch a["rel"] {
		case "canonical":
			canonical = a["href"]
		case "alternate":
			if _, dup := alts[a["hreflang"]]; dup {
				t.Errorf("hreflang %q listed twice", a["hreflang"])
			}
			alts[a["hreflang"]] = a["href"]
		}
	}
	return canonical, alts
}

// TestHreflangReciprocal: on the real site, every page lists itself and
// each translation, each translation lists it back, and x-default is the
// same on all of them.
func TestHreflangReciprocal(t *testing.T) {
	root := repoRoot(t)
	s, err := Load(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := build(t, root)
	pages := map[string]map[string]string{} // canonical -> alternates
	xdefault := map[string]string{}
	for name, b := range files(t, out) {
		if !strings.HasSuffix(name, ".html") || strings.HasSuffix(name, "404.html") || name == "index.html" {
			continue
		}
		canon, alts := alternates(t, b)
		if canon == "" {
			t.Errorf("%s: no canonical link", name)
			continue
		}
		if len(alts) != len(s.Content.Config.Languages)+1 {
			t.Errorf("%s: %d hreflang links, want one per language and x-default: %v", name, len(alts), alts)
		}
		pages[canon] = alts
		xdefault[canon] = alts["x-default"]
	}
	for canon, alts := range pages {
		self := false
		for lang, href := range alts {
			if href == canon {
				self = true
			}
			if lang == "x-default" {
				continue
			}
			back, ok := pages[href]
			if !ok {
				t.Errorf("%s: hreflang %s points at %s, which is not a built page", canon, lang, href)
				continue
			}
			if !containsValue(back, canon) {
				t.Errorf("%s lists %s (%s), which does not list it back", canon, href, lang)
			}
			if xdefault[href] != alts["x-default"] {
				t.Errorf("x-default differs between %s and %s", canon, href)
			}
		}
		if !self {
			t.Errorf("%s does not list itself among its alternates", canon)
		}
	}
	if len(pages) < 6*len(s.Content.Config.Languages) {
		t.Errorf("only %d pages checked", len(pages))
	}
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

// TestValidHTML runs the W3C Nu HTML checker over every page of the real
// site. It needs Java and the npm package vnu-jar (bash .ci/setup).
func TestValidHTML(t *testing.T) {
	root := repoRoot(t)
	jar := filepath.Join(root, ".ci/node_modules/vnu-jar/build/dist/vnu.jar")
	if _, err := os.Stat(jar); err != nil {
		t.Fatalf("the Nu HTML checker is not installed (%v): run bash .ci/setup", err)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Fatal("java is not installed: run bash .ci/setup")
	}
	out, _ := build(t, root)
	cmd := exec.Command(java, "-jar", jar, "--errors-only", "--skip-non-html", out)
	if msg, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(msg)) > 0 {
		t.Fatalf("the Nu HTML checker found errors (%v):\n%s", err, msg)
	}
}

// TestMinifiedLayouts: pages are rendered with layouts minified once at
// load. On the real site each page must be, once minified, the page that
// the layouts as written give once minified: minifying the template text
// changed nothing a browser sees.
func TestMinifiedLayouts(t *testing.T) {
	s, err := Load(repoRoot(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	orig, err := s.Theme.Unminified()
	if err != nil {
		t.Fatal(err)
	}
	minified := s.Theme.Layouts
	render := func(layouts *theme.Layouts) map[string]string {
		s.Theme.Layouts = layouts
		pages := map[string]string{}
		for _, o := range s.Outputs() {
			if !strings.HasSuffix(o.Path, ".html") {
				continue
			}
			b, err := o.Render()
			if err != nil {
				t.Fatal(err)
			}
			var min bytes.Buffer
			if err := mhtml.Minify(minify.New(), &min, bytes.NewReader(b), nil); err != nil {
				t.Fatalf("%s: %v", o.Path, err)
			}
			pages[o.Path] = min.String()
		}
		return pages
	}
	want, got := render(orig), render(minified)
	if len(want) < 20 {
		t.Fatalf("only %d pages", len(want))
	}
	for path, w := range want {
		if got[path] != w {
			t.Errorf("%s: minified layouts give\n%s\nwant\n%s", path, got[path], w)
		}
	}
}

// TestNoImpliedConsent: no built page, in any language, says that using
// the site means agreeing to its cookies. Consent is a choice in the
// banner; going on browsing is none (GDPR Art. 4(11), recital 32).
func TestNoImpliedConsent(t *testing.T) {
	s, err := Load(repoRoot(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	implied := regexp.MustCompile(`(?i)(continu\w* to use|by using) this (site|website).{0,60}(agree|accept|consent)` +
		`|përdorimit të mëtejshëm.{0,80}(dakord|pranoni|pëlqe)` +
		`|(daljim|nastavkom) korišćenj\w*.{0,60}(pristaje|saglas|prihvat)`)
	pages := 0
	for _, o := range s.Outputs() {
		if !strings.HasSuffix(o.Path, ".html") {
			continue
		}
		b, err := o.Render()
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if m := implied.Find(b); m != nil {
			t.Errorf("%s says that using the site is consent: %q", o.Path, m)
		}
	}
	if pages < 18 {
		t.Errorf("only %d pages read", pages)
	}
}

// TestNoticeHeadings: every language's privacy policy shows what GDPR Art.
// 13 and Law No. 06/L-082 ask for, under its heading: the controller, the
// contact, the purposes and legal bases, the recipients, transfers,
// retention, the rights, the complaint to the AIP, automated decisions.
func TestNoticeHeadings(t *testing.T) {
	s, err := Load(repoRoot(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range s.Content.Langs() {
		p := s.Content.Page(l, "privacy")
		b, _, err := s.renderPage(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"notice_controller", "notice_contact", "notice_purposes", "notice_basis", "notice_recipients",
			"notice_transfers", "notice_retention", "notice_rights", "notice_complaint", "notice_automated"} {
			heading := html.EscapeString(s.Theme.Strings[l][key])
			if heading == "" || !bytes.Contains(b, []byte(">"+heading+"<")) {
				t.Errorf("%s: no heading %q (%s)", p.File, heading, key)
			}
		}
	}
}
