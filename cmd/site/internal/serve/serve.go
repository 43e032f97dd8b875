// Package serve is the local server for editors and tests: it builds the
// site into memory and serves it with the headers the CDN sends, and the
// consent function's handler at /api/ with a local store.
package serve

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"pelqim/cmd/site/internal/site"
	"pelqim/cmd/site/internal/theme"
	"pelqim/functions/consent/api"
)

// Run is `site serve`.
func Run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("site serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("src", ".", "site source `dir`")
	addr := fs.String("addr", "127.0.0.1:1313", "listen `address`")
	data := fs.String("data", ".pelqim-data", "`dir` of the local store (when TABLE_NAME is unset) and the mail outbox")
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
	h, closeStore, err := api.FromEnv(ctx, *data)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer closeStore()

	srv := &Server{API: api.HTTPHandler(h)}
	if err := srv.Build(*src, site.Options{BaseURL: origin + "/"}); err != nil {
		fmt.Fprintln(stderr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
	}()
	fmt.Fprintf(stdout, "serving %s at %s/ (Ctrl-C to stop)\n", *src, origin)
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Server serves a built site from memory.
type Server struct {
	API http.Handler

	mu      sync.RWMutex
	files   map[string][]byte // by URL path
	headers []theme.Header
}

// Build renders the site under src into memory and, when it succeeds,
// starts serving it. On failure the previous site keeps being served.
func (s *Server) Build(src string, opts site.Options) error {
	st, err := site.Load(src, opts)
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	for _, o := range st.Outputs() {
		b, err := o.Render()
		if err != nil {
			return err
		}
		files["/"+o.Path] = b
	}
	s.mu.Lock()
	s.files, s.headers = files, st.Theme.Headers
	s.mu.Unlock()
	return nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	files, headers := s.files, s.headers
	s.mu.RUnlock()
	for _, h := range headers {
		w.Header().Set(h.Name, h.Value)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") && s.API != nil {
		s.API.ServeHTTP(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	b, ok := files[p]
	status := http.StatusOK
	if !ok {
		if _, dir := files[p+"/index.html"]; dir {
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
		status, p = http.StatusNotFound, notFoundPage(files, r.URL.Path)
		b = files[p]
	}
	ctype := mime.TypeByExtension(path.Ext(p))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		io.Copy(w, bytes.NewReader(b))
	}
}

// notFoundPage picks the 404 page in the language the path starts with.
func notFoundPage(files map[string][]byte, urlPath string) string {
	lang, _, _ := strings.Cut(strings.TrimPrefix(urlPath, "/"), "/")
	if _, ok := files["/"+lang+"/404.html"]; ok && lang != "" {
		return "/" + lang + "/404.html"
	}
	for p := range files {
		if strings.HasSuffix(p, "/404.html") {
			return p
		}
	}
	return "/404.html"
}
