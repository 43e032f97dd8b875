package source

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestPolicyVersionIgnoresLineEndings: the same policy with CRLF line
// endings (a Windows checkout) has the same version.
func TestPolicyVersionIgnoresLineEndings(t *testing.T) {
	const fixture = "../site/testdata/fixture"
	lf, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(root, filepath.FromSlash(lf.Page(lf.Config.DefaultLanguage, PolicyKey).File))
	b, err := os.ReadFile(policy)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policy, bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	crlf, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if lf.PolicyVersion == "" || crlf.PolicyVersion != lf.PolicyVersion {
		t.Errorf("policy version %q with LF, %q with CRLF", lf.PolicyVersion, crlf.PolicyVersion)
	}
}
