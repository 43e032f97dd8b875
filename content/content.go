// Package content is the one home of the facts that every part of pelqim
// shares: the site generator (cmd/site), the consent function
// (functions/consent), the deploy (infra) and the staff's tool
// (cmd/requests). It holds no YAML, templates or site code, so that the
// function links it and stays small.
//
// What editors write lives beside it (config.yaml, data/, the pages);
// package content/schema reads and validates those files. What the function
// needs of them, it gets from facts_generated.go and text_generated.go,
// which `go run ./cmd/site generate` writes from them and `site check` (and a
// test) keeps fresh.
package content

// The consent function's addresses: the banner posts choices to
// ConsentPath, the data-request form posts requests to RequestsPath, and
// the CDN routes both to the function.
const (
	ConsentPath  = "/api/consent"
	RequestsPath = "/api/requests"
)

// RequestTypes are the rights a data request can invoke (GDPR Art. 15–21,
// Law No. 06/L-082 Art. 18–24), in the order the form offers them. Each
// one's label is the theme's string req_type_ID.
var RequestTypes = []string{"access", "rectify", "erase", "restrict", "portability", "object", "withdraw"}

// MaxRequestDetails is the longest details text a data request takes, in
// characters.
const MaxRequestDetails = 2000

// IsLanguage reports whether code is one of Languages.
func IsLanguage(code string) bool {
	for _, l := range Languages {
		if l == code {
			return true
		}
	}
	return false
}
