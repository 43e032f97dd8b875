package content

import (
	"strings"
	"testing"
)

// TestDecodeYAMLKeys: unknown keys are reported at their line, also through
// YAML merge keys, and known keys merged from an anchor are accepted.
func TestDecodeYAMLKeys(t *testing.T) {
	type inner struct {
		Name string `yaml:"name"`
		Kind string
	}
	type doc struct {
		Items []inner `yaml:"items"`
	}
	cases := []struct {
		name, src, want string // want "" means no error
	}{
		{"known", "items:\n  - name: a\n    kind: b\n", ""},
		{"unknown", "items:\n  - name: a\n    knid: b\n", "f.yaml:3: field knid not found"},
		{"merge", "items:\n  - &b {kind: cookie, name: x}\n  - <<: *b\n    name: a\n", ""},
		{"merge of an unknown key", "items:\n  - &b {name: a, colour: red}\n  - <<: *b\n    name: c\n", "f.yaml:2: field colour not found"},
		{"merge list", "items:\n  - &b {name: a}\n  - &c {kind: k}\n  - <<: [*b, *c]\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d doc
			_, err := decodeYAML("f.yaml", 0, []byte(c.src), &d)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}
