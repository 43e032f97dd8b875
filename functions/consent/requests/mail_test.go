package requests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	pmail "pelqim/functions/consent/mail"
	"pelqim/functions/consent/mail/ses"
	"pelqim/functions/consent/testenv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// sesAt is an SES v2 client for endpoint, without retries.
func sesAt(endpoint string) pmail.Sender {
	return ses.Sender{Client: sesv2.New(sesv2.Options{
		Region: testenv.Region, BaseEndpoint: aws.String(endpoint), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(testenv.AccessKey, testenv.SecretKey, ""),
	})}
}

// rejectingSES answers every call as SES does a message to an address it
// will not take (in the sandbox, any unverified one): MessageRejected,
// with the address in the message.
func rejectingSES(t *testing.T, addr string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"message":"Email address is not verified. The following identities failed the check in region EU-CENTRAL-1: %s"}`, addr)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// closedPort is an address where nothing listens.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

type failingSender struct{ err error }

func (s failingSender) Send(context.Context, pmail.Message) error { return s.err }

// TestMailErrorLog: when the confirmation cannot be sent, the log names the
// request and the error's code, never the recipient's address, which the
// errors themselves carry (SES's MessageRejected lists it).
func TestMailErrorLog(t *testing.T) {
	const addr = "teuta.krasniqi@example.com"
	for _, c := range []struct {
		name string
		mail func(t *testing.T) pmail.Sender
		code string
	}{
		{"SES refuses the address", func(t *testing.T) pmail.Sender { return sesAt(rejectingSES(t, addr)) }, "MessageRejected"},
		{"SES unreachable", func(t *testing.T) pmail.Sender { return sesAt(closedPort(t)) }, "NetworkError"},
		{"other sender", func(t *testing.T) pmail.Sender {
			return failingSender{fmt.Errorf("deliver to %s: %w", addr, errors.New("mailbox full"))}
		}, "Unknown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := boltFixture(t)
			var logs bytes.Buffer
			f.h.Log = slog.New(slog.NewTextHandler(&logs, nil))
			f.h.Mail = c.mail(t)
			resp := postJSON(f.h, addr, "203.0.113.40:1")
			if resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("status %d %s, want 503 with Retry-After", resp.Status, resp.Body)
			}
			all := stored(t, f.rs)
			if len(all) != 1 {
				t.Fatalf("%d requests stored, want 1", len(all))
			}
			// A form's visitor is told the request was filed, under which
			// reference, not that it was lost.
			form := url.Values{"type": {"access"}, "email": {addr}, "language": {"en"}, "website": {""}}.Encode()
			page := postRequest(f.h, "application/x-www-form-urlencoded", form, "203.0.113.41:1")
			refs := stored(t, f.rs)
			if page.Status != http.StatusServiceUnavailable || len(refs) != 2 {
				t.Fatalf("form: %d, %d stored", page.Status, len(refs))
			}
			for _, r := range refs {
				if r.Reference != all[0].Reference && !strings.Contains(string(page.Body), r.Reference) {
					t.Errorf("the form's page does not name the reference %s:\n%s", r.Reference, page.Body)
				}
			}
			out := logs.String()
			if strings.Contains(out, addr) || strings.Contains(out, "teuta") || strings.Contains(out, "@") {
				t.Errorf("the log holds the address:\n%s", out)
			}
			if !strings.Contains(out, "ref="+all[0].Reference) || !strings.Contains(out, "code="+c.code) {
				t.Errorf("the log lacks ref=%s or code=%s:\n%s", all[0].Reference, c.code, out)
			}
		})
	}
}
