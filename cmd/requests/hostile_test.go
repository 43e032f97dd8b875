package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/bolt"
)

// hostile is testdata/hostile.json: requests whose fields hold terminal
// escapes, bidi and zero-width characters, and formulas.
type hostile struct {
	Requests []struct {
		store.DataRequest
		Audit []store.AuditEvent `json:"audit"`
	} `json:"requests"`
}

// seedHostile stores testdata/hostile.json in a bolt file under a new
// folder, which it returns with the requests as stored.
func seedHostile(t *testing.T) (dir string, rs []store.DataRequest, evs []store.AuditEvent) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "hostile.json"))
	if err != nil {
		t.Fatal(err)
	}
	var h hostile
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	s, err := bolt.Open(filepath.Join(dir, "consent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC()
	for i, r := range h.Requests {
		req := r.DataRequest
		at := now.Add(-time.Duration(len(h.Requests)-i) * time.Hour)
		req.ReceivedAt, req.UpdatedAt = at.Format(store.TimeFormat), at.Format(store.TimeFormat)
		req.DueAt = at.AddDate(0, 1, 0).Format(store.TimeFormat)
		req.TokenHash, req.TokenExpiresAt = strings.Repeat("ab", 32), at.AddDate(0, 0, 7).Format(store.TimeFormat)
		audit := r.Audit
		if len(audit) == 0 {
			audit = []store.AuditEvent{{Action: "received", Status: req.Status, Who: "requester"}}
		}
		for j := range audit {
			audit[j].Reference, audit[j].At, audit[j].ID = req.Reference, at.Format(store.AuditTimeFormat), fmt.Sprint("seed", j)
		}
		if err := s.PutRequest(context.Background(), req, audit[0]); err != nil {
			t.Fatal(err)
		}
		rs, evs = append(rs, req), append(evs, audit[0])
	}
	t.Setenv("TABLE_NAME", "")
	return dir, rs, evs
}

// unsafeRune is the first rune of out that would act on a terminal, or
// 0: every output of the tool must be free of them.
func unsafeRune(out string) rune {
	for _, r := range out {
		if r != '\n' && hidden(r) {
			return r
		}
	}
	return 0
}

// TestHostileFields: whatever the store holds, no command prints an
// escape sequence, a control character, a bidi override or a zero-width
// character: show, list and CSV print each as a visible escape (\x1b,
// \u202e), and --json as a JSON escape that decodes to the stored text.
// Before, they reached the terminal as they were.
func TestHostileFields(t *testing.T) {
	dir, rs, evs := seedHostile(t)
	evil := rs[0]
	for _, tt := range []struct {
		args []string
		want []string // visible escapes the output must show
	}{
		{[]string{"list"}, []string{`access\x1b[2J\x1b[H`, `\x1b]8;;https://evil.example/\x07arta@e…`, `en\x1b]52;c;cm0gLXJmIH4K\x07`}},
		{[]string{"show", evil.Reference}, []string{
			`access\x1b[2J\x1b[H`, `en\x1b]52;c;`,
			"  Porosia 1042\n  see attachment \\u202egpj.exe\\u202c and \\u2066isolated\\u2069\\u200b\\u200c\\u200d\\u2060\\ufeff\\u009b31m C1\\x7f",
			`received\x1b[2J`, `unverified\u009b2J`, `\x1b[8mhidden\x1b[0m note\u2028next`, `requester\x1b]0;pwned\x07`,
		}},
		{[]string{"export", "--format", "csv"}, []string{`\u202egpj.exe`, `access\x1b[2J`}},
		{[]string{"list", "--json"}, nil},
		{[]string{"show", evil.Reference, "--json"}, nil},
		{[]string{"export", "--format", "json"}, nil},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := cmd(t, append([]string{"-data", dir}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if r := unsafeRune(out); r != 0 {
				t.Errorf("the output holds %U as it is:\n%s", r, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("the output lacks %q:\n%s", w, out)
				}
			}
		})
	}

	// --json stays JSON, which decodes to exactly what is stored.
	_, out, _ := cmd(t, "-data", dir, "show", evil.Reference, "--json")
	var shown struct {
		Request view
		Audit   []store.AuditEvent
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("show --json is not JSON: %v\n%s", err, out)
	}
	r := shown.Request
	if r.Type != evil.Type || r.Email != evil.Email || r.Language != evil.Language || r.Details != evil.Details ||
		len(shown.Audit) != 1 || shown.Audit[0].Action != evs[0].Action || shown.Audit[0].Note != evs[0].Note || shown.Audit[0].Who != evs[0].Who {
		t.Errorf("show --json decodes to %+v, want what is stored: %+v %+v", shown, evil, evs[0])
	}

	// An error that names a stored field escapes it too.
	t.Setenv("PELQIM_STAFF", "Drita K.")
	if code, _, errOut := cmd(t, "-data", dir, "resolve", evil.Reference, "--note", "x"); code != 1 || unsafeRune(errOut) != 0 || !strings.Contains(errOut, `is unverified`) {
		t.Errorf("resolve: exit %d %q", code, errOut)
	}
}

// TestCSVFormulas: every stored cell a spreadsheet could run as a formula
// gets a leading apostrophe, also behind a zero-width space or a BOM and
// in fullwidth forms, which the guard of = + - @ alone let through.
func TestCSVFormulas(t *testing.T) {
	dir, rs, _ := seedHostile(t)
	_, out, _ := cmd(t, "-data", dir, "export", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	details := map[string]string{}
	emails := map[string]string{}
	for _, r := range rows[1:] {
		details[r[0]], emails[r[0]] = r[9], r[3]
	}
	for ref, want := range map[string]string{
		"KS-HHHHH2": `'＝HYPERLINK("http://evil.example","click")`,
		"KS-HHHHH3": `'\u200b=1+1`,
		"KS-HHHHH4": `'\ufeff@SUM(A1:A9)`,
		"KS-HHHHH5": `'＋cmd|' /C calc'!A0`,
		"KS-HHHHH6": `'\u2060 －1`,
		"KS-HHHHH7": "Normal text, 3 lines:\none\ntwo",
	} {
		if details[ref] != want {
			t.Errorf("%s details in the CSV: %q, want %q", ref, details[ref], want)
		}
	}
	if got := emails["KS-HHHHH7"]; got != "'=g@example.com" {
		t.Errorf("a formula in the email: %q", got)
	}
	if len(details) != len(rs) {
		t.Errorf("%d rows, want %d", len(details), len(rs))
	}
}

// TestCSVCell: the guard and the escapes, one cell at a time.
func TestCSVCell(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Porosia 1042", "Porosia 1042"},
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@A1", "'@A1"},
		{"\tx", "'\tx"},
		{"\rx", "'\\x0d" + "x"},
		{"  =1", "'  =1"},
		{"\u00a0=1", "'\\u00a0=1"},
		{"\u200b=1", "'\\u200b=1"},
		{"\ufeff=1", "'\\ufeff=1"},
		{"\u202e=1", "'\\u202e=1"},
		{"＝1", "'＝1"},
		{"﹦1", "'﹦1"},
		{"＠A1", "'＠A1"},
		{"a=1", "a=1"},
		{"line\r\nbreak", "line\nbreak"},
		{"\x1b[2J", "\\x1b[2J"},
		{"\x9b", "\\x9b"},             // not UTF-8: the byte
		{"\u009b", "\\u009b"},         // C1 CSI
		{"\U000e0041", "\\U000e0041"}, // a tag character, invisible
		{"Përshëndetje, 你好", "Përshëndetje, 你好"},
	} {
		if got := csvCell(tt.in); got != tt.want {
			t.Errorf("csvCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
