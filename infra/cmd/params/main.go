// Command params prints the parameters of infra/template.yaml that come from
// the repository (security headers, site config) and from the PELQIM_*
// environment, and the template's default for every other one that has one
// (what the deploy passes), one Key=Value per line, as
// `--parameter-overrides` takes them:
//
//	go run ./infra/cmd/params [-root .] [-json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"pelqim/infra/internal/params"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "params:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("params", flag.ContinueOnError)
	root := fs.String("root", ".", "repository root")
	asJSON := fs.Bool("json", false, "print CloudFormation's [{ParameterKey, ParameterValue}] JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ps, err := params.All(*root, os.Getenv)
	if err != nil {
		return err
	}
	if *asJSON {
		type kv struct{ ParameterKey, ParameterValue string }
		list := make([]kv, len(ps))
		for i, p := range ps {
			list[i] = kv{p.Key, p.Value}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	for _, p := range ps {
		if _, err := fmt.Fprintln(out, p); err != nil {
			return err
		}
	}
	return nil
}
