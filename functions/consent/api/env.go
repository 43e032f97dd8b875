package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"pelqim/functions/consent/store/bolt"
	"pelqim/functions/consent/store/dynamo"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// FromEnv builds the handler of `cmd/site serve` from the environment:
// TABLE_NAME (DynamoDB, configured by the SDK's full default chain:
// variables, shared config files, profiles, SSO), else a bbolt file in
// localDataDir; SITE_ORIGIN (required); RETENTION_DAYS (default 1095).
// Against a DynamoDB endpoint on loopback (dynalite) it creates the table
// when missing. Call close when done.
func FromEnv(ctx context.Context, localDataDir string) (h *Handler, close func() error, err error) {
	h, table, err := handlerFromEnv()
	if err != nil {
		return nil, nil, err
	}
	if table != "" {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("load AWS config: %w", err)
		}
		if h.Store, err = newDynamo(ctx, cfg, table); err != nil {
			return nil, nil, err
		}
		if err := h.wireRequestsLocal(ctx, &cfg, localDataDir); err != nil {
			return nil, nil, err
		}
		return h, func() error { return nil }, nil
	}
	if localDataDir == "" {
		return nil, nil, errors.New("neither TABLE_NAME nor a local data directory is set")
	}
	if err := os.MkdirAll(localDataDir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("local store: %w", err)
	}
	s, err := bolt.Open(filepath.Join(localDataDir, "consent.db"))
	if err != nil {
		return nil, nil, err
	}
	h.Store = s
	if err := h.wireRequestsLocal(ctx, nil, localDataDir); err != nil {
		s.Close()
		return nil, nil, err
	}
	return h, s.Close, nil
}

// LambdaFromEnv builds the Lambda's handler: like FromEnv, but TABLE_NAME
// is required and the AWS configuration comes from the variables alone
// (region, the execution role's credentials, endpoint), which is all the
// Lambda runtime provides. Leaving out the SDK's file, SSO and STS
// providers keeps the arm64 binary under 10 MB and its start short.
func LambdaFromEnv(ctx context.Context) (*Handler, error) {
	h, table, err := handlerFromEnv()
	if err != nil {
		return nil, err
	}
	if table == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	cfg := aws.Config{
		Region:        env.Region,
		Credentials:   credentials.StaticCredentialsProvider{Value: env.Credentials},
		ConfigSources: []any{env}, // carries AWS_ENDPOINT_URL_DYNAMODB
	}
	if h.Store, err = newDynamo(ctx, cfg, table); err != nil {
		return nil, err
	}
	if err := h.wireRequestsLambda(cfg); err != nil {
		return nil, err
	}
	return h, nil
}

// handlerFromEnv reads the settings both entry points share.
func handlerFromEnv() (h *Handler, table string, err error) {
	// Browsers send Origin without a trailing slash.
	h = &Handler{Origin: strings.TrimSuffix(os.Getenv("SITE_ORIGIN"), "/"), Retention: DefaultRetention}
	if h.Origin == "" {
		return nil, "", errors.New("SITE_ORIGIN is not set")
	}
	if days := os.Getenv("RETENTION_DAYS"); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return nil, "", fmt.Errorf("RETENTION_DAYS=%q: want a positive number of days", days)
		}
		h.Retention = time.Duration(n) * 24 * time.Hour
	}
	return h, os.Getenv("TABLE_NAME"), nil
}

func newDynamo(ctx context.Context, cfg aws.Config, table string) (*dynamo.Store, error) {
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
