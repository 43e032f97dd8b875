package requests

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"pelqim/functions/consent/httpapi"
	pmail "pelqim/functions/consent/mail"
	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/bolt"
	"pelqim/functions/consent/store/dynamo"
	"pelqim/functions/consent/store/storetest"
	"pelqim/functions/consent/testenv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	dynamodbsdk "github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

const testOrigin = "https://privatesia.example"

// reqClock is a settable time for expiry tests.
type reqClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *reqClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *reqClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// reqFixture is a handler on a real store with a real outbox.
type reqFixture struct {
	h      *Handler
	rs     store.Requests
	clock  *reqClock
	outbox string
	raw    func(t *testing.T) []byte // every stored byte, to look for secrets
}

func newRequestHandler(rs store.Requests, outbox string) (*Handler, *reqClock) {
	c := &reqClock{t: time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)}
	return &Handler{
		Store: rs, Origin: testOrigin, Clock: c.Now,
		Mail: pmail.Outbox{Dir: outbox}, Sender: "privatesia@xiaomistore-ks.com",
	}, c
}

// serve answers req with h's endpoints, as api.Handler does.
func serve(h *Handler, req httpapi.Request) httpapi.Response {
	return httpapi.Router{Routes: h.Routes(), Timeout: 5 * time.Second}.Serve(context.Background(), req)
}

func boltFixture(t *testing.T) reqFixture {
	dir := t.TempDir()
	path := filepath.Join(dir, "consent.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h, c := newRequestHandler(s, filepath.Join(dir, "outbox"))
	return reqFixture{h: h, rs: s, clock: c, outbox: filepath.Join(dir, "outbox"), raw: func(t *testing.T) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}}
}

func dynamoFixture(t *testing.T, db *testenv.DynamoDB) reqFixture {
	client, table := db.Client(), db.Table(t)
	s := dynamo.New(client, table)
	outbox := filepath.Join(t.TempDir(), "outbox")
	h, c := newRequestHandler(s, outbox)
	return reqFixture{h: h, rs: s, clock: c, outbox: outbox, raw: func(t *testing.T) []byte {
		out, err := client.Scan(context.Background(), &dynamodbsdk.ScanInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]any
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(items)
		return b
	}}
}

// bothStores runs fn against the local store and against dynalite.
func bothStores(t *testing.T, fn func(t *testing.T, f reqFixture)) {
	t.Run("bolt", func(t *testing.T) { fn(t, boltFixture(t)) })
	t.Run("dynamo", func(t *testing.T) { fn(t, dynamoFixture(t, testenv.Dynalite(t))) })
}

func postRequest(h *Handler, contentType, body, addr string) httpapi.Response {
	return serve(h, httpapi.Request{
		Method: http.MethodPost, Path: "/api/requests",
		Header:     http.Header{"Origin": {testOrigin}, "Content-Type": {contentType}},
		Body:       []byte(body),
		ClientAddr: addr,
	})
}

func postJSON(h *Handler, email, addr string) httpapi.Response {
	body, _ := json.Marshal(map[string]string{"type": "access", "email": email, "language": "en", "details": "Order 1042", "website": ""})
	return postRequest(h, "application/json", string(body), addr)
}

// stored is every data request in rs.
func stored(t *testing.T, rs store.Requests) []store.DataRequest { return storetest.AllRequests(t, rs) }

// sentMail is a message read back from the outbox folder.
type sentMail struct {
	To, Subject, Text, HTML string
}

// outboxMail parses every .eml in dir as a mail client would.
func outboxMail(t *testing.T, dir string) []sentMail {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	var out []sentMail
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("%s: subject: %v", f, err)
		}
		mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/alternative" {
			t.Fatalf("%s: Content-Type %q", f, m.Header.Get("Content-Type"))
		}
		s := sentMail{To: m.Header.Get("To"), Subject: subject}
		mr := multipart.NewReader(m.Body, params["boundary"])
		for {
			p, err := mr.NextPart() // decodes quoted-printable
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			b, _ := io.ReadAll(p)
			switch {
			case strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain"):
				s.Text = string(b)
			case strings.HasPrefix(p.Header.Get("Content-Type"), "text/html"):
				s.HTML = string(b)
			}
		}
		out = append(out, s)
	}
	return out
}

var linkRE = regexp.MustCompile(`https://privatesia\.example/api/requests/verify\?[^\s"<]+`)

// verifyLinkIn returns the link of a mail and its query.
func verifyLinkIn(t *testing.T, text string) (link string, q url.Values) {
	t.Helper()
	link = linkRE.FindString(text)
	if link == "" {
		t.Fatalf("no confirmation link in:\n%s", text)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return link, u.Query()
}

func verify(h *Handler, method, query string) httpapi.Response {
	req := httpapi.Request{Method: method, Path: "/api/requests/verify", Header: http.Header{"Origin": {testOrigin}}}
	if method == http.MethodGet {
		req.RawQuery = query
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Body = []byte(query)
	}
	return serve(h, req)
}
