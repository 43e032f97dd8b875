package serve

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// short are limits small enough for tests to outlast; patient waits far
// longer than any of them, so that a slow machine does not fail a test
// that passes, while one that fails (no limit) takes only this long.
var short = limits{readHeader: 300 * time.Millisecond, read: 300 * time.Millisecond, write: 300 * time.Millisecond, idle: 300 * time.Millisecond, conns: 4, streams: 2}

const patient = 5 * time.Second

// limited serves a bare preview (a page, the event stream and an API that
// reads the whole body) as Run does, bounded by l; it returns the server
// and its address.
func limited(t *testing.T, l limits) (*Server, string) {
	t.Helper()
	s := &Server{
		hub:    newHub(),
		files:  map[string][]byte{"index.html": []byte("<p>hi</p>")},
		loaded: true,
		limits: l,
	}
	s.opts.API = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// As api.HTTPHandler does: the whole body, then the answer.
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "the body could not be read", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs, lln := l.serveHTTP(ln, s)
	go hs.Serve(lln)
	t.Cleanup(func() {
		s.hub.close()
		hs.Close()
	})
	return s, ln.Addr().String()
}

// conn is a raw client connection.
type conn struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &conn{t, c, bufio.NewReader(c)}
}

// get sends a keep-alive GET of / and reads the answer, within limit; it
// returns the status, or an error when no answer came.
func (c *conn) get(limit time.Duration) (int, error) {
	c.t.Helper()
	c.SetDeadline(time.Now().Add(limit))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: preview\r\n\r\n"); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// closed waits up to limit for the server to close c; it returns how long
// that took, or an error if c is still open.
func (c *conn) closed(limit time.Duration) (time.Duration, error) {
	start := time.Now()
	c.SetReadDeadline(start.Add(limit))
	_, err := io.Copy(io.Discard, c.r) // nil at EOF: the server closed it
	if err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// TestSlowBody: a body sent a byte at a time is cut off after the read
// timeout, long before it is complete; before the fix the server read it
// to its end, holding the connection as long as the sender liked.
func TestSlowBody(t *testing.T) {
	_, addr := limited(t, short)
	c := dial(t, addr)
	const size = 100 // at a byte per 50 ms, 5 s: far past the read timeout
	if _, err := io.WriteString(c, "POST /api/consent HTTP/1.1\r\nHost: preview\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int32
	go func() {
		for range size {
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
			sent.Add(1)
			time.Sleep(50 * time.Millisecond)
		}
	}()
	c.SetReadDeadline(time.Now().Add(2 * patient))
	resp, err := http.ReadResponse(c.r, nil)
	if err == nil {
		resp.Body.Close()
	} else if isTimeout(err) {
		t.Fatalf("no answer and no close in %v", 2*patient)
	}
	// An answer (400: the body could not be read) or a closed
	// connection, either before the body was complete.
	if n := sent.Load(); n >= size {
		t.Errorf("the server read the whole slow body (%d bytes); want it cut off after %v", n, short.read)
	}
	if resp != nil && resp.StatusCode == http.StatusCreated {
		t.Errorf("a body cut off was answered %d", resp.StatusCode)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestIdleClosed: a keep-alive connection with no request is closed after
// the idle timeout; before the fix it stayed open for good.
func TestIdleClosed(t *testing.T) {
	_, addr := limited(t, short)
	c := dial(t, addr)
	if status, err := c.get(patient); err != nil || status != http.StatusOK {
		t.Fatalf("GET /: %d %v", status, err)
	}
	took, err := c.closed(patient)
	if err != nil {
		t.Fatalf("an idle keep-alive connection still open after %v (idle timeout %v): %v", patient, short.idle, err)
	}
	t.Logf("closed %v after its answer", took.Round(time.Millisecond))
}

// TestConnectionLimit: past the limit, a new connection waits without
// an answer, while the open ones are still served; it is served as soon
// as one closes. Before the fix every connection was accepted.
func TestConnectionLimit(t *testing.T) {
	l := short
	l.idle = time.Minute // the connections that hold the slots stay open
	_, addr := limited(t, l)
	var held []*conn
	for i := range l.conns {
		c := dial(t, addr)
		if status, err := c.get(patient); err != nil || status != http.StatusOK {
			t.Fatalf("connection %d: %d %v", i+1, status, err)
		}
		held = append(held, c)
	}
	extra := dial(t, addr) // the kernel accepts it; the server does not yet
	answered := make(chan error, 1)
	go func() {
		status, err := extra.get(2 * patient)
		if err == nil && status != http.StatusOK {
			err = errors.New(http.StatusText(status))
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("connection %d of a limit of %d was served at once (%v)", l.conns+1, l.conns, err)
	case <-time.After(300 * time.Millisecond):
	}
	for i, c := range held {
		if status, err := c.get(patient); err != nil || status != http.StatusOK {
			t.Errorf("connection %d, open before the limit was reached: %d %v", i+1, status, err)
		}
	}
	held[0].Close()
	select {
	case err := <-answered:
		if err != nil {
			t.Errorf("the waiting connection, once a slot was free: %v", err)
		}
	case <-time.After(patient):
		t.Error("the waiting connection was not served after one closed")
	}
}

// TestStreamOutlivesTimeouts: the event stream lasts as long as its page,
// past the read and write timeouts that end every other request, and
// still delivers events; the number of streams is bounded below the
// connection limit, so that open pages never take every connection.
func TestStreamOutlivesTimeouts(t *testing.T) {
	s, addr := limited(t, short)
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	var streams []*bufio.Reader
	for range short.streams {
		resp, err := client.Get(base + eventsPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("stream: %s", resp.Status)
		}
		r := bufio.NewReader(resp.Body)
		if line, err := r.ReadString('\n'); line != "event: hello\n" {
			t.Fatalf("stream starts %q %v", line, err)
		}
		streams = append(streams, r)
	}
	// One stream more is refused, and the reload client tries again;
	// pages are still served.
	resp, err := client.Get(base + eventsPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("stream %d of %d: %s, want 503 with Retry-After", short.streams+1, short.streams, resp.Status)
	}
	if resp, err := client.Get(base + "/"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("a page while the streams are open: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	time.Sleep(3 * max(short.read, short.write, short.idle))
	s.hub.publish("reload", reloadEvent{Build: 7})
	for i, r := range streams {
		got := make(chan string, 1)
		go func() {
			var b strings.Builder
			for {
				line, err := r.ReadString('\n')
				b.WriteString(line)
				if err != nil || strings.HasPrefix(line, "data: ") && strings.Contains(b.String(), "event: reload") {
					got <- b.String()
					return
				}
			}
		}()
		select {
		case text := <-got:
			if !strings.Contains(text, "event: reload\ndata: {\"build\":7") {
				t.Errorf("stream %d after %v: %q, want the reload event", i+1, 3*short.write, text)
			}
		case <-time.After(patient):
			t.Errorf("stream %d: no event after %v", i+1, 3*short.write)
		}
	}
}
