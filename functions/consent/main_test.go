package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/dynamo"
	"pelqim/functions/consent/testenv"

	"github.com/aws/aws-lambda-go/events"
)

const (
	origin    = "https://privatesia.xiaomistore-ks.com"
	consentID = "0b7e7f2c-6a2e-4c1a-9a53-1c2d3e4f5a6b"
	rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@latest"
	// originSecret stands for the X-Origin-Verify value CloudFront adds.
	originSecret = "k3Jd9QmZ2pLx7VbN4cRt8WsY1hGf6AeU5oIy0TnMqBvXzCwD"
)

// buildBootstrap builds this command as the Lambda build does, for goarch.
func buildBootstrap(t testing.TB, goarch string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build bootstrap: %v\n%s", err, msg)
	}
	return out
}

// findRIE finds the Lambda Runtime Interface Emulator on PATH or in GOPATH/bin.
func findRIE(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "aws-lambda-rie")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("aws-lambda-rie not found; install it: go install %s", rieModule)
	return ""
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// emulator is the bootstrap running under aws-lambda-rie.
type emulator struct {
	cmd    *exec.Cmd
	url    string
	output bytes.Buffer
}

// startRIE starts the emulator with bootstrap as the function; it starts
// the bootstrap itself on the first invocation, as Lambda does.
func startRIE(t testing.TB, rie, bootstrap string, env []string) *emulator {
	t.Helper()
	addr := freePort(t)
	e := &emulator{url: "http://" + addr + "/2015-03-31/functions/function/invocations"}
	e.cmd = exec.Command(rie, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", freePort(t), bootstrap)
	e.cmd.Env = append(os.Environ(), env...)
	e.cmd.Stdout, e.cmd.Stderr = &e.output, &e.output
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the bootstrap is its child
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("start aws-lambda-rie: %v", err)
	}
	t.Cleanup(func() { e.stop() })
	return e
}

func (e *emulator) stop() {
	if e.cmd.Process != nil && e.cmd.ProcessState == nil {
		syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		e.cmd.Wait()
	}
}

// invoke sends a Function URL event, waiting for the emulator to listen.
func (e *emulator) invoke(ev events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return events.LambdaFunctionURLResponse{}, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Post(e.url, "application/json", bytes.NewReader(payload))
		if err != nil {
			if time.Now().After(deadline) {
				return events.LambdaFunctionURLResponse{}, fmt.Errorf("emulator: %w\n%s", err, e.output.String())
			}
			time.Sleep(time.Millisecond)
			continue
		}
		defer resp.Body.Close()
		var out events.LambdaFunctionURLResponse
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.StatusCode == 0 {
			return out, fmt.Errorf("emulator answered %d, not a Function URL response (%v)\n%s", resp.StatusCode, err, e.output.String())
		}
		return out, nil
	}
}

// lambdaEnv is the function's configuration, with dynalite as DynamoDB.
func lambdaEnv(d *testenv.DynamoDB, table string) []string {
	return append(d.Env(), "TABLE_NAME="+table, "SITE_ORIGIN="+origin,
		"SENDER_ADDRESS=privatesia@xiaomistore-ks.com", "RETENTION_DAYS=30", "REQUEST_RETENTION_DAYS=90", "ORIGIN_SECRET="+originSecret)
}

func consentEvent(eventID string) events.LambdaFunctionURLRequest {
	body := `{"consentId":"` + consentID + `","eventId":"` + eventID + `","action":"reject_all",` +
		`"categories":{"necessary":true,"preferences":false,"statistics":false,"marketing":false},` +
		`"consentVersion":"a1b2c3","policyVersion":"d4e5f6","language":"en","page":"/en/","gpc":true}`
	return events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: "/api/consent", Body: body,
		Headers: map[string]string{
			"origin": origin, "content-type": "application/json",
			"user-agent": "Mozilla/5.0", "cloudfront-viewer-address": "2001:db8:abcd:12::7:443",
			"x-origin-verify": originSecret, // added by CloudFront
		},
		RequestContext: events.LambdaFunctionURLRequestContext{
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", Path: "/api/consent", SourceIP: "130.176.1.1"},
		},
	}
}

// TestLambda runs the bootstrap as AWS does, under the emulator, with
// dynalite as its DynamoDB.
func TestLambda(t *testing.T) {
	rie := findRIE(t)
	d := testenv.Dynalite(t)
	table := d.Table(t)
	e := startRIE(t, rie, buildBootstrap(t, runtime.GOARCH), lambdaEnv(d, table))
	defer func() {
		if t.Failed() {
			t.Log(e.output.String())
		}
	}()

	const eventID = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
	// Straight to the public Function URL, not through CloudFront.
	direct := consentEvent(eventID)
	delete(direct.Headers, "x-origin-verify")
	if resp, err := e.invoke(direct); err != nil || resp.StatusCode != 403 || !strings.Contains(resp.Body, `"error":"forbidden"`) {
		t.Errorf("without X-Origin-Verify: %+v, %v", resp, err)
	}
	if evs, _ := store.AllEvents(context.Background(), dynamo.New(d.Client(), table), consentID); len(evs) != 0 {
		t.Fatalf("stored without the origin secret: %+v", evs)
	}

	resp, err := e.invoke(consentEvent(eventID))
	if err != nil || resp.StatusCode != 201 || resp.Headers["Cache-Control"] != "no-store" {
		t.Fatalf("POST: %+v, %v", resp, err)
	}
	evs, err := store.AllEvents(context.Background(), dynamo.New(d.Client(), table), consentID)
	if err != nil || len(evs) != 1 {
		t.Fatalf("stored %+v, %v", evs, err)
	}
	ev := evs[0]
	if ev.EventID != eventID || ev.Action != "reject_all" || !ev.GPC || ev.ClientNet != "2001:db8:abcd::/48" ||
		!strings.Contains(resp.Body, ev.RecordedAt) {
		t.Errorf("stored %+v for answer %s", ev, resp.Body)
	}
	if at, err := time.Parse(time.RFC3339, ev.RecordedAt); err != nil || ev.ExpiresAt != at.Add(30*24*time.Hour).Unix() {
		t.Errorf("expiresAt %d for recordedAt %s (RETENTION_DAYS=30): %v", ev.ExpiresAt, ev.RecordedAt, err)
	}

	again, err := e.invoke(consentEvent(eventID))
	if err != nil || again.StatusCode != 200 || again.Body != resp.Body {
		t.Errorf("replay: %+v, %v", again, err)
	}

	bad := consentEvent("5F0C1D2E-3A4B-4C5D-8E6F-7A8B9C0D1E2F")
	if resp, err := e.invoke(bad); err != nil || resp.StatusCode != 400 || !strings.Contains(resp.Body, `"error":"invalid_request"`) {
		t.Errorf("uppercase event id: %+v, %v", resp, err)
	}
	bad = consentEvent(eventID)
	bad.Headers["origin"] = "https://evil.example"
	if resp, err := e.invoke(bad); err != nil || resp.StatusCode != 403 {
		t.Errorf("foreign origin: %+v, %v", resp, err)
	}

	get := events.LambdaFunctionURLRequest{Version: "2.0", RawPath: "/api/consent/" + consentID,
		Headers: map[string]string{"x-origin-verify": originSecret}}
	get.RequestContext.HTTP.Method = "GET"
	if resp, err := e.invoke(get); err != nil || resp.StatusCode != 200 || strings.Count(resp.Body, `"eventId"`) != 1 {
		t.Errorf("GET: %+v, %v", resp, err)
	}
	if evs, _ := store.AllEvents(context.Background(), dynamo.New(d.Client(), table), consentID); len(evs) != 1 {
		t.Errorf("%d events stored, want 1", len(evs))
	}
}
