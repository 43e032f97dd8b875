package mail

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var message = Message{From: "privatesia@localhost", To: "arta@example.com", Subject: "KS-7F3K9Q", Text: "Përshëndetje", HTML: "<p>Përshëndetje</p>"}

// TestOutboxFailures: a message the outbox cannot write is an error that
// says so, by a code naming the cause, for logs that hold no error text;
// it is ErrNotSent, which the API answers as an email not sent (before,
// the code was NetworkError and the visitor read that the record store
// had failed). Nothing is left in the outbox.
func TestOutboxFailures(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, dir string) (outbox string)
		op    string
		code  string
	}{
		{"disk full", func(t *testing.T, dir string) string {
			// Every write to /dev/full fails as on a full disk (ENOSPC):
			// the outbox's file is a link to it.
			if _, err := os.Stat("/dev/full"); err != nil {
				t.Skipf("no /dev/full: %v", err)
			}
			orig := createTemp
			t.Cleanup(func() { createTemp = orig })
			createTemp = func(dir, _ string) (*os.File, error) {
				name := filepath.Join(dir, ".tmp-full.eml")
				if err := os.Symlink("/dev/full", name); err != nil {
					return nil, err
				}
				return os.OpenFile(name, os.O_WRONLY, 0)
			}
			return dir
		}, "write", "OutboxWriteFailed: no space left on device"},
		{"outbox a file", func(t *testing.T, dir string) string {
			name := filepath.Join(dir, "outbox")
			if err := os.WriteFile(name, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return name
		}, "create", "OutboxWriteFailed: not a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			o := Outbox{Dir: tt.setup(t, dir)}
			err := o.Send(context.Background(), message)
			var oe *OutboxError
			if !errors.As(err, &oe) || oe.Op != tt.op || oe.ErrorCode() != tt.code {
				t.Fatalf("Send: %v, want an OutboxError of %s with code %q", err, tt.op, tt.code)
			}
			if !errors.Is(err, ErrNotSent) {
				t.Errorf("Send: %v is not ErrNotSent", err)
			}
			if strings.Contains(oe.ErrorCode(), "@") {
				t.Errorf("the code %q names an address", oe.ErrorCode())
			}
			left, _ := filepath.Glob(filepath.Join(o.Dir, "*"))
			hidden, _ := filepath.Glob(filepath.Join(o.Dir, ".*"))
			if len(left)+len(hidden) > 0 {
				t.Errorf("the outbox holds %q after a failed send", append(left, hidden...))
			}
		})
	}
}

// TestOutboxSends: a message is one .eml file in the outbox, created with
// the folder.
func TestOutboxSends(t *testing.T) {
	o := Outbox{Dir: filepath.Join(t.TempDir(), "outbox")}
	if err := o.Send(context.Background(), message); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(o.Dir, "*"))
	if len(files) != 1 || !strings.HasSuffix(files[0], ".eml") {
		t.Fatalf("outbox holds %q, want one .eml", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil || !strings.Contains(string(b), "To: <arta@example.com>\r\n") {
		t.Errorf("%s: %v\n%s", files[0], err, b)
	}
}
