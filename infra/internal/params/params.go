// Package params derives the parameters of infra/template.yaml from the
// repository's own single definitions (the theme's security headers and the
// site config, both read through content/schema) and the deploy
// environment, so the template holds no copy of them.
package params

import (
	"fmt"
	"net/url"
	"os"
	"pelqim/content"
	"pelqim/content/schema"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Param is one CloudFormation parameter value.
type Param struct{ Key, Value string }

// String renders the form `aws cloudformation deploy --parameter-overrides` takes.
func (p Param) String() string { return p.Key + "=" + p.Value }

// TemplateFile is the stack's template, relative to the repository root.
const TemplateFile = "infra/template.yaml"

// Env names the deploy-time settings that live outside the repository.
// Required ones have no default in the template (a test holds the two
// lists together); the others fall back to the template's default.
var Env = []struct {
	Var, Key string
	Required bool
}{
	{"PELQIM_CERTIFICATE_ARN", "CertificateArn", true},
	{"PELQIM_SENDER_ADDRESS", "SenderAddress", true},
	// bootstrap.yaml's FunctionBoundaryArn output: the only boundary its
	// CloudFormation role lets a new role have.
	{"PELQIM_PERMISSIONS_BOUNDARY_ARN", "PermissionsBoundaryArn", true},
	{"PELQIM_ALARM_EMAIL", "AlarmEmail", false},
	{"PELQIM_RESERVED_CONCURRENCY", "ReservedConcurrency", false},
	// Set when rotating the origin secret (infra/README.md). Unset, the
	// template's default: the secret's current version.
	{"PELQIM_ORIGIN_SECRET_VERSION", "OriginSecretVersion", false},
}

// FromEnv returns the Env settings that are set.
func FromEnv(getenv func(string) string) []Param {
	var ps []Param
	for _, e := range Env {
		if v := getenv(e.Var); v != "" {
			ps = append(ps, Param{e.Key, v})
		}
	}
	return ps
}

// All is every parameter the repository and the environment define, and
// the template's default for each other parameter that has one.
//
// Defaults are passed too, not left out: `aws cloudformation deploy` keeps
// a parameter's previous value when it is not given, so a setting removed
// from the config or the environment (consent.retentionDays, the alarm
// email) would otherwise stay in force, unseen. The template is the one
// place the defaults are written.
func All(root string, getenv func(string) string) ([]Param, error) {
	h, err := Headers(root)
	if err != nil {
		return nil, err
	}
	s, err := Config(root)
	if err != nil {
		return nil, err
	}
	path := root + "/" + TemplateFile
	tps, err := Template(path)
	if err != nil {
		return nil, err
	}
	ps := append(append(h, s...), FromEnv(getenv)...)
	for _, p := range ps {
		if !slices.ContainsFunc(tps, func(tp TemplateParam) bool { return tp.Key == p.Key }) {
			return nil, fmt.Errorf("%s: no parameter %s", path, p.Key)
		}
	}
	for _, tp := range tps {
		if tp.HasDefault && !slices.ContainsFunc(ps, func(p Param) bool { return p.Key == tp.Key }) {
			ps = append(ps, Param{tp.Key, tp.Default})
		}
	}
	return ps, nil
}

// TemplateParam is one parameter a template declares.
type TemplateParam struct {
	Key, Default string
	HasDefault   bool
}

// Template lists the parameters of a CloudFormation template, in order.
func Template(path string) ([]TemplateParam, error) {
	root, err := load(path)
	if err != nil {
		return nil, err
	}
	var tps []TemplateParam
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "Parameters" {
			continue
		}
		m := root.Content[i+1]
		for j := 0; j+1 < len(m.Content); j += 2 {
			tp := TemplateParam{Key: m.Content[j].Value}
			if d := field(m.Content[j+1], "Default"); d != nil {
				if d.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("%s:%d: %s: want a plain default", path, d.Line, tp.Key)
				}
				tp.Default, tp.HasDefault = d.Value, true
			}
			tps = append(tps, tp)
		}
	}
	if len(tps) == 0 {
		return nil, fmt.Errorf("%s: no Parameters", path)
	}
	return tps, nil
}

// field is the value of key in mapping m, or nil.
func field(m *yaml.Node, key string) *yaml.Node {
	for i := 0; m.Kind == yaml.MappingNode && i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

type headerRule struct {
	name  string
	parse func(string) ([]Param, error)
}

// headerParams maps each header CloudFront can send to its template
// parameters. A header in headers.yaml without an entry here is an error, so
// a new header cannot silently go missing at the CDN.
var headerParams = []headerRule{
	{"Content-Security-Policy", maxLen("ContentSecurityPolicy", 1783)}, // CloudFront's limit
	{"Strict-Transport-Security", hsts},
	{"X-Content-Type-Options", oneOf("", "nosniff")}, // CloudFront's only value: no parameter
	{"X-Frame-Options", oneOf("FrameOptions", "DENY", "SAMEORIGIN")},
	{"Referrer-Policy", oneOf("ReferrerPolicy", "no-referrer", "no-referrer-when-downgrade", "origin",
		"origin-when-cross-origin", "same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url")},
	{"Permissions-Policy", maxLen("PermissionsPolicy", 1783)},
	{"Cross-Origin-Opener-Policy", maxLen("CrossOriginOpenerPolicy", 1783)},
}

// Headers maps the security headers (schema.HeadersFile under root) to
// the template's parameters.
func Headers(root string) ([]Param, error) {
	hs, err := schema.ReadHeaders(root)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ps []Param
	for _, h := range hs {
		j := slices.IndexFunc(headerParams, func(r headerRule) bool { return strings.EqualFold(r.name, h.Name) })
		if j < 0 {
			return nil, content.Errorf(schema.HeadersFile, h.Line, "header %s has no CloudFront mapping (add it to infra/internal/params and infra/template.yaml)", h.Name)
		}
		got, err := headerParams[j].parse(h.Value)
		if err != nil {
			return nil, content.Errorf(schema.HeadersFile, h.Line, "%s: %w", h.Name, err)
		}
		seen[headerParams[j].name] = true
		ps = append(ps, got...)
	}
	for _, h := range headerParams {
		if !seen[h.name] {
			return nil, fmt.Errorf("%s: header %s missing (the CDN sends it)", schema.HeadersFile, h.name)
		}
	}
	return ps, nil
}

func maxLen(key string, n int) func(string) ([]Param, error) {
	return func(v string) ([]Param, error) {
		if len(v) > n {
			return nil, fmt.Errorf("%d characters, CloudFront takes at most %d", len(v), n)
		}
		return []Param{{key, v}}, nil
	}
}

func oneOf(key string, allowed ...string) func(string) ([]Param, error) {
	return func(v string) ([]Param, error) {
		if !slices.Contains(allowed, v) {
			return nil, fmt.Errorf("%q is not one of CloudFront's values %q", v, allowed)
		}
		if key == "" {
			return nil, nil
		}
		return []Param{{key, v}}, nil
	}
}

// hsts splits "max-age=N; includeSubDomains; preload" into the three
// settings CloudFront's StrictTransportSecurity takes.
func hsts(v string) ([]Param, error) {
	age, sub, preload := "", false, false
	for d := range strings.SplitSeq(v, ";") {
		d = strings.TrimSpace(d)
		switch name, val, _ := strings.Cut(d, "="); {
		case strings.EqualFold(name, "max-age"):
			if _, err := strconv.ParseUint(val, 10, 31); err != nil {
				return nil, fmt.Errorf("max-age %q is not a number of seconds", val)
			}
			age = val
		case strings.EqualFold(d, "includeSubDomains"):
			sub = true
		case strings.EqualFold(d, "preload"):
			preload = true
		case d != "":
			return nil, fmt.Errorf("unknown directive %q", d)
		}
	}
	if age == "" {
		return nil, fmt.Errorf("max-age missing")
	}
	return []Param{{"HstsMaxAge", age}, {"HstsIncludeSubdomains", strconv.FormatBool(sub)},
		{"HstsPreload", strconv.FormatBool(preload)}}, nil
}

// Config derives the host name, the languages, the retention periods and
// the other origins the function takes choices from
// from the site config (schema.ConfigFile under root), which must be valid
// and, to be deployed, served over https.
func Config(root string) ([]Param, error) {
	c, err := schema.ReadConfig(root)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Scheme != "https" {
		return nil, content.Errorf(schema.ConfigFile, c.Lines.Line("baseURL"), "baseURL %q: the site is deployed at an https:// address", c.BaseURL)
	}
	return []Param{
		{"DomainName", u.Hostname()},
		{"Languages", strings.Join(c.Langs(), ",")},
		{"DefaultLanguage", c.DefaultLanguage},
		{"RetentionDays", strconv.Itoa(int(c.Consent.RetentionDays))},
		{"RequestRetentionDays", strconv.Itoa(int(c.Requests.RetentionDays))},
		{"ConsentOrigins", strings.Join(c.Consent.Origins, ",")},
	}, nil
}

// load returns the top-level mapping of a YAML file.
func load(path string) (*yaml.Node, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, schema.YAMLError(path, 0, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:1: want a mapping", path)
	}
	return doc.Content[0], nil
}
