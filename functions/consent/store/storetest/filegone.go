package storetest

import (
	"os"
	"path/filepath"
	"testing"
)

// FileGone are the ways a local store's file goes from under a process
// that holds it open, each given the file's path: the process would go on
// writing to a file no path names. Tests of the bolt store and of serve's
// handler run each.
var FileGone = []struct {
	Name string
	Do   func(t testing.TB, path string)
}{
	{"deleted", func(t testing.TB, path string) {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}},
	{"replaced by a copy", func(t testing.TB, path string) {
		// As a restore from a backup does: a new file renamed over it.
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+".new", b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
	}},
	{"folder moved", func(t testing.TB, path string) {
		if err := os.Rename(filepath.Dir(path), filepath.Dir(path)+"-old"); err != nil {
			t.Fatal(err)
		}
	}},
}
