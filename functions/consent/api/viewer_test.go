package api

import "testing"

func TestViewerIP(t *testing.T) {
	for header, want := range map[string]string{
		"198.51.100.7:443":                              "198.51.100.7",
		"2001:db8:abcd:12::7:443":                       "2001:db8:abcd:12::7", // CloudFront's unbracketed form
		"[2001:db8:abcd:12::7]:443":                     "2001:db8:abcd:12::7",
		"0000:0000:0000:0000:0000:0000:0000:0001:52325": "::1",
		" 198.51.100.7:443 ":                            "198.51.100.7",
		"198.51.100.7":                                  "", // a port is always there
		"2001:db8::1":                                   "", // ambiguous without the port: refuse rather than guess
		"nonsense:443":                                  "",
		"":                                              "",
	} {
		if got := viewerIP(header); got != want {
			t.Errorf("viewerIP(%q) = %q, want %q", header, got, want)
		}
	}
}
