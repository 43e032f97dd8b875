package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"pelqim/content"
	"pelqim/functions/consent/store"
)

// RunRequests checks the store.Requests contract against stores made by
// open, one per subtest.
func RunRequests(t *testing.T, open func(t *testing.T) store.Requests) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, store.Requests)
	}{
		{"PutThenGet", putThenGet},
		{"PutTakenReference", putTakenReference},
		{"PutAgain", putAgain},
		{"Unknown", unknownRequest},
		{"VerifyOnce", verifyOnce},
		{"WrongOrExpiredToken", wrongOrExpiredToken},
		{"StaffTransitions", staffTransitions},
		{"ConcurrentTransition", concurrentTransition},
		{"ByStatusOrder", byStatusOrder},
		{"AuditIsolation", auditIsolation},
		{"ConcurrentHits", concurrentHits},
		{"ExpiryFollowsRequest", expiryFollowsRequest},
		{"ExpiredIsGone", expiredIsGone},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

// Request returns a complete unverified request due n days after base.
func Request(ref string, n int) store.DataRequest {
	at := base.Add(time.Duration(n) * time.Hour)
	return store.DataRequest{
		Reference:      ref,
		Type:           "access",
		Email:          "arta@example.com",
		Details:        "Porosia 1042 — Përshëndetje",
		Language:       "sq",
		Status:         store.StatusUnverified,
		ReceivedAt:     at.Format(store.TimeFormat),
		DueAt:          at.AddDate(0, 0, 30+n).Format(store.TimeFormat),
		UpdatedAt:      at.Format(store.TimeFormat),
		ClientNet:      "203.0.113.0/24",
		TokenHash:      fmt.Sprintf("%064x", n+1),
		TokenExpiresAt: at.AddDate(0, 0, 7).Format(store.TimeFormat),
	}
}

// Audit returns an audit event of ref at base plus n seconds.
func Audit(ref, action, status string, n int) store.AuditEvent {
	return store.AuditEvent{
		Reference: ref,
		At:        base.Add(time.Duration(n) * time.Second).Format(store.AuditTimeFormat),
		ID:        fmt.Sprintf("id%04d", n),
		Action:    action,
		Status:    status,
		Who:       "tester",
	}
}

// AllRequests is every data request in s, status by status: what tests of
// the handler check after a request was or was not recorded.
func AllRequests(t testing.TB, s store.Requests) []store.DataRequest {
	t.Helper()
	var all []store.DataRequest
	for _, st := range store.Statuses {
		r, err := s.RequestsByStatus(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r...)
	}
	return all
}

func putRequest(t *testing.T, s store.Requests, r store.DataRequest) {
	t.Helper()
	if err := s.PutRequest(context.Background(), r, Audit(r.Reference, "received", r.Status, 0)); err != nil {
		t.Fatalf("PutRequest(%s): %v", r.Reference, err)
	}
}

func getRequest(t *testing.T, s store.Requests, ref string) store.DataRequest {
	t.Helper()
	r, err := s.Request(context.Background(), ref)
	if err != nil {
		t.Fatalf("Request(%s): %v", ref, err)
	}
	return r
}

func audit(t *testing.T, s store.Requests, ref string) []store.AuditEvent {
	t.Helper()
	evs, err := s.AuditEvents(context.Background(), ref)
	if err != nil {
		t.Fatalf("AuditEvents(%s): %v", ref, err)
	}
	return evs
}

func verifyWith(r store.DataRequest, hash string, now time.Time, n int) store.Transition {
	return store.Transition{
		From: []string{store.StatusUnverified}, To: store.StatusVerified,
		Now:       now.Format(store.TimeFormat),
		Event:     Audit(r.Reference, "verified", store.StatusVerified, n),
		TokenHash: hash,
	}
}

func putThenGet(t *testing.T, s store.Requests) {
	r := Request("KS-PUT001", 1)
	putRequest(t, s, r)
	if got := getRequest(t, s, r.Reference); !reflect.DeepEqual(got, r) {
		t.Errorf("got %+v\nwant %+v", got, r)
	}
	if evs := audit(t, s, r.Reference); len(evs) != 1 || evs[0].Action != "received" {
		t.Errorf("audit after put: %+v", evs)
	}
}

func putTakenReference(t *testing.T, s store.Requests) {
	r := Request("KS-TAKEN1", 1)
	putRequest(t, s, r)
	other := Request("KS-TAKEN1", 2)
	err := s.PutRequest(context.Background(), other, Audit(r.Reference, "received", r.Status, 9))
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("second put: %v, want ErrExists", err)
	}
	if got := getRequest(t, s, r.Reference); !reflect.DeepEqual(got, r) {
		t.Errorf("first request overwritten: %+v", got)
	}
	if evs := audit(t, s, r.Reference); len(evs) != 1 {
		t.Errorf("refused put appended to the audit: %+v", evs)
	}
}

// putAgain: the same request put again, as an SDK retries a write whose
// answer was lost, is that request, not another under its reference: it
// succeeds, and leaves one request and one audit line.
func putAgain(t *testing.T, s store.Requests) {
	r := Request("KS-AGAIN1", 1)
	ev := Audit(r.Reference, "received", r.Status, 1)
	for i := range 2 {
		if err := s.PutRequest(context.Background(), r, ev); err != nil {
			t.Fatalf("put %d: %v", i+1, err)
		}
	}
	if got := getRequest(t, s, r.Reference); !reflect.DeepEqual(got, r) {
		t.Errorf("got %+v\nwant %+v", got, r)
	}
	if evs := audit(t, s, r.Reference); len(evs) != 1 {
		t.Errorf("audit after the same put twice: %+v", evs)
	}
}

func unknownRequest(t *testing.T, s store.Requests) {
	if _, err := s.Request(context.Background(), "KS-NONE00"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Request: %v, want ErrNotFound", err)
	}
	r := Request("KS-NONE00", 1)
	if _, err := s.Transition(context.Background(), r.Reference, verifyWith(r, "", base, 1)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Transition: %v, want ErrNotFound", err)
	}
	if evs := audit(t, s, r.Reference); len(evs) != 0 {
		t.Errorf("unknown request has audit events: %+v", evs)
	}
}

func verifyOnce(t *testing.T, s store.Requests) {
	ctx := context.Background()
	r := Request("KS-VERIFY", 1)
	putRequest(t, s, r)
	got, err := s.Transition(ctx, r.Reference, verifyWith(r, r.TokenHash, base, 1))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	// The hash stays: the verify page recognises the link's holder by it.
	if got.Status != store.StatusVerified || got.TokenHash != r.TokenHash {
		t.Errorf("after verify: %+v", got)
	}
	if stored := getRequest(t, s, r.Reference); !reflect.DeepEqual(stored, got) {
		t.Errorf("Transition returned %+v, store holds %+v", got, stored)
	}
	if _, err := s.Transition(ctx, r.Reference, verifyWith(r, r.TokenHash, base, 2)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second verify: %v, want ErrConflict", err)
	}
	evs := audit(t, s, r.Reference)
	if len(evs) != 2 || evs[1].Action != "verified" || evs[1].Status != store.StatusVerified {
		t.Errorf("audit: %+v", evs)
	}
}

func wrongOrExpiredToken(t *testing.T, s store.Requests) {
	ctx := context.Background()
	r := Request("KS-WRONG1", 1)
	putRequest(t, s, r)
	expires, _ := time.Parse(store.TimeFormat, r.TokenExpiresAt)
	for name, tr := range map[string]store.Transition{
		"wrong":      verifyWith(r, fmt.Sprintf("%064x", 999), base, 1),
		"expired":    verifyWith(r, r.TokenHash, expires, 2),
		"wrongState": {From: []string{store.StatusVerified}, To: store.StatusResolved, Now: base.Format(store.TimeFormat), Event: Audit(r.Reference, "resolved", store.StatusResolved, 3)},
	} {
		if _, err := s.Transition(ctx, r.Reference, tr); !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: %v, want ErrConflict", name, err)
		}
	}
	if got := getRequest(t, s, r.Reference); !reflect.DeepEqual(got, r) {
		t.Errorf("refused changes changed the request: %+v", got)
	}
	if evs := audit(t, s, r.Reference); len(evs) != 1 {
		t.Errorf("refused changes appended to the audit: %+v", evs)
	}
}

func staffTransitions(t *testing.T, s store.Requests) {
	ctx := context.Background()
	r := Request("KS-STAFF1", 1)
	putRequest(t, s, r)
	now := base.Format(store.TimeFormat)
	steps := []store.Transition{
		{From: []string{store.StatusUnverified}, To: store.StatusVerified, Now: now, Event: Audit(r.Reference, "verified", store.StatusVerified, 1)},
		{From: []string{store.StatusVerified}, To: store.StatusResolved, Now: now, Event: Audit(r.Reference, "resolved", store.StatusResolved, 2)},
	}
	for _, st := range steps {
		if _, err := s.Transition(ctx, r.Reference, st); err != nil {
			t.Fatalf("%s: %v", st.To, err)
		}
	}
	reject := store.Transition{From: []string{store.StatusUnverified, store.StatusVerified}, To: store.StatusRejected, Now: now, Event: Audit(r.Reference, "rejected", store.StatusRejected, 3)}
	if _, err := s.Transition(ctx, r.Reference, reject); !errors.Is(err, store.ErrConflict) {
		t.Errorf("reject after resolve: %v, want ErrConflict", err)
	}
	var actions []string
	for _, ev := range audit(t, s, r.Reference) {
		actions = append(actions, ev.Action)
	}
	if want := []string{"received", "verified", "resolved"}; !slices.Equal(actions, want) {
		t.Errorf("audit actions %v, want %v", actions, want)
	}
}

func concurrentTransition(t *testing.T, s store.Requests) {
	r := Request("KS-RACE01", 1)
	putRequest(t, s, r)
	const workers = 16
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ok int
	)
	for w := range workers {
		wg.Go(func() {
			_, err := s.Transition(context.Background(), r.Reference, verifyWith(r, r.TokenHash, base, w+1))
			switch {
			case err == nil:
				mu.Lock()
				ok++
				mu.Unlock()
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("worker %d: %v", w, err)
			}
		})
	}
	wg.Wait()
	if ok != 1 {
		t.Errorf("%d concurrent verifications succeeded, want 1", ok)
	}
	if evs := audit(t, s, r.Reference); len(evs) != 2 {
		t.Errorf("audit has %d events, want 2", len(evs))
	}
}

func refs(rs []store.DataRequest) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Reference)
	}
	return out
}

// byStatusOrder lists by due date, not by insertion or reference, and sees
// a request move between statuses (the byStatus index on DynamoDB).
func byStatusOrder(t *testing.T, s store.Requests) {
	ctx := context.Background()
	for i, n := range []int{5, 1, 3, 2, 4} {
		putRequest(t, s, Request(fmt.Sprintf("KS-ORD%03d", 9-i), n))
	}
	list := func(status string) []string {
		t.Helper()
		rs, err := s.RequestsByStatus(ctx, status)
		if err != nil {
			t.Fatalf("RequestsByStatus(%s): %v", status, err)
		}
		return refs(rs)
	}
	if got, want := list(store.StatusUnverified), []string{"KS-ORD008", "KS-ORD006", "KS-ORD007", "KS-ORD005", "KS-ORD009"}; !slices.Equal(got, want) {
		t.Errorf("unverified: %v, want %v", got, want)
	}
	r := Request("KS-ORD007", 3)
	if _, err := s.Transition(ctx, r.Reference, verifyWith(r, "", base, 1)); err != nil {
		t.Fatal(err)
	}
	if got, want := list(store.StatusVerified), []string{"KS-ORD007"}; !slices.Equal(got, want) {
		t.Errorf("verified: %v, want %v", got, want)
	}
	if got := list(store.StatusUnverified); slices.Contains(got, "KS-ORD007") || len(got) != 4 {
		t.Errorf("unverified after verify: %v", got)
	}
	if got := list(store.StatusResolved); len(got) != 0 {
		t.Errorf("resolved: %v, want none", got)
	}
}

func auditIsolation(t *testing.T, s store.Requests) {
	a, b := Request("KS-ISO", 1), Request("KS-ISO0", 2)
	putRequest(t, s, a)
	putRequest(t, s, b)
	for _, ref := range []string{a.Reference, b.Reference} {
		if evs := audit(t, s, ref); len(evs) != 1 || evs[0].Reference != ref {
			t.Errorf("audit of %s: %+v", ref, evs)
		}
	}
}

func concurrentHits(t *testing.T, s store.Requests) {
	const hits = 64
	exp := time.Now().Add(time.Hour).Unix()
	seen := make([]int64, hits)
	var wg sync.WaitGroup
	for i := range hits {
		wg.Go(func() {
			n, err := s.Hit(context.Background(), "net#203.0.113.0/24#1", exp)
			if err != nil {
				t.Errorf("hit %d: %v", i, err)
			}
			seen[i] = n
		})
	}
	wg.Wait()
	slices.Sort(seen)
	for i, n := range seen {
		if n != int64(i+1) {
			t.Fatalf("counts %v, want 1..%d each once", seen, hits)
		}
	}
	if n, err := s.Hit(context.Background(), "net#203.0.113.0/24#2", exp); err != nil || n != 1 {
		t.Errorf("other key: %d, %v; want 1", n, err)
	}
}

// expiryFollowsRequest: every audit line carries its request's expiry,
// whatever the caller put in the event, through each change of it: set
// on put, removed by a transition with none, set again on closing.
func expiryFollowsRequest(t *testing.T, s store.Requests) {
	ctx := context.Background()
	r := Request("KS-TTL001", 1)
	r.ExpiresAt = base.Add(14 * 24 * time.Hour).Unix()
	received := Audit(r.Reference, "received", r.Status, 0)
	received.ExpiresAt = 42 // not the request's: the store overrides it
	if err := s.PutRequest(ctx, r, received); err != nil {
		t.Fatal(err)
	}
	closed := base.Add(content.DefaultRetention.Duration()).Unix()
	steps := []struct {
		name string
		tr   store.Transition
		want int64
	}{
		{"put", store.Transition{}, r.ExpiresAt},
		{"verified", store.Transition{From: []string{store.StatusUnverified}, To: store.StatusVerified, ExpiresAt: 0,
			Event: Audit(r.Reference, "verified", store.StatusVerified, 1)}, 0},
		{"resolved", store.Transition{From: []string{store.StatusVerified}, To: store.StatusResolved, ExpiresAt: closed,
			Event: Audit(r.Reference, "resolved", store.StatusResolved, 2)}, closed},
	}
	for i, st := range steps {
		if st.tr.To != "" {
			st.tr.Now = base.Add(time.Duration(i) * time.Minute).Format(store.TimeFormat)
			got, err := s.Transition(ctx, r.Reference, st.tr)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got.ExpiresAt != st.want {
				t.Errorf("%s: Transition returned expiresAt %d, want %d", st.name, got.ExpiresAt, st.want)
			}
		}
		if got := getRequest(t, s, r.Reference); got.ExpiresAt != st.want {
			t.Errorf("%s: request expiresAt %d, want %d", st.name, got.ExpiresAt, st.want)
		}
		evs := audit(t, s, r.Reference)
		if len(evs) != i+1 {
			t.Fatalf("%s: %d audit lines, want %d", st.name, len(evs), i+1)
		}
		for _, ev := range evs {
			if ev.ExpiresAt != st.want {
				t.Errorf("%s: audit line %s expiresAt %d, want the request's %d", st.name, ev.Action, ev.ExpiresAt, st.want)
			}
		}
	}
}

// expiredIsGone: a request past its expiry, which DynamoDB has yet to
// delete, cannot be changed any more: Transition says it is not found.
func expiredIsGone(t *testing.T, s store.Requests) {
	ctx := context.Background()
	r := Request("KS-TTL002", 1)
	r.ExpiresAt = base.Unix()
	putRequest(t, s, r)
	reject := func(now time.Time) error {
		_, err := s.Transition(ctx, r.Reference, store.Transition{
			From: []string{store.StatusUnverified}, To: store.StatusRejected, Now: now.Format(store.TimeFormat),
			Event: Audit(r.Reference, "rejected", store.StatusRejected, 1), ExpiresAt: base.Add(time.Hour).Unix(),
		})
		return err
	}
	if err := reject(base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("at its expiry: %v, want ErrNotFound", err)
	}
	if got := getRequest(t, s, r.Reference); got.Status != store.StatusUnverified || len(audit(t, s, r.Reference)) != 1 {
		t.Errorf("an expired request changed: %+v", got)
	}
	if err := reject(base.Add(-time.Second)); err != nil {
		t.Errorf("a second before its expiry: %v", err)
	}
}
