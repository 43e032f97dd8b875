package outdir

import (
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
)

// build writes a two-file site into out through a Dir.
func build(t *testing.T, out, version string) {
	t.Helper()
	d, err := Create(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.html", "sitemap.xml"} {
		if err := d.Write(f, []byte(version)); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestCommitNeverMissing rebuilds while another goroutine keeps reading the
// output, as a server or a sync would: on Linux it must always find a site.
func TestCommitNeverMissing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the one-step swap is Linux's RENAME_EXCHANGE; elsewhere Commit renames twice")
	}
	out := filepath.Join(t.TempDir(), "public")
	build(t, out, "v0")
	var stop, missing atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for stop.Load() == 0 {
			if _, err := os.Stat(filepath.Join(out, "index.html")); err != nil {
				missing.Add(1)
			}
		}
	}()
	for i := range 300 {
		build(t, out, string(rune('a'+i%26)))
	}
	stop.Store(1)
	<-done
	if n := missing.Load(); n > 0 {
		t.Errorf("the output was missing %d times while it was rebuilt", n)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("beside the output: %v, want only public (no staging folders left)", entries)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "sitemap.xml")); string(b) != string(rune('a'+299%26)) {
		t.Errorf("sitemap.xml = %q after the last build", b)
	}
}

// TestCommitFirstBuild: with no previous output there is nothing to swap
// with, and the staged folder is renamed into place.
func TestCommitFirstBuild(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sub", "public")
	build(t, out, "v1")
	if b, err := os.ReadFile(filepath.Join(out, "index.html")); err != nil || string(b) != "v1" {
		t.Errorf("index.html = %q, %v", b, err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("output folder: %v, %v; want mode 0755", fi, err)
	}
}
