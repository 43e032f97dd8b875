package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"pelqim/functions/consent/store"
)

type cli struct {
	opts  options
	store store.Requests
	out   io.Writer
	color bool
	now   func() time.Time // default time.Now
}

// command returns a command's function and how many arguments it takes.
func (c *cli) command(name string) (func(context.Context, []string) error, int) {
	switch name {
	case "list":
		return c.list, 0
	case "show":
		return c.show, 1
	case "verify":
		return c.transition("verify", store.StatusVerified, store.StatusUnverified), 1
	case "resolve":
		return c.transition("resolve", store.StatusResolved, store.StatusVerified), 1
	case "reject":
		return c.transition("reject", store.StatusRejected, store.StatusUnverified, store.StatusVerified), 1
	case "export":
		return c.export, 0
	}
	return nil, 0
}

func (c *cli) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// view is a request as the tool shows it: without the token hash, with
// whether it is overdue.
type view struct {
	Reference  string `json:"reference"`
	Status     string `json:"status"`
	Type       string `json:"type"`
	Email      string `json:"email"`
	Language   string `json:"language"`
	ReceivedAt string `json:"receivedAt"`
	DueAt      string `json:"dueAt"`
	UpdatedAt  string `json:"updatedAt"`
	Overdue    bool   `json:"overdue"`
	Details    string `json:"details"`
}

func isOpen(status string) bool {
	return status == store.StatusUnverified || status == store.StatusVerified
}

func (c *cli) view(r store.DataRequest) view {
	return view{
		Reference: r.Reference, Status: r.Status, Type: r.Type, Email: r.Email, Language: r.Language,
		ReceivedAt: r.ReceivedAt, DueAt: r.DueAt, UpdatedAt: r.UpdatedAt, Details: r.Details,
		Overdue: isOpen(r.Status) && r.DueAt < c.clock().UTC().Format(store.TimeFormat),
	}
}

// requests reads the requests of the given statuses, overdue first, then
// by due date.
func (c *cli) requests(ctx context.Context, statuses []string) ([]view, error) {
	var vs []view
	for _, st := range statuses {
		rs, err := c.store.RequestsByStatus(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !store.Expired(r.ExpiresAt, c.clock()) {
				vs = append(vs, c.view(r))
			}
		}
	}
	slices.SortFunc(vs, func(a, b view) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.DueAt, b.DueAt), strings.Compare(a.Reference, b.Reference))
	})
	return vs, nil
}

func (c *cli) list(ctx context.Context, _ []string) error {
	statuses := []string{store.StatusUnverified, store.StatusVerified}
	switch st := c.opts.status; {
	case st == "all":
		statuses = store.Statuses
	case slices.Contains(store.Statuses, st):
		statuses = []string{st}
	case st != "":
		return fmt.Errorf("--status %q: want one of %s or all", st, strings.Join(store.Statuses, ", "))
	}
	vs, err := c.requests(ctx, statuses)
	if err != nil {
		return err
	}
	if c.opts.dueWithin != "" {
		d, err := parseWithin(c.opts.dueWithin)
		if err != nil {
			return err
		}
		limit := c.clock().Add(d).UTC().Format(store.TimeFormat)
		vs = slices.DeleteFunc(vs, func(v view) bool { return v.DueAt > limit })
	}
	if c.opts.json {
		return writeJSON(c.out, nonNil(vs))
	}
	return c.table(vs)
}

// parseWithin reads "7d" (days, the unit staff think in) or a Go duration.
func parseWithin(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--due-within %q: want days such as 7d, or a duration such as 36h", s)
	}
	return d, nil
}

func (c *cli) get(ctx context.Context, ref string) (store.DataRequest, error) {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	r, err := c.store.Request(ctx, ref)
	if errors.Is(err, store.ErrNotFound) || err == nil && store.Expired(r.ExpiresAt, c.clock()) {
		// Past its retention it is gone, whether or not DynamoDB's TTL
		// has deleted it yet.
		return store.DataRequest{}, fmt.Errorf("no request %s", cell(ref, 0))
	}
	return r, err
}

func (c *cli) show(ctx context.Context, args []string) error {
	r, err := c.get(ctx, args[0])
	if err != nil {
		return err
	}
	evs, err := c.store.AuditEvents(ctx, r.Reference)
	if err != nil {
		return err
	}
	evs = store.LiveAudit(evs, c.clock())
	if c.opts.json {
		return writeJSON(c.out, struct {
			Request view               `json:"request"`
			Audit   []store.AuditEvent `json:"audit"`
		}{c.view(r), nonNil(evs)})
	}
	return c.detail(c.view(r), evs)
}

// transition returns the command that moves a request to "to" from one of
// "from", refusing (exit 1, nothing changed) from any other status.
func (c *cli) transition(verb, to string, from ...string) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		who := cmp.Or(os.Getenv("PELQIM_STAFF"), os.Getenv("USER"))
		if who == "" {
			return errors.New("set PELQIM_STAFF (or USER) to your name: every change records who made it")
		}
		r, err := c.get(ctx, args[0])
		if err != nil {
			return err
		}
		now := c.clock().UTC()
		// From the status as read, which the expiry depends on: a request
		// confirmed meanwhile is refused, not closed on the wrong rule.
		allowed := from
		if slices.Contains(from, r.Status) {
			allowed = []string{r.Status}
		}
		_, err = c.store.Transition(ctx, r.Reference, store.Transition{
			From: allowed, To: to, Now: now.Format(store.TimeFormat),
			// Verified: kept while open; closed: for the retention the
			// request was received under (store.RequestExpiry).
			ExpiresAt: store.RequestExpiry(r, to, now),
			Event: store.AuditEvent{
				Reference: r.Reference, At: now.Format(store.AuditTimeFormat), ID: randomID(),
				Action: to, Status: to, Note: strings.TrimSpace(c.opts.note), Who: who,
			},
		})
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no request %s (it expired meanwhile)", cell(r.Reference, 0))
		}
		if errors.Is(err, store.ErrConflict) {
			// Read again: the status may have changed since the first read.
			if cur, err := c.store.Request(ctx, r.Reference); err == nil {
				r = cur
			}
			return fmt.Errorf("refused: %s is %s; %s works only from %s. Nothing changed",
				cell(r.Reference, 0), cell(r.Status, 0), verb, strings.Join(from, " or "))
		}
		if err != nil {
			return err
		}
		if c.opts.json {
			u, err := c.store.Request(ctx, r.Reference)
			if err != nil {
				return err
			}
			return writeJSON(c.out, c.view(u))
		}
		_, err = fmt.Fprintf(c.out, "%s: %s -> %s (by %s)\n", cell(r.Reference, 0), cell(r.Status, 0), to, cell(who, 0))
		return err
	}
}

func (c *cli) export(ctx context.Context, _ []string) error {
	vs, err := c.requests(ctx, store.Statuses)
	if err != nil {
		return err
	}
	slices.SortFunc(vs, func(a, b view) int {
		return cmp.Or(strings.Compare(a.ReceivedAt, b.ReceivedAt), strings.Compare(a.Reference, b.Reference))
	})
	if c.opts.format == "json" {
		return writeJSON(c.out, nonNil(vs))
	}
	return writeCSV(c.out, vs)
}

func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
