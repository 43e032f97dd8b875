// Package local wires the consent API for running outside Lambda, as
// `cmd/site serve` does: a bbolt file or DynamoDB through the SDK's full
// configuration chain, and SES v2 or an outbox folder of .eml files. It is
// a package of its own so that none of this (bbolt, the SDK's config
// package with its SSO and STS clients) is linked into the Lambda binary,
// which uses api.LambdaFromEnv.
package local

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/mail"
	"pelqim/functions/consent/store/bolt"
	"pelqim/functions/consent/store/dynamo"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// Sender is the From address of the local outbox when SENDER_ADDRESS is
// unset.
const Sender = "privatesia@localhost"

// FromEnv builds the handler of `cmd/site serve` from the environment:
// TABLE_NAME (DynamoDB, configured by the SDK's full default chain:
// variables, shared config files, profiles, SSO), else a bbolt file in
// dataDir; SITE_ORIGIN (required); RETENTION_DAYS (default 1095). Against a
// DynamoDB endpoint on loopback (dynalite) it creates the table when
// missing. Confirmation emails go through SES v2 when AWS_ENDPOINT_URL_SESV2
// is set (aws-ses-v2-local), else into dataDir/outbox. No origin secret is
// asked for: serve is reached directly. Call close when done.
func FromEnv(ctx context.Context, dataDir string) (h *api.Handler, close func() error, err error) {
	h, table, err := api.HandlerFromEnv()
	if err != nil {
		return nil, nil, err
	}
	var cfg *aws.Config // loaded once, when DynamoDB or SES needs it
	loadConfig := func() (aws.Config, error) {
		if cfg == nil {
			c, err := config.LoadDefaultConfig(ctx)
			if err != nil {
				return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
			}
			cfg = &c
		}
		return *cfg, nil
	}

	close = func() error { return nil }
	if table != "" {
		c, err := loadConfig()
		if err != nil {
			return nil, nil, err
		}
		s, err := openDynamo(ctx, c, table)
		if err != nil {
			return nil, nil, err
		}
		h.Store, h.Requests = s, s
	} else {
		if dataDir == "" {
			return nil, nil, errors.New("neither TABLE_NAME nor a local data directory is set")
		}
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, nil, fmt.Errorf("local store: %w", err)
		}
		s, err := bolt.Open(filepath.Join(dataDir, "consent.db"))
		if err != nil {
			return nil, nil, err
		}
		h.Store, h.Requests, close = s, s, s.Close
	}

	h.Sender = os.Getenv("SENDER_ADDRESS")
	if os.Getenv("AWS_ENDPOINT_URL_SESV2") == "" {
		if dataDir == "" {
			close()
			return nil, nil, errors.New("data requests: no outbox folder (set -data) and no AWS_ENDPOINT_URL_SESV2")
		}
		h.Mail = mail.Outbox{Dir: filepath.Join(dataDir, "outbox")}
		h.Sender = cmp.Or(h.Sender, Sender)
		return h, close, nil
	}
	if h.Sender == "" {
		close()
		return nil, nil, errors.New("SENDER_ADDRESS is not set (the From address of the confirmation emails)")
	}
	c, err := loadConfig()
	if err != nil {
		close()
		return nil, nil, err
	}
	h.Mail = mail.SES{Client: sesv2.NewFromConfig(c)}
	return h, close, nil
}

func openDynamo(ctx context.Context, cfg aws.Config, table string) (*dynamo.Store, error) {
	db := dynamodb.NewFromConfig(cfg)
	s := dynamo.New(db, table)
	if isLoopback(aws.ToString(db.Options().BaseEndpoint)) {
		if err := s.EnsureTable(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func isLoopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
