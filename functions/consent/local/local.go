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

// Sender is the From address of the local outbox when SENDER_ADDRESS is
// unset.
const Sender = "privatesia@localhost"

// awsOnly are the variables that chose DynamoDB and SES when serve could
// use them. A user who sets one expects it to matter, so FromEnv refuses
// them rather than quietly writing somewhere else.
var awsOnly = []string{"TABLE_NAME", "AWS_ENDPOINT_URL_SESV2"}

// FromEnv builds the handler of `cmd/site serve`: consent events and data
// requests go into dataDir/consent.db (bbolt), confirmation emails into
// dataDir/outbox. From the environment it reads SITE_ORIGIN (required),
// RETENTION_DAYS and REQUEST_RETENTION_DAYS (default 1095 each) and
// SENDER_ADDRESS (default Sender). No origin secret is asked for: serve is
// reached directly. Call close when done.
func FromEnv(dataDir string) (h *api.Handler, close func() error, err error) {
	for _, name := range awsOnly {
		if os.Getenv(name) != "" {
			return nil, nil, fmt.Errorf("%s is set, but serve uses only the local store and the .eml outbox under -data; "+
				"the function itself runs against DynamoDB and SES, locally under aws-lambda-rie "+
				"(see functions/consent/README.md, \"Running the function locally\"): unset %[1]s for serve", name)
		}
	}
	if h, err = api.HandlerFromEnv(); err != nil {
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
	h.Store, h.Requests = s, s
	h.Mail = mail.Outbox{Dir: filepath.Join(dataDir, "outbox")}
	h.Sender = cmp.Or(os.Getenv("SENDER_ADDRESS"), Sender)
	return h, s.Close, nil
}
