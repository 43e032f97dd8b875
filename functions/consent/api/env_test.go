package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/testenv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// setEnv sets the variables FromEnv reads, clearing the others.
func setEnv(t *testing.T, vars ...string) {
	for _, k := range []string{"TABLE_NAME", "SITE_ORIGIN", "RETENTION_DAYS", "SENDER_ADDRESS",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SESV2", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

func postOK(t *testing.T, h *api.Handler) {
	t.Helper()
	req := postReq(body(fields()))
	req.Header.Set("Origin", h.Origin)
	if resp := h.Serve(context.Background(), req); resp.Status != http.StatusCreated {
		t.Errorf("POST: %d %s", resp.Status, resp.Body)
	}
}

func TestFromEnvLocal(t *testing.T) {
	setEnv(t, "SITE_ORIGIN=http://127.0.0.1:1313/")
	h, closeStore, err := api.FromEnv(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if h.Origin != "http://127.0.0.1:1313" || h.Retention != api.DefaultRetention {
		t.Errorf("origin %q, retention %v", h.Origin, h.Retention)
	}
	postOK(t, h)
}

// TestFromEnvDynalite: TABLE_NAME and a loopback endpoint create the table.
func TestFromEnvDynalite(t *testing.T) {
	d := testenv.Dynalite(t)
	setEnv(t, append(d.Env(), "TABLE_NAME=pelqim-env", "SITE_ORIGIN="+origin, "RETENTION_DAYS=30")...)
	h, closeStore, err := api.FromEnv(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if h.Retention != 30*24*time.Hour {
		t.Errorf("retention %v", h.Retention)
	}
	if _, err := d.Client().DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String("pelqim-env")}); err != nil {
		t.Errorf("table not created: %v", err)
	}
	postOK(t, h)
}

func TestFromEnvErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		vars []string
		want string
	}{
		{"no origin", nil, "SITE_ORIGIN"},
		{"retention zero", []string{"SITE_ORIGIN=" + origin, "RETENTION_DAYS=0"}, "RETENTION_DAYS"},
		{"retention text", []string{"SITE_ORIGIN=" + origin, "RETENTION_DAYS=3y"}, "RETENTION_DAYS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			setEnv(t, c.vars...)
			if _, _, err := api.FromEnv(context.Background(), t.TempDir()); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("FromEnv: %v, want an error about %s", err, c.want)
			}
		})
	}
	setEnv(t, "SITE_ORIGIN="+origin)
	if _, err := api.LambdaFromEnv(context.Background()); err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Errorf("LambdaFromEnv without TABLE_NAME: %v", err)
	}
}
