package infra

import (
	"os/exec"
	"testing"
)

// cfn-lint checks both templates against CloudFormation's own resource
// specification: property names and types, allowed values, GetAtt attributes.
func TestCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found: install it with `pip install cfn-lint` (the project's machines have it)")
	}
	out, err := exec.Command(lint, "--", "template.yaml", "bootstrap.yaml").CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}
