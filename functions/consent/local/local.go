// Package local wires the consent API for `cmd/site serve`, the editors'
// live preview: a bbolt file and an outbox folder of .eml files under one
// data directory. It is a package of its own so that bbolt stays out of the
// Lambda binary, and it uses no AWS SDK because every `site` command, build
// included, links what serve links and would pay the SDK's package
// initialisers (about 12 ms) at each process start. The function itself,
// with DynamoDB and SES, runs locally under aws-lambda-rie
// (functions/consent/README.md).
package local

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/mail"
	"pelqim/functions/consent/store/bolt"
)

// Sender is the From address of the local outbox when the configuration
// names none.
const Sender = "privatesia@localhost"

// Open is the API of `cmd/site serve`, configured by c, whose store and
// mail it sets: consent records and data requests go into
// dataDir/consent.db (bbolt), confirmation emails into dataDir/outbox, from
// c.Sender or else Sender. No origin secret is asked for: serve is reached
// directly. Call close when done.
func Open(dataDir string, c api.Config) (h *api.Handler, close func() error, err error) {
	if err := c.Check(); err != nil {
		return nil, nil, err
	}
	if dataDir == "" {
		return nil, nil, errors.New("no local data directory (set -data)")
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("local store: %w", err)
	}
	s, err := bolt.Open(filepath.Join(dataDir, "consent.db"))
	if err != nil {
		return nil, nil, err
	}
	c.Store, c.Requests = s, s
	c.Mail = mail.Outbox{Dir: filepath.Join(dataDir, "outbox")}
	c.Sender = cmp.Or(c.Sender, Sender)
	if h, err = api.New(c); err != nil {
		s.Close()
		return nil, nil, err
	}
	return h, s.Close, nil
}
