package bolt_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/bolt"
	"pelqim/functions/consent/store/storetest"
)

// TestFileGone: once the file is deleted or replaced under an open store,
// every write fails with ErrFileGone instead of going into a file no path
// names (before, each succeeded, and was gone at the next start).
func TestFileGone(t *testing.T) {
	ctx := context.Background()
	for _, tt := range storetest.FileGone {
		t.Run(tt.Name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "data", "consent.db")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			s, err := bolt.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, _, err := s.PutConsent(ctx, storetest.Event("c", 1)); err != nil {
				t.Fatalf("a write before: %v", err)
			}
			open := storetest.Request("KS-BBBBBB", 2)
			if err := s.PutRequest(ctx, open, storetest.Audit(open.Reference, "received", store.StatusUnverified, 2)); err != nil {
				t.Fatalf("a write before: %v", err)
			}
			tt.Do(t, path)
			writes := map[string]func() error{
				"PutConsent": func() error { _, _, err := s.PutConsent(ctx, storetest.Event("c", 2)); return err },
				"PutRequest": func() error {
					return s.PutRequest(ctx, storetest.Request("KS-AAAAAA", 1), storetest.Audit("KS-AAAAAA", "received", store.StatusUnverified, 1))
				},
				"Transition": func() error {
					_, err := s.Transition(ctx, open.Reference, store.Transition{
						From: []string{store.StatusUnverified}, To: store.StatusRejected, Now: open.UpdatedAt,
						Event: storetest.Audit(open.Reference, "rejected", store.StatusRejected, 3),
					})
					return err
				},
				"Hit": func() error { _, err := s.Hit(ctx, "net#203.0.113.0/24", 0); return err },
			}
			for name, write := range writes {
				if err := write(); !errors.Is(err, bolt.ErrFileGone) {
					t.Errorf("%s after the file was %s: %v, want ErrFileGone", name, tt.Name, err)
				}
			}
		})
	}
}
