package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/testenv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	dynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.etcd.io/bbolt"
)

// The load benchmark drives the function as the shop's visitors will, for
// loadDuration with loadClients at once, then at fixed rates, and checks
// what it stored. A benchmark, not a test: it takes minutes.
//
//	go test -run '^$' -bench Load -benchtime 1x ./functions/consent
//	go test -run '^$' -bench LoadServe -benchtime 1x ./functions/consent -load.soak 30m
var (
	loadDuration = flag.Duration("load.duration", 60*time.Second, "how long the closed-loop run of the load benchmark lasts")
	loadClients  = flag.Int("load.clients", 64, "concurrent clients of the load benchmark")
	loadRates    = flag.String("load.rates", "100,200,400,800,1600", "requests per second of the open-loop runs, 10 s each")
	loadLambdas  = flag.Int("load.instances", 20, "with LoadLambda: function instances, each under an emulator of its own (the template's ReservedConcurrency)")
	loadSoak     = flag.Duration("load.soak", 0, "with LoadServe: after the runs, a soak this long at 100 requests per second, sampling memory and open files")
)

// shopOrigin is where the shop's pages post from; strangerOrigin is none
// the function takes.
const (
	shopOrigin     = "https://xiaomistore-ks.com"
	strangerOrigin = "https://evil.example"
)

// target is a running function: post sends one consent request from a
// client network (n picks one of many) and returns the status.
type target interface {
	post(ctx context.Context, client, n int, origin string, body []byte) (int, error)
	// stored returns, by consent id and event id, how many records each has.
	stored(t testing.TB) map[[2]string]int
}

// sent is what a worker sent and was answered.
type sent struct {
	consentID, eventID string
	status             int
	kind               string // new, resent, stranger, malformed
}

// workload makes the requests: 1% malformed, 1% from an origin the
// function refuses, 10% an earlier event sent again, the rest new choices,
// of a new visitor or, one in ten, a second choice of an earlier one.
type workload struct {
	mu   sync.Mutex
	done []sent // answered 2xx, to resend
	rng  *rand.Rand
}

func (w *workload) next(i int) (kind, consentID, eventID string, body []byte, origin string) {
	w.mu.Lock()
	r := w.rng.IntN(100)
	var old sent
	if len(w.done) > 0 {
		old = w.done[w.rng.IntN(len(w.done))]
	}
	w.mu.Unlock()
	id := func(kind, n int) string {
		return fmt.Sprintf("%08x-%04x-4%03x-8000-%012x", kind, n>>16&0xffff, i%4096, n)
	}
	consentID, eventID, origin, kind = id(1, i), id(2, i), shopOrigin, "new"
	switch {
	case r == 0:
		return "malformed", "", "", []byte(`{"consentId":"` + consentID + `","eventId":`), origin
	case r == 1:
		origin, kind = strangerOrigin, "stranger"
	case r < 12 && old.eventID != "":
		consentID, eventID, kind = old.consentID, old.eventID, "resent"
	case r < 20 && old.consentID != "":
		consentID = old.consentID
	}
	body = fmt.Appendf(nil, `{"consentId":%q,"eventId":%q,"action":"reject_all","categories":{"necessary":true,"preferences":false,"statistics":false,"marketing":false},"consentVersion":"a1b2c3","policyVersion":"d4e5f6","language":"sq","page":"/sq/","gpc":false}`, consentID, eventID)
	return kind, consentID, eventID, body, origin
}

// want is the status each kind of request must get.
var want = map[string][]int{"new": {201}, "resent": {200}, "stranger": {403}, "malformed": {400}}

// result is a run's figures.
type result struct {
	n         int
	took      time.Duration
	latencies []time.Duration
	wrong     map[string]int // kind and status not as wanted
	err       error          // the first error of a request that got no answer
}

func (r result) String() string {
	slices.Sort(r.latencies)
	q := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[int(p*float64(len(r.latencies)-1))]
	}
	s := fmt.Sprintf("%d requests in %v: %.0f/s, p50 %v, p99 %v, max %v; unexpected answers %v",
		r.n, r.took.Round(time.Millisecond), float64(r.n)/r.took.Seconds(), q(.5).Round(10*time.Microsecond),
		q(.99).Round(10*time.Microsecond), q(1).Round(10*time.Microsecond), r.wrong)
	if r.err != nil {
		s += fmt.Sprintf(" (first error: %v)", r.err)
	}
	return s
}

func (r result) p99() time.Duration {
	slices.Sort(r.latencies)
	return r.latencies[int(.99*float64(len(r.latencies)-1))]
}

// drive sends requests from clients workers until d has passed (rate 0:
// each as soon as the last was answered), or at rate a second in all.
func drive(tg target, w *workload, seq *atomic.Int64, clients int, d time.Duration, rate int, log *[]sent, mu *sync.Mutex) result {
	ctx := context.Background()
	res := result{wrong: map[string]int{}}
	var rmu sync.Mutex
	start := time.Now()
	var ticks <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Second / time.Duration(rate))
		defer t.Stop()
		ticks = t.C
	}
	jobs := make(chan struct{}, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for range jobs {
				i := int(seq.Add(1))
				kind, cid, eid, body, origin := w.next(i)
				t0 := time.Now()
				status, err := tg.post(ctx, c, i, origin, body)
				lat := time.Since(t0)
				rmu.Lock()
				if err != nil {
					status = -1
					if res.err == nil {
						res.err = err
					}
				}
				res.n++
				res.latencies = append(res.latencies, lat)
				if !slices.Contains(want[kind], status) {
					res.wrong[fmt.Sprintf("%s %d", kind, status)]++
					if res.err == nil && err == nil {
						res.err = fmt.Errorf("%s from %s answered %d: %s", kind, origin, status, body)
					}
				}
				rmu.Unlock()
				s := sent{cid, eid, status, kind}
				mu.Lock()
				*log = append(*log, s)
				mu.Unlock()
				if status/100 == 2 && kind == "new" {
					w.mu.Lock()
					w.done = append(w.done, s)
					w.mu.Unlock()
				}
			}
		})
	}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if ticks != nil {
			<-ticks
			select {
			case jobs <- struct{}{}:
			default: // every client busy: the request is not sent, as a visitor gives up
				rmu.Lock()
				res.wrong["not sent: every client busy"]++
				rmu.Unlock()
			}
			continue
		}
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	res.took = time.Since(start)
	return res
}

// runLoad runs the closed-loop load, the open-loop rates, and checks that
// every answered 2xx is stored exactly once and nothing refused is.
func runLoad(b *testing.B, tg target, after func()) {
	w := &workload{rng: rand.New(rand.NewPCG(7, 11))}
	var seq atomic.Int64
	var log []sent
	var mu sync.Mutex
	closed := drive(tg, w, &seq, *loadClients, *loadDuration, 0, &log, &mu)
	b.Logf("%d clients, closed loop: %v", *loadClients, closed)
	b.ReportMetric(float64(closed.n)/closed.took.Seconds(), "req/s")
	b.ReportMetric(float64(closed.p99().Microseconds())/1000, "p99-ms")
	best := 0
	for f := range strings.SplitSeq(*loadRates, ",") {
		rate, err := strconv.Atoi(f)
		if err != nil {
			b.Fatalf("-load.rates: %v", err)
		}
		r := drive(tg, w, &seq, *loadClients, 10*time.Second, rate, &log, &mu)
		b.Logf("%5d/s offered: %v", rate, r)
		if r.p99() < 100*time.Millisecond && len(r.wrong) == 0 {
			best = max(best, rate)
		}
	}
	b.ReportMetric(float64(best), "max-rate-p99<100ms")
	if after != nil {
		after()
	}
	// Exactly once: every 2xx is stored once, nothing of a refused request.
	got := tg.stored(b)
	missing, refusedStored := 0, 0
	for _, s := range log {
		k := [2]string{s.consentID, s.eventID}
		switch {
		case s.status/100 == 2 && got[k] != 1:
			missing++
		case s.kind == "stranger" && s.status == 403 && got[k] != 0:
			refusedStored++
		}
	}
	dup := 0
	for _, n := range got {
		if n > 1 {
			dup++
		}
	}
	b.Logf("%d answered, %d records stored; 2xx not stored exactly once: %d; refused but stored: %d; stored twice: %d", len(log), len(got), missing, refusedStored, dup)
	if missing+refusedStored+dup > 0 {
		b.Errorf("the store does not match the answers")
	}
}

// BenchmarkLoadServe drives `site serve` (its HTTP server and the local
// bbolt store), its clients spread over 4,096 networks of the loopback
// range (127.x.y.1) so that the per-network limit stays out of the way.
func BenchmarkLoadServe(b *testing.B) {
	root := testenv.RepoRoot(b)
	bin := filepath.Join(b.TempDir(), "site")
	if out, err := exec.Command("go", "build", "-C", root, "-o", bin, "./cmd/site").CombinedOutput(); err != nil {
		b.Fatalf("build site: %v\n%s", err, out)
	}
	data := filepath.Join(b.TempDir(), "data")
	cmd := exec.Command(bin, "serve", "-src", root, "-addr", "127.0.0.1:0", "-data", data, "-origins", shopOrigin)
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	m := regexp.MustCompile(`at (http://\S+)/ `).FindStringSubmatch(line)
	if m == nil {
		b.Fatalf("serve said %q\n%s", line, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	tg := &serveTarget{url: m[1] + "/api/consent", data: data}
	for range b.N {
		runLoad(b, tg, func() {
			if *loadSoak > 0 {
				soak(b, tg, cmd.Process.Pid)
			}
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
		})
	}
}

type serveTarget struct{ url, data string }

// networkKey carries the client network of a request to the dialer.
type networkKey struct{}

// serveClient opens a connection per request (each visitor is another),
// from the loopback address of the request's network: 127.x.y.1, one of
// 4,096 /24s.
var serveClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
	DisableKeepAlives: true,
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		n, _ := ctx.Value(networkKey{}).(int)
		n %= 4096
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, byte(1+n/256), byte(n%256), 1)}}
		return d.DialContext(ctx, network, addr)
	},
}}

func (s *serveTarget) post(ctx context.Context, _, n int, origin string, body []byte) (int, error) {
	ctx = context.WithValue(ctx, networkKey{}, n)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := serveClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// stored reads the bbolt file once serve has let go of it: every value of
// its consent bucket is a record.
func (s *serveTarget) stored(t testing.TB) map[[2]string]int {
	db, err := bbolt.Open(filepath.Join(s.data, "consent.db"), 0o600, &bbolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[[2]string]int{}
	err = db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("consent")).ForEach(func(_, v []byte) error {
			var ev store.ConsentEvent
			if err := json.Unmarshal(v, &ev); err != nil {
				return err
			}
			got[[2]string{ev.ConsentID, ev.EventID}]++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// soak sends 100 requests a second for loadSoak, sampling serve's
// resident memory and open files every 30 s.
func soak(b *testing.B, s *serveTarget, pid int) {
	// Resident memory apart: anonymous (the heap, which must stay flat) and
	// file pages (bbolt's mapping of its growing file, which the kernel
	// takes back when it needs them).
	kb := func(status []byte, field string) int {
		m := regexp.MustCompile(field + `:\s+(\d+)`).FindSubmatch(status)
		if m == nil {
			return -1
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	sample := func() string {
		st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		db, _ := os.Stat(filepath.Join(s.data, "consent.db"))
		size := int64(-1)
		if db != nil {
			size = db.Size() >> 10
		}
		return fmt.Sprintf("anon %d KB, file %d KB, db %d KB, %d fds", kb(st, "RssAnon"), kb(st, "RssFile"), size, len(ents))
	}
	w := &workload{rng: rand.New(rand.NewPCG(3, 5))}
	var seq atomic.Int64
	seq.Store(1 << 40)
	var log []sent
	var mu sync.Mutex
	var samples []string
	for end := time.Now().Add(*loadSoak); time.Now().Before(end); {
		r := drive(s, w, &seq, 16, 30*time.Second, 100, &log, &mu)
		samples = append(samples, fmt.Sprintf("%s, p99 %v", sample(), r.p99().Round(100*time.Microsecond)))
		mu.Lock()
		log = log[:0]
		mu.Unlock()
	}
	b.Logf("soak %v at 100/s, every 30 s: %s", *loadSoak, strings.Join(samples, "; "))
}

// BenchmarkLoadLambda drives the bootstrap under the Lambda emulator with
// dynalite as DynamoDB. An instance of Lambda answers one request at a
// time (and so does the emulator, which fails on a second), so this runs
// load.instances emulators, as many as the template lets Lambda run at
// once; a client waits for a free one, where Lambda would throttle. The
// requests come from networks of the benchmark range (198.18.0.0/15), in
// the header CloudFront adds.
func BenchmarkLoadLambda(b *testing.B) {
	rie := findRIE(b)
	d := testenv.Dynalite(b)
	table := d.Table(b)
	boot := buildBootstrap(b, runtime.GOARCH)
	env := append(lambdaEnv(d, table), "CONSENT_ORIGINS="+shopOrigin)
	var tg lambdaTarget
	tg.free = make(chan *emulator, *loadLambdas)
	for i := range *loadLambdas {
		e := startRIE(b, rie, boot, env)
		// The first invocation waits for the emulator to listen, and
		// starts the bootstrap: a cold start, not part of the load.
		if resp, err := e.invoke(consentEvent(fmt.Sprintf("5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e%02d", i))); err != nil || resp.StatusCode != 201 {
			b.Fatalf("warm-up: %+v %v", resp, err)
		}
		tg.free <- e
	}
	tg.db, tg.table = d.Client(), table
	for range b.N {
		runLoad(b, &tg, nil)
	}
}

type lambdaTarget struct {
	free  chan *emulator // the instances not answering a request
	db    *dynamodb.Client
	table string
}

var lambdaClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func (l *lambdaTarget) post(ctx context.Context, client, n int, origin string, body []byte) (int, error) {
	ev := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: "/api/consent", Body: string(body),
		Headers: map[string]string{
			"origin": origin, "content-type": "application/json", "user-agent": "Mozilla/5.0",
			"cloudfront-viewer-address": fmt.Sprintf("198.%d.%d.7:443", 18+n/256%2, n%256),
			"x-origin-verify":           originSecret,
		},
		RequestContext: events.LambdaFunctionURLRequestContext{
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", Path: "/api/consent", SourceIP: "130.176.1.1"},
		},
	}
	payload, _ := json.Marshal(ev)
	e := <-l.free
	defer func() { l.free <- e }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(payload))
	if err != nil {
		return 0, err
	}
	resp, err := lambdaClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out events.LambdaFunctionURLResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.StatusCode == 0 {
		return 0, fmt.Errorf("emulator answered %d, not a Function URL response (%v)", resp.StatusCode, err)
	}
	return out.StatusCode, nil
}

// stored scans the table for consent records.
func (l *lambdaTarget) stored(t testing.TB) map[[2]string]int {
	got := map[[2]string]int{}
	pages := dynamodb.NewScanPaginator(l.db, &dynamodb.ScanInput{TableName: aws.String(l.table)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var evs []store.ConsentEvent
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &evs); err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.ConsentID != "" {
				got[[2]string{ev.ConsentID, ev.EventID}]++
			}
		}
	}
	return got
}
