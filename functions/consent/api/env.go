package api

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// HandlerFromEnv reads the settings every entry point shares: SITE_ORIGIN
// (required) and RETENTION_DAYS (default 1095) into a Handler without a
// store or mail, which the caller adds: the Lambda DynamoDB and SES
// (functions/consent), `cmd/site serve` a bbolt file and an outbox
// (package local). It links no AWS SDK, so serve's start stays quick.
func HandlerFromEnv() (*Handler, error) {
	// Browsers send Origin without a trailing slash.
	h := &Handler{Origin: strings.TrimSuffix(os.Getenv("SITE_ORIGIN"), "/"), Retention: DefaultRetention}
	if h.Origin == "" {
		return nil, errors.New("SITE_ORIGIN is not set")
	}
	if days := os.Getenv("RETENTION_DAYS"); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("RETENTION_DAYS=%q: want a positive number of days", days)
		}
		h.Retention = time.Duration(n) * 24 * time.Hour
	}
	return h, nil
}
