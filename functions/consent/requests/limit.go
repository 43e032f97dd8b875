package requests

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"pelqim/functions/consent/httpapi"
)

// DefaultLimit is how many data requests one client network may file per
// httpapi.RateWindow. An address is not limited so: anyone may name any
// address, and a stranger must not keep its owner from filing.
const DefaultLimit = 5

// MailLimit is how many confirmation emails one address gets per
// httpapi.RateWindow, however many requests name it: a request past it is
// filed without one, and the visitor is told so.
const MailLimit = 3

// overLimit counts this request against its client network and reports
// how long to wait when it is over (0: go on). Counters are atomic in the
// store, so the limit is exact under concurrency and across instances.
func (h *Handler) overLimit(ctx context.Context, now time.Time, clientNet string) (time.Duration, error) {
	return httpapi.OverLimit(ctx, h.Store, now, httpapi.Limit{Key: "net#" + cmp.Or(clientNet, "unknown"), Max: int64(cmp.Or(h.Limit, DefaultLimit))})
}

// mailAllowed counts a confirmation email to email against MailLimit. The
// address is counted by its hash: the counter table holds no address.
func (h *Handler) mailAllowed(ctx context.Context, now time.Time, email string) (bool, error) {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	wait, err := httpapi.OverLimit(ctx, h.Store, now, httpapi.Limit{Key: "email#" + hex.EncodeToString(sum[:]), Max: MailLimit})
	return wait == 0, err
}
