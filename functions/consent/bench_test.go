package main

import (
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"testing"
	"time"

	"pelqim/functions/consent/testenv"
)

// BenchmarkBootstrapSize reports the size of the arm64 Lambda binary, built
// with the deployment's flags (target: at most 10 MB).
func BenchmarkBootstrapSize(b *testing.B) {
	fi, err := os.Stat(buildBootstrap(b, "arm64"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
	}
	b.ReportMetric(float64(fi.Size())/1e6, "arm64-MB")
}

var (
	initReport   = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
	invokeReport = regexp.MustCompile(`\tDuration: ([0-9.]+) ms`)
)

// BenchmarkColdStart starts the emulator and the (host) bootstrap afresh
// for each iteration and answers one consent POST against dynalite. It
// reports the wall time from process start to that first answer (which
// includes the emulator's own start), and the emulator's init and invoke
// durations of the function (target: first answer within 20 ms).
func BenchmarkColdStart(b *testing.B) {
	rie := findRIE(b)
	bootstrap := buildBootstrap(b, runtime.GOARCH)
	d := testenv.Dynalite(b)
	env := lambdaEnv(d, d.Table(b))

	var first, initMs, invokeMs float64
	n := 0
	for b.Loop() {
		start := time.Now()
		e := startRIE(b, rie, bootstrap, env)
		resp, err := e.invoke(consentEvent(fmt.Sprintf("5f0c1d2e-3a4b-4c5d-8e6f-%012d", n)))
		elapsed := time.Since(start)
		e.stop()
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("first answer: %+v, %v\n%s", resp, err, e.output.String())
		}
		first += float64(elapsed.Microseconds()) / 1e3
		initMs += reported(b, initReport, e.output.String())
		invokeMs += reported(b, invokeReport, e.output.String())
		n++
	}
	b.ReportMetric(first/float64(n), "ms-to-first-answer")
	b.ReportMetric(initMs/float64(n), "init-ms")
	b.ReportMetric(invokeMs/float64(n), "first-invoke-ms")
}

func reported(b *testing.B, re *regexp.Regexp, log string) float64 {
	m := re.FindStringSubmatch(log)
	if m == nil {
		b.Fatalf("no %s in the emulator's log:\n%s", re, log)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}
