package infra

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation/cloudfront"
	"go.yaml.in/yaml/v3"

	"pelqim/content/schema"
	"pelqim/infra/internal/params"
)

const headersFile = "../" + schema.HeadersFile

// headersYAML reads the one definition directly, independent of package params.
func headersYAML(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile(headersFile)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := yaml.Unmarshal(src, &m); err != nil {
		t.Fatal(err)
	}
	lower := map[string]string{}
	for k, v := range m {
		lower[strings.ToLower(k)] = v
	}
	return lower
}

// The response headers policies: the site's replaces whatever the origin
// says; the API's adds only what the function did not set itself.
var headerPolicies = map[string]bool{"SecurityHeaders": true, "ApiSecurityHeaders": false}

// What CloudFront sends, given the template's response headers policies with
// the parameters a deploy passes, must be exactly headers.yaml.
func TestSecurityHeadersAreHeadersYAML(t *testing.T) {
	tpl := openTemplate(t)
	want := headersYAML(t)
	want["strict-transport-security"] = normalizeHSTS(want["strict-transport-security"])
	for name, override := range headerPolicies {
		p, err := tpl.GetCloudFrontResponseHeadersPolicyWithName(name)
		if err != nil {
			t.Fatal(err)
		}
		sent, overrides := policyHeaders(p.ResponseHeadersPolicyConfig)
		for _, h := range slices.Sorted(maps.Keys(want)) {
			if sent[h] != want[h] {
				t.Errorf("%s: %s: CloudFront sends %q, headers.yaml says %q", name, h, sent[h], want[h])
			}
		}
		for h := range sent {
			if _, ok := want[h]; !ok {
				t.Errorf("%s: CloudFront sends %s, which headers.yaml does not define", name, h)
			}
		}
		for h, o := range overrides {
			if o != override {
				t.Errorf("%s: %s Override %v, want %v", name, h, o, override)
			}
		}
	}
}

// policyHeaders renders a policy as the headers CloudFront adds, and each one's Override.
func policyHeaders(cfg *cloudfront.ResponseHeadersPolicy_ResponseHeadersPolicyConfig) (map[string]string, map[string]bool) {
	sent, override := map[string]string{}, map[string]bool{}
	if sh := cfg.SecurityHeadersConfig; sh != nil {
		if c := sh.ContentSecurityPolicy; c != nil {
			sent["content-security-policy"], override["content-security-policy"] = c.ContentSecurityPolicy, c.Override
		}
		if h := sh.StrictTransportSecurity; h != nil {
			v := fmt.Sprintf("max-age=%d", h.AccessControlMaxAgeSec)
			if deref(h.IncludeSubdomains) {
				v += "; includeSubDomains"
			}
			if deref(h.Preload) {
				v += "; preload"
			}
			sent["strict-transport-security"], override["strict-transport-security"] = v, h.Override
		}
		if o := sh.ContentTypeOptions; o != nil {
			sent["x-content-type-options"], override["x-content-type-options"] = "nosniff", o.Override
		}
		if f := sh.FrameOptions; f != nil {
			sent["x-frame-options"], override["x-frame-options"] = f.FrameOption, f.Override
		}
		if r := sh.ReferrerPolicy; r != nil {
			sent["referrer-policy"], override["referrer-policy"] = r.ReferrerPolicy, r.Override
		}
	}
	if ch := cfg.CustomHeadersConfig; ch != nil {
		for _, h := range ch.Items {
			sent[strings.ToLower(h.Header)], override[strings.ToLower(h.Header)] = h.Value, h.Override
		}
	}
	return sent, override
}

// normalizeHSTS orders the directives as CloudFront writes them.
func normalizeHSTS(v string) string {
	var age string
	var flags []string
	for d := range strings.SplitSeq(v, ";") {
		d = strings.TrimSpace(d)
		switch strings.ToLower(d) {
		case "includesubdomains":
			flags = append(flags, "includeSubDomains")
		case "preload":
			flags = append(flags, "preload")
		default:
			age = d
		}
	}
	slices.Sort(flags) // "includeSubDomains" < "preload"
	return strings.Join(append([]string{age}, flags...), "; ")
}

// The template holds no copy: the policy's values are parameters without
// defaults, exactly the ones the params command derives from headers.yaml,
// and no header value appears in the template's resources.
func TestSecurityHeadersAreParameters(t *testing.T) {
	root := loadYAML(t, "template.yaml")
	fromFile, err := params.Headers("..")
	if err != nil {
		t.Fatal(err)
	}
	printed := paramsPrinted(t)
	var want []string
	for _, p := range fromFile {
		want = append(want, p.Key)
		if printed[p.Key] != p.Value {
			t.Errorf("go run ./infra/cmd/params prints %s=%q, headers.yaml gives %q", p.Key, printed[p.Key], p.Value)
		}
		if d := get(root, "Parameters", p.Key, "Default"); d != nil {
			t.Errorf("parameter %s has a default (%q): a second copy of headers.yaml", p.Key, d.Value)
		}
	}
	slices.Sort(want)
	for name := range headerPolicies {
		refs := withTag(get(root, "Resources", name, "Properties", "ResponseHeadersPolicyConfig"), "!Ref")
		slices.Sort(refs)
		if !slices.Equal(refs, want) {
			t.Errorf("%s refers to %q, headers.yaml yields %q", name, refs, want)
		}
	}
	// Resources only: a parameter's AllowedValues list CloudFront's options, not the site's choice.
	src, err := yaml.Marshal(get(root, "Resources"))
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range headersYAML(t) {
		if len(v) > 12 && strings.Contains(string(src), v) {
			t.Errorf("template.yaml's resources contain the value of %s: a second copy", name)
		}
	}
}
