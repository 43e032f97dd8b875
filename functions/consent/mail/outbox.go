package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Outbox writes each message as an RFC 5322 .eml file (multipart/alternative,
// text then HTML) into Dir, for a developer to open in a mail client.
type Outbox struct {
	Dir string
	Now func() time.Time // default time.Now
}

// Send implements Sender. The file appears atomically (written aside, then
// renamed), so a watcher never reads half a message. A message that
// cannot be written (a full disk, a folder that is a file) is an
// *OutboxError naming the cause.
func (o Outbox) Send(ctx context.Context, m Message) error {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	raw, err := Compose(m, now())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotSent, err)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return &OutboxError{"create", err}
	}
	tmp, err := createTemp(o.Dir, ".tmp-*.eml")
	if err != nil {
		return &OutboxError{"create", err}
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing to remove
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return &OutboxError{"write", err}
	}
	if err := tmp.Close(); err != nil {
		return &OutboxError{"close", err}
	}
	name := now().UTC().Format("20060102T150405.000000000Z") + "-" + randHex(4) + ".eml"
	if err := os.Rename(tmp.Name(), filepath.Join(o.Dir, name)); err != nil {
		return &OutboxError{"rename", err}
	}
	return nil
}

// createTemp is os.CreateTemp; tests make it open a file on which writes
// fail as on a full disk.
var createTemp = os.CreateTemp

// OutboxError is a message the outbox could not write.
type OutboxError struct {
	Op  string // what failed: create, write, close or rename
	Err error
}

func (e *OutboxError) Error() string   { return "outbox " + e.Op + ": " + e.Err.Error() }
func (e *OutboxError) Unwrap() []error { return []error{ErrNotSent, e.Err} }

// ErrorCode names the cause, "OutboxWriteFailed: no space left on device",
// for logs, which hold a mail error's code and never its text (an error
// may name the recipient). It is the method of the AWS SDK's API errors,
// which the handler's log reads for SES's codes. Without it a full disk
// was logged as NetworkError: a syscall.Errno has the methods of a
// net.Error.
func (e *OutboxError) ErrorCode() string {
	var errno syscall.Errno
	if errors.As(e.Err, &errno) {
		return "OutboxWriteFailed: " + errno.Error()
	}
	return "OutboxWriteFailed"
}

// Compose renders m as an RFC 5322 message with CRLF line ends.
func Compose(m Message, date time.Time) ([]byte, error) {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("compose: From %q: %w", m.From, err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("compose: To %q: %w", m.To, err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ typ, content string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		qp.Write([]byte(part.content))
		qp.Close()
	}
	mw.Close()

	var out bytes.Buffer
	domain := "localhost"
	if at := bytes.LastIndexByte([]byte(from.Address), '@'); at >= 0 {
		domain = from.Address[at+1:]
	}
	for _, h := range [][2]string{
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", mime.QEncoding.Encode("utf-8", m.Subject)},
		{"Date", date.Format(time.RFC1123Z)},
		{"Message-ID", "<" + randHex(16) + "@" + domain + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "multipart/alternative; boundary=" + mw.Boundary()},
	} {
		fmt.Fprintf(&out, "%s: %s\r\n", h[0], h[1])
	}
	out.WriteString("\r\n")
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
