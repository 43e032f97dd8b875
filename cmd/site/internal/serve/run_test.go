package serve

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
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
// reload clients' streams.
func TestRun(t *testing.T) {
	dir := copySite(t)
	t.Setenv("TABLE_NAME", "")
	t.Setenv("SITE_ORIGIN", "")
	out, stdout := io.Pipe()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run([]string{"-src", dir, "-addr", "127.0.0.1:0", "-data", t.TempDir()}, stdout, &stderr)
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

	addr := strings.TrimPrefix(origin, "http://")
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
