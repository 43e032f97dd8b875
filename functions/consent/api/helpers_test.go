package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/bolt"
	"pelqim/functions/consent/store/dynamo"
	"pelqim/functions/consent/testenv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const (
	origin    = "https://privatesia.xiaomistore-ks.com"
	consentID = "0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b"
	eventID   = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)

// fields is a valid POST /api/consent body as a map, for tests to change.
func fields() map[string]any {
	return map[string]any{
		"consentId": consentID, "eventId": eventID, "action": "custom",
		"categories": map[string]any{
			"necessary": true, "preferences": false, "statistics": true, "marketing": false,
		},
		"consentVersion": "a1b2c3", "policyVersion": "d4e5f6",
		"language": "sq", "page": "/sq/privatesia/", "gpc": false,
	}
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// uuid makes a distinct valid UUID v4 from n.
func uuid(kind, n int) string {
	return fmt.Sprintf("%08x-%04x-4000-8000-%012x", kind, n>>16&0xffff, n)
}

// postReq is a valid POST of body as the banner sends it.
func postReq(body []byte) httpapi.Request {
	return httpapi.Request{
		Method: "POST", Path: "/api/consent", Body: body, ClientAddr: "198.51.100.77:52000",
		Header: http.Header{
			"Origin":       {origin},
			"Content-Type": {"application/json"},
			"User-Agent":   {"Mozilla/5.0 (X11; Linux x86_64) Chromium/140"},
		},
	}
}

func getReq(id string) httpapi.Request {
	return httpapi.Request{Method: "GET", Path: "/api/consent/" + id, Header: http.Header{}}
}

// clock is a settable Config.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newHandler(s store.Store, c *clock) *api.Handler {
	return mustNew(api.Config{Store: s, Origin: origin, Now: c.now, Retention: 10, Log: quiet})
}

// unlimited is a rate limit that a test sending from one network does not
// reach.
const unlimited = 1 << 30

// mustNew is api.New of a configuration that tests know to be complete.
func mustNew(c api.Config) *api.Handler {
	h, err := api.New(c)
	if err != nil {
		panic(err)
	}
	return h
}

// storeKind is one real store a test runs against.
type storeKind struct {
	name string
	open func(t *testing.T) store.Store
}

var stores = []storeKind{
	{"bolt", func(t *testing.T) store.Store { s, _ := openBolt(t); return s }},
	{"dynalite", func(t *testing.T) store.Store { return openDynalite(t).store }},
}

func openBolt(t testing.TB) (*bolt.Store, string) {
	path := filepath.Join(t.TempDir(), "consent.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

type dynaliteTable struct {
	*testenv.DynamoDB
	store *dynamo.Store
	db    *dynamodb.Client
	table string
}

func openDynalite(t testing.TB) dynaliteTable {
	d := testenv.Dynalite(t)
	table := d.Table(t)
	db := d.Client()
	return dynaliteTable{d, dynamo.New(db, table), db, table}
}

// items returns every raw item of the table, as DynamoDB holds it.
func (d dynaliteTable) items(t testing.TB) []map[string]types.AttributeValue {
	t.Helper()
	var all []map[string]types.AttributeValue
	pages := dynamodb.NewScanPaginator(d.db, &dynamodb.ScanInput{TableName: aws.String(d.table)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
	}
	return all
}

// records is the items of the table that are consent records, not the
// rate limits' counters.
func (d dynaliteTable) records(t testing.TB) []map[string]types.AttributeValue {
	var recs []map[string]types.AttributeValue
	for _, it := range d.items(t) {
		if pk, ok := it["pk"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(pk.Value, "CONSENT#") {
			recs = append(recs, it)
		}
	}
	return recs
}

func list(t testing.TB, s store.Store, id string) []store.ConsentEvent {
	t.Helper()
	evs, err := store.AllEvents(context.Background(), s, id)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// receipt is the body of a 201 or 200 answer to a POST.
type receipt struct{ ConsentID, EventID, RecordedAt string }

func decodeReceipt(t testing.TB, resp httpapi.Response) receipt {
	t.Helper()
	var r receipt
	if err := json.Unmarshal(resp.Body, &r); err != nil || r.RecordedAt == "" {
		t.Fatalf("receipt %s: %v", resp.Body, err)
	}
	return r
}

// checkError asserts a JSON error answer with the given status and code.
func checkError(t testing.TB, resp httpapi.Response, status int, code string) {
	t.Helper()
	var e struct{ Error, Message string }
	if err := json.Unmarshal(resp.Body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", resp.Body, err)
	}
	if resp.Status != status || e.Error != code || e.Message == "" {
		t.Errorf("got %d %s, want %d %q with a message", resp.Status, resp.Body, status, code)
	}
	checkHeaders(t, resp)
}

func checkHeaders(t testing.TB, resp httpapi.Response) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
}

// quiet drops the logs of the store failures tests cause on purpose.
var quiet = slog.New(slog.DiscardHandler)
