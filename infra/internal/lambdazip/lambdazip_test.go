package lambdazip

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const hello = "./testdata/hello"

func build(t *testing.T, pkg string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "fn.zip")
	if _, err := Build(context.Background(), ".", pkg, out); err != nil {
		t.Fatal(err)
	}
	z, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestBuildIsReproducible(t *testing.T) {
	a := build(t, hello)
	t.Setenv("GOCACHE", t.TempDir()) // compile everything again, not from the cache
	b := build(t, hello)
	if !bytes.Equal(a, b) {
		t.Fatalf("two builds differ: %d and %d bytes", len(a), len(b))
	}
	info, err := Check(a)
	if err == nil {
		err = info.Budget()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hello: bootstrap %d bytes, zip %d bytes", info.BootstrapSize, info.ZipSize)
}

func TestZipLayout(t *testing.T) {
	z, err := Zip([]byte("exe"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	f := zr.File[0]
	if len(zr.File) != 1 || f.Name != "bootstrap" || f.Mode().Perm() != 0o755 || !f.Modified.Equal(epoch) {
		t.Fatalf("entry %q mode %v time %v, want bootstrap 0755 %v", f.Name, f.Mode(), f.Modified, epoch)
	}
}

// exe reads the bootstrap out of a zip.
func exe(t *testing.T, z []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(rc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCheckRefuses(t *testing.T) {
	good := exe(t, build(t, hello))

	amd64 := filepath.Join(t.TempDir(), "amd64")
	cmd := exec.Command("go", "build", "-o", amd64, hello)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build amd64: %v\n%s", err, out)
	}
	x86, err := os.ReadFile(amd64)
	if err != nil {
		t.Fatal(err)
	}
	dynamic, err := os.ReadFile("/bin/sh") // any distribution binary: dynamically linked
	if err != nil {
		t.Fatal(err)
	}
	twoEntries := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range []string{"bootstrap", "extra"} {
			h := &zip.FileHeader{Name: n}
			h.SetMode(0o755)
			w, _ := zw.CreateHeader(h)
			w.Write(good)
		}
		zw.Close()
		return buf.Bytes()
	}()
	notExec := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("bootstrap")
		w.Write(good)
		zw.Close()
		return buf.Bytes()
	}()
	zipped := func(b []byte) []byte {
		z, err := Zip(b)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	for _, tc := range []struct {
		name, want string
		zip        []byte
	}{
		{"not a zip", "read zip", []byte("PK?")},
		{"two entries", "one entry", twoEntries},
		{"not executable", "not executable", notExec},
		{"not ELF", "not ELF", zipped([]byte("#!/bin/sh\n"))},
		{"x86-64", "EM_X86_64", zipped(x86)},
		{"dynamic", "dynamically linked", zipped(dynamic)},
		{"over budget", "budget", zipped(append(good, make([]byte, MaxBootstrap)...))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Check(tc.zip)
			if err == nil {
				err = info.Budget()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
