package api_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/store/dynamo"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Kinds of injected fault.
const (
	throttled = iota // 400 ThrottlingException, request never sent
	failed           // 500 InternalServerError, request never sent
	refused          // connection refused, request never sent
	lost             // request done, answer lost: the write may have landed
	kinds
)

// faulty is an http.RoundTripper in front of dynalite that spoils a third
// of the calls.
type faulty struct {
	mu       sync.Mutex
	rng      *rand.Rand
	injected [kinds]atomic.Int64
}

func (f *faulty) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	n := f.rng.IntN(3 * kinds)
	f.mu.Unlock()
	if n >= kinds { // two thirds pass
		return http.DefaultTransport.RoundTrip(r)
	}
	f.injected[n].Add(1)
	switch n {
	case throttled:
		return awsError(r, 400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."), nil
	case failed:
		return awsError(r, 500, "InternalServerError", "Internal server error"), nil
	case refused:
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
}

// awsError is an error answer as DynamoDB's JSON protocol sends it.
func awsError(r *http.Request, status int, code, message string) *http.Response {
	body := `{"__type":"com.amazonaws.dynamodb.v20120810#` + code + `","message":"` + message + `"}`
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":     {"application/x-amz-json-1.0"},
			"X-Amzn-Errortype": {code},
		},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}
}

// TestFaults runs the handler on the real SDK client through faulty, with
// the SDK's retries off (every fault reaches the handler) and on (the
// standard retryer, 3 attempts, backoff capped at 20 ms to keep the test
// short): every 2xx answer has its record, every 5xx is a 503 with
// Retry-After, and events answered 503 and sent again are stored once.
func TestFaults(t *testing.T) {
	for _, c := range []struct {
		name    string
		retryer func() aws.Retryer
	}{
		{"retries off", func() aws.Retryer { return aws.NopRetryer{} }},
		{"retries on", func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 20 * time.Millisecond })
		}},
	} {
		t.Run(c.name, func(t *testing.T) { testFaults(t, c.retryer) })
	}
}

func testFaults(t *testing.T, retryer func() aws.Retryer) {
	const events, workers, consents = 300, 16, 30
	d := openDynalite(t)
	f := &faulty{rng: rand.New(rand.NewPCG(3, 4))}
	db := d.Client(func(o *dynamodb.Options) {
		o.HTTPClient = &http.Client{Transport: f}
		o.Retryer = retryer()
	})
	h := mustNew(api.Config{Store: dynamo.New(db, d.table), Origin: origin, Log: quiet, ConsentNetLimit: unlimited, ConsentIDLimit: unlimited})
	clean := mustNew(api.Config{Store: d.store, Origin: origin, ConsentNetLimit: unlimited, ConsentIDLimit: unlimited}) // the banner's later retry

	req := func(i int) httpapi.Request {
		fl := fields()
		fl["consentId"], fl["eventId"] = uuid(5, i%consents), uuid(6, i)
		return postReq(body(fl))
	}
	status := make([]int, events)
	answered := make([]string, events) // recordedAt of 2xx answers
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < events; i += workers {
				resp := h.Serve(context.Background(), req(i))
				status[i] = resp.Status
				switch {
				case resp.Status/100 == 2:
					answered[i] = decodeReceipt(t, resp).RecordedAt
				case resp.Status == 503 && resp.Header.Get("Retry-After") != "":
					checkError(t, resp, 503, "unavailable")
				default:
					t.Errorf("event %d: %d %s (Retry-After %q)", i, resp.Status, resp.Body, resp.Header.Get("Retry-After"))
				}
			}
		})
	}
	wg.Wait()

	stored := map[string]string{} // event id -> recordedAt, read without faults
	for c := range consents {
		for _, ev := range list(t, d.store, uuid(5, c)) {
			stored[ev.EventID] = ev.RecordedAt
		}
	}
	unavailable, landed := 0, 0
	for i := range events {
		if status[i]/100 == 2 && stored[uuid(6, i)] != answered[i] {
			t.Errorf("event %d answered %d at %s, stored %q", i, status[i], answered[i], stored[uuid(6, i)])
		}
		if status[i] == 503 {
			unavailable++
			if _, ok := stored[uuid(6, i)]; ok {
				landed++ // written, but the answer was lost on the way back
			}
		}
	}

	// The banner sends what got a 503 again; each event ends stored once.
	for i := range events {
		if status[i] != 503 {
			continue
		}
		resp := clean.Serve(context.Background(), req(i))
		want := 201
		if _, ok := stored[uuid(6, i)]; ok {
			want = 200
		}
		if resp.Status != want {
			t.Errorf("event %d sent again: %d %s, want %d", i, resp.Status, resp.Body, want)
		}
	}
	if items := d.records(t); len(items) != events {
		t.Errorf("the table holds %d items, want %d", len(items), events)
	}

	// Reads under faults: the full history or a 503, nothing in between.
	for c := range consents {
		resp := h.Serve(context.Background(), getReq(uuid(5, c)))
		if resp.Status == 200 && strings.Count(string(resp.Body), `"eventId"`) != events/consents ||
			resp.Status != 200 && (resp.Status != 503 || resp.Header.Get("Retry-After") == "") {
			t.Errorf("GET under faults: %d %s", resp.Status, resp.Body)
		}
	}

	var injected []int64
	for k := range kinds {
		injected = append(injected, f.injected[k].Load())
		if f.injected[k].Load() == 0 {
			t.Errorf("fault kind %d never injected", k)
		}
	}
	t.Logf("faults injected (throttled, 500, refused, lost) %v; %d answers 503, %d of them after the write landed",
		injected, unavailable, landed)
}
