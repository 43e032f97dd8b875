package infra

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// goformation resolves !Ref and !GetAtt to parameter defaults or nothing and
// accepts names that do not exist, so references are checked here, on the
// YAML with its tags.

var pseudo = []string{"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
	"AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}

// loadYAML returns the top-level mapping of a template, tags intact.
func loadYAML(t *testing.T, path string) *yaml.Node {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc.Content[0]
}

// get follows mapping keys; nil when one is missing.
func get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// keys lists a mapping's keys in order.
func keys(n *yaml.Node) []string {
	var ks []string
	for i := 0; n != nil && i+1 < len(n.Content); i += 2 {
		ks = append(ks, n.Content[i].Value)
	}
	return ks
}

var subVar = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// refErrors lists every reference in the template that names nothing, and
// every parameter nothing references.
func refErrors(root *yaml.Node) []string {
	params, resources := keys(get(root, "Parameters")), keys(get(root, "Resources"))
	conditions, mappings := keys(get(root, "Conditions")), keys(get(root, "Mappings"))
	used := map[string]bool{}
	var errs []string
	bad := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("line %d: ", n.Line)+fmt.Sprintf(format, args...))
	}
	ref := func(n *yaml.Node, name string, local []string) {
		used[name] = true
		if !slices.Contains(params, name) && !slices.Contains(resources, name) &&
			!slices.Contains(pseudo, name) && !slices.Contains(local, name) {
			bad(n, "%q is not a parameter, resource or pseudo parameter", name)
		}
	}
	getAtt := func(n *yaml.Node, name string) {
		if !slices.Contains(resources, name) {
			bad(n, "GetAtt %q: no such resource", name)
		}
	}
	inList := func(n *yaml.Node, what string, list []string) {
		if !slices.Contains(list, n.Value) {
			bad(n, "%s %q is not defined", what, n.Value)
		}
	}
	var walk func(n *yaml.Node, local []string)
	walk = func(n *yaml.Node, local []string) {
		switch n.Tag {
		case "!Ref":
			ref(n, n.Value, local)
		case "!GetAtt":
			if n.Kind == yaml.ScalarNode {
				getAtt(n, strings.Split(n.Value, ".")[0])
			} else if len(n.Content) > 0 {
				getAtt(n, n.Content[0].Value)
			}
		case "!Sub":
			s, vars := n, []string{}
			if n.Kind == yaml.SequenceNode && len(n.Content) == 2 {
				s, vars = n.Content[0], keys(n.Content[1])
				walk(n.Content[1], local)
			}
			for _, m := range subVar.FindAllStringSubmatch(s.Value, -1) {
				name := m[1]
				if r, _, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
					getAtt(s, r)
				} else if !slices.Contains(vars, name) {
					ref(s, name, local)
				}
			}
			return
		case "!If":
			if len(n.Content) > 0 {
				inList(n.Content[0], "condition", conditions)
			}
		case "!Condition":
			inList(n, "condition", conditions)
		case "!FindInMap":
			if len(n.Content) > 0 {
				inList(n.Content[0], "mapping", mappings)
			}
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				switch k.Value {
				case "Ref":
					ref(v, v.Value, local)
				case "Fn::GetAtt":
					if len(v.Content) > 0 {
						getAtt(v, v.Content[0].Value)
					}
				case "Condition":
					if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
						inList(v, "condition", conditions)
					}
				case "DependsOn":
					for _, d := range append([]*yaml.Node{v}, v.Content...) {
						if d.Kind == yaml.ScalarNode {
							inList(d, "resource", resources)
						}
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c, local)
		}
	}
	for _, section := range []string{"Conditions", "Resources", "Outputs"} {
		if s := get(root, section); s != nil {
			walk(s, nil)
		}
	}
	for _, p := range params {
		if !used[p] {
			errs = append(errs, fmt.Sprintf("parameter %s is never used", p))
		}
	}
	return errs
}

func TestReferencesResolve(t *testing.T) {
	for _, path := range []string{"template.yaml", "bootstrap.yaml"} {
		for _, e := range refErrors(loadYAML(t, path)) {
			t.Errorf("%s: %s", path, e)
		}
	}
}

// The checker itself finds what it should.
func TestReferenceCheckerCatches(t *testing.T) {
	got := strings.Join(refErrors(loadYAML(t, "testdata/badrefs.yaml")), "\n")
	for _, want := range []string{`"Missing" is not a parameter`, `GetAtt "Ghost"`, `"Nope" is not a parameter`,
		`GetAtt "Phantom"`, `condition "NoSuchCondition"`, `resource "Absent"`, "parameter Unused is never used"} {
		if !strings.Contains(got, want) {
			t.Errorf("no error containing %s in:\n%s", want, got)
		}
	}
	for _, fine := range []string{"Local", "Bucket", "AWS::Region", "Used"} {
		if strings.Contains(got, `"`+fine+`"`) {
			t.Errorf("valid reference %s reported:\n%s", fine, got)
		}
	}
}
