package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		sizes   []int
		wantErr string
	}{
		{args: nil, sizes: []int{10, 1000, 10000}},
		{args: []string{"-sizes", "5, 7", "-only", "ours"}, sizes: []int{5, 7}},
		{args: []string{"-sizes", "1"}, wantErr: "at least 2"},
		{args: []string{"-sizes", "10,x"}, wantErr: "at least 2"},
		{args: []string{"-runs", "0"}, wantErr: "-runs"},
		{args: []string{"-only", "jekyll"}, wantErr: "want ours or hugo"},
		{args: []string{"extra"}, wantErr: "unexpected argument"},
		{args: []string{"-nope"}, wantErr: "not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			o, err := parse(tt.args, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(o.sizes, tt.sizes) {
				t.Fatalf("sizes %v, err %v; want %v", o.sizes, err, tt.sizes)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		in   []sample
		want figures
	}{
		{[]sample{{5 * ms, 8 * ms, 6 * ms, 10}}, figures{wall: 5 * ms, cpu: 8 * ms, user: 6 * ms, rss: 10}},
		{[]sample{{9 * ms, 1 * ms, 1 * ms, 1}, {1 * ms, 7 * ms, 5 * ms, 30}, {4 * ms, 3 * ms, 2 * ms, 2}}, figures{wall: 4 * ms, cpu: 3 * ms, user: 2 * ms, rss: 2}},
		{[]sample{{9 * ms, 0, 0, 1}, {1 * ms, 0, 0, 3}, {4 * ms, 0, 0, 2}, {6 * ms, 2 * ms, 2 * ms, 7}}, figures{wall: 5 * ms, rss: 2}},
	}
	for _, tt := range tests {
		if got := summarize(tt.in); got != tt.want {
			t.Errorf("summarize(%v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestOutputCountsPagesPerLanguage(t *testing.T) {
	dir := t.TempDir()
	for rel, body := range map[string]string{
		"index.html":          "root",
		"sq/index.html":       "home",
		"sq/a/index.html":     "a",
		"sq/404.html":         "not a page",
		"en/index.html":       "home",
		"assets/site.css":     "not html",
		"sr/b/c/index.html":   "deep",
		"sr/sitemap.xml":      "not html",
		"sr/b/c/picture.html": "html",
	} {
		if err := writeFile(filepath.Join(dir, rel), []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	pages, html, err := output(dir)
	if err != nil {
		t.Fatal(err)
	}
	if pages["sq"] != 2 || pages["en"] != 1 || pages["sr"] != 1 {
		t.Errorf("pages = %v, want sq 2, en 1, sr 1", pages)
	}
	if want := int64(len("root" + "home" + "a" + "not a page" + "home" + "deep" + "html")); html != want {
		t.Errorf("html bytes = %d, want %d", html, want)
	}
}

// The Hugo project gets the same Markdown as ours, its home page renamed.
func TestWriteSites(t *testing.T) {
	repo := t.TempDir()
	for rel, body := range map[string]string{
		"content/config.yaml":                 "baseURL: https://example.org/\n",
		"content/data/cookies.yaml":           "[]\n",
		"themes/default/layouts/base.html":    "{{.}}",
		"themes/default/assets/css/site.css":  "body{}",
		"themes/default/assets/js/banner.js":  "void 0",
		"content/sq/not-copied-from-repo.md":  "the corpus replaces the real pages",
		"themes/default/i18n/sq.yaml":         "a: b\n",
		"themes/default/assets/css/print.css": "@media print{}",
	} {
		if err := writeFile(filepath.Join(repo, rel), []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	ours, hugo, err := writeSites(dir, repo, corpus{pages: 3, seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	same := [][2]string{
		{"content/config.yaml", "content/config.yaml"},
		{"content/data/cookies.yaml", "content/data/cookies.yaml"},
		{"themes/default/layouts/base.html", "themes/default/layouts/base.html"},
		{"themes/default/assets/css/print.css", filepath.Join(hugo, "assets/css/print.css")},
		{filepath.Join(ours, "content/en/index.md"), filepath.Join(hugo, "content/en/_index.md")},
		{filepath.Join(ours, "content/sr/strana-00002.md"), filepath.Join(hugo, "content/sr/strana-00002.md")},
	}
	for _, pair := range same {
		a, b := pair[0], pair[1]
		if !filepath.IsAbs(a) {
			a = filepath.Join(repo, a)
		}
		if !filepath.IsAbs(b) {
			b = filepath.Join(ours, b)
		}
		if !bytes.Equal(read(t, a), read(t, b)) {
			t.Errorf("%s and %s differ", a, b)
		}
	}
	if _, err := os.Stat(filepath.Join(ours, "content/sq/not-copied-from-repo.md")); err == nil {
		t.Error("the repository's own pages leaked into the corpus")
	}
	if _, err := os.Stat(filepath.Join(hugo, "content/sq/404.md")); err == nil {
		t.Error("Hugo got a 404.md; it makes its not-found pages from layouts/404.html")
	}
	for _, rel := range []string{"hugo.yaml", "layouts/baseof.html", "layouts/_partials/footer.html", "i18n/sq.yaml", "data/cookies.yaml"} {
		read(t, filepath.Join(hugo, rel))
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRunOurs runs the whole benchmark once, small, with our generator only:
// building Hugo takes minutes, ours seconds. It builds ./cmd/site and the
// repository's real site.
func TestRunOurs(t *testing.T) {
	var stdout, stderr bytes.Buffer
	keep := t.TempDir()
	err := Run([]string{"-only", "ours", "-sizes", "10", "-runs", "1", "-real", "1", "-keep", keep}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	row := regexp.MustCompile(`(?m)^ +10 +30 \| +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ \| +- +- +- +- \|`)
	if !row.MatchString(stdout.String()) {
		t.Errorf("no row for 10 pages per language with our figures:\n%s", stdout.String())
	}
	if !strings.Contains(stdout.String(), "real site (this repository") {
		t.Errorf("no real-site line:\n%s", stdout.String())
	}
	starts := regexp.MustCompile(`\(startfloor\) [0-9.]+ ms; site build -h [0-9.]+ ms`)
	if !starts.MatchString(stdout.String()) {
		t.Errorf("no start-up figures beside the real site:\n%s", stdout.String())
	}
	read(t, filepath.Join(keep, "pages-10/public-ours-1/sq/index.html"))
	read(t, filepath.Join(keep, "pages-10/ours/content/en/page-00009.md"))
}

// TestWriteFloor: the floor is timed, and writes the output's files anew
// beside it (removed later with the work folder).
func TestWriteFloor(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	for _, rel := range []string{"index.html", "sq/a/index.html", "sq/b/index.html", "assets/site.css"} {
		if err := writeFile(filepath.Join(out, rel), bytes.Repeat([]byte("x"), 100)); err != nil {
			t.Fatal(err)
		}
	}
	d, err := writeFloor(out)
	if err != nil || d <= 0 {
		t.Fatalf("writeFloor = %v, %v", d, err)
	}
	for _, rel := range []string{"index.html", "sq/a/index.html", "sq/b/index.html", "assets/site.css"} {
		fi, err := os.Stat(filepath.Join(out+"-floor", rel))
		if err != nil {
			t.Errorf("floor copy of %s: %v", rel, err)
		} else if fi.Size() != 100 {
			t.Errorf("floor copy of %s: %d bytes, want 100", rel, fi.Size())
		}
	}
}
