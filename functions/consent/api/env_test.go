package api

import (
	"strings"
	"testing"
	"time"
)

// TestHandlerFromEnvRetention: both retentions take whole days from 1 to
// 36,500 (store.MaxRetentionDays); more would overflow time.Duration past 106,751 days into a
// negative retention, and records would expire as they are written.
func TestHandlerFromEnvRetention(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		name, value string
		retention   time.Duration // RETENTION_DAYS
		requests    int           // REQUEST_RETENTION_DAYS
		err         string        // what the error names; "" for none
	}{
		{"RETENTION_DAYS", "", DefaultRetention, 0, ""},
		{"RETENTION_DAYS", "30", 30 * day, 0, ""},
		{"RETENTION_DAYS", "36500", 36500 * day, 0, ""},
		{"RETENTION_DAYS", "36501", 0, 0, "RETENTION_DAYS"},
		{"RETENTION_DAYS", "106752", 0, 0, "RETENTION_DAYS"},
		{"RETENTION_DAYS", "0", 0, 0, "RETENTION_DAYS"},
		{"REQUEST_RETENTION_DAYS", "", DefaultRetention, 0, ""},
		{"REQUEST_RETENTION_DAYS", "30", DefaultRetention, 30, ""},
		{"REQUEST_RETENTION_DAYS", "36500", DefaultRetention, 36500, ""},
		{"REQUEST_RETENTION_DAYS", "36501", 0, 0, "REQUEST_RETENTION_DAYS"},
		{"REQUEST_RETENTION_DAYS", "106752", 0, 0, "REQUEST_RETENTION_DAYS"},
		{"REQUEST_RETENTION_DAYS", "-1", 0, 0, "REQUEST_RETENTION_DAYS"},
		{"REQUEST_RETENTION_DAYS", "3y", 0, 0, "REQUEST_RETENTION_DAYS"},
	} {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			t.Setenv("SITE_ORIGIN", testOrigin)
			t.Setenv("RETENTION_DAYS", "")
			t.Setenv("REQUEST_RETENTION_DAYS", "")
			t.Setenv(c.name, c.value)
			h, err := HandlerFromEnv()
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "36500") {
					t.Errorf("err %v, want one naming %s and its limit", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Retention != c.retention || h.RequestRetentionDays != c.requests {
				t.Errorf("retention %v, requests %d days; want %v, %d", h.Retention, h.RequestRetentionDays, c.retention, c.requests)
			}
		})
	}
}
