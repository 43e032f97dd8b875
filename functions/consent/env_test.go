package main

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"pelqim/content"
	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/dynamo"
	"pelqim/functions/consent/store/storetest"
	"pelqim/functions/consent/testenv"

	"github.com/aws/aws-lambda-go/events"
)

func TestHandlerFromEnvErrors(t *testing.T) {
	all := []string{"TABLE_NAME=t", "SITE_ORIGIN=" + origin, "SENDER_ADDRESS=privatesia@xiaomistore-ks.com", "ORIGIN_SECRET=" + originSecret}
	without := func(name string) []string {
		var vars []string
		for _, kv := range all {
			if !strings.HasPrefix(kv, name+"=") {
				vars = append(vars, kv)
			}
		}
		return vars
	}
	for _, c := range []struct {
		name string
		vars []string
		want string
	}{
		{"no origin", without("SITE_ORIGIN"), "SITE_ORIGIN"},
		{"no table", without("TABLE_NAME"), "TABLE_NAME"},
		{"no origin secret", without("ORIGIN_SECRET"), "ORIGIN_SECRET"},
		{"no sender", without("SENDER_ADDRESS"), "SENDER_ADDRESS"},
		{"retention zero", append(all, "RETENTION_DAYS=0"), "RETENTION_DAYS"},
		{"retention text", append(all, "RETENTION_DAYS=3y"), "RETENTION_DAYS"},
		{"retention overflowing", append(all, "RETENTION_DAYS=106752"), "RETENTION_DAYS"},
		{"request retention zero", append(all, "REQUEST_RETENTION_DAYS=0"), "REQUEST_RETENTION_DAYS"},
		{"request retention too long", append(all, "REQUEST_RETENTION_DAYS=36501"), "REQUEST_RETENTION_DAYS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			testenv.SetEnv(t, c.vars...)
			if _, err := handlerFromEnv(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("handlerFromEnv: %v, want an error about %s", err, c.want)
			}
		})
	}
}

// TestConfigFromEnvRetention: both retentions take whole days from 1 to
// 36,500 (content.MaxRetention); more would overflow time.Duration past
// 106,751 days into a negative retention, and records would expire as
// they are written. Unset, each is the API's default (0).
func TestConfigFromEnvRetention(t *testing.T) {
	all := []string{"TABLE_NAME=t", "SITE_ORIGIN=" + origin, "SENDER_ADDRESS=privatesia@xiaomistore-ks.com", "ORIGIN_SECRET=" + originSecret}
	for _, c := range []struct {
		name, value string
		retention   content.Days // RETENTION_DAYS
		requests    content.Days // REQUEST_RETENTION_DAYS
		err         string       // what the error names; "" for none
	}{
		{"RETENTION_DAYS", "", 0, 0, ""},
		{"RETENTION_DAYS", "30", 30, 0, ""},
		{"RETENTION_DAYS", "36500", 36500, 0, ""},
		{"RETENTION_DAYS", "36501", 0, 0, "RETENTION_DAYS"},
		{"RETENTION_DAYS", "106752", 0, 0, "RETENTION_DAYS"},
		{"RETENTION_DAYS", "0", 0, 0, "RETENTION_DAYS"},
		{"REQUEST_RETENTION_DAYS", "", 0, 0, ""},
		{"REQUEST_RETENTION_DAYS", "30", 0, 30, ""},
		{"REQUEST_RETENTION_DAYS", "36500", 0, 36500, ""},
		{"REQUEST_RETENTION_DAYS", "36501", 0, 0, "REQUEST_RETENTION_DAYS"},
		{"REQUEST_RETENTION_DAYS", "106752", 0, 0, "REQUEST_RETENTION_DAYS"},
		{"REQUEST_RETENTION_DAYS", "-1", 0, 0, "REQUEST_RETENTION_DAYS"},
		{"REQUEST_RETENTION_DAYS", "3y", 0, 0, "REQUEST_RETENTION_DAYS"},
	} {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			testenv.SetEnv(t, append(all, c.name+"="+c.value)...)
			cfg, err := configFromEnv()
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "36500") {
					t.Errorf("err %v, want one naming %s and its limit", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.api.Retention != c.retention || cfg.api.RequestRetention != c.requests {
				t.Errorf("retention %d, requests %d days; want %d, %d", cfg.api.Retention, cfg.api.RequestRetention, c.retention, c.requests)
			}
		})
	}
}

// TestHandlerFromEnv: the handler the Lambda starts, configured as the
// template configures it, against dynalite and aws-ses-v2-local, in
// process (TestLambda runs the binary). Only requests carrying
// ORIGIN_SECRET reach the store or the mail.
func TestHandlerFromEnv(t *testing.T) {
	d, sesLocal := testenv.Dynalite(t), testenv.SESLocal(t)
	table := d.Table(t)
	testenv.SetEnv(t, append(lambdaEnv(d, table), sesLocal.Env()...)...)
	handle, err := handlerFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	s := dynamo.New(d.Client(), table)
	const eventID = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"

	for _, secret := range []string{"", originSecret[1:]} { // missing, wrong
		for _, ev := range []events.LambdaFunctionURLRequest{consentEvent(eventID), formEvent()} {
			ev.Headers["x-origin-verify"] = secret
			if secret == "" {
				delete(ev.Headers, "x-origin-verify")
			}
			resp, err := handle(context.Background(), ev)
			if err != nil || resp.StatusCode != 403 || !strings.Contains(resp.Body, `"error":"forbidden"`) {
				t.Errorf("%s with X-Origin-Verify %q: %+v %v, want 403 forbidden", ev.RawPath, secret, resp, err)
			}
		}
	}
	if evs, err := store.AllEvents(context.Background(), s, consentID); err != nil || len(evs) != 0 {
		t.Errorf("refused consent stored: %+v, %v", evs, err)
	}
	if rs := storetest.AllRequests(t, s); len(rs) != 0 {
		t.Errorf("refused data request stored: %+v", rs)
	}
	if emails := sesLocal.Emails(t); len(emails) != 0 {
		t.Errorf("refused data request mailed: %v", emails)
	}

	resp, err := handle(context.Background(), consentEvent(eventID))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("consent with the secret: %+v, %v", resp, err)
	}
	if evs, err := store.AllEvents(context.Background(), s, consentID); err != nil || len(evs) != 1 || evs[0].ClientNet != "2001:db8:abcd::/48" {
		t.Errorf("stored %+v, %v", evs, err)
	}
	resp, err = handle(context.Background(), formEvent())
	if err != nil || resp.StatusCode != 303 || !strings.HasPrefix(resp.Headers["Location"], "/api/requests/received?") || !strings.Contains(resp.Headers["Location"], "ref=KS-") {
		t.Fatalf("data request form with the secret: %+v, %v", resp, err)
	}
	if rs := storetest.AllRequests(t, s); len(rs) != 1 || rs[0].Email != "qendresa@example.com" {
		t.Errorf("stored requests %+v", rs)
	}
	if emails := sesLocal.Emails(t); len(emails) != 1 || emails[0].From != "privatesia@xiaomistore-ks.com" {
		t.Errorf("emails %v", emails)
	}
}

// formEvent is the no-JavaScript data-request form's POST as CloudFront
// forwards it to the Function URL: form-encoded, base64 in the event.
func formEvent() events.LambdaFunctionURLRequest {
	form := url.Values{"type": {"access"}, "email": {"qendresa@example.com"}, "language": {"sq"}, "website": {""}}
	ev := consentEvent("")
	ev.RawPath, ev.RequestContext.HTTP.Path = "/api/requests", "/api/requests"
	ev.Headers["content-type"] = "application/x-www-form-urlencoded"
	ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(form.Encode())), true
	return ev
}
