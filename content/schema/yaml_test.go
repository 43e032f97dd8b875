package schema

import (
	"fmt"
	"pelqim/content"
	"strings"
	"testing"
	"time"
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
			_, err := Decode("f.yaml", 0, []byte(c.src), &d)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

// TestDecodeYAMLMergeBomb: nested merge keys that repeat an anchor at every
// level are checked once each, not once per path (9^11 here).
func TestDecodeYAMLMergeBomb(t *testing.T) {
	inner := "&a0 {name: x, bogus: 1}"
	for d := 1; d < 12; d++ {
		inner = fmt.Sprintf("&a%d {<<: [%s%s]}", d, inner, strings.Repeat(fmt.Sprintf(", *a%d", d-1), 9))
	}
	src := fmt.Sprintf("items:\n  - <<: [%s%s]\n", inner, strings.Repeat(", *a11", 9))
	type doc struct {
		Items []struct {
			Name string `yaml:"name"`
		} `yaml:"items"`
	}
	done := make(chan error, 1)
	go func() {
		var d doc
		_, err := Decode("f.yaml", 0, []byte(src), &d)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("no error for the unknown key bogus (or the aliasing)")
		} else if n := len(content.List(err)); n > 1 {
			t.Errorf("%d errors, want the one unknown key once", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("decoding a 2 KB document of nested merge keys took over 10 s")
	}
}
