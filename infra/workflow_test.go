package infra

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"pelqim/infra/internal/params"
)

// The workflow deploys with OIDC only, from main only, with every setting
// the deploy reads.
func TestWorkflow(t *testing.T) {
	const path = "../.github/workflows/ci.yml"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?i)aws-(access-key-id|secret-access-key)|AWS_SECRET|secrets\.`).Match(src) {
		t.Error("the workflow uses stored credentials; it must assume a role with OIDC")
	}
	root := loadYAML(t, path)
	if got := tagged(get(root, "permissions", "contents")); got != "!!str read" || get(root, "permissions", "id-token") != nil {
		t.Errorf("top-level permissions: want contents: read only")
	}
	on := get(root, "on")
	if !slices.Equal(scalars(get(on, "push", "branches")), []string{"main"}) || get(on, "pull_request") == nil {
		t.Error("want push to main and pull requests")
	}
	test := get(root, "jobs", "test")
	var runs []string
	for _, s := range get(test, "steps").Content {
		if r := get(s, "run"); r != nil {
			runs = append(runs, r.Value)
		}
	}
	if !slices.Contains(runs, "bash .ci/run") || !slices.Contains(runs, "go run ./cmd/site check") {
		t.Errorf("test job runs %q, want bash .ci/run and go run ./cmd/site check", runs)
	}
	if get(test, "permissions") != nil || get(test, "if") != nil {
		t.Error("the test job must run on every event with read-only permissions")
	}

	deploy := get(root, "jobs", "deploy")
	if !slices.Equal(scalars(get(deploy, "needs")), []string{"test"}) {
		t.Error("deploy must wait for the tests")
	}
	if cond := val(get(deploy, "if")); !strings.Contains(cond, "github.event_name == 'push'") || !strings.Contains(cond, "refs/heads/main") {
		t.Errorf("deploy runs if %q, want pushes to main only", cond)
	}
	if val(get(deploy, "permissions", "id-token")) != "write" || val(get(deploy, "permissions", "contents")) != "read" {
		t.Error("deploy needs id-token: write and contents: read, nothing more")
	}
	var creds, run bool
	for _, s := range get(deploy, "steps").Content {
		if strings.HasPrefix(val(get(s, "uses")), "aws-actions/configure-aws-credentials@") {
			creds = get(s, "with", "role-to-assume") != nil
		}
		if r := get(s, "run"); r != nil && r.Value == "go run ./infra/cmd/deploy" {
			run = true
			env := keys(get(s, "env"))
			for _, e := range params.Env {
				if !slices.Contains(env, e.Var) {
					t.Errorf("deploy step does not pass %s", e.Var)
				}
			}
			for _, e := range []string{"PELQIM_ARTIFACT_BUCKET", "PELQIM_CFN_ROLE_ARN"} {
				if !slices.Contains(env, e) {
					t.Errorf("deploy step does not pass %s", e)
				}
			}
		}
	}
	if !creds || !run {
		t.Errorf("deploy: role assumption %v, go run ./infra/cmd/deploy %v; want both", creds, run)
	}

	// Every action at a full commit (a tag can be moved to other code, and
	// the deploy job holds AWS credentials), its release in the comment;
	// no checkout leaves the job's token in .git/config for later steps.
	pinned := regexp.MustCompile(`^[\w.-]+/[\w.-]+@[0-9a-f]{40}$`)
	release := regexp.MustCompile(`^# v\d+\.\d+\.\d+$`)
	var checkouts int
	for _, job := range []string{"test", "deploy"} {
		for _, s := range get(root, "jobs", job, "steps").Content {
			u := get(s, "uses")
			if u == nil {
				continue
			}
			if !pinned.MatchString(u.Value) || !release.MatchString(u.LineComment) {
				t.Errorf("%s: uses %s %s, want owner/name@<40-hex commit> # vX.Y.Z", job, u.Value, u.LineComment)
			}
			if strings.HasPrefix(u.Value, "actions/checkout@") {
				checkouts++
				if got := tagged(get(s, "with", "persist-credentials")); got != "!!bool false" {
					t.Errorf("%s: checkout persist-credentials %s, want false", job, got)
				}
			}
		}
	}
	if checkouts != 2 {
		t.Errorf("%d checkouts, want one per job", checkouts)
	}
}
