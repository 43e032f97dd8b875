package source

import (
	"fmt"
	"strings"
	"testing"

	"pelqim/cmd/site/internal/markdown"
)

// TestDeepNestingRefused: a page whose lists nest past
// markdown.MaxNesting is refused as it is read, at the line in the file,
// so that neither build, check nor the preview hands it to goldmark
// (whose time for a list 2,000 levels deep was 23 s).
func TestDeepNestingRefused(t *testing.T) {
	var body strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&body, "%s- level %d\n", strings.Repeat("  ", i), i+1)
	}
	src := "---\ntitle: Deep\nslug: deep\ntranslationKey: deep\n---\n\nIntro\n\n" + body.String()
	_, err := ParsePage("content/en/deep.md", "en", []byte(src))
	// The body's first list line is line 9; the one past the limit, 16 on.
	want := fmt.Sprintf("content/en/deep.md:%d: lists and block quotes nested %d levels deep", 9+markdown.MaxNesting, markdown.MaxNesting+1)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ParsePage: %v, want an error starting %q", err, want)
	}
}
