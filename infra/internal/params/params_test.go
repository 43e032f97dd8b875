package params

import (
	"os"
	"path/filepath"
	"pelqim/content/schema"
	"slices"
	"strings"
	"testing"
)

// root writes files (repository-relative name → body) into a new root.
func root(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// validConfig is the smallest config the schema takes, before the keys a
// test adds.
const validConfig = "title: {sq: T, en: T}\nstore: https://shop.example/\ndefaultLanguage: sq\nlanguages: [{code: sq, name: Shqip}, {code: en, name: English}]\n"

const goodHeaders = `Content-Security-Policy: "default-src 'self'"
Strict-Transport-Security: "max-age=300;  INCLUDESUBDOMAINS"
x-content-type-options: nosniff
X-Frame-Options: SAMEORIGIN
Referrer-Policy: no-referrer
Permissions-Policy: "camera=()"
Cross-Origin-Opener-Policy: same-origin
`

func TestHeaders(t *testing.T) {
	ps, err := Headers(root(t, map[string]string{schema.HeadersFile: goodHeaders}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	want := []string{"ContentSecurityPolicy=default-src 'self'", "HstsMaxAge=300", "HstsIncludeSubdomains=true",
		"HstsPreload=false", "FrameOptions=SAMEORIGIN", "ReferrerPolicy=no-referrer",
		"PermissionsPolicy=camera=()", "CrossOriginOpenerPolicy=same-origin"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestHeadersRefuses(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown header", "X-Powered-By: pelqim\n", ":1: header X-Powered-By has no CloudFront mapping"},
		{"bad referrer", "Referrer-Policy: everywhere\n", ":1: Referrer-Policy: \"everywhere\" is not one of CloudFront's values"},
		{"hsts without max-age", "Strict-Transport-Security: preload\n", "max-age missing"},
		{"hsts bad max-age", "Strict-Transport-Security: max-age=soon\n", "not a number of seconds"},
		{"hsts unknown directive", "Strict-Transport-Security: max-age=1; forever\n", `unknown directive "forever"`},
		{"nosniff only", "X-Content-Type-Options: sniff\n", "X-Content-Type-Options"},
		{"CSP too long", "Content-Security-Policy: " + strings.Repeat("a", 1784) + "\n", "at most 1783"},
		{"missing CSP", "X-Frame-Options: DENY\n", "header Content-Security-Policy missing"},
		{"empty value", "X-Frame-Options: \"\"\n", ":1: X-Frame-Options: the value must be a non-empty string on one line"},
		{"two lines", "Content-Security-Policy: |\n  default-src 'self'\n  img-src 'self'\n", "on one line"},
		{"not a mapping", "- a\n", ":1: expected a mapping"},
		{"not YAML", "a: [\n", ":1: did not find expected node content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Headers(root(t, map[string]string{schema.HeadersFile: tc.yaml}))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), schema.HeadersFile) {
				t.Fatalf("error %v, want %s…%s", err, schema.HeadersFile, tc.want)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	const langs = validConfig
	for _, tc := range []struct{ name, yaml, want string }{
		{"plain", "baseURL: https://privatesia.example/\n" + langs,
			"DomainName=privatesia.example Languages=sq,en DefaultLanguage=sq RetentionDays=1095 RequestRetentionDays=1095"},
		{"retention", "baseURL: https://a.example/\nconsent: {retentionDays: 400}\n" + langs,
			"DomainName=a.example Languages=sq,en DefaultLanguage=sq RetentionDays=400 RequestRetentionDays=1095"},
		{"http", "baseURL: http://a.example/\n" + langs, "content/config.yaml:1: baseURL \"http://a.example/\": the site is deployed at an https:// address"},
		{"no host", "baseURL: https:///x\n" + langs, "content/config.yaml:1: baseURL"},
		{"retention out of bounds", "baseURL: https://a.example/\nconsent: {retentionDays: 40000}\n" + langs, "content/config.yaml:2: consent.retentionDays must be between 1 and 36500"},
		{"default not listed", "baseURL: https://a.example/\n" + strings.Replace(validConfig, "defaultLanguage: sq", "defaultLanguage: de", 1), "content/config.yaml:4: defaultLanguage \"de\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := Config(root(t, map[string]string{schema.ConfigFile: tc.yaml}))
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			if err != nil {
				got = []string{err.Error()}
			}
			if !strings.Contains(strings.Join(got, " "), tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{"PELQIM_SENDER_ADDRESS": "a@b.example", "PELQIM_RESERVED_CONCURRENCY": "5", "OTHER": "x"}
	got := FromEnv(func(k string) string { return env[k] })
	want := []Param{{"SenderAddress", "a@b.example"}, {"ReservedConcurrency", "5"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// The repository's own files are valid.
func TestRepository(t *testing.T) {
	ps, err := All("../../..", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 10 {
		t.Errorf("only %d parameters from the repository: %v", len(ps), ps)
	}
}

// siteRoot writes a repository root with headers.yaml, a site config and
// the real template.
func siteRoot(t *testing.T, config string) string {
	t.Helper()
	tpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return root(t, map[string]string{schema.HeadersFile: goodHeaders, schema.ConfigFile: config, TemplateFile: string(tpl)})
}

// Every parameter with a default is passed, the default when nothing sets
// it: `aws cloudformation deploy` would otherwise keep the stack's previous
// value, so retentionDays removed from the config, or the alarm email
// removed from the environment, would silently stay in force.
func TestAllPassesDefaults(t *testing.T) {
	const site = "baseURL: https://a.example/\n" + validConfig
	for _, tc := range []struct {
		name, config string
		env          map[string]string
		want         []string
	}{
		{"nothing set", site, nil, []string{"RetentionDays=1095", "RequestRetentionDays=1095",
			"ReservedConcurrency=20", "AlarmEmail=", "OriginSecretVersion="}},
		{"set", site + "consent: {retentionDays: 400}\nrequests: {retentionDays: 730}\n",
			map[string]string{"PELQIM_ALARM_EMAIL": "ops@a.example", "PELQIM_RESERVED_CONCURRENCY": "5"},
			[]string{"RetentionDays=400", "RequestRetentionDays=730", "ReservedConcurrency=5",
				"AlarmEmail=ops@a.example", "OriginSecretVersion="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := All(siteRoot(t, tc.config), func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, p := range ps {
				if _, dup := got[p.Key]; dup {
					t.Errorf("%s twice", p.Key)
				}
				got[p.Key] = p.Value
			}
			for _, w := range tc.want {
				k, v, _ := strings.Cut(w, "=")
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s: got %q (passed: %v), want %q", k, g, ok, v)
				}
			}
			if _, ok := got["CertificateArn"]; ok {
				t.Error("CertificateArn has no default; unset, it must not be invented")
			}
		})
	}
}

// The defaults come from the template alone: a setting is required here
// exactly when the template gives it no default.
func TestEnvRequiredIsTemplateWithoutDefault(t *testing.T) {
	tps, err := Template("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range Env {
		i := slices.IndexFunc(tps, func(tp TemplateParam) bool { return tp.Key == e.Key })
		switch {
		case i < 0:
			t.Errorf("%s sets %s, which the template does not have", e.Var, e.Key)
		case e.Required == tps[i].HasDefault:
			t.Errorf("%s: required %v, but the template's default is %v (%q)", e.Var, e.Required, tps[i].HasDefault, tps[i].Default)
		}
	}
}

func TestAllRefusesUnknownParameter(t *testing.T) {
	dir := siteRoot(t, "baseURL: https://a.example/\n"+validConfig)
	tpl := filepath.Join(dir, TemplateFile)
	src, _ := os.ReadFile(tpl)
	if err := os.WriteFile(tpl, []byte(strings.Replace(string(src), "\n  AlarmEmail:", "\n  AlarmMail:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := All(dir, func(k string) string { return map[string]string{"PELQIM_ALARM_EMAIL": "a@b.example"}[k] })
	if err == nil || !strings.Contains(err.Error(), "no parameter AlarmEmail") {
		t.Fatalf("error %v, want the unknown parameter named", err)
	}
}
