// Package storetest is the contract every store.Store implementation must
// meet; each implementation's tests call Run with a fresh, empty store.
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"pelqim/content"
	"pelqim/functions/consent/store"
)

// Run checks the contract against stores made by open, one per subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"PutThenList", putThenList},
		{"ReplayKeepsFirst", replayKeepsFirst},
		{"SameEventIDOtherConsent", sameEventIDOtherConsent},
		{"UnknownIsEmpty", unknownIsEmpty},
		{"OldestFirst", oldestFirst},
		{"PrefixIsolation", prefixIsolation},
		{"ConcurrentSameEvent", concurrentSameEvent},
		{"ManyEvents", manyEvents},
		{"Pages", pages},
		{"Counters", counters},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

var base = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// Event returns a complete, valid record; n varies its ids and time.
func Event(consentID string, n int) store.ConsentEvent {
	at := base.Add(time.Duration(n) * time.Second)
	return store.ConsentEvent{
		ConsentID:      consentID,
		EventID:        fmt.Sprintf("e%06d-0000-4000-8000-000000000000", n),
		RecordedAt:     at.Format(store.TimeFormat),
		Action:         "custom",
		Categories:     store.Categories{Necessary: true, Statistics: n%2 == 0, Marketing: n%3 == 0},
		ConsentVersion: "a1b2c3",
		PolicyVersion:  "d4e5f6",
		Language:       "sq",
		Page:           "/sq/privatesia/",
		GPC:            n%5 == 0,
		UserAgent:      "Mozilla/5.0 (X11; Linux) — Përshëndetje",
		ClientNet:      "203.0.113.0/24",
		ExpiresAt:      at.Add(content.DefaultRetention.Duration()).Unix(),
	}
}

func put(t *testing.T, s store.Store, ev store.ConsentEvent) (store.ConsentEvent, bool) {
	t.Helper()
	got, created, err := s.PutConsent(context.Background(), ev)
	if err != nil {
		t.Fatalf("PutConsent(%s/%s): %v", ev.ConsentID, ev.EventID, err)
	}
	return got, created
}

func list(t *testing.T, s store.Store, consentID string) []store.ConsentEvent {
	t.Helper()
	evs, err := store.AllEvents(context.Background(), s, consentID)
	if err != nil {
		t.Fatalf("AllEvents(%s): %v", consentID, err)
	}
	return evs
}

func wantEvents(t *testing.T, got []store.ConsentEvent, want ...store.ConsentEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func putThenList(t *testing.T, s store.Store) {
	ev := Event("c-put", 1)
	got, created := put(t, s, ev)
	if !created || !reflect.DeepEqual(got, ev) {
		t.Fatalf("first put: created=%v, got %+v", created, got)
	}
	wantEvents(t, list(t, s, ev.ConsentID), ev)
}

func replayKeepsFirst(t *testing.T, s store.Store) {
	first := Event("c-replay", 1)
	put(t, s, first)
	again := first
	again.Action, again.RecordedAt = "withdraw", base.Add(time.Hour).Format(store.TimeFormat)
	got, created := put(t, s, again)
	if created {
		t.Error("replayed event reported as created")
	}
	if !reflect.DeepEqual(got, first) {
		t.Errorf("replay returned %+v, want the first record %+v", got, first)
	}
	wantEvents(t, list(t, s, first.ConsentID), first)
}

func sameEventIDOtherConsent(t *testing.T, s store.Store) {
	a, b := Event("c-a", 1), Event("c-b", 1)
	put(t, s, a)
	if _, created := put(t, s, b); !created {
		t.Error("same event id under another consent id was not stored")
	}
	wantEvents(t, list(t, s, "c-b"), b)
}

func unknownIsEmpty(t *testing.T, s store.Store) {
	put(t, s, Event("c-known", 1))
	if evs := list(t, s, "c-unknown"); len(evs) != 0 {
		t.Errorf("unknown consent id has events: %+v", evs)
	}
}

func oldestFirst(t *testing.T, s store.Store) {
	// Event ids sort against time here, so only the time can order them.
	var want []store.ConsentEvent
	for n := range 5 {
		ev := Event("c-order", n)
		ev.EventID = fmt.Sprintf("%08d-0000-4000-8000-000000000000", 9-n)
		want = append(want, ev)
	}
	for _, i := range []int{3, 0, 4, 1, 2} {
		put(t, s, want[i])
	}
	wantEvents(t, list(t, s, "c-order"), want...)
}

func prefixIsolation(t *testing.T, s store.Store) {
	short, long := Event("c-pre", 1), Event("c-pre0", 2)
	put(t, s, short)
	put(t, s, long)
	wantEvents(t, list(t, s, "c-pre"), short)
	wantEvents(t, list(t, s, "c-pre0"), long)
}

func concurrentSameEvent(t *testing.T, s store.Store) {
	const writers = 16
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
	)
	for w := range writers {
		wg.Go(func() {
			ev := Event("c-race", 1)
			ev.Page = fmt.Sprintf("/sq/%d/", w) // tells the writers apart
			got, c, err := s.PutConsent(context.Background(), ev)
			if err != nil {
				t.Errorf("writer %d: %v", w, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if c {
				created++
			}
			if stored := list(t, s, "c-race"); len(stored) != 1 || !reflect.DeepEqual(stored[0], got) {
				t.Errorf("writer %d got %+v, store holds %+v", w, got, stored)
			}
		})
	}
	wg.Wait()
	if created != 1 {
		t.Errorf("%d writers created the event, want 1", created)
	}
}

// manyEvents stores more than one DynamoDB query page (1 MB) under one id.
func manyEvents(t *testing.T, s store.Store) {
	const n, workers = 1200, 16
	evs := make([]store.ConsentEvent, n)
	for i := range evs {
		evs[i] = Event("c-many", i)
		evs[i].UserAgent = strings.Repeat("x", 1000)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if _, _, err := s.PutConsent(context.Background(), evs[i]); err != nil {
					t.Errorf("put %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	wantEvents(t, list(t, s, "c-many"), evs...)
}

// pages: a consent id's events come in pages of the size asked, each
// linked to the next, together all of them once; another id's events
// stay out, and a page after the last event is empty.
func pages(t *testing.T, s store.Store) {
	ctx := context.Background()
	const id = "0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b"
	var want []store.ConsentEvent
	for n := range 7 {
		ev := Event(id, n)
		put(t, s, ev)
		want = append(want, ev)
	}
	put(t, s, Event(id[:35]+"c", 99)) // an id that sorts right after it
	var got []store.ConsentEvent
	var sizes []int
	for after := ""; ; {
		evs, next, err := s.ConsentPage(ctx, id, after, 3)
		if err != nil {
			t.Fatalf("ConsentPage(after %q): %v", after, err)
		}
		got = append(got, evs...)
		sizes = append(sizes, len(evs))
		if next == "" {
			break
		}
		if next != evs[len(evs)-1].EventID {
			t.Fatalf("next %q, want the page's last event id %q", next, evs[len(evs)-1].EventID)
		}
		after = next
	}
	store.SortEvents(got)
	if fmt.Sprint(sizes) != "[3 3 1]" {
		t.Errorf("pages of %v events, want [3 3 1]", sizes)
	}
	wantEvents(t, got, want...)
	if evs, next, err := s.ConsentPage(ctx, id, want[6].EventID, 3); err != nil || len(evs) != 0 || next != "" {
		t.Errorf("after the last event: %d events, next %q, %v", len(evs), next, err)
	}
}

// counters: Hit counts from 1, per key, atomically under concurrency.
func counters(t *testing.T, s store.Store) {
	ctx := context.Background()
	exp := base.Add(time.Hour).Unix()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := s.Hit(ctx, "cid#x#1", exp); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n, err := s.Hit(ctx, "cid#x#1", exp); err != nil || n != 21 {
		t.Errorf("the 21st hit counts %d (%v)", n, err)
	}
	if n, err := s.Hit(ctx, "cid#y#1", exp); err != nil || n != 1 {
		t.Errorf("another key counts %d (%v)", n, err)
	}
}
