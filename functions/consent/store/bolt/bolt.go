// Package bolt keeps consent records in an embedded bbolt file: the store
// of `cmd/site serve`, which the staff's cmd/requests opens too when no
// DynamoDB table is configured.
package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"pelqim/functions/consent/store"

	bolt "go.etcd.io/bbolt"
)

var consentBucket = []byte("consent")

// Store is a store.Store in one bbolt file.
type Store struct {
	db   *bolt.DB
	file os.FileInfo // the file as opened: see checkFile

	mu     sync.Mutex
	hits   map[string]hits // Hit's counters
	newest int64           // the latest expiry among them
	calls  int64           // Hits so far: every 1024th sweeps
}

var _ store.Store = (*Store)(nil)

// Open opens (or creates) the database file at path.
func Open(path string) (*Store, error) {
	// The timeout turns a second process holding the file lock into an
	// error instead of a hang.
	s := &Store{}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, OpenFile: s.openFile})
	if err != nil {
		return nil, fmt.Errorf("open bolt store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(consentBucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init bolt store %s: %w", path, err)
	}
	s.db = db
	return s, nil
}

// Close releases the file.
func (s *Store) Close() error { return s.db.Close() }

// key sorts the events of one consent id together: "<consentId>/<eventId>".
func key(consentID, eventID string) []byte {
	return []byte(consentID + "/" + eventID)
}

// PutConsent implements store.Store.
func (s *Store) PutConsent(ctx context.Context, ev store.ConsentEvent) (store.ConsentEvent, bool, error) {
	val, err := json.Marshal(ev)
	if err != nil {
		return store.ConsentEvent{}, false, fmt.Errorf("encode consent event: %w", err)
	}
	k := key(ev.ConsentID, ev.EventID)
	var stored store.ConsentEvent
	var created bool
	// Batch lets concurrent writers share one transaction and one fsync. Its
	// function may run twice, so it sets both results on every run.
	err = s.write(s.db.Batch, func(tx *bolt.Tx) error {
		b := tx.Bucket(consentBucket)
		if old := b.Get(k); old != nil {
			created = false
			return json.Unmarshal(old, &stored)
		}
		stored, created = ev, true
		return b.Put(k, val)
	})
	if err != nil {
		return store.ConsentEvent{}, false, fmt.Errorf("put consent event %s: %w", k, err)
	}
	return stored, created, nil
}

// ConsentPage implements store.Store: the keys' order is the event ids'.
func (s *Store) ConsentPage(ctx context.Context, consentID, after string, limit int) (evs []store.ConsentEvent, next string, err error) {
	prefix, from := key(consentID, ""), key(consentID, after)
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(consentBucket).Cursor()
		for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if after != "" && bytes.Equal(k, from) {
				continue
			}
			if len(evs) == limit {
				next = evs[limit-1].EventID
				return nil
			}
			var ev store.ConsentEvent
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("decode %s: %w", k, err)
			}
			evs = append(evs, ev)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("list consent events of %s: %w", consentID, err)
	}
	return evs, next, nil
}
