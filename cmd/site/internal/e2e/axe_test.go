package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestAxe runs axe-core on pages with the banner's first layer and with its
// settings open, narrow and wide.
func TestAxe(t *testing.T) {
	setup(t)
	for _, width := range []int64{360, 1280} {
		for _, path := range []string{"/sq/", "/en/cookies/", "/sr/"} {
			t.Run(fmt.Sprintf("%d%s", width, path), func(t *testing.T) {
				ctx := tab(t)
				viewport(t, ctx, width)
				open(t, ctx, env.a.URL+path)
				check := axe(t, ctx)
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

// axe returns the check that runs axe-core on the whole page of ctx (the
// banner's shadow root included) and reports each violation in state.
func axe(t *testing.T, ctx context.Context) func(state string) {
	return func(state string) {
		t.Helper()
		if v := axeViolations(t, ctx); len(v) > 0 {
			t.Errorf("axe-core, %s:\n%s", state, strings.Join(v, "\n"))
		}
	}
}
