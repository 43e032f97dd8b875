package api

// What the site must agree on with the function, which cannot read the
// site's content (it runs elsewhere): `site check` holds the site to these,
// as to Languages and RequestsPage.

// ConsentPath and RequestsPath are where the banner posts choices and the
// data-request form posts requests: the routes begin with them.
const (
	ConsentPath  = "/api/consent"
	RequestsPath = "/api/requests"
)

// Categories are the cookie categories a consent record holds, the one
// that cannot be refused first: a category the site adds, renames or
// drops would make every record a 400.
func Categories() []string { return []string{"necessary", "preferences", "statistics", "marketing"} }
