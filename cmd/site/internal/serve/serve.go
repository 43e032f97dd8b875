// Package serve is the live preview for editors (`site serve`): it builds
// the site into memory and serves it with the headers the CDN sends and the
// consent function's handler at /api/, watches the sources, re-renders only
// the outputs an edit affects, and reloads open pages through Server-Sent
// Events. Build errors show in the browser while the last good site stays
// up.
package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/local"
)

// Run is `site serve`.
func Run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("site serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("src", ".", "site source `dir`")
	addr := fs.String("addr", "127.0.0.1:1313", "listen `address`")
	data := fs.String("data", ".pelqim-data", "`dir` of the API's local store and mail outbox")
	debounce := fs.Duration("debounce", DefaultDebounce, "quiet `time` that ends a burst of changes before a rebuild")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		var se *os.SyscallError
		if errors.As(err, &se) && errors.Is(se.Err, syscall.EADDRINUSE) {
			return fmt.Errorf("serve: %s is already in use: stop the other server or pick another -addr", *addr)
		}
		return fmt.Errorf("serve: %w", err)
	}
	origin := "http://" + ln.Addr().String()
	if os.Getenv("SITE_ORIGIN") == "" {
		os.Setenv("SITE_ORIGIN", origin)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h, closeStore, err := local.FromEnv(*data)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer closeStore()

	srv, err := Start(Options{Src: *src, BaseURL: origin + "/", API: api.HTTPHandler(h), Debounce: *debounce, Log: stderr})
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer srv.Close()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	shutdown := make(chan error, 1)
	go func() {
		<-ctx.Done()
		// The event streams end first: Shutdown waits for open requests.
		srv.Close()
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shutdown <- hs.Shutdown(c)
	}()
	fmt.Fprintf(stdout, "serving %s at %s/ (Ctrl-C to stop)\n", *src, origin)
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := <-shutdown; err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	fmt.Fprintln(stderr, "stopped")
	return nil
}
