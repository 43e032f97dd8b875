package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pelqim/content"
)

func writeConfig(t *testing.T, config string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "content"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ConfigFile), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

const minimalConfig = "defaultLanguage: sq\nbaseURL: https://example.com/\nstore: https://example.com/\ntitle: {sq: T}\nlanguages:\n  - {code: sq, name: Shqip, locale: sq_AL}\n"

// TestPeriodDefaults: a configuration that leaves a period out gets its
// default, not 0 (a choice outdated as soon as made, records expiring at
// once).
func TestPeriodDefaults(t *testing.T) {
	for _, tt := range []struct{ name, blocks string }{
		{"no blocks", ""},
		{"blocks without the periods", "consent:\n  consentMode: false\nrequests: {}\n"},
		{"empty blocks", "consent:\nrequests:\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ReadConfig(writeConfig(t, minimalConfig+tt.blocks))
			if c == nil || err != nil {
				t.Fatalf("ReadConfig: %v", err)
			}
			if c.Consent.ReconsentDays != content.DefaultReconsent || c.Consent.RetentionDays != content.DefaultRetention ||
				c.Requests.RetentionDays != content.DefaultRetention {
				t.Errorf("periods %d, %d, %d, want %d, %d, %d", c.Consent.ReconsentDays, c.Consent.RetentionDays, c.Requests.RetentionDays,
					content.DefaultReconsent, content.DefaultRetention, content.DefaultRetention)
			}
		})
	}
}

// TestPeriodBounds: each period out of its bounds is reported at its line.
func TestPeriodBounds(t *testing.T) {
	for _, tt := range []struct{ blocks, want string }{
		{"consent:\n  reconsentDays: 0\n", "config.yaml:9: consent.reconsentDays must be between 1 and 390"},
		{"consent:\n  reconsentDays: 391\n", "config.yaml:9: consent.reconsentDays must be between 1 and 390"},
		{"consent:\n  retentionDays: 36501\n", "config.yaml:9: consent.retentionDays must be between 1 and 36500"},
		{"requests:\n  retentionDays: -1\n", "config.yaml:9: requests.retentionDays must be between 1 and 36500"},
		{"requests:\n  retentionDays: many\n", "config.yaml:9: cannot unmarshal"},
	} {
		_, err := ReadConfig(writeConfig(t, minimalConfig+"\n"+tt.blocks))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.blocks, err, tt.want)
		}
	}
}

// TestOrigins: consent.origins are origins as browsers send them; anything
// else is reported at its line.
func TestOrigins(t *testing.T) {
	c, err := ReadConfig(writeConfig(t, minimalConfig+"consent:\n  origins: [https://Shop.example/, https://127.0.0.2:8443]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Consent.Origins, " "); got != "https://shop.example https://127.0.0.2:8443" {
		t.Errorf("origins %q", got)
	}
	_, err = ReadConfig(writeConfig(t, minimalConfig+"consent:\n  origins:\n    - https://shop.example\n    - https://shop.example/cart\n"))
	if err == nil || !strings.Contains(err.Error(), `config.yaml:10: consent.origins: "https://shop.example/cart" is not an origin`) {
		t.Errorf("a URL with a path: %v", err)
	}
	_, err = ReadConfig(writeConfig(t, minimalConfig+"consent:\n  origins: [http://shop.example]\n"))
	if err == nil || !strings.Contains(err.Error(), `config.yaml:8: consent.origins: "http://shop.example": the shop's pages are served over https://`) {
		t.Errorf("an http origin: %v", err)
	}
}
