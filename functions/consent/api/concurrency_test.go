package api_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"pelqim/functions/consent/api"
)

// TestConcurrentEvents sends 2,000 events from 64 goroutines against
// dynalite, 10% of them twice (often at the same moment): exactly 2,000
// records, one 201 per event, and every 2xx answer matches its record.
func TestConcurrentEvents(t *testing.T) {
	const events, workers, consents = 2000, 64, 250
	d := openDynalite(t)
	// One client network sends it all: no rate limit here.
	h := mustNew(api.Config{Store: d.store, Origin: origin, ConsentNetLimit: unlimited, ConsentIDLimit: unlimited})

	jobs := make([]int, 0, events+events/10)
	for i := range events {
		jobs = append(jobs, i)
		if i%10 == 0 {
			jobs = append(jobs, i)
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })

	type answer struct {
		event, status int
		r             receipt
	}
	queue := make(chan int)
	answers := make(chan answer, len(jobs))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range queue {
				f := fields()
				f["consentId"], f["eventId"] = uuid(3, i%consents), uuid(4, i)
				resp := h.Serve(context.Background(), postReq(body(f)))
				a := answer{event: i, status: resp.Status}
				if resp.Status/100 == 2 {
					a.r = decodeReceipt(t, resp)
				}
				answers <- a
			}
		})
	}
	for _, i := range jobs {
		queue <- i
	}
	close(queue)
	wg.Wait()
	close(answers)

	created, replayed := map[int]bool{}, 0
	recorded := map[int]string{}
	for a := range answers {
		switch {
		case a.status == 201 && !created[a.event]:
			created[a.event] = true
		case a.status == 200:
			replayed++
		default:
			t.Errorf("event %d: status %d (created before: %v)", a.event, a.status, created[a.event])
			continue
		}
		if at, ok := recorded[a.event]; ok && at != a.r.RecordedAt {
			t.Errorf("event %d answered with two times: %s and %s", a.event, at, a.r.RecordedAt)
		}
		recorded[a.event] = a.r.RecordedAt
	}
	if len(created) != events || replayed != events/10 {
		t.Errorf("%d created, %d replayed; want %d and %d", len(created), replayed, events, events/10)
	}

	if items := d.records(t); len(items) != events {
		t.Errorf("the table holds %d records, want %d", len(items), events)
	}
	listed := map[string]string{} // event id -> recordedAt
	for c := range consents {
		for _, ev := range list(t, d.store, uuid(3, c)) {
			listed[ev.EventID] = ev.RecordedAt
		}
	}
	for i, at := range recorded {
		if listed[uuid(4, i)] != at {
			t.Errorf("event %d answered %s, stored %q", i, at, listed[uuid(4, i)])
		}
	}
	if len(listed) != events {
		t.Errorf("listed %d records, want %d", len(listed), events)
	}
}
