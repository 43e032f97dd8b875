package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAxe runs axe-core on pages with the banner's first layer and with its
// settings open, narrow and wide.
func TestAxe(t *testing.T) {
	setup(t)
	axe, err := os.ReadFile(filepath.Join(env.root, ".ci/node_modules/axe-core/axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is missing: run `bash .ci/setup` (npm ci in .ci/): %v", err)
	}
	for _, width := range []int64{360, 1280} {
		for _, path := range []string{"/sq/", "/en/cookies/", "/sr/"} {
			t.Run(fmt.Sprintf("%d%s", width, path), func(t *testing.T) {
				ctx := tab(t)
				viewport(t, ctx, width)
				open(t, ctx, env.a.URL+path)
				// CDP evaluation is not subject to the page's CSP.
				js[bool](t, ctx, string(axe)+"\n;true")
				check := func(state string) {
					t.Helper()
					got := js[[]string](t, ctx, `axe.run(document).then(r => r.violations.map(v =>
						v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.map(n => n.target.join(" ")).join(", ")))`)
					if len(got) > 0 {
						t.Errorf("axe-core, %s:\n%s", state, strings.Join(got, "\n"))
					}
				}
				if open, _ := banner(t, ctx); !open {
					t.Fatal("no banner")
				}
				check("first layer")
				click(t, ctx, `#cc [data-cc=set]`)
				if _, settings := banner(t, ctx); !settings {
					t.Fatal("the settings did not open")
				}
				check("settings open")

				// The check can fail: a nameless button in the settings is found.
				got := js[[]string](t, ctx, `cc.querySelector(".cc-btns").append(document.createElement("button")),
					axe.run(cc).then(r => r.violations.map(v => v.id))`)
				if !strings.Contains(strings.Join(got, " "), "button-name") {
					t.Errorf("axe-core missed a nameless button: %v", got)
				}
			})
		}
	}
}
