package e2e

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// Answers the interceptor gives POST /api/consent.
const (
	pass = iota // to the server
	unavailable
	tooMany
	forbidden
	badRequest
)

// TestQueue makes the API unavailable, then refuse, and checks that choices
// wait in the bounded queue and reach the store later with their event ids.
func TestQueue(t *testing.T) {
	ctx := tab(t)
	var mode, posts atomic.Int32
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			posts.Add(1)
			var err error
			switch mode.Load() {
			case pass:
				_, err = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			case unavailable:
				_, err = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
					RequestID: ev.RequestID, ResponseCode: 503,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Retry-After", Value: "1"}, {Name: "Content-Type", Value: "application/json"}},
					Body:            []byte(`{"error":"unavailable","message":"test"}`),
				})
			case tooMany:
				_, err = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
					RequestID: ev.RequestID, ResponseCode: 429,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Retry-After", Value: "1"}, {Name: "Content-Type", Value: "application/json"}},
					Body:            []byte(`{"error":"throttled","message":"test"}`),
				})
			case forbidden:
				_, err = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
					RequestID: ev.RequestID, ResponseCode: 403,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}},
					Body:            []byte(`{"error":"forbidden","message":"test"}`),
				})
			case badRequest:
				_, err = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
					RequestID: ev.RequestID, ResponseCode: 400,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}},
					Body:            []byte(`{"error":"invalid_request","message":"test"}`),
				})
			}
			if err != nil && ctx.Err() == nil {
				t.Errorf("answer the intercepted POST: %v", err)
			}
		}
	}()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/consent"}}}); err != nil {
		t.Fatal(err)
	}

	// Unavailable: the choice waits; then it is sent again, as it was.
	mode.Store(unavailable)
	open(t, ctx, env.a.URL+"/en/")
	click(t, ctx, `#cc [data-cc=none]`)
	waitFor(t, ctx, `localStorage.getItem("pelqim_queue")`)
	id := mustStore(t, ctx).ID
	for deadline := time.Now().Add(10 * time.Second); posts.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	q := queue(t, ctx)
	if len(q) != 1 || q[0].Action != "reject_all" {
		t.Fatalf("queue %+v, want the one reject_all", q)
	}
	if posts.Load() == 0 || env.a.history(t, id) != nil {
		t.Fatalf("%d posts; the store has %v: want a refused post and nothing stored", posts.Load(), env.a.history(t, id))
	}
	mode.Store(pass)
	waitFor(t, ctx, `localStorage.getItem("pelqim_queue") === null`) // by the retry timer (Retry-After: 1)
	evs := env.a.historyOf(t, id, 1)
	if evs[0].EventID != q[0].EventID {
		t.Errorf("stored event %s, queued %s", evs[0].EventID, q[0].EventID)
	}
	// The record keeps when the visitor chose, before it could be sent.
	chosen := time.Unix(int64(js[float64](t, ctx, `+document.cookie.match(/pelqim_consent=1\.[^.]+\.[^.]+\.(\d+)/)[1]`)), 0).UTC().Format("2006-01-02T15:04:05.000Z")
	if evs[0].ChosenAt != chosen || evs[0].RecordedAt <= chosen {
		t.Errorf("stored chosen at %s, recorded at %s; want chosen at %s (the cookie's time), recorded after", evs[0].ChosenAt, evs[0].RecordedAt, chosen)
	}

	// Bounded: 12 choices while unavailable keep the newest 10, which the
	// next page load delivers.
	mode.Store(unavailable)
	var made []string
	for range 12 {
		js[bool](t, ctx, `document.querySelector("footer [data-cc-open]").click(), cc.querySelector("[data-cc=all]").click(), true`)
		q := queue(t, ctx)
		made = append(made, q[len(q)-1].EventID)
	}
	q = queue(t, ctx)
	var queued []string
	for _, ev := range q {
		queued = append(queued, ev.EventID)
	}
	if !slices.Equal(queued, made[2:]) {
		t.Fatalf("queue holds %v, want the last 10 of %v", queued, made)
	}
	mode.Store(pass)
	open(t, ctx, env.a.URL+"/en/")
	waitFor(t, ctx, `localStorage.getItem("pelqim_queue") === null`)
	evs = env.a.historyOf(t, id, 11)
	var stored []string
	for _, ev := range evs[1:] {
		stored = append(stored, ev.EventID)
	}
	if !slices.Equal(stored, made[2:]) {
		t.Errorf("stored %v, want the queued %v in order", stored, made[2:])
	}

	// Throttled (429), or forbidden (403: an origin or a CDN route set up
	// wrong, which staff can mend): the choice waits.
	for i, m := range []int32{tooMany, forbidden} {
		mode.Store(m)
		sent := posts.Load()
		js[bool](t, ctx, `document.querySelector("footer [data-cc-open]").click(), cc.querySelector("[data-cc=all]").click(), true`)
		for deadline := time.Now().Add(10 * time.Second); posts.Load() == sent && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		if q := queue(t, ctx); len(q) != 1 {
			t.Errorf("queue after a %s: %+v, want the choice kept", []string{"429", "403"}[i], q)
		}
		mode.Store(pass)
		waitFor(t, ctx, `localStorage.getItem("pelqim_queue") === null`)
		env.a.historyOf(t, id, 12+i)
	}

	// A refused request does not get better: it is dropped.
	mode.Store(badRequest)
	sent := posts.Load()
	js[bool](t, ctx, `document.querySelector("footer [data-cc-open]").click(), cc.querySelector("[data-cc=all]").click(), true`)
	waitFor(t, ctx, `localStorage.getItem("pelqim_queue") === null`)
	if posts.Load() != sent+1 {
		t.Errorf("%d posts for a choice answered 400, want 1", posts.Load()-sent)
	}
}
