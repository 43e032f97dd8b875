package e2e

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

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
