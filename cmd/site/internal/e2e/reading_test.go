package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestPhoneWidth: every page of the sitemap, and the language chooser, fits
// a 360 px phone without scrolling sideways (the chooser with the banner
// open), and the first Tab on a page shows its skip link with a visible
// focus ring.
func TestPhoneWidth(t *testing.T) {
	setup(t)
	paths := []string{"/"}
	for _, loc := range sitemap(t) {
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, u.Path)
	}
	if len(paths) < 19 {
		t.Fatalf("the sitemap lists %d pages", len(paths)-1)
	}
	ctx := tab(t)
	viewport(t, ctx, 360)
	for i, path := range paths {
		open(t, ctx, env.a.URL+path)
		if i == 0 {
			if open, _ := banner(t, ctx); !open {
				t.Fatal("no banner on a first visit")
			}
		}
		if w := js[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("%s is %d px wide at a 360 px viewport", path, w)
		}
		if i == 0 {
			click(t, ctx, `#cc [data-cc=none]`) // and the focus goes back where it was
			continue
		}
		keys(t, ctx, "\t")
		if got := js[string](t, ctx, `document.activeElement.className + " " + getComputedStyle(document.activeElement).outlineStyle`); got != "skip solid" {
			t.Errorf("%s: first Tab focuses %q, want the skip link with a solid outline", path, got)
		}
	}
}

// sitemap returns the page addresses the built site's sitemap lists.
func sitemap(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get(env.a.URL + "/sitemap.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var locs []string
	for _, m := range regexp.MustCompile(`<loc>([^<]+)</loc>`).FindAllSubmatch(b, -1) {
		locs = append(locs, string(m[1]))
	}
	return locs
}

// TestPrint: a printed policy is its text alone. The banner (open on a
// first visit), the navigation, the skip link and the table of contents
// are left out, the text is black, an outside link shows its address, and
// Chromium prints it to PDF over several pages.
func TestPrint(t *testing.T) {
	ctx := tab(t)
	viewport(t, ctx, 360)
	open(t, ctx, env.a.URL+"/en/privacy/")
	if open, _ := banner(t, ctx); !open {
		t.Fatal("no banner on a first visit")
	}
	// shown lists which of the selectors are displayed, in the current media.
	const shown = `["#cc", ".site-header nav", ".site-footer nav", ".skip", ".toc", "main h1", "main h2"].
		filter(s => { const e = document.querySelector(s); return e && getComputedStyle(e).display != "none" })`
	if got := js[[]string](t, ctx, shown); len(got) != 7 {
		t.Fatalf("on screen, shown: %v; want all 7 (the check needs them there to mean anything)", got)
	}

	media := func(m string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			t.Fatal(err)
		}
	}
	media("print")
	if got := js[[]string](t, ctx, shown); !slices.Equal(got, []string{"main h1", "main h2"}) {
		t.Errorf("in print, shown: %v; want only the title and the sections", got)
	}
	if c := js[string](t, ctx, `getComputedStyle(document.querySelector("main h2 + p")).color`); c != "rgb(0, 0, 0)" {
		t.Errorf("printed text color %s, want black", c)
	}
	after := js[string](t, ctx, `getComputedStyle(document.querySelector('.prose a[href^="http"]'), "::after").content`)
	if after != `" (https://xiaomistore-ks.com/)"` {
		t.Errorf("an outside link prints no address: ::after content %s", after)
	}

	pdf := printPDF(t, ctx)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	if n := len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(pdf, -1)); n < 2 {
		t.Errorf("the policy printed on %d pages, want several", n)
	}

	media("screen") // and back: the print rules apply to print only
	if got := js[[]string](t, ctx, shown); len(got) != 7 {
		t.Errorf("back on screen, shown: %v", got)
	}
}

func printPDF(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	a4w, a4h := 8.27, 11.69 // inches
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: a4w, PaperHeight: a4h})
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	return res.Data
}

// TestFocusNotObscured: while the banner's first layer covers the bottom of
// a phone's screen, a link of the page that gets the focus is scrolled
// clear of it, up to the page's last one (WCAG 2.2, 2.4.11).
func TestFocusNotObscured(t *testing.T) {
	ctx := tab(t)
	viewport(t, ctx, 360)
	open(t, ctx, env.a.URL+"/en/privacy/")
	if open, settings := banner(t, ctx); !open || settings {
		t.Fatal("no first layer on a first visit")
	}
	// The padding is set once the banner is laid out, a task after.
	waitFor(t, ctx, `document.documentElement.style.scrollPaddingBottom != ""`)
	hidden := js[[]string](t, ctx, `[...document.querySelectorAll("body a[href]")].filter(a => !cc.contains(a) && a.checkVisibility()).filter(a => {
		a.focus()
		return a.getBoundingClientRect().top >= cc.getBoundingClientRect().top
	}).map(a => a.textContent.trim())`)
	if len(hidden) > 0 {
		t.Errorf("links under the banner when focused: %q", hidden)
	}
	// Closed, the page is as it was (once the close event, a task after
	// the dialog closes, has run).
	click(t, ctx, `#cc [data-cc=none]`)
	waitFor(t, ctx, `!cc.open && document.documentElement.style.scrollPaddingBottom + document.body.style.paddingBottom == ""`)
}
