package records

import (
	"strings"
	"testing"
	"unicode/utf8"

	"pelqim/content"

	"github.com/go-json-experiment/json"
)

const validBody = `{"consentId":"0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b","eventId":"5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f",` +
	`"action":"custom","categories":{"necessary":true,"preferences":false,"statistics":true,"marketing":false},` +
	`"consentVersion":"a1b2c3","policyVersion":"d4e5f6","language":"sq","page":"/sq/privatesia/","gpc":false}`

func TestDecodeConsentValid(t *testing.T) {
	in, bad := decodeConsent([]byte(validBody))
	if bad != nil {
		t.Fatal(bad)
	}
	if in.ConsentID != "0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b" || in.Action != "custom" || !in.Categories.Statistics ||
		in.Categories.Marketing || in.Page != "/sq/privatesia/" || in.GPC {
		t.Errorf("decoded %+v", in)
	}
}

func TestIsUUIDv4(t *testing.T) {
	for s, want := range map[string]bool{
		"0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b":  true,
		"0b7e7f2c-6a2e-4c1a-ba53-1c2d3e4f5a6b":  true,
		"0B7E7F2C-6A2E-4C1A-9A53-1C2D3E4F5A6B":  false, // uppercase
		"0b7e7f2c-6a2e-1c1a-9a53-1c2d3e4f5a6b":  false, // version 1
		"0b7e7f2c-6a2e-4c1a-ca53-1c2d3e4f5a6b":  false, // variant
		"0b7e7f2c6a2e4c1a9a531c2d3e4f5a6b":      false,
		"0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6":   false,
		"0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6bb": false,
		"0b7e7f2c-6a2e-4c1a-9a53_1c2d3e4f5a6b":  false,
		"0b7e7f2g-6a2e-4c1a-9a53-1c2d3e4f5a6b":  false,
		"":                                      false,
	} {
		if got := isUUIDv4(s); got != want {
			t.Errorf("isUUIDv4(%q) = %v", s, got)
		}
	}
}

func TestIsPagePath(t *testing.T) {
	for s, want := range map[string]bool{
		"/":                            true,
		"/sq/privatesia/":              true,
		"/sr/privatnost/%C5%A1/":       true,
		"/en/a-b_c.d~e/":               true,
		"":                             false,
		"sq/":                          false,
		"//evil.example/":              false,
		"/\\evil":                      false,
		"https://evil.example/":        false,
		"/sq/?email=a@b.c":             false,
		"/sq/#top":                     false,
		"/sq/ x":                       false,
		"/sq/\x00":                     false,
		"/sq/ë":                        false,
		"/" + strings.Repeat("a", 255): true,
		"/" + strings.Repeat("a", 256): false,
	} {
		if got := isPagePath(s); got != want {
			t.Errorf("isPagePath(%q) = %v", s, got)
		}
	}
}

// FuzzDecodeConsent checks that no body makes decoding panic, that every
// refusal is a coded input error, and that whatever is accepted obeys every
// rule and survives a round trip. Seeds: testdata/fuzz/FuzzDecodeConsent.
func FuzzDecodeConsent(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		in, bad := decodeConsent(body)
		if bad != nil {
			if bad.Code == "" || bad.Message == "" || !utf8.ValidString(bad.Message) {
				t.Fatalf("refusal without code or readable message: %#v", bad)
			}
			return
		}
		if !utf8.Valid(body) {
			t.Fatal("accepted a body that is not UTF-8")
		}
		c := in.Categories
		if !isUUIDv4(in.ConsentID) || !isUUIDv4(in.EventID) || !isAction(in.Action) || !c.Necessary ||
			!isVersion(in.ConsentVersion) || !isVersion(in.PolicyVersion) || !content.IsLanguage(in.Language) ||
			!isPagePath(in.Page) || checkAction(in.Action, c) != nil {
			t.Fatalf("accepted an invalid event: %+v", in)
		}
		again, err := json.Marshal(map[string]any{
			"consentId": in.ConsentID, "eventId": in.EventID, "action": in.Action, "categories": c,
			"consentVersion": in.ConsentVersion, "policyVersion": in.PolicyVersion,
			"language": in.Language, "page": in.Page, "gpc": in.GPC,
		})
		if err != nil {
			t.Fatal(err)
		}
		if back, bad := decodeConsent(again); bad != nil || back != in {
			t.Fatalf("round trip: %+v, %v; want %+v", back, bad, in)
		}
	})
}
