package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// perfPage is a product page of a shop, its largest paint a product photo,
// with the shop's tag (TAG) first in <head> or without it.
const perfPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
TAG<title>Redmi Note 14 · Xiaomi Store</title>
<link rel="stylesheet" href="/shop.css">
</head><body><header>Xiaomi Store Kosova</header>
<main><h1>Redmi Note 14</h1><img src="/photo.png" width="800" height="600" alt="The phone, from the front">
<p>A 6.67" AMOLED screen, 108 MP camera and a 5,500 mAh battery. In stock in Prishtinë.</p>
<p><button>Add to cart</button></p></main></body></html>`

const perfCSS = `body { margin: 0; font: 16px/1.5 sans-serif; } header { background: #ff6900; color: #fff; padding: 1rem; }
main { padding: 1rem; } img { display: block; width: 100%; height: auto; }`

// perfProbe records, from before the page's first script, what the page
// paints largest and when, its long tasks and its layout shifts.
const perfProbe = `window.__perf = { lcp: 0, long: [], at: [], cls: 0 };
new PerformanceObserver(l => l.getEntries().forEach(e => __perf.lcp = e.startTime)).observe({ type: "largest-contentful-paint", buffered: true });
new PerformanceObserver(l => l.getEntries().forEach(e => (__perf.long.push(e.duration), __perf.at.push(Math.round(e.startTime) + "+" + Math.round(e.duration))))).observe({ type: "longtask", buffered: true });
new PerformanceObserver(l => l.getEntries().forEach(e => e.hadRecentInput || (__perf.cls += e.value))).observe({ type: "layout-shift", buffered: true });
__perf.frames = [];
new PerformanceObserver(l => l.getEntries().forEach(e => __perf.frames.push(Math.round(e.startTime) + "+" + Math.round(e.duration) + " render@" + Math.round(e.renderStart - e.startTime) + " style@" + Math.round(e.styleAndLayoutStart - e.startTime) + " [" + e.scripts.map(s => s.invoker + " " + s.sourceFunctionName + "@" + s.sourceURL.slice(-12) + ":" + s.sourceCharPosition + " " + Math.round(s.duration) + " (forced " + Math.round(s.forcedStyleAndLayoutDuration) + ")").join("; ") + "]"))).observe({ type: "long-animation-frame", buffered: true });
addEventListener("load", () => __perf.load = performance.now());`

type perfRun struct {
	LCP  float64   `json:"lcp"`
	Long []float64 `json:"long"`
	CLS  float64   `json:"cls"`
	// Load and Frames: when the page's load came, and its long animation
	// frames, for the detail that PELQIM_PERF=1 prints.
	Load   float64  `json:"load"`
	Frames []string `json:"frames"`
	At     []string `json:"at"` // each long task's start+duration
}

// BenchmarkShopTag loads a product page of a shop (on 127.0.0.2, another
// site than the privacy site's) with and without the tag, alternating, on a
// phone-sized screen with the CPU slowed 4x and the cache off (a first
// visit: the banner opens), and prints the medians of the largest paint,
// the longest task and the layout shift the banner causes:
//
//	go test -run '^$' -bench ShopTag -benchtime 5x ./cmd/site/internal/e2e
func BenchmarkShopTag(b *testing.B) {
	env.once.Do(func() { env.err = start() })
	if env.err != nil {
		b.Fatal(env.err)
	}
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		b.Fatal(err)
	}
	var photo bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := range 600 {
		for x := range 800 {
			img.Set(x, y, color.RGBA{uint8(x * 7 % 256), uint8(y * 5 % 256), uint8((x ^ y) % 256), 255})
		}
	}
	if err := png.Encode(&photo, img); err != nil {
		b.Fatal(err)
	}
	tag := `<script src="` + env.a.URL + `/embed/v1/consent.js" data-lang="en"></script>`
	mux := http.NewServeMux()
	for path, body := range map[string]string{
		"/with.html":    strings.Replace(perfPage, "TAG", tag, 1),
		"/without.html": strings.Replace(perfPage, "TAG", "", 1),
		"/shop.css":     perfCSS,
		"/photo.png":    photo.String(),
	} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			http.ServeContent(w, r, path, time.Time{}, strings.NewReader(body))
		})
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	shop := "http://" + ln.Addr().String()

	load := func(url string, banner bool) perfRun {
		ctx, cancel := context.WithTimeout(env.browser, 60*time.Second)
		defer cancel()
		ctx, cancel = chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
		defer cancel()
		calls := []func() error{
			func() error { _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); return err },
			func() error {
				_, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
				return err
			},
			func() error {
				_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 412, Height: 823, DeviceScaleFactor: 2.625, Mobile: true})
				return err
			},
			func() error {
				_, err := chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4})
				return err
			},
			func() error {
				_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: perfProbe})
				return err
			},
			func() error { _, err := chromedp.Run(ctx, chromedp.Navigate(url)); return err },
			func() error {
				_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.readyState == "complete" && (%v ? !!document.querySelector("pelqim-consent") : true)`, banner), chromedp.WithPollingTimeout(30*time.Second)))
				return err
			},
			func() error { _, err := chromedp.Run(ctx, chromedp.Sleep(time.Second)); return err }, // late shifts and tasks
		}
		for _, call := range calls {
			if err := call(); err != nil {
				b.Fatalf("%s: %v", url, err)
			}
		}
		run, err := chromedp.Run(ctx, chromedp.Evaluate[perfRun](`__perf`))
		if err != nil {
			b.Fatalf("%s: %v", url, err)
		}
		return run
	}
	var with, without []perfRun
	for range b.N {
		with = append(with, load(shop+"/with.html", true))
		without = append(without, load(shop+"/without.html", false))
	}
	for i := range with {
		b.Logf("load %d: LCP %.0f with, %.0f without; longest task %.0f with, %.0f without", i+1, with[i].LCP, without[i].LCP, slices.Max(append(with[i].Long, 0)), slices.Max(append(without[i].Long, 0)))
		// The detail goes to stderr: the benchmark's log keeps its first lines only.
		if os.Getenv("PELQIM_PERF") != "" {
			fmt.Fprintf(os.Stderr, "load %d with: load %.0f, long tasks %v, long frames %v\n", i+1, with[i].Load, with[i].At, with[i].Frames)
			fmt.Fprintf(os.Stderr, "load %d without: load %.0f, long tasks %v, long frames %v\n", i+1, without[i].Load, without[i].At, without[i].Frames)
		}
	}
	lcp := func(rs []perfRun) float64 {
		return median(rs, func(r perfRun) float64 { return r.LCP })
	}
	longest := func(rs []perfRun) float64 {
		return median(rs, func(r perfRun) float64 { return slices.Max(append(r.Long, 0)) })
	}
	cls := 0.0
	for _, r := range with {
		cls = max(cls, r.CLS)
	}
	b.ReportMetric(lcp(with), "lcp-with-ms")
	b.ReportMetric(lcp(without), "lcp-without-ms")
	b.ReportMetric(lcp(with)-lcp(without), "lcp-delta-ms")
	b.ReportMetric(longest(with), "longest-task-ms")
	b.ReportMetric(longest(without), "longest-task-without-ms")
	b.ReportMetric(cls, "max-cls")
	b.Logf("%d loads each: LCP %.0f ms with the tag, %.0f without (%+.0f); longest task %.0f ms with, %.0f without; CLS at most %.3f",
		len(with), lcp(with), lcp(without), lcp(with)-lcp(without), longest(with), longest(without), cls)
}

func median[T any](xs []T, f func(T) float64) float64 {
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	return v[len(v)/2]
}
