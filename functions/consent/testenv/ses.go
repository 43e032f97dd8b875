package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// SES is a running aws-ses-v2-local server: the SES v2 API, keeping every
// message it is sent for the test to read back.
type SES struct {
	Endpoint string // http://127.0.0.1:PORT
}

// sesJS starts the server as a library on a free port (its CLI defaults to
// 8005), prints the port, and exits when stdin closes.
const sesJS = `
const start = require(process.env.SES_LOCAL).default;
start({host: '127.0.0.1', port: 0}).then(s => console.log(s.address().port), err => { console.error(err); process.exit(1); });
process.stdin.on('end', () => process.exit(0)).resume();
`

// SESLocal starts aws-ses-v2-local for the test and stops it, by its pid,
// on cleanup.
func SESLocal(t testing.TB) *SES {
	t.Helper()
	return &SES{Endpoint: startNode(t, "aws-ses-v2-local", "SES_LOCAL", sesJS)}
}

// Client returns an SES v2 client for this server with dummy credentials
// (the server wants an AWS Authorization header, any key).
func (s *SES) Client() *sesv2.Client {
	return sesv2.New(sesv2.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	})
}

// Env is the environment a child process needs to send through this server.
func (s *SES) Env() []string {
	return []string{"AWS_ENDPOINT_URL_SESV2=" + s.Endpoint}
}

// Email is one message as the server stored it.
type Email struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
}

// Emails returns every message sent so far, from the server's GET /store.
func (s *SES) Emails(t testing.TB) []Email {
	t.Helper()
	resp, err := http.Get(s.Endpoint + "/store")
	if err != nil {
		t.Fatalf("testenv: read SES store: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("testenv: GET /store: %s", resp.Status)
	}
	var st struct {
		Emails []Email `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("testenv: decode SES store: %v", err)
	}
	return st.Emails
}

// String helps failure messages.
func (e Email) String() string {
	return fmt.Sprintf("to %v subject %q", e.Destination.To, e.Subject)
}
