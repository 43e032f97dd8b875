package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pelqim/content"
	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/bolt"
	"pelqim/functions/consent/store/dynamo"
	"pelqim/functions/consent/testenv"
)

// seed stores four requests around now: A overdue and verified, B due in 3
// days, C in 20 days (with a formula in its details), D resolved.
func seed(t *testing.T, s store.Requests) {
	now := time.Now().UTC()
	for _, r := range []struct {
		ref, status string
		due         time.Duration
		details     string
	}{
		{"KS-AAAAAA", store.StatusVerified, -30 * time.Hour, "Porosia 1042"},
		{"KS-BBBBBB", store.StatusUnverified, 3 * 24 * time.Hour, "Emri: Arta\nPorosia 7"},
		{"KS-CCCCCC", store.StatusUnverified, 20 * 24 * time.Hour, "=HYPERLINK(\"http://evil.example\")"},
		{"KS-DDDDDD", store.StatusResolved, -40 * 24 * time.Hour, ""},
	} {
		received := now.Add(r.due).AddDate(0, -1, 0)
		req := store.DataRequest{
			Reference: r.ref, Type: "access", Email: strings.ToLower(r.ref[3:4]) + "@example.com", Details: r.details,
			Language: "sq", Status: r.status,
			ReceivedAt: received.Format(store.TimeFormat), DueAt: now.Add(r.due).Format(store.TimeFormat),
			UpdatedAt: received.Format(store.TimeFormat), ClientNet: "203.0.113.0/24",
			TokenHash: strings.Repeat("ab", 32), TokenExpiresAt: received.AddDate(0, 0, 7).Format(store.TimeFormat),
		}
		ev := store.AuditEvent{Reference: r.ref, At: received.Format(store.AuditTimeFormat), ID: "seed", Action: "received", Status: store.StatusUnverified, Who: "requester"}
		if err := s.PutRequest(context.Background(), req, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// cmd runs the tool in-process.
func cmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCLIBolt(t *testing.T) {
	dir := t.TempDir()
	s, err := bolt.Open(filepath.Join(dir, "consent.db"))
	if err != nil {
		t.Fatal(err)
	}
	seed(t, s)
	s.Close() // the tool opens the file itself, as it would with serve stopped
	t.Setenv("TABLE_NAME", "")
	cliScenario(t, "-data", dir)
}

func TestCLIDynamo(t *testing.T) {
	db := testenv.Dynalite(t)
	table := db.Table(t)
	seed(t, dynamo.New(db.Client(), table))
	for _, kv := range db.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("TABLE_NAME", table)
	cliScenario(t)
}

func refsOf(t *testing.T, out string) []string {
	t.Helper()
	var vs []view
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	var refs []string
	for _, v := range vs {
		refs = append(refs, v.Reference)
	}
	return refs
}

// cliScenario runs every command against a seeded store; pre are the store
// flags (-data DIR) or none (TABLE_NAME).
func cliScenario(t *testing.T, pre ...string) {
	t.Setenv("NO_COLOR", "")
	t.Setenv("PELQIM_STAFF", "Drita K.")
	c := func(args ...string) (int, string, string) { return cmd(t, append(slices.Clone(pre), args...)...) }

	if code, out, errOut := c("list", "--json"); code != 0 || !slices.Equal(refsOf(t, out), []string{"KS-AAAAAA", "KS-BBBBBB", "KS-CCCCCC"}) {
		t.Errorf("list: %d %s %s", code, out, errOut)
	}
	if _, out, _ := c("list", "--due-within", "7d", "--json"); !slices.Equal(refsOf(t, out), []string{"KS-AAAAAA", "KS-BBBBBB"}) {
		t.Errorf("list --due-within 7d: %s", out)
	}
	if _, out, _ := c("--json", "list", "--status", "all"); len(refsOf(t, out)) != 4 {
		t.Errorf("list --status all: %s", out)
	}
	code, out, _ := c("list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "REFERENCE") || !strings.Contains(lines[1], "overdue") || strings.Contains(out, "\x1b") {
		t.Errorf("list table:\n%s", out)
	}
	col := strings.Index(lines[0], "STATUS")
	for _, l := range lines[1:] {
		if l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("column STATUS not aligned at %d:\n%s", col, out)
		}
	}

	// Refused changes say so, exit 1, and change nothing.
	if code, _, errOut := c("resolve", "KS-BBBBBB", "--note", "done"); code != 1 || !strings.Contains(errOut, "refused: KS-BBBBBB is unverified") {
		t.Errorf("resolve unverified: %d %s", code, errOut)
	}
	if code, _, errOut := c("reject", "KS-DDDDDD", "--note", "late"); code != 1 || !strings.Contains(errOut, "refused") {
		t.Errorf("reject resolved: %d %s", code, errOut)
	}
	for _, verb := range []string{"reject", "verify"} {
		if code, _, errOut := c(verb, "KS-CCCCCC", "--note", " "); code != 2 || !strings.Contains(errOut, "--note is required") {
			t.Errorf("%s without --note: exit %d %s, want 2 and the reason", verb, code, errOut)
		}
	}
	if code, _, errOut := c("verify", "KS-CCCCCC"); code != 2 || !strings.Contains(errOut, "identity") {
		t.Errorf("verify without --note: exit %d %s, want 2 asking how identity was checked", code, errOut)
	}
	// verify, then resolve, both audited with who and note.
	if code, out, errOut := c("verify", "ks-bbbbbb", "--note", "identity checked by phone"); code != 0 || !strings.Contains(out, "unverified -> verified") {
		t.Errorf("verify: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := c("resolve", "KS-BBBBBB", "--note", "sent a copy by email"); code != 0 {
		t.Errorf("resolve: %d %s", code, errOut)
	}
	_, out, _ = c("show", "KS-BBBBBB", "--json")
	var shown struct {
		Request view
		Audit   []store.AuditEvent
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Request.Status != store.StatusResolved || len(shown.Audit) != 3 ||
		shown.Audit[2].Who != "Drita K." || shown.Audit[2].Note != "sent a copy by email" || shown.Audit[1].Action != "verified" {
		t.Errorf("show --json: %+v", shown)
	}
	if strings.Contains(out, "tokenHash") || strings.Contains(out, strings.Repeat("ab", 32)) {
		t.Errorf("show prints the token hash: %s", out)
	}
	if code, out, _ := c("show", "KS-AAAAAA"); code != 0 || !strings.Contains(out, "History:") || !strings.Contains(out, "overdue") || !strings.Contains(out, "Porosia 1042") {
		t.Errorf("show:\n%s", out)
	}
	if code, _, errOut := c("show", "KS-ZZZZZZ"); code != 1 || !strings.Contains(errOut, "no request KS-ZZZZZZ") {
		t.Errorf("show unknown: %d %s", code, errOut)
	}

	// Export: every request; formulas defused.
	code, out, _ = c("export", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 5 || !slices.Equal(rows[0], csvColumns) {
		t.Fatalf("export csv: %d %v\n%s", code, err, out)
	}
	for _, r := range rows[1:] {
		if r[0] == "KS-CCCCCC" && !strings.HasPrefix(r[9], "'=") {
			t.Errorf("formula not defused: %q", r[9])
		}
	}
	if _, out, _ := c("export", "--format", "json"); len(refsOf(t, out)) != 4 {
		t.Errorf("export json: %s", out)
	}
	for _, bad := range [][]string{{"frobnicate"}, {"show"}, {"export"}, {"list", "--status", "done"}, {"list", "--due-within", "soon"}, {"list", "--format", "csv"}} {
		if code, _, _ := c(bad...); code == 0 {
			t.Errorf("%v: exit 0", bad)
		}
	}
}

func TestParseWithin(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "0d": 0, "36h": 36 * time.Hour} {
		if got, err := parseWithin(in); err != nil || got != want {
			t.Errorf("parseWithin(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "-1d", "week", "-3h"} {
		if _, err := parseWithin(bad); err == nil {
			t.Errorf("parseWithin(%q) accepted", bad)
		}
	}
}

// TestDayInKosovo: a due date is listed on the day the visitor was told,
// Kosovo's, not UTC's.
func TestDayInKosovo(t *testing.T) {
	for ts, want := range map[string]string{
		"2027-02-27T23:30:00.000Z": "2027-02-28", // 00:30 in Kosovo
		"2026-06-30T22:30:00.000Z": "2026-07-01", // summer time
		"2026-12-01T10:00:00.000Z": "2026-12-01",
		"not a time":               "not a time",
	} {
		if got := day(ts); got != want {
			t.Errorf("day(%s) = %s, want %s", ts, got, want)
		}
	}
}

// TestCLIRetention: verify removes a request's expiry and closing sets it
// to the request's own retention after now, on the request and every
// audit line; a request past its expiry is gone to every command.
func TestCLIRetention(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "consent.db")
	now := time.Now().UTC()
	put := func(s store.Requests, ref, status string, retention content.Days, expiresAt int64) {
		r := store.DataRequest{
			Reference: ref, Type: "erase", Email: "e@example.com", Language: "en", Status: status,
			ReceivedAt: now.Format(store.TimeFormat), DueAt: now.AddDate(0, 1, 0).Format(store.TimeFormat),
			UpdatedAt: now.Format(store.TimeFormat), TokenHash: strings.Repeat("cd", 32),
			TokenExpiresAt: now.AddDate(0, 0, 7).Format(store.TimeFormat), RetentionDays: retention, ExpiresAt: expiresAt,
		}
		ev := store.AuditEvent{Reference: ref, At: now.Format(store.AuditTimeFormat), ID: "seed", Action: "received", Status: status, Who: "requester"}
		if err := s.PutRequest(context.Background(), r, ev); err != nil {
			t.Fatal(err)
		}
	}
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	put(s, "KS-EEEEEE", store.StatusUnverified, 0, now.Add(-time.Minute).Unix()) // expired, not yet deleted
	put(s, "KS-FFFFFF", store.StatusUnverified, 30, now.Add(10*24*time.Hour).Unix())
	put(s, "KS-GGGGGG", store.StatusVerified, 0, 0)
	s.Close()
	t.Setenv("TABLE_NAME", "")
	t.Setenv("PELQIM_STAFF", "Drita K.")
	c := func(args ...string) (int, string, string) { return cmd(t, append([]string{"-data", dir}, args...)...) }

	// The expired request is gone to every command.
	if _, out, _ := c("list", "--status", "all", "--json"); slices.Contains(refsOf(t, out), "KS-EEEEEE") {
		t.Errorf("list shows an expired request: %s", out)
	}
	if _, out, _ := c("export", "--format", "json"); slices.Contains(refsOf(t, out), "KS-EEEEEE") {
		t.Errorf("export holds an expired request: %s", out)
	}
	for _, args := range [][]string{{"show", "KS-EEEEEE"}, {"verify", "KS-EEEEEE", "--note", "by phone"}} {
		if code, _, errOut := c(args...); code != 1 || !strings.Contains(errOut, "no request KS-EEEEEE") {
			t.Errorf("%v: %d %s, want no request", args, code, errOut)
		}
	}

	// expiry reads a request's and its audit lines' expiry from the file.
	expiry := func(ref string) (int64, []int64) {
		t.Helper()
		s, err := bolt.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		r, err := s.Request(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := s.AuditEvents(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		var lines []int64
		for _, ev := range evs {
			lines = append(lines, ev.ExpiresAt)
		}
		return r.ExpiresAt, lines
	}
	days := func(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
	for _, step := range []struct {
		args     []string
		ref      string
		min, max time.Duration // after now; 0, 0: no expiry
	}{
		{[]string{"verify", "KS-FFFFFF", "--note", "identity checked by phone"}, "KS-FFFFFF", 0, 0},
		{[]string{"resolve", "KS-FFFFFF", "--note", "deleted the account"}, "KS-FFFFFF", days(30), days(30) + time.Minute},
		{[]string{"reject", "KS-GGGGGG", "--note", "no such account"}, "KS-GGGGGG", days(1095), days(1095) + time.Minute},
	} {
		if code, _, errOut := c(step.args...); code != 0 {
			t.Fatalf("%v: %d %s", step.args, code, errOut)
		}
		got, lines := expiry(step.ref)
		if step.max == 0 && got != 0 ||
			step.max != 0 && (got < now.Add(step.min).Unix() || got > now.Add(step.max).Unix()) {
			t.Errorf("%v: expiresAt %d, want now + %v", step.args, got, step.min)
		}
		for _, l := range lines {
			if l != got {
				t.Errorf("%v: audit lines expire at %v, the request at %d", step.args, lines, got)
				break
			}
		}
	}
}
