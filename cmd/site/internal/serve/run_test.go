package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"pelqim/functions/consent/testenv"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startupLine is what browser tests parse to find the server.
var startupLine = regexp.MustCompile(`^serving (.+) at (http://127\.0\.0\.1:\d+)/ \(Ctrl-C to stop\)$`)

// TestRun: `site serve` prints where it serves, serves pages and the API,
// refuses a port in use clearly, and stops cleanly on Ctrl-C, ending the
// reload clients' streams. It listens on every interface (-addr :0), as
// for a phone on the LAN, and prints 127.0.0.1.
func TestRun(t *testing.T) {
	dir := copySite(t)
	t.Setenv("TABLE_NAME", "")
	t.Setenv("SITE_ORIGIN", "")
	out, stdout := io.Pipe()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run([]string{"-src", dir, "-addr", ":0", "-data", t.TempDir(), "-origins", "http://127.0.0.2:8080"}, stdout, &stderr)
		stdout.Close()
	}()
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- strings.TrimSuffix(line, "\n")
		io.Copy(io.Discard, out)
	}()
	var m []string
	select {
	case line := <-lines:
		if m = startupLine.FindStringSubmatch(line); m == nil || m[1] != dir {
			t.Fatalf("startup line %q, want %q\n%s", line, startupLine, stderr.String())
		}
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	case <-time.After(wait):
		t.Fatal("no startup line")
	}
	origin := m[2]

	resp, err := http.Get(origin + "/en/privacy/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" || !bytes.Contains(body, []byte(origin+"/en/privacy/")) {
		t.Errorf("GET /en/privacy/: %d, CSP %q; want 200 with canonical links on %s", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), origin)
	}
	resp, err = http.Post(origin+"/api/consent", "application/json", strings.NewReader("{"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 4 || !bytes.Contains(body, []byte(`"error"`)) {
		t.Errorf("POST /api/consent with a broken body: %d %s, want the function's 4xx JSON", resp.StatusCode, body)
	}

	// The API takes a choice from a page opened under another of the
	// server's names, and from the shop's origins (the config's and
	// -origins), and refuses other origins and domain names.
	addr := strings.TrimPrefix(origin, "http://")
	_, port, _ := net.SplitHostPort(addr)
	for i, tt := range []struct {
		host, origin string
		want         int
	}{
		{"localhost:" + port, "http://localhost:" + port, http.StatusCreated},
		{"[::1]:" + port, "http://[::1]:" + port, http.StatusCreated},
		{addr, "http://localhost:" + port, http.StatusForbidden},
		{"attacker.example:" + port, "http://attacker.example:" + port, http.StatusForbidden},
		{addr, "http://127.0.0.2:8080", http.StatusCreated},
		{addr, "https://xiaomistore-ks.com", http.StatusCreated},
		{addr, "http://127.0.0.3:8080", http.StatusForbidden},
	} {
		eventID := fmt.Sprintf("5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e%02d", i)
		body := `{"consentId":"0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b","eventId":"` + eventID + `",` +
			`"action":"reject_all","categories":{"necessary":true,"preferences":false,"statistics":false,"marketing":false},` +
			`"consentVersion":"a1b2c3","policyVersion":"d4e5f6","language":"en","page":"/en/","gpc":false}`
		req, _ := http.NewRequest("POST", origin+"/api/consent", strings.NewReader(body))
		req.Host = tt.host
		req.Header.Set("Origin", tt.origin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("POST /api/consent to %s from %s: %d %s, want %d", tt.host, tt.origin, resp.StatusCode, b, tt.want)
		}
	}

	if err := Run([]string{"-src", dir, "-addr", "127.0.0.1:0", "-origins", "http://127.0.0.2:8080/shop"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-origins: \"http://127.0.0.2:8080/shop\" is not an origin") {
		t.Errorf("-origins with a path: %v, want it refused", err)
	}
	if err := Run([]string{"-src", dir, "-addr", addr, "-data", t.TempDir()}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), addr+" is already in use") {
		t.Errorf("second server on %s: %v, want a clear 'already in use'", addr, err)
	}

	events, err := http.Get(origin + eventsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	hello, _ := bufio.NewReader(events.Body).ReadString('\n')
	if hello != "event: hello\n" {
		t.Fatalf("event stream starts %q", hello)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after Ctrl-C: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("serve did not stop on Ctrl-C")
	}
	if _, err := io.ReadAll(events.Body); err != nil {
		t.Errorf("the event stream did not end cleanly: %v", err)
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("no goodbye in the terminal:\n%s", stderr.String())
	}
}

// TestSameOrigin: a page opened under another address of the server posts
// with that address as its Origin; the API sees SITE_ORIGIN, whatever it
// was set to, and only for an address or localhost.
// TestRunRefusesAWS: serve has no DynamoDB or SES; a variable that would
// have chosen them is an error that says where they run instead, before
// anything is created under -data.
func TestRunRefusesAWS(t *testing.T) {
	for _, kv := range []string{"TABLE_NAME=pelqim-Table", "AWS_ENDPOINT_URL_SESV2=http://127.0.0.1:8005"} {
		name, value, _ := strings.Cut(kv, "=")
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			data := filepath.Join(t.TempDir(), "data")
			err := Run([]string{"-src", testenv.RepoRoot(t), "-addr", "127.0.0.1:0", "-data", data}, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), name+" is set") || !strings.Contains(err.Error(), "aws-lambda-rie") {
				t.Errorf("serve with %s: %v, want an error naming it and where DynamoDB and SES run", kv, err)
			}
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				t.Errorf("the data folder was created anyway: %v", err)
			}
		})
	}
}

func TestSameOrigin(t *testing.T) {
	const site = "http://preview.example:8080" // SITE_ORIGIN set by hand
	var seen string
	h := sameOrigin(site, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.Header.Get("Origin") }))
	for _, tt := range []struct{ host, origin, want string }{
		{"localhost:1313", "http://localhost:1313", site},
		{"192.168.1.20:1313", "http://192.168.1.20:1313", site},
		{"[::1]:1313", "http://[::1]:1313", site},
		{"localhost:1313", "http://127.0.0.1:1313", "http://127.0.0.1:1313"}, // another page's origin
		{"attacker.example:1313", "http://attacker.example:1313", "http://attacker.example:1313"},
	} {
		req, _ := http.NewRequest("POST", "http://"+tt.host+"/api/consent", nil)
		req.Header.Set("Origin", tt.origin)
		h.ServeHTTP(httptest.NewRecorder(), req)
		if seen != tt.want {
			t.Errorf("Host %s, Origin %s: the API sees %s, want %s", tt.host, tt.origin, seen, tt.want)
		}
	}
}
