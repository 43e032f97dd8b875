package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// hub fans Server-Sent Events out to the open pages' reload clients.
type hub struct {
	mu     sync.Mutex
	subs   map[chan []byte]bool
	closed bool
}

func newHub() *hub { return &hub{subs: map[chan []byte]bool{}} }

// subscribe returns a stream of encoded events; it is closed when the hub
// closes, or when the subscriber falls behind (its client then reconnects
// and, seeing a newer build, reloads). With max streams already open
// (0: no bound), it returns ok false and no stream.
func (h *hub) subscribe(max int) (events <-chan []byte, cancel func(), ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if max > 0 && len(h.subs) >= max {
		return nil, nil, false
	}
	ch := make(chan []byte, 16)
	if h.closed {
		close(ch)
		return ch, func() {}, true
	}
	h.subs[ch] = true
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.subs[ch] {
			delete(h.subs, ch)
			close(ch)
		}
	}, true
}

// publish sends event name with data (JSON-encoded) to every subscriber.
func (h *hub) publish(name string, data any) {
	msg := encodeEvent(name, data)
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- msg:
		default:
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// close ends every stream, so that the HTTP server can shut down.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		close(ch)
	}
	h.subs, h.closed = map[chan []byte]bool{}, true
}

func encodeEvent(name string, data any) []byte {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err) // only strings, numbers and slices of them
	}
	return fmt.Appendf(nil, "event: %s\ndata: %s\n\n", name, b)
}

// Event data, as the reload client reads it.
type (
	// helloEvent opens every stream: a client that reconnects to a newer
	// build than it saw reloads, as it may have missed events.
	helloEvent struct {
		Build  int64 `json:"build"`
		Broken bool  `json:"broken"`
	}
	// reloadEvent follows a rebuild that changed outputs, or that fixed
	// the site.
	reloadEvent struct {
		Build   int64    `json:"build"`
		Changed []string `json:"changed"`          // URL paths whose bytes changed or that are gone
		Edited  string   `json:"edited,omitempty"` // URL path of the page just edited
	}
	// brokenEvent carries a failed rebuild's errors, file:line: message.
	brokenEvent struct {
		Errors []string `json:"errors"`
	}
)

// keepAlive is how often an idle stream gets a comment, so that proxies
// and browsers do not time it out.
const keepAlive = 30 * time.Second

// serveEvents streams events to one client until it goes away or the
// server closes.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	// Subscribe before reading the state, so that no rebuild falls between.
	events, cancel, ok := s.hub.subscribe(s.limits.streams)
	if !ok {
		// Streams are bounded so that open pages never hold every
		// connection (limits); the reload client tries again.
		w.Header().Set("Retry-After", "1")
		http.Error(w, "too many event streams", http.StatusServiceUnavailable)
		return
	}
	defer cancel()
	beforeWrite := s.limits.stream(w)
	s.mu.RLock()
	hello := encodeEvent("hello", helloEvent{Build: s.build, Broken: s.broken != nil})
	var broken []byte
	if s.broken != nil {
		broken = encodeEvent("broken", brokenEvent{Errors: s.broken})
	}
	s.mu.RUnlock()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	beforeWrite()
	w.Write(hello)
	w.Write(broken)
	flusher.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case msg, ok := <-events:
			if !ok {
				return
			}
			beforeWrite()
			if _, err := w.Write(msg); err != nil {
				return
			}
		case <-tick.C:
			beforeWrite()
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
		flusher.Flush()
	}
}
