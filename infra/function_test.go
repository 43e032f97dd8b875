package infra

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pelqim/infra/internal/lambdazip"
)

const functionPkg = "./functions/consent"

// functionFiles lists the Go files of this module compiled into the
// function's binary, as the Lambda build selects them.
func functionFiles(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Dir,GoFiles,Module", "-tags", "lambda.norpc", functionPkg)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), lambdazip.BuildEnv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s (the consent function, issue 3): %v\n%s", functionPkg, err, stderr.Bytes())
	}
	var files []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			Dir     string
			GoFiles []string
			Module  *struct{ Path string }
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module != nil && p.Module.Path == "pelqim" {
			for _, f := range p.GoFiles {
				files = append(files, filepath.Join(p.Dir, f))
			}
		}
	}
	return files
}

// envReads finds the names passed to os.Getenv and os.LookupEnv in files:
// string literals, or constants declared in the same files.
func envReads(files []string) ([]string, error) {
	fset := token.NewFileSet()
	var parsed []*ast.File
	consts := map[string]string{}
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			return nil, err
		}
		parsed = append(parsed, af)
		for _, d := range af.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.CONST {
				for _, s := range gd.Specs {
					vs := s.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								consts[n.Name], _ = strconv.Unquote(lit.Value)
							}
						}
					}
				}
			}
		}
	}
	var names []string
	var unknown []string
	for _, af := range parsed {
		osNames := map[string]bool{} // the names "os" is imported as
		for _, imp := range af.Imports {
			if imp.Path.Value == `"os"` {
				if imp.Name != nil {
					osNames[imp.Name.Name] = true
				} else {
					osNames["os"] = true
				}
			}
		}
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Getenv" && sel.Sel.Name != "LookupEnv") {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || !osNames[id.Name] {
				return true
			}
			switch a := call.Args[0].(type) {
			case *ast.BasicLit:
				s, _ := strconv.Unquote(a.Value)
				names = append(names, s)
			case *ast.Ident:
				if s, ok := consts[a.Name]; ok {
					names = append(names, s)
					break
				}
				unknown = append(unknown, fset.Position(a.Pos()).String())
			default:
				unknown = append(unknown, fset.Position(a.Pos()).String())
			}
			return true
		})
	}
	if len(unknown) > 0 {
		return nil, &unresolvedError{unknown}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

type unresolvedError struct{ at []string }

func (e *unresolvedError) Error() string {
	return "environment variable name not a literal or constant at " + strings.Join(e.at, ", ")
}

// The runtime and the AWS SDK own these; the template must not set them.
func providedByLambda(name string) bool {
	return strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "LAMBDA_") || strings.HasPrefix(name, "_")
}

func TestFunctionEnvironmentIsSet(t *testing.T) {
	reads, err := envReads(functionFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	fn, err := openTemplate(t).GetLambdaFunctionWithName("ConsentFunction")
	if err != nil || fn.Environment == nil {
		t.Fatal("ConsentFunction has no environment")
	}
	// The brief's contract plus ORIGIN_SECRET (the X-Origin-Verify value
	// that makes the public Function URL answer only CloudFront) and
	// REQUEST_RETENTION_DAYS (stamped on each data request), plus
	// whatever the code reads today.
	contract := []string{"TABLE_NAME", "SITE_ORIGIN", "SENDER_ADDRESS", "RETENTION_DAYS", "REQUEST_RETENTION_DAYS", "ORIGIN_SECRET"}
	var checked []string
	for _, name := range slices.Compact(slices.Sorted(slices.Values(append(contract, reads...)))) {
		if providedByLambda(name) {
			continue
		}
		checked = append(checked, name)
		if _, ok := fn.Environment.Variables[name]; !ok {
			t.Errorf("the function reads %s (the code or the brief says so), the template does not set it", name)
		}
	}
	if len(reads) == 0 {
		t.Fatal("found no environment reads in the function: the scan is broken")
	}
	// The Lambda itself, not only serve, must require the origin secret.
	for _, name := range contract {
		if !slices.Contains(reads, name) {
			t.Errorf("the function's code does not read %s", name)
		}
	}
	t.Logf("the function reads %q; the template sets %q", reads, checked)
}

func TestEnvReadsScanner(t *testing.T) {
	got, err := envReads([]string{"testdata/envreads/a.go.txt"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ALIASED", "BY_CONST", "LITERAL", "LOOKED_UP"}
	if !slices.Equal(got, want) {
		t.Errorf("found %q, want %q", got, want)
	}
	if _, err := envReads([]string{"testdata/envreads/dynamic.go.txt"}); err == nil {
		t.Error("a computed name went unnoticed")
	}
}

// The real function, built as the deploy builds it: a static aarch64 ELF
// within lambdazip.MaxBootstrap.
func TestFunctionBinary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "consent.zip")
	if _, err := lambdazip.Build(context.Background(), "..", functionPkg, out); err != nil {
		t.Fatal(err)
	}
	z, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	info, err := lambdazip.Check(z)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bootstrap %d bytes (%.2f MB, budget %d bytes), zip %d bytes", info.BootstrapSize,
		float64(info.BootstrapSize)/1e6, lambdazip.MaxBootstrap, info.ZipSize)
	if err := info.Budget(); err != nil {
		t.Error(err)
	}
}
