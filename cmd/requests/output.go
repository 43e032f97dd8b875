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

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Reference, v.Status, v.Type, day(v.DueAt), left(v, now), cell(v.Email, 40), v.Language)
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
		fmt.Fprintf(tw, "%s:\t%s\n", f[0], f[1])
	}
	tw.Flush()
	if v.Overdue && c.color {
		// The Due line, coloured after alignment.
		lines := strings.Split(buf.String(), "\n")
		lines[6] = red + lines[6] + reset
		buf.Reset()
		buf.WriteString(strings.Join(lines, "\n"))
	}
	fmt.Fprintf(&buf, "Details:\n%s\n\nHistory:\n", indent(cell(v.Details, 0)))
	tw = tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  WHEN\tACTION\tSTATUS\tWHO\tNOTE")
	for _, ev := range evs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", ev.At, ev.Action, ev.Status, cell(ev.Who, 30), cell(ev.Note, 0))
	}
	tw.Flush()
	_, err := c.out.Write(buf.Bytes())
	return err
}

func indent(s string) string {
	if s == "" {
		return "  -"
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// cell keeps table cells on one line and free of terminal escapes: the
// email and details come from the public form.
func cell(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0:
			return '?'
		}
		return r
	}, s)
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

// writeCSV writes the export. Cells that a spreadsheet would run as a
// formula get a leading apostrophe: the email and details come from the public.
func writeCSV(w io.Writer, vs []view) error {
	cw := csv.NewWriter(w)
	cw.Write(csvColumns)
	for _, v := range vs {
		row := []string{v.Reference, v.Status, v.Type, v.Email, v.Language, v.ReceivedAt, v.DueAt, v.UpdatedAt, fmt.Sprint(v.Overdue), v.Details}
		for i, s := range row {
			if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
				row[i] = "'" + s
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
