package api

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"pelqim/functions/consent/store"
)

// HandlerFromEnv reads the settings every entry point shares: SITE_ORIGIN
// (required), RETENTION_DAYS and REQUEST_RETENTION_DAYS (default 1095
// each) into a Handler without a store or mail, which the caller adds: the
// Lambda DynamoDB and SES (functions/consent), `cmd/site serve` a bbolt
// file and an outbox (package local). It links no AWS SDK, so serve's
// start stays quick.
func HandlerFromEnv() (*Handler, error) {
	// Browsers send Origin without a trailing slash.
	h := &Handler{Origin: strings.TrimSuffix(os.Getenv("SITE_ORIGIN"), "/"), Retention: DefaultRetention}
	if h.Origin == "" {
		return nil, errors.New("SITE_ORIGIN is not set")
	}
	if v := os.Getenv("RETENTION_DAYS"); v != "" {
		n, err := days("RETENTION_DAYS", v)
		if err != nil {
			return nil, err
		}
		h.Retention = time.Duration(n) * 24 * time.Hour
	}
	if v := os.Getenv("REQUEST_RETENTION_DAYS"); v != "" {
		n, err := days("REQUEST_RETENTION_DAYS", v)
		if err != nil {
			return nil, err
		}
		h.RequestRetentionDays = n
	}
	return h, nil
}

// days reads a retention setting: whole days from 1 to
// store.MaxRetentionDays, past which days as a time.Duration would
// overflow into a negative retention that expires every record at once.
func days(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > store.MaxRetentionDays {
		return 0, fmt.Errorf("%s=%q: want a number of days from 1 to %d", name, v, store.MaxRetentionDays)
	}
	return n, nil
}
