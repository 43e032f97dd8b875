package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/store"
)

// memStore is a map: it takes the store out of the handler's cost. For
// benchmarks only; every test runs against real stores.
type memStore struct {
	mu  sync.Mutex
	evs map[[2]string]store.ConsentEvent
}

func (m *memStore) PutConsent(_ context.Context, ev store.ConsentEvent) (store.ConsentEvent, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{ev.ConsentID, ev.EventID}
	if old, ok := m.evs[k]; ok {
		return old, false, nil
	}
	m.evs[k] = ev
	return ev, true, nil
}

func (m *memStore) ConsentPage(_ context.Context, id, _ string, _ int) ([]store.ConsentEvent, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var evs []store.ConsentEvent
	for k, ev := range m.evs {
		if k[0] == id {
			evs = append(evs, ev)
		}
	}
	store.SortEvents(evs)
	return evs, "", nil
}

func (m *memStore) Hit(context.Context, string, int64) (int64, error) { return 1, nil }

// eventIDs returns a function that writes n into the last 12 hex digits of
// the event id in body, so that each iteration records a new event.
func eventIDs(body []byte) func(n int) {
	i := bytes.Index(body, []byte(eventID)) + len(eventID) - 12
	return func(n int) { copy(body[i:], fmt.Sprintf("%012x", n)) }
}

// BenchmarkServePost is the handler's own cost of recording one consent
// event (targets: at most 50 µs and 100 allocations).
func BenchmarkServePost(b *testing.B) {
	h := mustNew(api.Config{Store: &memStore{evs: map[[2]string]store.ConsentEvent{}}, Origin: origin, ConsentNetLimit: unlimited, ConsentIDLimit: unlimited})
	req := postReq(body(fields()))
	setEventID, n := eventIDs(req.Body), 0
	b.ReportAllocs()
	for b.Loop() {
		setEventID(n)
		n++
		if resp := h.Serve(context.Background(), req); resp.Status != http.StatusCreated {
			b.Fatalf("%d %s", resp.Status, resp.Body)
		}
	}
}

// BenchmarkServeGet is the handler's cost of answering a history of 3 events.
func BenchmarkServeGet(b *testing.B) {
	h := mustNew(api.Config{Store: &memStore{evs: map[[2]string]store.ConsentEvent{}}, Origin: origin, ConsentNetLimit: unlimited, ConsentIDLimit: unlimited})
	req := postReq(body(fields()))
	setEventID := eventIDs(req.Body)
	for n := range 3 {
		setEventID(n)
		h.Serve(context.Background(), req)
	}
	get := getReq(consentID)
	b.ReportAllocs()
	for b.Loop() {
		if resp := h.Serve(context.Background(), get); resp.Status != http.StatusOK {
			b.Fatalf("%d %s", resp.Status, resp.Body)
		}
	}
}

// BenchmarkHTTPPost is POST /api/consent over real HTTP through the
// net/http adapter, as `cmd/site serve` runs it, with each store: 16
// clients at once; it reports throughput and latency percentiles.
func BenchmarkHTTPPost(b *testing.B) {
	for _, sk := range []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"bolt", func(b *testing.B) store.Store { s, _ := openBolt(b); return s }},
		{"dynalite", func(b *testing.B) store.Store { return openDynalite(b).store }},
	} {
		b.Run(sk.name, func(b *testing.B) {
			srv := httptest.NewServer(api.HTTPHandler(mustNew(api.Config{Store: sk.open(b), Origin: origin, ConsentNetLimit: unlimited, ConsentIDLimit: unlimited})))
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var next atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(8)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				payload := body(fields())
				setEventID := eventIDs(payload)
				var mine []time.Duration
				for pb.Next() {
					setEventID(int(next.Add(1)))
					req, _ := http.NewRequest("POST", srv.URL+"/api/consent", bytes.NewReader(payload))
					req.Header.Set("Origin", origin)
					req.Header.Set("Content-Type", "application/json")
					t := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mine = append(mine, time.Since(t))
					if resp.StatusCode != http.StatusCreated {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			if len(lat) == 0 {
				b.Fatal("no request succeeded")
			}
			slices.Sort(lat)
			ms := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1e3 }
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
		})
	}
}
