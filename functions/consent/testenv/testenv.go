// Package testenv starts the real servers the consent tests talk to
// (dynalite for DynamoDB) on free loopback ports, and stops them when the
// test ends. A missing tool fails the test with the command that installs it.
package testenv

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"pelqim/functions/consent/store/dynamo"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Region and the dummy credentials every test client and child process uses.
const (
	Region    = "eu-central-1"
	AccessKey = "test"
	SecretKey = "test"
)

const installHint = "run `npm ci --prefix .ci` in the repository root"

// RepoRoot is the directory holding go.mod, found by walking up from the
// test's working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// DynamoDB is a running dynalite server.
type DynamoDB struct {
	Endpoint string // http://127.0.0.1:PORT
}

// dynaliteJS listens on a free port, prints it, and exits when its stdin
// closes, so a crashed test run leaves no server behind.
const dynaliteJS = `
const server = require(process.env.DYNALITE)({createTableMs: 0});
server.listen(0, '127.0.0.1', err => {
  if (err) { console.error(err); process.exit(1); }
  console.log(server.address().port);
});
process.stdin.on('end', () => process.exit(0)).resume();
`

// Dynalite starts an in-memory dynalite for the test and stops it, by its
// pid, on cleanup.
func Dynalite(t testing.TB) *DynamoDB {
	t.Helper()
	return &DynamoDB{Endpoint: startNode(t, "dynalite", "DYNALITE", dynaliteJS)}
}

// startNode runs js under node with the npm package pkg (from .ci/) named
// in the variable envVar; js must print the port it listens on and exit
// when its stdin closes, so a crashed test run leaves no server behind.
// It returns the server's loopback URL and stops it, by pid, on cleanup.
func startNode(t testing.TB, pkg, envVar, js string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("testenv: node is not installed (apt-get install nodejs), then %s", installHint)
	}
	mod := filepath.Join(RepoRoot(t), ".ci", "node_modules", pkg)
	if _, err := os.Stat(filepath.Join(mod, "package.json")); err != nil {
		t.Fatalf("testenv: %s is missing at %s: %s", pkg, mod, installHint)
	}
	cmd := exec.Command(node, "-e", js)
	cmd.Env = append(os.Environ(), envVar+"="+mod)
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
		t.Fatalf("testenv: start %s: %v", pkg, err)
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
			t.Fatalf("testenv: %s did not start (see its stderr above); %s", pkg, installHint)
		}
		return "http://127.0.0.1:" + p
	case <-time.After(30 * time.Second):
		t.Fatalf("testenv: %s did not print its port within 30s", pkg)
	}
	return ""
}

// Client returns an SDK client for this server with dummy credentials.
func (d *DynamoDB) Client(optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	opts := dynamodb.Options{
		Region:       Region,
		BaseEndpoint: aws.String(d.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	}
	return dynamodb.New(opts, optFns...)
}

// Env is the environment a child process (the Lambda binary) needs to reach
// this server through the SDK's own variables.
func (d *DynamoDB) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_DYNAMODB=" + d.Endpoint,
		"AWS_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=" + AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + SecretKey,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Table creates an empty table with the production key design, named after
// the test, and returns its name.
func (d *DynamoDB) Table(t testing.TB) string {
	t.Helper()
	name := "pelqim-" + strings.Map(func(r rune) rune {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-') {
			return r
		}
		return '-'
	}, t.Name())
	name = name[:min(len(name), 255)]
	if err := dynamo.New(d.Client(), name).EnsureTable(context.Background()); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return name
}

// configVars are the variables the function's configuration reads.
var configVars = []string{"TABLE_NAME", "SITE_ORIGIN", "RETENTION_DAYS", "REQUEST_RETENTION_DAYS", "SENDER_ADDRESS", "ORIGIN_SECRET",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SESV2", "AWS_PROFILE"}

// SetEnv sets vars ("KEY=value") for the test and clears the other
// configuration variables, so the machine's own settings cannot leak in.
func SetEnv(t *testing.T, vars ...string) {
	t.Helper()
	for _, k := range configVars {
		t.Setenv(k, "")
	}
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}
