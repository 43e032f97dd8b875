package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// RateWindow is the fixed window of every rate limit of the API.
const RateWindow = time.Hour

// Counter counts hits in the store, atomically across every instance of
// the function: both stores implement it.
type Counter interface {
	// Hit adds one to the counter key (created at 1 when missing), which
	// may be deleted after expiresAt (epoch seconds), and returns its value.
	Hit(ctx context.Context, key string, expiresAt int64) (int64, error)
}

// Limit is a number of hits a key may take per RateWindow.
type Limit struct {
	Key string // without the window: "net#203.0.113.0/24"
	Max int64
}

// OverLimit counts one hit against each limit, in order, and returns how
// long to wait when one is over (0: go on). It stops at the first that is
// over: a flood costs one write per request, not one per limit.
func OverLimit(ctx context.Context, c Counter, now time.Time, limits ...Limit) (time.Duration, error) {
	start := now.Truncate(RateWindow)
	end := start.Add(RateWindow)
	window := "#" + strconv.FormatInt(start.Unix(), 10)
	for _, l := range limits {
		// The TTL outlives the window a little, so that clocks that differ
		// slightly between instances still find the counter.
		n, err := c.Hit(ctx, l.Key+window, end.Add(RateWindow).Unix())
		if err != nil {
			return 0, err
		}
		if n > l.Max {
			return end.Sub(now), nil
		}
	}
	return 0, nil
}

// TooMany answers a client over a limit: 429 with Retry-After in whole
// seconds, at least 1, which the banner's queue and the form honour.
func TooMany(wait time.Duration, message string) Response {
	resp := Error(http.StatusTooManyRequests, "rate_limited", message)
	resp.Header.Set("Retry-After", RetryAfter(wait))
	return resp
}

// RetryAfter is d in whole seconds, at least 1.
func RetryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}
