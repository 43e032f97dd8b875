package rawfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// TestReadWrite: what Write writes, Read and os.ReadFile read back, at
// sizes around Read's first buffer; errors are os's.
func TestReadWrite(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 1 << 20} {
		data := bytes.Repeat([]byte("ë"), n)[:n]
		path := filepath.Join(dir, "f")
		if err := Write(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for name, read := range map[string]func(string) ([]byte, error){"Read": Read, "os.ReadFile": os.ReadFile} {
			got, err := read(path)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%d bytes: %s read %d bytes, %v", n, name, len(got), err)
			}
		}
	}
	os.WriteFile(filepath.Join(dir, "os"), nil, 0o644)
	ours, _ := os.Stat(filepath.Join(dir, "f"))
	theirs, _ := os.Stat(filepath.Join(dir, "os"))
	if ours.Mode() != theirs.Mode() {
		t.Errorf("mode %v, os.WriteFile's %v", ours.Mode(), theirs.Mode())
	}
	// Write truncates.
	path := filepath.Join(dir, "f")
	if err := Write(path, []byte("short"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := Read(path); string(got) != "short" {
		t.Errorf("after a shorter write: %q", got)
	}
	if _, err := Read(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) || !isPathError(err, "open") {
		t.Errorf("missing file: %v", err)
	}
	if err := Write(filepath.Join(dir, "no", "f"), nil, 0o644); !errors.Is(err, fs.ErrNotExist) || !isPathError(err, "open") {
		t.Errorf("missing folder: %v", err)
	}
	if _, err := Read(dir); err == nil {
		t.Error("reading a folder: no error")
	}
	// Files in /proc report size 0 and still have contents.
	if runtime.GOOS == "linux" {
		if b, err := Read("/proc/self/status"); err != nil || !bytes.Contains(b, []byte("Name:")) {
			t.Errorf("/proc/self/status: %q, %v", b, err)
		}
	}
}

func isPathError(err error, op string) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Op == op
}

// TestEqual holds Equal to bytes.Equal of the file's contents, for files
// shorter, longer and as long as the data, around the size of a read.
func TestEqual(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	for _, n := range []int{0, 1, 32<<10 - 1, 32 << 10, 32<<10 + 1, 100 << 10} {
		file := bytes.Repeat([]byte("ab"), n)[:n]
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, data := range [][]byte{file, file[:n/2], append(slices.Clone(file), 'x'), nil} {
			changed := slices.Clone(data)
			if len(changed) > 0 {
				changed[len(changed)-1] ^= 1
			}
			for _, d := range [][]byte{data, changed} {
				got, err := Equal(path, d)
				if want := bytes.Equal(file, d); got != want || err != nil {
					t.Errorf("file of %d bytes, data of %d: Equal %v, %v; want %v", n, len(d), got, err, want)
				}
			}
		}
	}
	if _, err := Equal(filepath.Join(dir, "missing"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if same, _ := Equal(dir, nil); same {
		t.Error("a folder equals empty data")
	}
	// A file longer than its size says (Linux's /proc: size 0) is not
	// empty data: Equal reads past the size it was told.
	if runtime.GOOS == "linux" {
		if same, err := Equal("/proc/self/status", nil); same || err != nil {
			t.Errorf("/proc/self/status: Equal to no data %v, %v", same, err)
		}
	}
}
