package e2e

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pelqim/cmd/site/internal/audit"
)

// BenchmarkAudit measures the cookie audit: on the fixture shop, the pages
// audited per minute in each pass (its own time, the choice included); on
// the privacy site as the repository builds it, the whole audit, every
// page in every phase. The peer, in the same run, is the browser alone:
// the same pages loaded one after the other in one tab, with nothing
// recorded. Reproduce:
//
//	go test -run '^$' -bench Audit -benchtime 1x ./cmd/site/internal/e2e
func BenchmarkAudit(b *testing.B) {
	setup(b)
	b.Run("shop", func(b *testing.B) {
		for b.Loop() {
			r, err := audit.Run(context.Background(), auditOptions(siteA(), 25, audit.Phases, []string{env.shop.URL + "/"}))
			if err != nil {
				b.Fatal(err)
			}
			report(b, r)
		}
	})
	b.Run("site", func(b *testing.B) {
		real := realSite(b)
		for b.Loop() {
			r, err := audit.Run(context.Background(), auditOptions(real.src, 25, audit.Phases, []string{real.URL + "/"}))
			if err != nil {
				b.Fatal(err)
			}
			report(b, r)
		}
	})
}

func report(b *testing.B, r *audit.Report) {
	loads := 0
	for _, p := range r.Targets[0].Passes {
		loads += len(p.Visits)
		b.Logf("%-20s %2d pages in %5.1f s: %4.0f pages/min", p.Name(), len(p.Visits), p.Seconds, float64(len(p.Visits))/p.Seconds*60)
	}
	bare := bareLoads(b, r.Targets[0].Pages)
	b.Logf("%d pages × %d passes = %d page loads in %.1f s (%.0f pages/min over all passes, 3 at once); %s", len(r.Targets[0].Pages), len(r.Targets[0].Passes), loads, r.Seconds, float64(loads)/r.Seconds*60, r.Summary())
	b.Logf("peer, the browser alone: the %d pages in %.1f s in one tab (%.0f pages/min); the audit's time per page load is %.1fx the bare load's",
		len(r.Targets[0].Pages), bare.Seconds(), float64(len(r.Targets[0].Pages))/bare.Seconds()*60,
		(r.Seconds/float64(loads))/(bare.Seconds()/float64(len(r.Targets[0].Pages))))
	b.ReportMetric(r.Seconds, "s/audit")
	b.ReportMetric(float64(loads)/r.Seconds*60, "pages/min")
}

// bareLoads loads pages one after the other in a fresh tab, each until its
// load event.
func bareLoads(b *testing.B, pages []string) time.Duration {
	ctx, cancel := chromedp.NewContext(env.browser, chromedp.WithNewBrowserContext())
	defer cancel()
	start := time.Now()
	for _, p := range pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(p)); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// realSite serves the repository's own content and theme, once.
func realSite(tb testing.TB) *realServer {
	realOnce.Do(func() {
		src := filepath.Join(env.tmp, "site-real")
		for _, sub := range []string{"content", "themes"} {
			if realErr = copyTree(filepath.Join(env.root, sub), filepath.Join(src, sub)); realErr != nil {
				return
			}
		}
		var s *server
		if s, realErr = serve(filepath.Join(env.tmp, "site"), src); realErr == nil {
			real = &realServer{server: s, src: src}
		}
	})
	if realErr != nil {
		tb.Fatal(realErr)
	}
	return real
}

type realServer struct {
	*server
	src string
}

var (
	realOnce sync.Once
	real     *realServer
	realErr  error
)
