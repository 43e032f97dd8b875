package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"pelqim/functions/consent/requests"
	"pelqim/functions/consent/store"
)

// nonNil makes an empty result encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// writeJSON writes v as indented JSON. encoding/json escapes the C0
// controls (ESC among them) but writes DEL, the C1 controls, bidi
// overrides and zero-width characters as they are, which a terminal
// running `requests show --json` would act on: they are written as \u
// escapes too, which any JSON reader decodes to the same text.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonVisible(buf.Bytes()))
	return err
}

// jsonVisible writes every rune of encoded JSON that hidden would hide as
// a \u escape (a pair of them past U+FFFF). Such runes can only be inside
// strings: JSON's own syntax is printable ASCII, spaces and newlines.
func jsonVisible(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == '\n' || !hidden(r):
			out = append(out, b[:size]...)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		b = b[size:]
	}
	return out
}

// colorOK: colours only for a person at a terminal who has not asked for
// none (https://no-color.org), never in pipes, files or tests.
func colorOK(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// table prints requests aligned. Colour is added to whole lines after
// alignment, since tabwriter would count escape codes as text.
func (c *cli) table(vs []view) error {
	if len(vs) == 0 {
		_, err := fmt.Fprintln(c.out, "no requests")
		return err
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REFERENCE\tSTATUS\tTYPE\tDUE\tLEFT\tEMAIL\tLANG")
	now := c.clock()
	for _, v := range vs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(v.Reference, 0), cell(v.Status, 0), cell(v.Type, 0),
			cell(day(v.DueAt), 0), left(v, now), cell(v.Email, 40), cell(v.Language, 0))
	}
	tw.Flush()
	lines := strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i, line := range lines {
		line = strings.TrimSuffix(line, "\n")
		if c.color {
			switch {
			case i == 0:
				line = bold + line + reset
			case vs[i-1].Overdue:
				line = red + line + reset
			case isOpen(vs[i-1].Status) && vs[i-1].DueAt < now.Add(7*24*time.Hour).UTC().Format(store.TimeFormat):
				line = yellow + line + reset
			}
		}
		if _, err := fmt.Fprintln(c.out, line); err != nil {
			return err
		}
	}
	return nil
}

// detail prints one request and its history.
func (c *cli) detail(v view, evs []store.AuditEvent) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for _, f := range [][2]string{
		{"Reference", v.Reference}, {"Status", v.Status}, {"Type", v.Type}, {"Email", v.Email},
		{"Language", v.Language}, {"Received", v.ReceivedAt}, {"Due", v.DueAt + " (" + left(v, c.clock()) + ")"},
		{"Updated", v.UpdatedAt},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", f[0], cell(f[1], 0))
	}
	tw.Flush()
	if v.Overdue && c.color {
		// The Due line, coloured after alignment.
		lines := strings.Split(buf.String(), "\n")
		lines[6] = red + lines[6] + reset
		buf.Reset()
		buf.WriteString(strings.Join(lines, "\n"))
	}
	fmt.Fprintf(&buf, "Details:\n%s\n\nHistory:\n", indent(v.Details))
	tw = tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  WHEN\tACTION\tSTATUS\tWHO\tNOTE")
	for _, ev := range evs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", cell(ev.At, 0), cell(ev.Action, 0), cell(ev.Status, 0), cell(ev.Who, 30), cell(ev.Note, 0))
	}
	tw.Flush()
	_, err := c.out.Write(buf.Bytes())
	return err
}

// indent shows multi-line text (the details) under its heading, line by
// line, each line escaped as a cell.
func indent(s string) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return "  -"
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "  " + cell(l, 0)
	}
	return strings.Join(lines, "\n")
}

// Every field the tool prints comes from the store, and most of it from
// the public form: the email, type, language and details, and anything
// written to the store directly. Printed raw, an ESC starts a terminal
// sequence (clear the screen, an OSC 8 link that shows one address and
// opens another, OSC 52, which writes the clipboard), a bidi override
// shows text in another order than it is, and zero-width characters hide
// text or split a formula's = from what a spreadsheet sees. So every
// field goes through cell, visible or csvCell, and --json through
// jsonVisible.

// hidden tells whether r must not reach a terminal as it is: anything
// unicode.IsPrint refuses but the space (C0 and C1 controls, DEL, format
// characters (the bidi controls U+202A–202E and U+2066–2069, U+200B–200F,
// U+2060, the BOM U+FEFF, tag characters), line and paragraph separators,
// spaces other than U+0020, unassigned code points).
func hidden(r rune) bool { return !unicode.IsPrint(r) }

// visible writes each hidden rune of s as a Go escape, \x1b or \u202e,
// that shows where it was and does nothing; invalid UTF-8 as \xff. keep
// says which hidden runes stay as they are.
func visible(s string, keep func(rune) bool) string {
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case !hidden(r) || keep != nil && keep(r):
			b.WriteString(s[:size])
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		s = s[size:]
	}
	return b.String()
}

// cell is a table cell: on one line (a newline or tab is a space) with
// every other hidden rune escaped, and at most max runes (0: any).
func cell(s string, max int) string {
	s = visible(strings.NewReplacer("\r\n", " ", "\n", " ", "\t", " ").Replace(s), nil)
	if r := []rune(s); max > 0 && len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// day is the date of ts in Kosovo, as the visitor was told it.
func day(ts string) string {
	if t, err := time.Parse(store.TimeFormat, ts); err == nil {
		return t.In(requests.Kosovo()).Format(time.DateOnly)
	}
	return ts
}

// left is the time to the due date in days, or how far past it.
func left(v view, now time.Time) string {
	due, err := time.Parse(store.TimeFormat, v.DueAt)
	if err != nil || !isOpen(v.Status) {
		return "-"
	}
	d := due.Sub(now)
	days := int(d.Hours() / 24)
	switch {
	case d < 0:
		return fmt.Sprintf("%dd overdue", -days+boolInt(d%(24*time.Hour) != 0))
	case days == 0:
		return "today"
	}
	return fmt.Sprintf("%dd", days)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// csvColumns is the export's header row.
var csvColumns = []string{"reference", "status", "type", "email", "language", "receivedAt", "dueAt", "updatedAt", "overdue", "details"}

// writeCSV writes the export, every cell through csvCell: the email and
// details come from the public.
func writeCSV(w io.Writer, vs []view) error {
	cw := csv.NewWriter(w)
	cw.Write(csvColumns)
	for _, v := range vs {
		row := []string{v.Reference, v.Status, v.Type, v.Email, v.Language, v.ReceivedAt, v.DueAt, v.UpdatedAt, fmt.Sprint(v.Overdue), v.Details}
		for i, s := range row {
			row[i] = csvCell(s)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// csvCell is s as a spreadsheet should show it: hidden runes escaped, but
// line breaks (the details span lines; a quoted CSV cell holds them) and
// tabs, and a leading apostrophe when a spreadsheet would run it as a
// formula.
func csvCell(s string) string {
	v := visible(strings.ReplaceAll(s, "\r\n", "\n"), func(r rune) bool { return r == '\n' || r == '\t' })
	if formula(s) {
		return "'" + v
	}
	return v
}

// formula tells whether a spreadsheet could take s for a formula: it
// starts with a tab or a carriage return, or, past spaces and invisible
// format characters (a zero-width space, a BOM), with = + - or @ or their
// fullwidth (＝ U+FF1D) or small forms, which spreadsheets under East
// Asian input read as those.
func formula(s string) bool {
	if strings.HasPrefix(s, "\t") || strings.HasPrefix(s, "\r") {
		return true
	}
	s = strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && strings.ContainsRune("=+-@＝＋－＠﹦﹢﹣﹫", r)
}
