package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/bolt"
	"pelqim/functions/consent/store/dynamo"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// openStore picks the store: with TABLE_NAME, the function's DynamoDB
// table, configured by the SDK's whole default chain (variables, shared
// config files, profiles, SSO: how staff sign in); else the bbolt file
// `cmd/site serve` keeps in dataDir. It never creates a table or a folder:
// a typo must not start an empty store.
func openStore(ctx context.Context, dataDir string) (store.Requests, func() error, error) {
	if table := os.Getenv("TABLE_NAME"); table != "" {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("load AWS config: %w", err)
		}
		return dynamo.New(dynamodb.NewFromConfig(cfg), table), func() error { return nil }, nil
	}
	path := filepath.Join(dataDir, "consent.db")
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("no local store at %s (set -data to serve's folder, or TABLE_NAME for DynamoDB): %w", path, err)
	}
	s, err := bolt.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (is `cmd/site serve` running on it? stop it first)", err)
	}
	return s, s.Close, nil
}
