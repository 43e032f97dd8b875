package serve

import (
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// limits bound what one client can hold of the preview. `-addr :1313`
// opens it to everyone on the network, and a server with no bound but a
// header timeout keeps a connection for as long as its client wants: idle
// keep-alive connections, a body sent a byte at a time, until the process
// runs out of file descriptors and every request (and the watcher, and
// the store) waits on them.
type limits struct {
	readHeader time.Duration // the request line and headers
	// read is a whole request, body included: the API takes a few KB,
	// which a LAN delivers in milliseconds; a body sent a byte at a time
	// is cut off here.
	read time.Duration
	// write is a whole response, but for an event stream, which lives as
	// long as its page: there it bounds each event (serveEvents).
	write time.Duration
	idle  time.Duration // a keep-alive connection between requests
	// conns is how many connections are open at once; past it, a new one
	// waits in the kernel's queue until one closes (a browser sees a slow
	// answer, not an error), and the process keeps descriptors for its
	// files.
	conns int
	// streams is how many event streams are open at once, well under
	// conns, so that open pages never hold every connection; past it a
	// stream is answered 503 and the reload client tries again.
	streams int
}

// defaultLimits fit a preview on the LAN: a browser opens at most six
// connections to a server and one event stream (its pages share it
// through a shared worker; Chrome on Android, without shared workers, one
// per tab), so a few devices with a few tabs each use a few dozen.
var defaultLimits = limits{
	readHeader: 10 * time.Second,
	read:       30 * time.Second,
	write:      30 * time.Second,
	idle:       30 * time.Second,
	conns:      128,
	streams:    64,
}

// serveHTTP returns the HTTP server for h and the listener to serve it on,
// both bounded by l.
func (l limits) serveHTTP(ln net.Listener, h http.Handler) (*http.Server, net.Listener) {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.readHeader,
		ReadTimeout:       l.read,
		WriteTimeout:      l.write,
		IdleTimeout:       l.idle,
	}
	return hs, netutil.LimitListener(ln, l.conns)
}

// stream lifts the server's read and write deadlines from an event
// stream's connection, which lasts as long as its page is open: with them
// the stream would end after l.read (the server's background read of the
// connection times out and cancels the request) and l.write. It returns
// the function to call before each write, which gives that write l.write:
// a client that stops reading is cut off instead of holding the stream.
func (l limits) stream(w http.ResponseWriter) (beforeWrite func()) {
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Time{})
	return func() {
		if l.write > 0 {
			rc.SetWriteDeadline(time.Now().Add(l.write))
		}
	}
}
