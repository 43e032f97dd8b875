package content

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

// TestReconsentDaysDefault: a configuration that leaves reconsentDays out
// gets DefaultReconsentDays, not 0 (a choice outdated as soon as made).
func TestReconsentDaysDefault(t *testing.T) {
	for _, tt := range []struct{ name, consent string }{
		{"no consent block", ""},
		{"consent block without it", "consent:\n  api: /api/consent\n"},
		{"empty consent block", "consent:\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			config := "defaultLanguage: sq\nbaseURL: https://example.com/\nstore: https://example.com/\ntitle: {sq: T}\nlanguages:\n  - {code: sq, name: Shqip, locale: sq_AL}\n" + tt.consent
			if err := os.MkdirAll(filepath.Join(root, "content"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, ConfigFile), []byte(config), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := ReadConfig(root)
			if c == nil {
				t.Fatalf("ReadConfig: %v", err)
			}
			if err != nil {
				t.Errorf("ReadConfig: %v", err)
			}
			if got := c.Consent.ReconsentDays; got != DefaultReconsentDays {
				t.Errorf("reconsentDays = %d, want %d (%v)", got, DefaultReconsentDays, err)
			}
		})
	}
}
