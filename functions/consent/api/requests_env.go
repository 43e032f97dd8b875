package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"pelqim/functions/consent/mail"
	"pelqim/functions/consent/store"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// LocalSender is the From address of the local outbox when SENDER_ADDRESS
// is unset.
const LocalSender = "privatesia@localhost"

// useStoreForRequests points Requests at the consent store: both store
// types implement store.Requests, so one table or file holds everything.
func (h *Handler) useStoreForRequests() error {
	rs, ok := h.Store.(store.Requests)
	if !ok {
		return fmt.Errorf("store %T cannot keep data requests", h.Store)
	}
	h.Requests = rs
	return nil
}

// wireRequestsLocal is the data-request wiring of `cmd/site serve`: SES v2
// when AWS_ENDPOINT_URL_SESV2 is set (aws-ses-v2-local), else .eml files in
// <dataDir>/outbox. cfg may be nil when no AWS configuration is loaded yet.
func (h *Handler) wireRequestsLocal(ctx context.Context, cfg *aws.Config, dataDir string) error {
	if err := h.useStoreForRequests(); err != nil {
		return err
	}
	h.Sender = os.Getenv("SENDER_ADDRESS")
	if os.Getenv("AWS_ENDPOINT_URL_SESV2") == "" {
		if dataDir == "" {
			return errors.New("data requests: no outbox folder (set -data) and no AWS_ENDPOINT_URL_SESV2")
		}
		h.Mail = mail.Outbox{Dir: filepath.Join(dataDir, "outbox")}
		h.Sender = cmp.Or(h.Sender, LocalSender)
		return nil
	}
	if cfg == nil {
		c, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return fmt.Errorf("load AWS config: %w", err)
		}
		cfg = &c
	}
	return h.useSES(*cfg)
}

// wireRequestsLambda is the Lambda's: always SES v2, configured from the
// same variables-only cfg as DynamoDB, which keeps the SDK's file, SSO and
// STS providers out of the binary.
func (h *Handler) wireRequestsLambda(cfg aws.Config) error {
	if err := h.useStoreForRequests(); err != nil {
		return err
	}
	h.Sender = os.Getenv("SENDER_ADDRESS")
	return h.useSES(cfg)
}

func (h *Handler) useSES(cfg aws.Config) error {
	if h.Sender == "" {
		return errors.New("SENDER_ADDRESS is not set (the From address of the confirmation emails)")
	}
	h.Mail = mail.SES{Client: sesv2.NewFromConfig(cfg)}
	return nil
}
