// Command requests is the staff's tool for account-data requests: list what
// is due, show a request with its history, verify, resolve or reject it, and
// export everything. It works on the same store as the function: DynamoDB
// when TABLE_NAME is set (with the AWS SDK's own variables), else the local
// bbolt file of `cmd/site serve` under -data.
//
// Every change is a conditional status update with an appended audit event
// naming the staff member ($PELQIM_STAFF, else $USER), in one write:
// nothing is overwritten or lost. Verifying removes a request's expiry, closing sets
// it (store.RequestExpiry); a request past it is gone to every command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `usage: requests [-data DIR] [--json] COMMAND [ARGS]

commands:
  list [--status S|all] [--due-within 7d]   open requests, overdue first
  show REF                                  a request and its history
  verify REF --note TEXT                    unverified -> verified; the note says how identity was checked
  resolve REF --note TEXT                   verified -> resolved
  reject REF --note TEXT                    unverified|verified -> rejected
  export --format csv|json                  every request

store: DynamoDB table $TABLE_NAME (AWS SDK variables), else DIR/consent.db
(default .pelqim-data, the folder serve uses; stop serve first: it holds the file)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the flags every command accepts, before or after its name.
type options struct {
	data, status, dueWithin, note, format string
	json                                  bool
}

// run is the whole command, testable in-process; it returns the exit code:
// 0 done, 1 failed or refused, 2 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("requests", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.data, "data", ".pelqim-data", "local store folder")
	fs.BoolVar(&o.json, "json", false, "JSON output for scripts")
	fs.StringVar(&o.status, "status", "", "list: status, or all")
	fs.StringVar(&o.dueWithin, "due-within", "", "list: due within, e.g. 7d or 36h")
	fs.StringVar(&o.note, "note", "", "the reason, kept in the audit history")
	fs.StringVar(&o.format, "format", "", "export: csv or json")
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "requests: %v\n\n%s", err, usage)
		return 2
	}
	if len(pos) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	c := &cli{opts: o, out: stdout, color: colorOK(stdout)}
	cmd, rest := pos[0], pos[1:]
	fn, want := c.command(cmd)
	if fn == nil {
		fmt.Fprintf(stderr, "requests: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if len(rest) != want {
		fmt.Fprintf(stderr, "requests %s: want %d argument(s), got %d\n\n%s", cmd, want, len(rest), usage)
		return 2
	}
	if err := c.check(cmd); err != nil {
		fmt.Fprintf(stderr, "requests %s: %v\n", cmd, err)
		return 2
	}
	ctx := context.Background()
	s, closeStore, err := openStore(ctx, o.data)
	if err != nil {
		fmt.Fprintf(stderr, "requests: %v\n", err)
		return 1
	}
	defer closeStore()
	c.store = s
	if err := fn(ctx, rest); err != nil {
		fmt.Fprintf(stderr, "requests %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// parseInterleaved lets flags follow the command and its arguments
// ("show KS-7F3K9Q --json"), which the flag package alone stops at.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// check refuses flag combinations that make no sense before touching the store.
func (c *cli) check(cmd string) error {
	o := c.opts
	noNote := strings.TrimSpace(o.note) == ""
	switch {
	case cmd == "verify" && noNote:
		// The requester's email link was not used: the audit must say
		// what proved the identity instead.
		return errors.New("--note is required: say how the requester's identity was checked (verify skips the email link)")
	case (cmd == "resolve" || cmd == "reject") && noNote:
		return errors.New("--note is required: say what was done or why")
	case cmd == "export" && o.format != "csv" && o.format != "json":
		return errors.New("--format must be csv or json")
	case cmd != "list" && (o.status != "" || o.dueWithin != ""):
		return errors.New("--status and --due-within belong to list")
	case cmd != "export" && o.format != "":
		return errors.New("--format belongs to export")
	case cmd != "verify" && cmd != "resolve" && cmd != "reject" && o.note != "":
		return errors.New("--note belongs to verify, resolve and reject")
	}
	return nil
}
