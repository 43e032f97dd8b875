package main

import (
	"bytes"
	"strings"
	"testing"

	"pelqim/functions/consent/testenv"
)

// TestCheckRelease: site check passes with what the store has not
// confirmed listed as warnings; site check -release refuses it, as the
// deploy does.
func TestCheckRelease(t *testing.T) {
	root := testenv.RepoRoot(t)
	var out, errs bytes.Buffer
	if code := run([]string{"check", "-src", root}, &out, &errs); code != 0 || !strings.Contains(errs.String(), "not confirmed by the store") || !strings.Contains(out.String(), "no problems; ") {
		t.Errorf("check: exit %d\n%s%s", code, out.String(), errs.String())
	}
	out.Reset()
	errs.Reset()
	if code := run([]string{"check", "-release", "-src", root}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "content/data/notice.yaml:") {
		t.Errorf("check -release: exit %d\n%s%s", code, out.String(), errs.String())
	}
}
