package site

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const fixture = "testdata/fixture"

// files reads every file under dir, keyed by slash-separated relative path.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func build(t *testing.T, src string) (string, Stats) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	st, err := Build(src, out, Options{})
	if err != nil {
		t.Fatalf("build %s: %v", src, err)
	}
	return out, st
}

// TestGolden compares the fixture site's whole output with testdata/golden.
// Run `go test ./cmd/site/internal/site -update` after an intended change.
func TestGolden(t *testing.T) {
	out, _ := build(t, fixture)
	got := files(t, out)
	const golden = "testdata/golden"
	if *update {
		os.RemoveAll(golden)
		for name, b := range got {
			p := filepath.Join(golden, filepath.FromSlash(name))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := files(t, golden)
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: missing from the output", name)
		} else if !bytes.Equal(g, w) {
			t.Errorf("%s differs from the golden file (run with -update if intended)\ngot:  %s\nwant: %s", name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: not in the golden files (run with -update if intended)", name)
		}
	}
}

// TestHostileInputIsEscaped: the fixture's policy page carries raw HTML,
// script in its title and data, and javascript: links in every spelling.
// None of it may become an element, an attribute or a live URL.
func TestHostileInputIsEscaped(t *testing.T) {
	out, _ := build(t, fixture)
	for name, b := range files(t, out) {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		z := html.NewTokenizer(bytes.NewReader(b))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			tok := z.Token()
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			if tok.Data == "img" || tok.Data == "b" || (tok.Data == "script" && !hasAttr(tok, "src")) {
				t.Errorf("%s: a <%s> element from the input reached the output", name, tok.Data)
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(a.Key, "on") || strings.Contains(strings.ToLower(a.Val), "javascript:") {
					t.Errorf("%s: <%s %s=%q>", name, tok.Data, a.Key, a.Val)
				}
				if tok.Data == "a" && a.Key == "href" && a.Val == "" {
					t.Errorf("%s: a dangerous link became <a href>", name)
				}
			}
		}
	}
}

func hasAttr(tok html.Token, key string) bool {
	for _, a := range tok.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func TestDeterministic(t *testing.T) {
	a, _ := build(t, fixture)
	b, _ := build(t, fixture)
	fa, fb := files(t, a), files(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("%d files, then %d", len(fa), len(fb))
	}
	for name, x := range fa {
		if !bytes.Equal(x, fb[name]) {
			t.Errorf("%s differs between two builds", name)
		}
	}
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// TestRebuildKeepsUnchangedFiles: a file whose bytes did not change is not
// written again (same inode), so a deploy uploads only what changed.
func TestRebuildKeepsUnchangedFiles(t *testing.T) {
	src := copyTree(t, fixture)
	out, _ := build(t, src)
	home, policy := filepath.Join(out, "en/index.html"), filepath.Join(out, "en/privacy/index.html")
	homeIno, policyIno := inode(t, home), inode(t, policy)

	edit(t, filepath.Join(src, "content/en/privacy.md"), "Text.", "Changed text.")
	st, err := Build(src, out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inode(t, home) != homeIno {
		t.Error("en/index.html was rewritten though it did not change")
	}
	if inode(t, policy) == policyIno {
		t.Error("en/privacy/index.html was not rewritten though it changed")
	}
	if st.Written != 1 || st.Kept != st.Files-1 {
		t.Errorf("stats = %+v, want 1 written and the rest kept", st)
	}
}

// TestFailedBuildKeepsOutput: a broken input leaves the previous output
// exactly as it was, and no staging folder behind.
func TestFailedBuildKeepsOutput(t *testing.T) {
	src := copyTree(t, fixture)
	out, _ := build(t, src)
	before := files(t, out)
	for _, breakIt := range []func(){
		func() { edit(t, filepath.Join(src, "content/en/privacy.md"), "title: Privacy", "title: [Privacy") },
		func() {
			edit(t, filepath.Join(src, "content/en/privacy.md"), "title: [Privacy", "title: Privacy")
			edit(t, filepath.Join(src, "themes/default/layouts/base.html"), "{{.T \"updated\"}}", "{{.T \"no_such_key\"}}")
		},
	} {
		breakIt()
		if _, err := Build(src, out, Options{}); err == nil {
			t.Fatal("build of a broken site succeeded")
		}
		after := files(t, out)
		if len(after) != len(before) {
			t.Fatalf("output has %d files after a failed build, %d before", len(after), len(before))
		}
		for name, b := range before {
			if !bytes.Equal(after[name], b) {
				t.Errorf("%s changed after a failed build", name)
			}
		}
		if m, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".public.tmp-*")); len(m) > 0 {
			t.Errorf("staging folders left behind: %v", m)
		}
	}
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	if err := os.WriteFile(file, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBuildRefusesToReplace: the build replaces its output folder whole, so
// it refuses one that holds the sources, lies in them, is a file, or is a
// folder with something other than a built site in it; those stay as they
// were.
func TestBuildRefusesToReplace(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	write := func(rel, data string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notes := write("notes.txt", "keep me")
	other := filepath.Dir(write("other/keep.txt", "keep me too"))
	for _, c := range []struct{ out, want string }{
		{root, "would replace the site's sources"},
		{filepath.Dir(root), "would replace the site's sources"},
		{filepath.Join(root, "content"), "would replace the site's sources"},
		{filepath.Join(root, "themes", "default", "public"), "would replace the site's sources"},
		{notes, "is not a folder"},
		{other, "is not a built site"},
	} {
		_, err := Build(root, c.out, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("-out %s: %v, want an error saying %q", c.out, err, c.want)
		}
	}
	for _, p := range []string{notes, filepath.Join(other, "keep.txt"), filepath.Join(root, "content")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s is gone: %v", p, err)
		}
	}
	// A built site, or an empty folder, is replaced; the site's folder is
	// readable by the web server.
	out := filepath.Join(root, "public")
	for range 2 {
		if _, err := Build(root, out, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("output folder mode %v (%v), want 0755", fi.Mode().Perm(), err)
	}
}

// TestBaseURLFlag: -baseURL is held to what the configured one is: an
// http(s) origin and the root path, nothing else.
func TestBaseURLFlag(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"https://example.com/", true},
		{"http://127.0.0.1:1313/", true},
		{"https://example.com/sub/", false},
		{"https://example.com/#f", false},
		{"https://example.com/?utm=1", false},
		{"ftp://example.com/", false},
		{"javascript://example.com/", false},
		{"example.com", false},
	} {
		_, err := Build(fixture, filepath.Join(t.TempDir(), "public"), Options{BaseURL: c.url})
		if (err == nil) != c.ok {
			t.Errorf("-baseURL %s: %v, want ok %v", c.url, err, c.ok)
		}
	}
}

// TestBuildThroughSymlink: an output folder that is a link gets the site
// where it points, and stays a link; a staging folder a killed build left
// there long ago is removed.
func TestBuildThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "www"), filepath.Join(dir, "public")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".www.tmp-123")
	if err := os.Mkdir(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(fixture, link, Options{}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("public is no longer a link: %v", err)
	}
	if _, err := os.Stat(filepath.Join(target, "sitemap.xml")); err != nil {
		t.Errorf("the site is not where the link points: %v", err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the old staging folder is still there: %v", err)
	}
}

// TestDeps: a page depends on its translations, the home pages it links
// to and the policy, whose version it carries. When the layouts may link to
// any page, every page depends on every page, through one shared list.
func TestDeps(t *testing.T) {
	s, err := Load(fixture, Options{})
	if err != nil {
		t.Fatal(err)
	}
	deps := map[string][]string{}
	for _, o := range s.Outputs() {
		deps[o.Path] = o.Deps
	}
	want := map[string][]string{
		"en/privacy/index.html": {"content/en/privacy.md", "content/sq/privatesia.md", "content/en/index.md", "content/sq/index.md"},
		"sq/index.html":         {"content/sq/index.md", "content/en/index.md", "content/sq/privatesia.md"},
	}
	for path, w := range want {
		got := slices.Sorted(slices.Values(deps[path]))
		if slices.Sort(w); !slices.Equal(got, w) {
			t.Errorf("%s: deps %q, want %q", path, got, w)
		}
	}

	s.Theme.LinksAnyPage = true
	var first []string
	for _, o := range s.Outputs() {
		if o.Page == nil {
			continue
		}
		if len(o.Deps) != 4 {
			t.Errorf("%s: deps %q, want all 4 pages", o.Path, o.Deps)
		}
		if first == nil {
			first = o.Deps
		} else if &o.Deps[0] != &first[0] {
			t.Errorf("%s: a list of its own; want the one list all pages share", o.Path)
		}
	}
}
