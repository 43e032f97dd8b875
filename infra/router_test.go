package infra

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// harness loads the CloudFront Function's code and runs handler on each
// request read from stdin (a JSON list), printing the results as JSON.
const harness = `
const fs = require('fs');
const handler = new Function(fs.readFileSync(process.argv[1], 'utf8') + '; return handler;')();
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
console.log(JSON.stringify(cases.map(c => {
  const headers = c.al === undefined ? {} : {'accept-language': {value: c.al}};
  const r = handler({version: '1.0', request: {method: 'GET', uri: c.uri, headers, querystring: c.qs || {}, cookies: {}}});
  return r.statusCode ? {status: r.statusCode, location: r.headers.location.value} : {uri: r.uri};
})));
`

// The router function as CloudFront runs it, under Node (its code is plain
// ES5, a subset of cloudfront-js-2.0), with the languages a deploy passes.
func TestRouterFunction(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found: install Node.js (Debian: apt-get install nodejs) to test the CloudFront Function")
	}
	f, err := openTemplate(t).GetCloudFrontFunctionWithName("RouterFunction")
	if err != nil {
		t.Fatal(err)
	}
	if f.FunctionConfig.Runtime != "cloudfront-js-2.0" {
		t.Errorf("runtime %s, want cloudfront-js-2.0", f.FunctionConfig.Runtime)
	}
	if n := len(f.FunctionCode); n > 10<<10 {
		t.Errorf("function code is %d bytes; CloudFront takes at most 10 KB", n)
	}
	dir := t.TempDir()
	code := filepath.Join(dir, "router.js")
	if err := os.WriteFile(code, []byte(f.FunctionCode), 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Status   int    `json:"status,omitempty"`
		Location string `json:"location,omitempty"`
		URI      string `json:"uri,omitempty"`
	}
	// A query string as CloudFront Functions hands it over: values as they
	// came (encoded), a repeated name with all its values in multiValue.
	type value struct {
		Value      string  `json:"value"`
		MultiValue []value `json:"multiValue,omitempty"`
	}
	campaign := map[string]value{
		"utm_source": {Value: "news%20letter"},
		"tag":        {Value: "a", MultiValue: []value{{Value: "a"}, {Value: "b"}}},
		"empty":      {Value: ""},
	}
	cases := []struct {
		URI  string           `json:"uri"`
		AL   *string          `json:"al,omitempty"`
		QS   map[string]value `json:"qs,omitempty"`
		want result
	}{
		{"/", nil, nil, result{Status: 302, Location: "/sq/"}},
		{"/", ptr(""), nil, result{Status: 302, Location: "/sq/"}},
		{"/", ptr("en-GB,en;q=0.9"), nil, result{Status: 302, Location: "/en/"}},
		{"/", ptr("sr-Latn-RS,sr;q=0.9,en;q=0.8"), nil, result{Status: 302, Location: "/sr/"}},
		{"/", ptr("de-DE,de;q=0.9"), nil, result{Status: 302, Location: "/sq/"}},
		{"/", ptr("de;q=1, en;q=0.3, sq;q=0.7"), nil, result{Status: 302, Location: "/sq/"}},
		{"/", ptr("en;q=0.5,sr;q=0.8"), nil, result{Status: 302, Location: "/sr/"}},
		{"/", ptr("en;q=0, fr"), nil, result{Status: 302, Location: "/sq/"}},
		{"/", ptr("EN-us"), nil, result{Status: 302, Location: "/en/"}},
		{"/", ptr("*"), nil, result{Status: 302, Location: "/sq/"}},
		{"/", ptr("sq, en"), nil, result{Status: 302, Location: "/sq/"}},
		{"/", ptr(";;,q=,en;q=abc"), nil, result{Status: 302, Location: "/sq/"}},
		{"/en/", ptr("sr"), nil, result{URI: "/en/index.html"}},
		{"/sq/privatesia/", nil, nil, result{URI: "/sq/privatesia/index.html"}},
		{"/sq/privatesia", nil, nil, result{Status: 301, Location: "/sq/privatesia/"}},
		{"/sq/404.html", nil, nil, result{URI: "/sq/404.html"}},
		{"/robots.txt", nil, nil, result{URI: "/robots.txt"}},
		{"/v1.2/page", nil, nil, result{Status: 301, Location: "/v1.2/page/"}},
		// Both redirects keep the query string, every value of it (in the
		// order of the object's names, which Go's JSON writes sorted).
		{"/", ptr("en"), campaign, result{Status: 302, Location: "/en/?empty=&tag=a&tag=b&utm_source=news%20letter"}},
		{"/sq/privatesia", nil, campaign, result{Status: 301, Location: "/sq/privatesia/?empty=&tag=a&tag=b&utm_source=news%20letter"}},
		{"/sq/privatesia/", nil, campaign, result{URI: "/sq/privatesia/index.html"}},
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(node, "-e", harness, code)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.Bytes())
	}
	var got []result
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for i, c := range cases {
		al := "(none)"
		if c.AL != nil {
			al = *c.AL
		}
		if got[i] != c.want {
			t.Errorf("%s with Accept-Language %q: %+v, want %+v", c.URI, al, got[i], c.want)
		}
	}
}

func ptr(s string) *string { return &s }
