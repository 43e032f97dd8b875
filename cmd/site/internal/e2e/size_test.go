package e2e

import (
	"os"
	"path/filepath"
	"pelqim/cmd/site/internal/check"
	"strings"
	"testing"

	"pelqim/cmd/site/internal/site"
	"pelqim/cmd/site/internal/theme"
)

// BannerBudget is the most the banner's JS and CSS may weigh together on
// the site, each file minified as the build ships it and gzip -9
// compressed. It was 3 KB before the banner carried what the shop needs
// (Consent Mode's seven signals, inline and frame gating in order, the WP
// Consent API, its JS API, the shadow root, and its work cut into short
// tasks for slow phones): 4,140 bytes then, in one file. The core and the
// banner are two files since the shop's tag became the core alone (two
// gzip streams, and what they hand each other): 4,713 bytes; 4,806 since
// the banner loads its font in a task of its own on the shop, before its
// first layout.
const BannerBudget = 4832

// EmbedBudget is the most the shop's tag may load for one language: the tag
// (the core) and that language's file (markup, styles and the banner's
// code), gzip -9 each. The target is 4 KB; the banner with all it
// must do weighs 6.6–6.7 KB (themes/default/README.md), the tag itself
// 1.6 KB. This budget keeps it from growing unseen.
const EmbedBudget = 6720

// TestBannerSize weighs the banner as the build ships it, on the site and
// through the shop's tag, and asserts the budgets; with -v it prints them
// beside vanilla-cookieconsent 3 and Klaro (npm, as published), measured
// the same way:
//
//	go test -run TestBannerSize -v ./cmd/site/internal/e2e
func TestBannerSize(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	s, err := site.Load(root, site.Options{})
	if err != nil {
		t.Fatal(err)
	}
	js, ok := s.Theme.Assets["consent.js"]
	ui, ok2 := s.Theme.Assets["consent-ui.js"]
	if !ok || !ok2 {
		t.Fatal("the theme has no consent.js or consent-ui.js")
	}
	// consent.css ships inside site.css; weigh it alone, minified the same way.
	src, err := os.ReadFile(filepath.Join(root, s.Theme.Dir, "assets/css/consent.css"))
	if err != nil {
		t.Fatal(err)
	}
	css, err := theme.Minifier.Bytes("text/css", src)
	if err != nil {
		t.Fatal(err)
	}
	ours := check.GzipSize(js.Data) + check.GzipSize(ui.Data) + check.GzipSize(css)
	t.Logf("%-44s %7s %7s", "banner (JS + CSS)", "bytes", "gzip -9")
	t.Logf("%-44s %7d %7d (JS %d + %d + CSS %d)", "pelqim consent{,-ui}.js + consent.css", len(js.Data)+len(ui.Data)+len(css), ours, check.GzipSize(js.Data), check.GzipSize(ui.Data), check.GzipSize(css))

	npm := filepath.Join(root, ".ci/node_modules")
	for _, other := range []struct {
		name  string
		files []string
	}{
		{"vanilla-cookieconsent 3 umd.js + css", []string{"vanilla-cookieconsent/dist/cookieconsent.umd.js", "vanilla-cookieconsent/dist/cookieconsent.css"}},
		{"Klaro klaro-no-css.js + klaro.min.css", []string{"klaro/dist/klaro-no-css.js", "klaro/dist/klaro.min.css"}},
		{"Klaro klaro.js (CSS built in)", []string{"klaro/dist/klaro.js"}},
	} {
		var size, zipped int
		for _, f := range other.files {
			b, err := os.ReadFile(filepath.Join(npm, f))
			if err != nil {
				t.Fatalf("%v: install the npm tools with `bash .ci/setup`", err)
			}
			size, zipped = size+len(b), zipped+check.GzipSize(b)
		}
		t.Logf("%-44s %7d %7d (%.0f× ours)", other.name, size, zipped, float64(zipped)/float64(ours))
	}
	if ours > BannerBudget {
		t.Errorf("the banner weighs %d bytes gzip-compressed; the budget is %d", ours, BannerBudget)
	}

	// The shop's tag, for each language.
	var tag []byte
	files := map[string][]byte{}
	for _, o := range s.Outputs() {
		if o.Path == site.EmbedPath || strings.HasPrefix(o.Path, "assets/embed-") {
			b, err := o.Render()
			if err != nil {
				t.Fatal(err)
			}
			if o.Path == site.EmbedPath {
				tag = b
			} else {
				files[o.Path] = b
			}
		}
	}
	if tag == nil || len(files) != len(s.Content.Langs()) {
		t.Fatalf("the build has no shop's tag, or not a file per language (%d)", len(files))
	}
	for path, b := range files {
		total := check.GzipSize(tag) + check.GzipSize(b)
		t.Logf("%-44s %7d %7d (tag %d + %s %d)", "the shop's tag, "+path[len("assets/embed-"):len("assets/embed-")+2], len(tag)+len(b), total, check.GzipSize(tag), path, check.GzipSize(b))
		if total > EmbedBudget {
			t.Errorf("the shop's tag loads %d bytes gzip-compressed for %s; the budget is %d", total, path, EmbedBudget)
		}
	}
}
