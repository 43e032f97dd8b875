package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pelqim/functions/consent/testenv"
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
	// The bucket is unknown in a dry run: every file outside assets/ is
	// listed as an upload, one cp each (the fixture has six).
	want := []string{"aws s3 cp", "aws cloudformation deploy", "aws cloudformation describe-stacks",
		"aws s3api list-objects-v2", "aws s3 cp", "aws s3 cp", "aws s3 cp", "aws s3 cp", "aws s3 cp", "aws s3 cp", "aws s3 cp"}
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
	// Every parameter of the template, once, those unset with the
	// template's default: a parameter left out would keep its previous
	// value in the stack (aws cloudformation deploy reuses it).
	tps, err := params.Template(filepath.Join(root, params.TemplateFile))
	if err != nil {
		t.Fatal(err)
	}
	passed := map[string]string{}
	for _, o := range overrides {
		k, v, _ := strings.Cut(o, "=")
		if _, dup := passed[k]; dup {
			t.Errorf("parameter %s passed twice", k)
		}
		passed[k] = v
	}
	for _, tp := range tps {
		v, ok := passed[tp.Key]
		switch {
		case !ok:
			t.Errorf("deploy does not pass %s: the stack would keep its previous value", tp.Key)
		case tp.HasDefault && tp.Key != "RetentionDays" && v != tp.Default:
			t.Errorf("%s=%q, want the template's default %q (nothing sets it)", tp.Key, v, tp.Default)
		}
		delete(passed, tp.Key)
	}
	if len(passed) > 0 {
		t.Errorf("deploy passes parameters the template does not have: %v", passed)
	}

	assets := strings.Join(cmds[4], " ")
	// Every asset is uploaded again (cp, not sync): its upload time is then
	// the last deploy that had it, which keepAssets counts from.
	if !strings.Contains(assets, "--recursive") || !strings.Contains(assets, "--cache-control "+AssetCaching) || strings.Contains(assets, "--delete") {
		t.Errorf("asset upload %s: want every asset copied, a year, immutable, nothing deleted", assets)
	}
	if !strings.HasSuffix(cmds[4][3], "infra/cmd/deploy/testdata/public/assets/") || cmds[4][4] != "s3://<BucketName>/assets/" {
		t.Errorf("assets from %s to %s", cmds[4][3], cmds[4][4])
	}
	var uploaded []string
	for _, c := range cmds[5:] {
		key, _ := strings.CutPrefix(c[4], "s3://<BucketName>/")
		uploaded = append(uploaded, key)
		if !strings.HasSuffix(c[3], filepath.FromSlash("infra/cmd/deploy/testdata/public/"+key)) {
			t.Errorf("%s uploaded from %s", key, c[3])
		}
		checkPageUpload(t, c)
	}
	if want := []string{"embed/v1/consent.js", "en/index.html", "robots.txt", "sq/404.html", "sq/index.html", "sq/privatesia/index.html"}; !slices.Equal(uploaded, want) {
		t.Errorf("uploads %q, want every file outside assets/ %q", uploaded, want)
	}
}

// checkPageUpload: a file outside assets/ goes up alone, with the short
// Cache-Control and its own Content-Type: the shop's tag, at its stable
// address, too (briefly cached, what it loads is under assets/).
func checkPageUpload(t *testing.T, c []string) {
	t.Helper()
	flag := func(name string) string {
		if i := slices.Index(c, name); i >= 0 && i+1 < len(c) {
			return c[i+1]
		}
		return ""
	}
	key := c[4][strings.Index(c[4][len("s3://"):], "/")+len("s3://")+1:]
	want := map[string]string{".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".js": "text/javascript; charset=utf-8"}[path.Ext(key)]
	if flag("--cache-control") != PageCaching || flag("--content-type") != want || slices.Contains(c, "--recursive") {
		t.Errorf("%s: %q, want one file, Cache-Control %q, Content-Type %q", key, c, PageCaching, want)
	}
}

// A deploy from a kept public/ whose page changed but kept its size: sync
// would skip it (size and time); the upload follows the content instead,
// as the invalidation does. A fake aws answers the two queries with the
// bucket below and records every other command.
func TestDeployUploadsByContent(t *testing.T) {
	for _, e := range params.Env {
		t.Setenv(e.Var, "")
	}
	t.Setenv("PELQIM_CERTIFICATE_ARN", "arn:aws:acm:us-east-1:123456789012:certificate/abc")
	t.Setenv("PELQIM_SENDER_ADDRESS", "no-reply@xiaomistore-ks.com")
	t.Setenv("PELQIM_PERMISSIONS_BOUNDARY_ARN", "arn:aws:iam::123456789012:policy/boundary")
	pub := "testdata/public"
	local, err := localFiles(pub)
	if err != nil {
		t.Fatal(err)
	}
	etag := func(key string) string { return `"` + local[key] + `"` }
	page, err := os.ReadFile(pub + "/sq/index.html")
	if err != nil {
		t.Fatal(err)
	}
	sameSize := md5.Sum(bytes.ToUpper(page)) // the bucket's copy: as long, other bytes
	old := time.Now().Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	bucket := []map[string]string{
		{"Key": "en/index.html", "ETag": etag("en/index.html")},
		{"Key": "sq/index.html", "ETag": `"` + hex.EncodeToString(sameSize[:]) + `"`}, // changed, same size
		{"Key": "sq/404.html", "ETag": etag("sq/404.html")},
		{"Key": "sq/privatesia/index.html", "ETag": etag("sq/privatesia/index.html")},
		{"Key": "embed/v1/consent.js", "ETag": etag("embed/v1/consent.js")},
		{"Key": "en/old/index.html", "ETag": `"1111"`}, // left the build
		{"Key": "assets/site.0123abcd.css", "ETag": etag("assets/site.0123abcd.css")},
		{"Key": "assets/site.00000000.css", "ETag": `"2222"`, "LastModified": old}, // stale
		// robots.txt: not in the bucket (the previous deploy failed before it)
	}
	for _, o := range bucket {
		if o["LastModified"] == "" {
			o["LastModified"] = time.Now().UTC().Format(time.RFC3339)
		}
	}
	dir := t.TempDir()
	listing, _ := json.Marshal(bucket)
	outputs := `[{"OutputKey":"BucketName","OutputValue":"site-bucket"},{"OutputKey":"DistributionId","OutputValue":"E123"}]`
	for name, body := range map[string]string{"objects.json": string(listing), "outputs.json": outputs} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := `#!/bin/sh
for a in "$@"; do printf '%s' "$a"; done >> ` + dir + `/log
echo >> ` + dir + `/log
case "$*" in
*describe-stacks*) cat ` + dir + `/outputs.json ;;
*list-objects-v2*) cat ` + dir + `/objects.json ;;
esac
`
	if err := os.WriteFile(filepath.Join(dir, "aws"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))

	var out bytes.Buffer
	err = run(context.Background(), []string{"-root", root, "-dist", t.TempDir(), "-site=false",
		"-function", "./infra/internal/lambdazip/testdata/hello", "-public", "infra/cmd/deploy/" + pub,
		"-artifact-bucket", "artifacts", "-stack", "pelqim-test"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	log, err := os.ReadFile(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	var uploads, deletes, invalidations []string
	for line := range strings.Lines(string(log)) {
		c := strings.Split(strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\x1f"), "\x1f")
		switch {
		case slices.Contains(c, "sync"):
			t.Errorf("%q: nothing is synced", c)
		case c[0] == "s3" && c[1] == "cp" && strings.HasPrefix(c[3], "s3://site-bucket/") && !slices.Contains(c, "--recursive"):
			uploads = append(uploads, strings.TrimPrefix(c[3], "s3://site-bucket/"))
			checkPageUpload(t, append([]string{"aws"}, c...))
		case c[0] == "s3api" && c[1] == "delete-objects":
			var d deleteObjects
			if err := json.Unmarshal([]byte(c[slices.Index(c, "--delete")+1]), &d); err != nil {
				t.Fatal(err)
			}
			for _, o := range d.Objects {
				deletes = append(deletes, o.Key)
			}
		case c[0] == "cloudfront":
			invalidations = c[slices.Index(c, "--paths")+1 : slices.Index(c, "--region")]
		}
	}
	if want := []string{"robots.txt", "sq/index.html"}; !slices.Equal(uploads, want) {
		t.Errorf("uploaded %q, want exactly the new and changed files %q", uploads, want)
	}
	if want := []string{"en/old/index.html", "assets/site.00000000.css"}; !slices.Equal(deletes, want) {
		t.Errorf("deleted %q, want %q", deletes, want)
	}
	if want := []string{"/en/old/", "/en/old/index.html", "/sq/", "/sq/index.html"}; !slices.Equal(invalidations, want) {
		t.Errorf("invalidated %q, want %q", invalidations, want)
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
	// Uploads by content, outside assets/ only: the changed, the new, and
	// the multipart object (its ETag is no MD5); not the unchanged page.
	wantUp := []string{"en/index.html", "index.html", "sitemap.xml", "sq/privatesia/index.html", "sr/privatnost/index.html"}
	if !slices.Equal(p.Upload, wantUp) {
		t.Errorf("upload %q\nwant   %q", p.Upload, wantUp)
	}
	if wantDel := []string{"en/old/index.html", "sq/privatësia/index.html"}; !slices.Equal(p.Delete, wantDel) {
		t.Errorf("delete %q, want %q", p.Delete, wantDel)
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
	if len(files) != 7 {
		t.Errorf("%d files, want 7: %v", len(files), files)
	}
	sum := md5.Sum([]byte("User-agent: *\nAllow: /\n"))
	if got := files["robots.txt"]; got != hex.EncodeToString(sum[:]) {
		t.Errorf("robots.txt: %q, want the MD5 S3 reports as its ETag", got)
	}
	if _, ok := files["sq/privatesia/index.html"]; !ok {
		t.Errorf("keys %v: want slash-separated paths relative to the site", slices.Collect(maps.Keys(files)))
	}
}

// A file outside assets/ whose type the upload cannot label stops the
// deploy before any aws command, instead of going up as whatever the
// machine's MIME tables guess.
func TestDeployRefusesUnlabelledFile(t *testing.T) {
	tripwire(t)
	for _, e := range params.Env {
		t.Setenv(e.Var, "")
	}
	pub := t.TempDir()
	for name, body := range map[string]string{"sq/index.html": "<!doctype html>", "data.bin": "\x00"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(pub, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pub, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-dry-run", "-root", root, "-dist", t.TempDir(), "-site=false",
		"-function", "./infra/internal/lambdazip/testdata/hello", "-public", pub, "-artifact-bucket", "artifacts"}, &out)
	if err == nil || !strings.Contains(err.Error(), `data.bin: no Content-Type for ".bin" files`) {
		t.Fatalf("error %v, want data.bin refused", err)
	}
	if strings.Contains(out.String(), "+ aws") {
		t.Errorf("printed aws commands before refusing:\n%s", out.String())
	}
}

// TestDeployRefusesUnconfirmed: a deploy of the site checks it as a
// release, and stops at what the store has not confirmed, naming it;
// -allow-unconfirmed checks it without -release.
func TestDeployRefusesUnconfirmed(t *testing.T) {
	root := testenv.RepoRoot(t)
	var out bytes.Buffer
	err := run(context.Background(), []string{"-build-only", "-root", root, "-dist", t.TempDir(),
		"-function", "./infra/internal/lambdazip/testdata/hello"}, &out)
	if err == nil || !strings.Contains(err.Error(), "not confirmed by the store") || !strings.Contains(err.Error(), "content/data/notice.yaml:") {
		t.Fatalf("deploy of a site with unconfirmed facts: %v\n%s", err, out.String())
	}
	if got := siteCommands(true)[0]; slices.Contains(got, "-release") {
		t.Errorf("with -allow-unconfirmed the check is %q", got)
	}
}
