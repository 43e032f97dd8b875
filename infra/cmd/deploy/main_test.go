package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pelqim/infra/internal/params"
)

const root = "../../.."

// tripwire puts an aws command first on PATH that fails the deploy if run.
func tripwire(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\necho 'aws ran during a test' >&2\nexit 97\n"
	if err := os.WriteFile(filepath.Join(dir, "aws"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// argv splits a printed command the way a POSIX shell would.
func argv(t *testing.T, line string) []string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `set -- `+line+`; for a in "$@"; do printf '%s\0' "$a"; done`).Output()
	if err != nil {
		t.Fatalf("sh cannot parse %s: %v", line, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

func TestDryRun(t *testing.T) {
	tripwire(t)
	for _, e := range params.Env {
		t.Setenv(e.Var, "")
	}
	t.Setenv("PELQIM_SENDER_ADDRESS", "no-reply@xiaomistore-ks.com")
	dist := t.TempDir()
	var out bytes.Buffer
	err := run(context.Background(), []string{"-dry-run", "-root", root, "-dist", dist, "-site=false",
		"-function", "./infra/internal/lambdazip/testdata/hello", "-public", "infra/cmd/deploy/testdata/public",
		"-artifact-bucket", "artifacts", "-region", "eu-central-1", "-stack", "pelqim-test"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	z, err := os.ReadFile(filepath.Join(dist, "consent.zip"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(z)
	key := "consent/" + hex.EncodeToString(sum[:]) + ".zip"

	var cmds [][]string
	for line := range strings.Lines(out.String()) {
		if cmd, ok := strings.CutPrefix(strings.TrimSpace(line), "+ "); ok {
			cmds = append(cmds, argv(t, cmd))
		}
	}
	var verbs []string
	for _, c := range cmds {
		verbs = append(verbs, strings.Join(c[:3], " "))
		if i := slices.Index(c, "--region"); i < 0 || c[i+1] != "eu-central-1" {
			t.Errorf("%s: not pinned to the region", strings.Join(c[:3], " "))
		}
	}
	want := []string{"aws s3 cp", "aws cloudformation deploy", "aws cloudformation describe-stacks",
		"aws s3api list-objects-v2", "aws s3 cp", "aws s3 sync"}
	if !slices.Equal(verbs, want) {
		t.Fatalf("commands %q, want %q\n%s", verbs, want, out.String())
	}
	if c := cmds[0]; c[3] != filepath.Join(dist, "consent.zip") || c[4] != "s3://artifacts/"+key {
		t.Errorf("upload %q, want the zip to s3://artifacts/%s", c, key)
	}

	deploy := cmds[1]
	overrides := deploy[slices.Index(deploy, "--parameter-overrides")+1:]
	overrides = overrides[:slices.Index(overrides, "--region")]
	fromRepo, err := params.All(root, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(fromRepo, params.Param{Key: "ArtifactKey", Value: key},
		params.Param{Key: "SenderAddress", Value: "no-reply@xiaomistore-ks.com"},
		params.Param{Key: "CertificateArn", Value: "<PELQIM_CERTIFICATE_ARN>"}) {
		if !slices.Contains(overrides, p.String()) {
			t.Errorf("deploy does not pass %s", p)
		}
	}
	for _, flag := range []string{"--no-fail-on-empty-changeset", "CAPABILITY_IAM", "pelqim-test", filepath.Join(root, "infra", "template.yaml")} {
		if !slices.Contains(deploy, flag) {
			t.Errorf("cloudformation deploy lacks %s", flag)
		}
	}

	assets, pages := strings.Join(cmds[4], " "), strings.Join(cmds[5], " ")
	// Every asset is uploaded again (cp, not sync): its upload time is then
	// the last deploy that had it, which keepAssets counts from.
	if !strings.Contains(assets, "--recursive") || !strings.Contains(assets, "--cache-control "+AssetCaching) || strings.Contains(assets, "--delete") {
		t.Errorf("asset upload %s: want every asset copied, a year, immutable, nothing deleted", assets)
	}
	if !strings.HasSuffix(cmds[4][3], "infra/cmd/deploy/testdata/public/assets/") || cmds[4][4] != "s3://<BucketName>/assets/" {
		t.Errorf("assets from %s to %s", cmds[4][3], cmds[4][4])
	}
	if !strings.Contains(pages, "--delete --exclude assets/* --cache-control "+PageCaching) {
		t.Errorf("page sync %s: want everything else, short caching, deleting what is gone", pages)
	}
	if !strings.Contains(cmds[5][3], "infra/cmd/deploy/testdata/public") || cmds[5][4] != "s3://<BucketName>/" {
		t.Errorf("sync from %s to %s", cmds[5][3], cmds[5][4])
	}
}

// Without the required settings a real deploy stops before any aws command.
func TestDeployNeedsSettings(t *testing.T) {
	tripwire(t)
	for _, e := range params.Env {
		t.Setenv(e.Var, "")
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-root", root, "-dist", t.TempDir(), "-site=false",
		"-function", "./infra/internal/lambdazip/testdata/hello", "-artifact-bucket", "artifacts"}, &out)
	if err == nil || !strings.Contains(err.Error(), "PELQIM_CERTIFICATE_ARN is not set") {
		t.Fatalf("error %v, want the missing certificate named", err)
	}
	if strings.Contains(out.String(), "+ aws") {
		t.Errorf("ran aws before checking settings:\n%s", out.String())
	}
	err = run(context.Background(), []string{"-root", root, "-dist", t.TempDir(), "-site=false", "-dry-run",
		"-function", "./infra/internal/lambdazip/testdata/hello", "-artifact-bucket", ""}, &out)
	if err == nil || !strings.Contains(err.Error(), "artifact bucket") {
		t.Fatalf("error %v, want the missing artifact bucket named", err)
	}
}

func TestMakePlan(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	local := map[string]string{
		"sq/index.html":            "aaaa",
		"sq/privatesia/index.html": "bbbb",
		"en/index.html":            "cccc",
		"sr/privatnost/index.html": "dddd", // new: never cached
		"sitemap.xml":              "eeee",
		"assets/site.2.css":        "ffff",
		"index.html":               "0000",
	}
	remote := []Object{
		{Key: "sq/index.html", ETag: `"aaaa"`},            // unchanged
		{Key: "sq/privatesia/index.html", ETag: `"0bad"`}, // changed
		{Key: "en/index.html", ETag: `"cccc-2"`},          // multipart ETag: not an MD5, treat as changed
		{Key: "en/old/index.html", ETag: `"1111"`},        // deleted
		{Key: "sitemap.xml", ETag: `"9999"`},              // changed, not a page: short TTL, no invalidation
		{Key: "index.html", ETag: `"0001"`},               // the language chooser changed
		{Key: "assets/site.2.css", ETag: `"ffff"`, LastModified: now},
		{Key: "assets/site.1.css", ETag: `"1"`, LastModified: now.Add(-30 * 24 * time.Hour)}, // stale
		{Key: "assets/site.0.css", ETag: `"0"`, LastModified: now.Add(-time.Hour)},           // gone, but recent
		{Key: "sq/privatësia/index.html", ETag: `"x"`},                                       // deleted, needs escaping
	}
	p := makePlan(local, remote, now)
	want := []string{"/", "/en/", "/en/index.html", "/en/old/", "/en/old/index.html", "/index.html",
		"/sq/privat%C3%ABsia/", "/sq/privat%C3%ABsia/index.html", "/sq/privatesia/", "/sq/privatesia/index.html"}
	if !slices.Equal(p.Invalidate, want) {
		t.Errorf("invalidate %q\nwant       %q", p.Invalidate, want)
	}
	if !slices.Equal(p.StaleAssets, []string{"assets/site.1.css"}) {
		t.Errorf("stale assets %q, want only assets/site.1.css", p.StaleAssets)
	}

	var many []Object
	for i := range maxPaths + 1 {
		many = append(many, Object{Key: fmt.Sprintf("p%d.html", i)})
	}
	if got := makePlan(nil, many, now).Invalidate; !slices.Equal(got, []string{"/*"}) {
		t.Errorf("%d deleted pages: invalidate %d paths, want /*", len(many), len(got))
	}
}

func TestPagePaths(t *testing.T) {
	for key, want := range map[string][]string{
		"index.html":               {"/", "/index.html"},
		"sq/privatesia/index.html": {"/sq/privatesia/", "/sq/privatesia/index.html"},
		"sq/404.html":              {"/sq/404.html"},
		"sr/privatnost/a b.html":   {"/sr/privatnost/a%20b.html"},
		"sq/privatësia/index.html": {"/sq/privat%C3%ABsia/", "/sq/privat%C3%ABsia/index.html"},
	} {
		if got := pagePaths(key); !slices.Equal(got, want) {
			t.Errorf("pagePaths(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestShellJoinRoundTrips(t *testing.T) {
	args := []string{"aws", "plain", "with space", "it's", `"dq"`, "default-src 'self'; img-src 'self'",
		"a=(),b=()", "*", "$HOME", "back\\slash", "new\nline", ""}
	if got := argv(t, shellJoin(args)); !slices.Equal(got, args) {
		t.Errorf("sh parsed %q, want %q", got, args)
	}
}

func TestLocalFiles(t *testing.T) {
	files, err := localFiles("testdata/public")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 6 {
		t.Errorf("%d files, want 6: %v", len(files), files)
	}
	sum := md5.Sum([]byte("User-agent: *\nAllow: /\n"))
	if got := files["robots.txt"]; got != hex.EncodeToString(sum[:]) {
		t.Errorf("robots.txt: %q, want the MD5 S3 reports as its ETag", got)
	}
	if _, ok := files["sq/privatesia/index.html"]; !ok {
		t.Errorf("keys %v: want slash-separated paths relative to the site", slices.Collect(maps.Keys(files)))
	}
}
