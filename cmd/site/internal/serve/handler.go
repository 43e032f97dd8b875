package serve

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

// ServeHTTP serves the site, /api/ through the function's handler, and the
// preview's own client and event stream under /_pelqim/, every response
// with the headers the CDN sends.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	for _, h := range s.headers {
		w.Header().Set(h.Name, h.Value)
	}
	s.mu.RUnlock()
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/api/") && s.opts.API != nil:
		s.opts.API.ServeHTTP(w, r)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	case p == eventsPath:
		s.serveEvents(w, r)
	case strings.HasPrefix(p, clientPrefix):
		s.serveClient(w, r)
	default:
		s.serveSite(w, r)
	}
}

// serveClient serves the reload script, its worker and the error styles.
func (s *Server) serveClient(w http.ResponseWriter, r *http.Request) {
	b, ok := clientFiles()[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	write(w, r, http.StatusOK, r.URL.Path, b)
}

// clientFiles are the preview's own files by URL path. The page script
// starts its worker at an address that names the client's version: a
// shared worker lives while any page uses it, so after an upgrade, pages
// with the new script would otherwise join a worker of the old one.
var clientFiles = sync.OnceValue(func() map[string][]byte {
	files := map[string][]byte{}
	h := sha256.New()
	for _, name := range []string{ClientScript, clientWorker, clientStyle} {
		b, err := client.ReadFile("client/" + strings.TrimPrefix(name, clientPrefix))
		if err != nil {
			panic(err) // embedded: a build error
		}
		files[name] = b
		h.Write(b)
	}
	versioned := fmt.Sprintf("%s?v=%x", clientWorker, h.Sum(nil)[:6])
	files[ClientScript] = bytes.Replace(files[ClientScript], []byte(`"`+clientWorker+`"`), []byte(`"`+versioned+`"`), 1)
	return files
})

// serveSite serves the built site. While the site is broken, pages are
// the error page; other files are still the last good ones.
func (s *Server) serveSite(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	name := strings.TrimPrefix(p, "/")
	s.mu.RLock()
	b, ok := s.files[name]
	_, isDir := s.files[name+"/index.html"]
	broken, loaded, build := s.broken, s.loaded, s.build
	status := http.StatusOK
	if !ok && !isDir {
		status, name = http.StatusNotFound, notFoundPage(s.files, name)
		b = s.files[name]
	}
	s.mu.RUnlock()
	// The build a page comes from, which the reload client reads from its
	// navigation timing: a page loaded while a rebuild went out, before its
	// event stream was open, sees that it is behind.
	w.Header().Set("Server-Timing", fmt.Sprintf("pelqim-build;desc=%d", build))
	switch {
	case broken != nil && (isPage(name) || isDir || !loaded):
		s.serveErrors(w, r, broken)
	case isDir && !ok:
		http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
	default:
		write(w, r, status, name, b)
	}
}

// isPage tells whether a request for name is one for a page, which gets
// the error page while the site is broken.
func isPage(name string) bool {
	ext := path.Ext(name)
	return ext == ".html" || ext == ""
}

func write(w http.ResponseWriter, r *http.Request, status int, name string, b []byte) {
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// notFoundPage picks the 404 page in the language the path starts with.
func notFoundPage(files map[string][]byte, name string) string {
	lang, _, _ := strings.Cut(name, "/")
	if _, ok := files[lang+"/404.html"]; ok && lang != "" {
		return lang + "/404.html"
	}
	for p := range files {
		if strings.HasSuffix(p, "/404.html") {
			return p
		}
	}
	return "404.html"
}

// errorPage shows the build errors in place of a page; it runs the reload
// client, which reloads it once the site builds again.
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en" data-pelqim-error>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build error · site serve</title>
<link rel="stylesheet" href="{{.Style}}">
<script src="{{.Script}}" defer></script>
</head>
<body class="pelqim-error-page">
<main role="alert">
<p class="pelqim-title">The site did not build. Fix this and the page reloads:</p>
<pre class="pelqim-errors">{{range .Errors}}{{.}}
{{end}}</pre>
</main>
</body>
</html>
`))

func (s *Server) serveErrors(w http.ResponseWriter, r *http.Request, errs []string) {
	var buf bytes.Buffer
	errorPage.Execute(&buf, struct {
		Style, Script string
		Errors        []string
	}{clientStyle, ClientScript, errs})
	write(w, r, http.StatusInternalServerError, "error.html", buf.Bytes())
}
