package bolt_test

import (
	"path/filepath"
	"testing"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/bolt"
	"pelqim/functions/consent/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "consent.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consent.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := bolt.Open(path); err == nil {
		t.Fatal("a second Open of a held file succeeded")
	}
}
