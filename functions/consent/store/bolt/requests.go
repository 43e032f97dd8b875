package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"pelqim/functions/consent/store"

	bolt "go.etcd.io/bbolt"
)

// The request buckets are created by the first write, so Open (shared with
// the consent code) needs no change and a consent-only file stays valid.
var (
	requestBucket = []byte("requests") // ref -> DataRequest JSON
	auditBucket   = []byte("audit")    // ref "/" at "#" id -> AuditEvent JSON
)

var _ store.Requests = (*Store)(nil)

func auditKey(ev store.AuditEvent) []byte {
	return []byte(ev.Reference + "/" + ev.At + "#" + ev.ID)
}

// bucket returns a bucket in a write transaction, creating it when missing.
func bucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	return tx.CreateBucketIfNotExists(name)
}

func putAudit(tx *bolt.Tx, ev store.AuditEvent) error {
	b, err := bucket(tx, auditBucket)
	if err != nil {
		return err
	}
	val, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return b.Put(auditKey(ev), val)
}

// PutRequest implements store.Requests; the request and its first audit
// event are written in one transaction.
func (s *Store) PutRequest(ctx context.Context, r store.DataRequest, ev store.AuditEvent) error {
	val, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	err = s.write(s.db.Update, func(tx *bolt.Tx) error {
		b, err := bucket(tx, requestBucket)
		if err != nil {
			return err
		}
		if v := b.Get([]byte(r.Reference)); v != nil {
			var old store.DataRequest
			if json.Unmarshal(v, &old) != nil || r.TokenHash == "" || old.TokenHash != r.TokenHash {
				return store.ErrExists
			}
			return nil // this very request, put again (see dynamo's PutRequest)
		}
		if err := b.Put([]byte(r.Reference), val); err != nil {
			return err
		}
		return putAudit(tx, ev)
	})
	if err != nil {
		return fmt.Errorf("put request %s: %w", r.Reference, err)
	}
	return nil
}

func getRequest(b *bolt.Bucket, ref string) (store.DataRequest, error) {
	var r store.DataRequest
	if b == nil {
		return r, store.ErrNotFound
	}
	v := b.Get([]byte(ref))
	if v == nil {
		return r, store.ErrNotFound
	}
	return r, json.Unmarshal(v, &r)
}

// Request implements store.Requests.
func (s *Store) Request(ctx context.Context, ref string) (store.DataRequest, error) {
	var r store.DataRequest
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		r, err = getRequest(tx.Bucket(requestBucket), ref)
		return err
	})
	if err != nil {
		return store.DataRequest{}, fmt.Errorf("get request %s: %w", ref, err)
	}
	return r, nil
}

// Transition implements store.Requests: check, update and audit in one
// write transaction, which bbolt serialises.
// Like the consent records, nothing here is deleted at its expiry (the
// local preview's few items are not worth a sweeper); readers drop
// expired ones, and an expired request is refused as not found.
func (s *Store) Transition(ctx context.Context, ref string, t store.Transition) (store.DataRequest, error) {
	now, err := time.Parse(store.TimeFormat, t.Now)
	if err != nil {
		return store.DataRequest{}, fmt.Errorf("%s request %s: time %q: %w", t.To, ref, t.Now, err)
	}
	var r store.DataRequest
	err = s.write(s.db.Update, func(tx *bolt.Tx) error {
		b, err := bucket(tx, requestBucket)
		if err != nil {
			return err
		}
		if r, err = getRequest(b, ref); err != nil {
			return err
		}
		if store.Expired(r.ExpiresAt, now) {
			return fmt.Errorf("expired: %w", store.ErrNotFound)
		}
		if !slices.Contains(t.From, r.Status) ||
			t.TokenHash != "" && (r.TokenHash != t.TokenHash || r.TokenExpiresAt <= t.Now) {
			return store.ErrConflict
		}
		r.Status, r.UpdatedAt, r.ExpiresAt = t.To, t.Now, t.ExpiresAt
		val, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(ref), val); err != nil {
			return err
		}
		return putAudit(tx, t.Event)
	})
	if err != nil {
		return store.DataRequest{}, fmt.Errorf("%s request %s: %w", t.To, ref, err)
	}
	return r, nil
}

// RequestsByStatus implements store.Requests with a scan: the local store
// holds a handful of requests.
func (s *Store) RequestsByStatus(ctx context.Context, status string) ([]store.DataRequest, error) {
	var rs []store.DataRequest
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(requestBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var r store.DataRequest
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode %s: %w", k, err)
			}
			if r.Status == status {
				rs = append(rs, r)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list %s requests: %w", status, err)
	}
	store.SortRequests(rs)
	return rs, nil
}

// AuditEvents implements store.Requests.
func (s *Store) AuditEvents(ctx context.Context, ref string) ([]store.AuditEvent, error) {
	prefix := []byte(ref + "/")
	var evs []store.AuditEvent
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(auditBucket)
		if b == nil {
			return nil
		}
		// Each line has its request's expiry, read with it, as DynamoDB's
		// history in the request's item has.
		r, _ := getRequest(tx.Bucket(requestBucket), ref)
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var ev store.AuditEvent
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("decode %s: %w", k, err)
			}
			ev.ExpiresAt = r.ExpiresAt
			evs = append(evs, ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit of %s: %w", ref, err)
	}
	store.SortAudit(evs)
	return evs, nil
}

// Hit implements store.Store and store.Requests. The counters live in
// memory: the file is one process's (Open takes its lock), so they are
// exact without a write to disk each, which would be two more fsyncs per
// consent record. A restart starts them afresh; a counter goes two windows
// after the newest one's, for a long-running preview must not grow.
func (s *Store) Hit(ctx context.Context, key string, expiresAt int64) (int64, error) {
	if err := s.checkFile(); err != nil {
		return 0, fmt.Errorf("count %s: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hits == nil {
		s.hits = map[string]hits{}
	}
	s.newest = max(s.newest, expiresAt)
	if s.calls++; s.calls%1024 == 0 {
		for k, h := range s.hits {
			if h.expiresAt < s.newest-2*3600 {
				delete(s.hits, k)
			}
		}
	}
	h := s.hits[key]
	h.n, h.expiresAt = h.n+1, expiresAt
	s.hits[key] = h
	return h.n, nil
}

// hits is one counter of Hit.
type hits struct{ n, expiresAt int64 }
