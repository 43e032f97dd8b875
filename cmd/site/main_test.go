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

// TestAuditUsage: what the audit cannot start with exits 2 with a line
// that says why, before any browser starts.
func TestAuditUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "give at least one URL"},
		{[]string{"ftp://example.com/"}, `"ftp://example.com/" is not an http or https URL`},
		{[]string{"-phases", "none,later", "https://example.com/"}, `unknown phase "later"`},
		{[]string{"-max-pages", "0", "https://example.com/"}, "-max-pages and -parallel must be at least 1"},
		{[]string{"-nonsense", "https://example.com/"}, "flag provided but not defined"},
	} {
		var out, errs bytes.Buffer
		if code := run(append([]string{"audit"}, tt.args...), &out, &errs); code != 2 || !strings.Contains(errs.String(), tt.want) {
			t.Errorf("site audit %q: exit %d, %q; want 2 and %q", tt.args, code, errs.String(), tt.want)
		}
	}
}
