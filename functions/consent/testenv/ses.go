package testenv

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("testenv: node is not installed (apt-get install nodejs), then %s", installHint)
	}
	mod := filepath.Join(RepoRoot(t), ".ci", "node_modules", "aws-ses-v2-local")
	if _, err := os.Stat(filepath.Join(mod, "package.json")); err != nil {
		t.Fatalf("testenv: aws-ses-v2-local is missing at %s: %s", mod, installHint)
	}
	cmd := exec.Command(node, "-e", sesJS)
	cmd.Env = append(os.Environ(), "SES_LOCAL="+mod)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start aws-ses-v2-local: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	port := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		port <- strings.TrimSpace(line)
	}()
	select {
	case p := <-port:
		if p == "" {
			t.Fatalf("testenv: aws-ses-v2-local did not start (see its stderr above); %s", installHint)
		}
		return &SES{Endpoint: "http://127.0.0.1:" + p}
	case <-time.After(30 * time.Second):
		t.Fatal("testenv: aws-ses-v2-local did not print its port within 30s")
	}
	return nil
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
