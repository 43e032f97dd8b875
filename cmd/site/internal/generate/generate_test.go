package generate

import (
	"bytes"
	"flag"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pelqim/cmd/site/internal/site"
	"pelqim/content"
)

var update = flag.Bool("update", false, "rewrite the generated files of the repository")

const repo = "../../../.."

func repoFiles(t *testing.T) []File {
	t.Helper()
	s, err := site.Load(repo, site.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files(s)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestFresh: the generated files in the repository are what their sources
// make now (go test ./cmd/site/internal/generate -update rewrites them).
func TestFresh(t *testing.T) {
	files := repoFiles(t)
	if *update {
		if err := Write(repo, files); err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range Stale(repo, files) {
		t.Error(err)
	}
}

// TestGeneratedFiles: each file says in its first line that it is
// generated (the form go tools recognize), parses as Go, and carries the
// function's strings in every language and nothing else of the theme.
func TestGeneratedFiles(t *testing.T) {
	for _, f := range repoFiles(t) {
		first, _, _ := bytes.Cut(f.Data, []byte("\n"))
		if !bytes.HasPrefix(first, []byte("// Code generated ")) || !bytes.HasSuffix(first, []byte(" DO NOT EDIT.")) {
			t.Errorf("%s: first line %q", f.Path, first)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), f.Path, f.Data, 0); err != nil {
			t.Errorf("%s: %v", f.Path, err)
		}
	}
	for _, l := range content.Languages {
		if content.Text[l]["req_type_erase"] == "" || content.Text[l]["months"] == "" {
			t.Errorf("%s: the function's strings are missing", l)
		}
		for k := range content.Text[l] {
			if !FunctionText(k) {
				t.Errorf("%s: %q is not one of the function's strings", l, k)
			}
		}
	}
}

// TestStale: a generated file edited by hand, or missing, is reported
// with the command that mends it; matching files are not.
func TestStale(t *testing.T) {
	files := repoFiles(t)
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "content"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(root, files); err != nil {
		t.Fatal(err)
	}
	if errs := Stale(root, files); len(errs) != 0 {
		t.Fatalf("fresh files reported: %v", errs)
	}
	edited := filepath.Join(root, filepath.FromSlash(FactsFile))
	if err := os.WriteFile(edited, bytes.Replace(files[0].Data, []byte(`"sq"`), []byte(`"sx"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, filepath.FromSlash(TextFile))); err != nil {
		t.Fatal(err)
	}
	errs := Stale(root, files)
	if len(errs) != 2 || !strings.HasPrefix(errs[0].Error(), FactsFile+": ") || !strings.Contains(errs[1].Error(), Command) {
		t.Errorf("stale files reported as %v", errs)
	}
}
