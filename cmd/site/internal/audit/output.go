package audit

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes the findings grouped by kind, the problems, and a
// one-line summary.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	for _, k := range Kinds {
		fs := r.Of(k)
		if len(fs) == 0 {
			continue
		}
		note := ""
		if fs[0].Warning {
			note = ", warnings"
		}
		fmt.Fprintf(tw, "%s (%d%s)\n", k, len(fs), note)
		for _, f := range fs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", f.Name, f.Domain, f.Pass, f.Page, f.Message)
		}
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(tw, "problems (%d)\n", len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintf(tw, "  %s\n", p)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if names := r.Unconfirmed(); len(names) > 0 {
		fmt.Fprintf(w, "seen as declared, not yet confirmed in cookies.yaml (confirmed: true, once the store agrees): %s\n", strings.Join(names, ", "))
	}
	_, err := fmt.Fprintln(w, r.Summary())
	return err
}

// Summary is the report in one line.
func (r *Report) Summary() string {
	var errs, warns, pages, passes int
	for _, f := range r.Findings {
		if f.Warning {
			warns++
		} else {
			errs++
		}
	}
	for _, t := range r.Targets {
		for _, p := range t.Passes {
			passes++
			pages += len(p.Visits)
		}
	}
	verdict := "clean"
	if r.Failed() {
		verdict = "FAILED"
	}
	return fmt.Sprintf("audit %s: %d findings, %d warnings, %d problems; %d start URLs, %d page loads in %d passes, %.1f s",
		verdict, errs, warns, len(r.Problems), len(r.Targets), pages, passes, r.Seconds)
}

// WriteJSON writes every observation and finding (report.schema.json).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

//go:embed report.html
var reportHTML string

//go:embed report.css
var reportCSS string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"shot": func(b []byte) template.URL {
		return template.URL("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(b))
	},
	"kinds": func() []Kind { return Kinds },
	"div":   func(seconds float64) float64 { return seconds / 86400 },
}).Parse(reportHTML))

// WriteHTML writes the report a DPO can read and keep: one file, with the
// banner's screenshots, each finding with the declared text beside what
// was seen, and every cookie per phase. It loads nothing: its style is
// in it, allowed by its hash, and no script.
func (r *Report) WriteHTML(w io.Writer) error {
	sum := sha256.Sum256([]byte(reportCSS))
	csp := "default-src 'none'; img-src data:; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	var b bytes.Buffer
	err := reportTemplate.Execute(&b, struct {
		*Report
		CSP    string
		CSS    template.CSS
		Byname func(string) *Declared
	}{r, csp, template.CSS(reportCSS), r.declaredFor})
	if err != nil {
		return err
	}
	_, err = w.Write(b.Bytes())
	return err
}

// Of returns the findings of kind k.
func (r *Report) Of(k Kind) []Finding {
	var fs []Finding
	for _, f := range r.Findings {
		if f.Kind == k {
			fs = append(fs, f)
		}
	}
	return fs
}

// declaredFor is the entry a cookie or storage name is matched to, if any.
func (r *Report) declaredFor(kindName string) *Declared {
	kind, name, _ := strings.Cut(kindName, " ")
	for i := range r.Declared {
		if r.Declared[i].Matches(kind, name) {
			return &r.Declared[i]
		}
	}
	return nil
}
