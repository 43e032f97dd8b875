package serve

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// git runs git in dir, failing the test with its output.
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s (git is needed: apt-get install git)", args, err, out)
	}
}

// TestBurst: a git checkout that adds or removes a hundred pages is one
// rebuild. The debounce is longer than the default so that the test does
// not depend on how fast git runs on a busy machine.
func TestBurst(t *testing.T) {
	const n = 100
	dir := copySite(t)
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "site")
	git(t, dir, "checkout", "-q", "-b", "burst")
	var files []string
	for i := range n {
		f := fmt.Sprintf("content/en/burst-%03d.md", i)
		files = append(files, f)
		slug := fmt.Sprintf("burst-%03d", i)
		if err := os.WriteFile(filepath.Join(dir, f), []byte(page("Burst "+slug, slug)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "a hundred pages")
	git(t, dir, "checkout", "-q", "main")

	p := startPreview(t, dir, 300*time.Millisecond)
	before := p.srv.Rebuilds()

	git(t, dir, "checkout", "-q", "burst")
	ev, rb := p.nextReload()
	for i, f := range files {
		url := fmt.Sprintf("/en/burst-%03d/", i)
		if !has(rb.Files, f) || !has(ev.Changed, url) {
			t.Fatalf("the first rebuild after the checkout lacks %s (%d files, %d changed)", f, len(rb.Files), len(ev.Changed))
		}
	}
	p.page("/en/burst-099/")

	git(t, dir, "checkout", "-q", "main")
	ev, rb = p.nextReload()
	if !has(ev.Changed, "/en/burst-000/") || !has(ev.Changed, "/en/burst-099/") || len(rb.Files) < n {
		t.Fatalf("checking out main again: %d files, changed %v", len(rb.Files), ev.Changed)
	}

	// One more edit shows that no rebuild trailed the bursts.
	p.edit("content/en/privacy.md", "## 1. Security", "After the bursts.\n\n## 1. Security")
	p.nextReload()
	if got := p.srv.Rebuilds() - before; got != 3 {
		t.Errorf("two checkouts and an edit made %d rebuilds, want 3", got)
	}
	p.matchesFullBuild()
}
