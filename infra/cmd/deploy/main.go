// Command deploy builds the function zip (reproducibly) and the site, then
// deploys the stack and publishes public/ with the AWS CLI:
//
//	go run ./infra/cmd/deploy -build-only   # infra/dist/consent.zip and public/
//	go run ./infra/cmd/deploy -dry-run      # also print every aws command, run none
//	go run ./infra/cmd/deploy               # deploy (AWS credentials in the environment)
//
// Settings come from flags or PELQIM_* variables; see infra/README.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"pelqim/infra/internal/lambdazip"
	"pelqim/infra/internal/params"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp): // -h printed the flags
	case err != nil:
		fmt.Fprintln(os.Stderr, "deploy:", err)
		os.Exit(1)
	}
}

type options struct {
	root, stack, region, artifacts, cfnRole, function, public, dist string
	site, buildOnly, dryRun, allowUnconfirmed                       bool
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("deploy", flag.ContinueOnError)
	env := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&o.root, "root", ".", "repository root")
	fs.StringVar(&o.stack, "stack", env("PELQIM_STACK", "pelqim"), "CloudFormation stack name")
	fs.StringVar(&o.region, "region", env("AWS_REGION", "eu-central-1"), "AWS region of the stack")
	fs.StringVar(&o.artifacts, "artifact-bucket", os.Getenv("PELQIM_ARTIFACT_BUCKET"), "bucket for the function zip and template (bootstrap.yaml output)")
	fs.StringVar(&o.cfnRole, "cfn-role", os.Getenv("PELQIM_CFN_ROLE_ARN"), "role CloudFormation acts as (bootstrap.yaml output); empty: the caller's")
	fs.StringVar(&o.function, "function", "./functions/consent", "Go package of the function")
	fs.StringVar(&o.public, "public", "public", "built site (relative paths: to -root)")
	fs.StringVar(&o.dist, "dist", "infra/dist", "where the zip goes (relative paths: to -root)")
	fs.BoolVar(&o.site, "site", true, "check the site as a release and build it (go run ./cmd/site check -release, build)")
	fs.BoolVar(&o.allowUnconfirmed, "allow-unconfirmed", false, "publish even what the store has not confirmed in the privacy notice and the cookie list (listed as it goes)")
	fs.BoolVar(&o.buildOnly, "build-only", false, "build the zip and the site, deploy nothing")
	fs.BoolVar(&o.dryRun, "dry-run", false, "build, then print the aws commands without running them")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return o, nil
}

// under resolves a path given relative to the repository root.
func (o options) under(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(o.root, p)
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	zipPath := filepath.Join(o.under(o.dist), "consent.zip")
	fmt.Fprintf(out, "# build %s -> %s\n", o.function, zipPath)
	sum, err := lambdazip.Build(ctx, o.root, o.function, zipPath)
	if err != nil {
		return err
	}
	z, err := os.ReadFile(zipPath)
	if err != nil {
		return err
	}
	info, err := lambdazip.Check(z)
	if err != nil {
		return fmt.Errorf("%s: %w", zipPath, err)
	}
	fmt.Fprintf(out, "# bootstrap %d bytes (budget %d), zip %d bytes, sha256 %s\n", info.BootstrapSize, lambdazip.MaxBootstrap, info.ZipSize, sum)
	if err := info.Budget(); err != nil {
		fmt.Fprintln(out, "# warning:", err)
	}
	if o.site {
		if o.allowUnconfirmed {
			fmt.Fprintln(out, "# -allow-unconfirmed: what the store has not confirmed is published, marked as such")
		}
		for _, args := range siteCommands(o.allowUnconfirmed) {
			fmt.Fprintln(out, "+", strings.Join(args, " "))
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			var stderr bytes.Buffer
			cmd.Dir, cmd.Stdout, cmd.Stderr = o.root, out, io.MultiWriter(os.Stderr, &stderr)
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("site %s: %w\n%s", args[3], err, stderr.String())
			}
		}
	}
	if o.buildOnly {
		return nil
	}
	a := &awsCLI{dry: o.dryRun, region: o.region, out: out}
	return deploy(ctx, o, a, "consent/"+sum+".zip", zipPath)
}

// siteCommands are the site's steps of a deploy: check it as a release
// (stale generated files, broken links, and what the store has not
// confirmed stop it; the last only unless allowed), then build it.
func siteCommands(allowUnconfirmed bool) [][]string {
	check := []string{"go", "run", "./cmd/site", "check", "-release"}
	if allowUnconfirmed {
		check = check[:4]
	}
	return [][]string{check, {"go", "run", "./cmd/site", "build"}}
}

func deploy(ctx context.Context, o options, a *awsCLI, key, zipPath string) error {
	ps, err := params.All(o.root, os.Getenv)
	if err != nil {
		return err
	}
	if o.artifacts == "" {
		return fmt.Errorf("no artifact bucket: set -artifact-bucket or PELQIM_ARTIFACT_BUCKET")
	}
	ps = append(ps, params.Param{Key: "ArtifactBucket", Value: o.artifacts}, params.Param{Key: "ArtifactKey", Value: key})
	for _, e := range params.Env {
		if e.Required && !has(ps, e.Key) {
			if !o.dryRun {
				return fmt.Errorf("%s is not set", e.Var)
			}
			ps = append(ps, params.Param{Key: e.Key, Value: "<" + e.Var + ">"})
		}
	}
	// Every parameter, every time: one left out would keep its previous value.
	tps, err := params.Template(filepath.Join(o.root, params.TemplateFile))
	if err != nil {
		return err
	}
	for _, tp := range tps {
		if !has(ps, tp.Key) {
			return fmt.Errorf("template parameter %s has no value", tp.Key)
		}
	}

	// The site is read before anything is changed: a file of a type the
	// upload cannot label stops the deploy here.
	public := o.under(o.public)
	local, err := localFiles(public)
	if err != nil {
		return fmt.Errorf("built site: %w", err)
	}
	for k := range local {
		if !strings.HasPrefix(k, AssetPrefix) && contentType(k) == "" {
			return fmt.Errorf("built site: %s: no Content-Type for %q files (add it to contentTypes in infra/cmd/deploy)", k, path.Ext(k))
		}
	}

	if err := a.do(ctx, "s3", "cp", zipPath, "s3://"+o.artifacts+"/"+key, "--only-show-errors"); err != nil {
		return err
	}
	cfn := []string{"cloudformation", "deploy", "--stack-name", o.stack,
		"--template-file", filepath.Join(o.root, "infra", "template.yaml"),
		"--s3-bucket", o.artifacts, "--s3-prefix", "templates",
		"--capabilities", "CAPABILITY_IAM", "--no-fail-on-empty-changeset", "--tags", "project=pelqim"}
	if o.cfnRole != "" {
		cfn = append(cfn, "--role-arn", o.cfnRole)
	}
	cfn = append(cfn, "--parameter-overrides")
	for _, p := range ps {
		cfn = append(cfn, p.String())
	}
	if err := a.do(ctx, cfn...); err != nil {
		return err
	}

	outputs, err := a.outputs(ctx, o.stack)
	if err != nil {
		return err
	}
	bucket, dist := outputs["BucketName"], outputs["DistributionId"]
	remote, err := a.objects(ctx, bucket)
	if err != nil {
		return err
	}
	plan := makePlan(local, remote, time.Now())

	// Assets first, so no new page ever points at a file not yet uploaded.
	// Copied, not synced: every deploy uploads the few small assets again,
	// so an asset's LastModified is the last deploy that had it, and
	// keepAssets counts from when it left the build, even when the deploy
	// runs from a kept public/ whose unchanged files sync would skip.
	dst := "s3://" + bucket + "/"
	if err := a.do(ctx, "s3", "cp", public+"/"+AssetPrefix, dst+AssetPrefix, "--recursive", "--no-progress",
		"--cache-control", AssetCaching); err != nil {
		return err
	}
	// Everything else: exactly the files whose MD5 differs from the bucket's
	// ETag, the same comparison that decides the invalidations. `aws s3
	// sync` goes by size and time instead, and skips a changed page of the
	// same size whose file is older than the object (a kept public/). The
	// plan is made from the bucket as it is, so a rerun after a failed
	// deploy uploads whatever did not arrive.
	for _, key := range plan.Upload {
		if err := a.do(ctx, "s3", "cp", filepath.Join(public, filepath.FromSlash(key)), dst+key,
			"--no-progress", "--only-show-errors",
			"--cache-control", PageCaching, "--content-type", contentType(key)); err != nil {
			return err
		}
	}
	for keys := range slices.Chunk(append(plan.Delete, plan.StaleAssets...), 1000) { // the API's limit per call
		del, _ := json.Marshal(deleteRequest(keys))
		if err := a.do(ctx, "s3api", "delete-objects", "--bucket", bucket, "--delete", string(del)); err != nil {
			return err
		}
	}
	if len(plan.Invalidate) == 0 {
		if !a.dry {
			fmt.Fprintln(a.out, "# no changed pages: nothing to invalidate")
		}
		return nil
	}
	return a.do(ctx, append([]string{"cloudfront", "create-invalidation", "--distribution-id", dist, "--paths"}, plan.Invalidate...)...)
}

func has(ps []params.Param, key string) bool {
	return slices.ContainsFunc(ps, func(p params.Param) bool { return p.Key == key })
}

type deleteObjects struct {
	Objects []struct{ Key string }
	Quiet   bool
}

func deleteRequest(keys []string) deleteObjects {
	d := deleteObjects{Quiet: true}
	for _, k := range keys {
		d.Objects = append(d.Objects, struct{ Key string }{k})
	}
	return d
}

// awsCLI runs the AWS CLI, printing each command first; in a dry run it only
// prints, and the queries answer with placeholders and an empty bucket.
type awsCLI struct {
	dry    bool
	region string
	out    io.Writer
}

func (a *awsCLI) query(ctx context.Context, args ...string) ([]byte, error) {
	args = append(append([]string{"aws"}, args...), "--region", a.region)
	fmt.Fprintln(a.out, "+", shellJoin(args))
	if a.dry {
		return nil, nil
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("aws %s %s: %w", args[1], args[2], err)
	}
	return b, nil
}

func (a *awsCLI) do(ctx context.Context, args ...string) error {
	b, err := a.query(ctx, args...)
	a.out.Write(b)
	return err
}

func (a *awsCLI) outputs(ctx context.Context, stack string) (map[string]string, error) {
	b, err := a.query(ctx, "cloudformation", "describe-stacks", "--stack-name", stack,
		"--query", "Stacks[0].Outputs", "--output", "json")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	if a.dry {
		for _, k := range []string{"BucketName", "DistributionId"} {
			m[k] = "<" + k + ">"
		}
		return m, nil
	}
	var list []struct{ OutputKey, OutputValue string }
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("stack outputs: %w", err)
	}
	for _, o := range list {
		m[o.OutputKey] = o.OutputValue
	}
	return m, nil
}

func (a *awsCLI) objects(ctx context.Context, bucket string) ([]Object, error) {
	b, err := a.query(ctx, "s3api", "list-objects-v2", "--bucket", bucket, "--output", "json",
		"--query", "Contents[].{Key: Key, ETag: ETag, LastModified: LastModified}")
	if err != nil || a.dry {
		if a.dry {
			fmt.Fprintln(a.out, "# dry run: the bucket's contents are unknown, so every file is uploaded and nothing invalidated or deleted")
		}
		return nil, err
	}
	var objs []Object // JSON null for an empty bucket
	if err := json.Unmarshal(b, &objs); err != nil {
		return nil, fmt.Errorf("bucket listing: %w", err)
	}
	return objs, nil
}

var plainArg = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellJoin quotes args for a POSIX shell, so a printed command runs as shown.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, s := range args {
		if plainArg.MatchString(s) {
			q[i] = s
		} else {
			q[i] = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}
