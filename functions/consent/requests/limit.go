package requests

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// DefaultLimit is how many data requests one client network, and
// one email address, may send per RateWindow.
const DefaultLimit = 5

// RateWindow is the fixed window of the request rate limits.
const RateWindow = time.Hour

// overLimit counts this request against its client network and its email
// and reports how long to wait when either is over the limit (0: go on).
// The email is counted by its hash: the counter table holds no address.
// Counters are atomic in the store, so the limit is exact under concurrency.
func (h *Handler) overLimit(ctx context.Context, now time.Time, clientNet, email string) (time.Duration, error) {
	limit := int64(cmp.Or(h.Limit, DefaultLimit))
	start := now.Truncate(RateWindow)
	end := start.Add(RateWindow)
	window := strconv.FormatInt(start.Unix(), 10)
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	for _, key := range []string{
		"net#" + cmp.Or(clientNet, "unknown") + "#" + window,
		"email#" + hex.EncodeToString(sum[:]) + "#" + window,
	} {
		// The TTL outlives the window a little so clocks that differ
		// slightly between Lambda instances still find the counter.
		n, err := h.Store.Hit(ctx, key, end.Add(RateWindow).Unix())
		if err != nil {
			return 0, err
		}
		if n > limit {
			return end.Sub(now), nil
		}
	}
	return 0, nil
}

// retryAfter is d in whole seconds, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}
