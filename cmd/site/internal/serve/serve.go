// Package serve is the live preview for editors (`site serve`): it builds
// the site into memory and serves it with the headers the CDN sends and the
// consent function's handler at /api/, watches the sources, re-renders only
// the outputs an edit affects, and reloads open pages through Server-Sent
// Events. Build errors show in the browser while the last good site stays
// up.
package serve

import (
	"cmp"
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

	"pelqim/content"
	"pelqim/content/schema"
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
	others := fs.String("origins", "", "more `origins` (comma-separated) whose pages carry the banner, besides the config's consent.origins: a local copy of the shop")
	if err := fs.Parse(args); err != nil {
		return err
	}
	extra, err := content.ParseOrigins(*others)
	if err != nil {
		return fmt.Errorf("serve: -origins: %w", err)
	}
	// serve has no DynamoDB or SES: a user who sets a variable that would
	// choose them expects it to matter, so it is refused, not ignored.
	for _, name := range []string{"TABLE_NAME", "AWS_ENDPOINT_URL_SESV2"} {
		if os.Getenv(name) != "" {
			return fmt.Errorf("serve: %s is set, but serve uses only the local store and the .eml outbox under -data; "+
				"the function itself runs against DynamoDB and SES, locally under aws-lambda-rie "+
				"(see functions/consent/README.md, \"Running the function locally\"): unset %[1]s for serve", name)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		var se *os.SyscallError
		if errors.As(err, &se) && errors.Is(se.Err, syscall.EADDRINUSE) {
			return fmt.Errorf("serve: %s is already in use: stop the other server or pick another -addr", *addr)
		}
		return fmt.Errorf("serve: %w", err)
	}
	origin := browseOrigin(ln.Addr())
	// The API takes writes from pages of the site's origin: serve's own,
	// unless SITE_ORIGIN names another (a proxy in front, say).
	siteOrigin := cmp.Or(os.Getenv("SITE_ORIGIN"), origin)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The retention periods and the shop's origins are the config's, as
	// the deploy gives them to the function; a config that does not load
	// yet leaves the defaults, and the preview shows its errors.
	c := api.Config{Origin: siteOrigin, Origins: extra}
	if cfg, _ := schema.ReadConfig(*src); cfg != nil {
		c.Retention, c.RequestRetention = cfg.Consent.RetentionDays, cfg.Requests.RetentionDays
		c.Origins = append(cfg.Consent.Origins, extra...)
	}
	h, closeStore, err := local.Open(*data, c)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer closeStore()

	srv, err := Start(Options{Src: *src, BaseURL: origin + "/", API: sameOrigin(siteOrigin, api.HTTPHandler(h)), Debounce: *debounce, Log: stderr})
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer srv.Close()
	// Bounded (limits.go): -addr :1313 opens the preview to the network.
	hs, ln := srv.limits.serveHTTP(ln, srv)
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

// browseOrigin is the address to open in a browser: a server listening on
// every interface (-addr :1313) is opened at 127.0.0.1.
func browseOrigin(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// sameOrigin lets the API's origin check (SITE_ORIGIN, one origin) pass for
// pages this server sent under another of its names: localhost for
// 127.0.0.1, or the LAN address a phone opens. A request whose Origin is
// the address it was sent to comes from the preview's own pages, which is
// what the check asks of requests in production. Only for addresses and
// localhost: a domain name could be an attacker's, pointed at this machine.
func sameOrigin(origin string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := r.Header.Values("Origin")
		host, _, _ := net.SplitHostPort(r.Host)
		if len(o) == 1 && o[0] != origin && o[0] == "http://"+r.Host && (host == "localhost" || net.ParseIP(host) != nil) {
			r = r.Clone(r.Context())
			r.Header.Set("Origin", origin)
		}
		h.ServeHTTP(w, r)
	})
}
