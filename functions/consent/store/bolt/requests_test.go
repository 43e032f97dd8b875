package bolt_test

import (
	"path/filepath"
	"testing"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/bolt"
	"pelqim/functions/consent/store/storetest"
)

func TestRequestsContract(t *testing.T) {
	storetest.RunRequests(t, func(t *testing.T) store.Requests {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "consent.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
