package infra

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
	"go.yaml.in/yaml/v3"

	"pelqim/infra/internal/params"
)

// printedParams runs `go run ./infra/cmd/params` from the repository root,
// exactly as a person or the workflow would, and parses its Key=Value lines.
var printedParams = sync.OnceValues(func() (map[string]string, error) {
	cmd := exec.Command("go", "run", "./infra/cmd/params")
	cmd.Dir = ".."
	cmd.Env = cmd.Environ()
	for _, e := range params.Env {
		cmd.Env = append(cmd.Env, e.Var+"=")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v\n%s", err, stderr.Bytes())
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		m[k] = v
	}
	return m, sc.Err()
})

func paramsPrinted(t *testing.T) map[string]string {
	t.Helper()
	m, err := printedParams()
	if err != nil {
		t.Fatalf("go run ./infra/cmd/params: %v", err)
	}
	return m
}

// openTemplate parses template.yaml with goformation, the parameters set as a
// deploy sets them: from `go run ./infra/cmd/params` plus sample values for
// what comes from the deploy environment. Numbers and booleans are typed the
// way CloudFormation converts them for the property they land in.
func openTemplate(t *testing.T) *cloudformation.Template {
	t.Helper()
	vals := map[string]string{
		"CertificateArn":         "arn:aws:acm:us-east-1:123456789012:certificate/abc",
		"SenderAddress":          "no-reply@xiaomistore-ks.com",
		"PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/pelqim-boundary",
		"ArtifactBucket":         "artifacts", "ArtifactKey": "consent/0.zip",
	}
	ps := get(loadYAML(t, "template.yaml"), "Parameters")
	for _, k := range keys(ps) {
		if d := get(ps, k, "Default"); d != nil {
			vals[k] = d.Value
		}
	}
	for k, v := range paramsPrinted(t) {
		vals[k] = v
	}
	overrides := map[string]any{}
	for k, v := range vals {
		overrides[k] = v
	}
	for _, k := range []string{"HstsMaxAge", "ReservedConcurrency"} {
		if n, err := strconv.Atoi(vals[k]); err == nil {
			overrides[k] = n
		}
	}
	for _, k := range []string{"HstsIncludeSubdomains", "HstsPreload"} {
		overrides[k] = vals[k] == "true"
	}
	root := loadYAML(t, "template.yaml")
	for typ, props := range goformationUnknown {
		for _, r := range resourcesOfType(root, typ) {
			deleteKeys(get(r, "Properties"), props...)
		}
	}
	src, err := yaml.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := goformation.ParseYAMLWithOptions(src, &intrinsics.ProcessorOptions{ParameterOverrides: overrides})
	if err != nil {
		t.Fatalf("goformation: %v", err)
	}
	return tpl
}

// goformationUnknown lists properties the template uses that goformation
// (v7.14.9, the latest) does not know yet: it refuses the whole template for
// one. openTemplate leaves them out; cfn-lint checks them against AWS's
// resource specification, and the tests that need them read the YAML.
var goformationUnknown = map[string][]string{
	"AWS::Lambda::Permission": {"InvokedViaFunctionUrl"},
}

// deleteKeys removes keys from the mapping n.
func deleteKeys(n *yaml.Node, keys ...string) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	kept := n.Content[:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !slices.Contains(keys, n.Content[i].Value) {
			kept = append(kept, n.Content[i], n.Content[i+1])
		}
	}
	n.Content = kept
}

// resourcesOfType maps logical ids to the tagged YAML of resources of a type.
func resourcesOfType(root *yaml.Node, typ string) map[string]*yaml.Node {
	m := map[string]*yaml.Node{}
	res := get(root, "Resources")
	for _, id := range keys(res) {
		if r := get(res, id); val(get(r, "Type")) == typ {
			m[id] = r
		}
	}
	return m
}

// tagged renders a node as "!Tag value" for compact comparisons.
func tagged(n *yaml.Node) string {
	if n == nil {
		return "<missing>"
	}
	if n.Kind == yaml.SequenceNode {
		var parts []string
		for _, c := range n.Content {
			parts = append(parts, c.Value)
		}
		return n.Tag + " " + strings.Join(parts, ".")
	}
	return n.Tag + " " + n.Value
}

// scalars lists a scalar or a sequence of scalars.
func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var s []string
	for _, c := range n.Content {
		s = append(s, c.Value)
	}
	return s
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// val is a scalar's value, "" when the node is missing.
func val(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	return n.Value
}

// withTag lists the values of the nodes under n that carry tag.
func withTag(n *yaml.Node, tag string) []string {
	if n == nil {
		return nil
	}
	var vs []string
	if n.Tag == tag {
		vs = append(vs, n.Value)
	}
	for _, c := range n.Content {
		vs = append(vs, withTag(c, tag)...)
	}
	return vs
}
