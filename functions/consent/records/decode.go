package records

import (
	"strings"
	"time"

	"pelqim/content"
	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/store"
)

// consentBody is the POST /api/consent body as sent. Pointers tell a
// missing member from a zero value: every member is required.
type consentBody struct {
	ConsentID      *string         `json:"consentId"`
	EventID        *string         `json:"eventId"`
	Action         *string         `json:"action"`
	Categories     *categoriesBody `json:"categories"`
	ConsentVersion *string         `json:"consentVersion"`
	PolicyVersion  *string         `json:"policyVersion"`
	Language       *string         `json:"language"`
	Page           *string         `json:"page"`
	GPC            *bool           `json:"gpc"`
	// ChosenAt, the one optional member, is when the visitor chose, in
	// unix seconds by the browser's clock: a queued choice arrives later.
	// A banner older than the member did not send it.
	ChosenAt *int64 `json:"chosenAt"`
}

// categoriesBody has a member for each of content.Categories, in their
// order, the first the one that cannot be refused (TestCategories holds
// it to them).
type categoriesBody struct {
	Necessary   *bool `json:"necessary"`
	Preferences *bool `json:"preferences"`
	Statistics  *bool `json:"statistics"`
	Marketing   *bool `json:"marketing"`
}

// consentInput is a decoded, valid POST /api/consent body.
type consentInput struct {
	ConsentID, EventID, Action    string
	Categories                    store.Categories
	ConsentVersion, PolicyVersion string
	Language, Page                string
	GPC                           bool
	ChosenAt                      string // store.TimeFormat, or "" when not sent
}

func invalid(message string) *httpapi.InputError { return httpapi.Invalid("invalid_request", message) }

// decodeConsent parses a body strictly (httpapi.DecodeJSON): every member
// present and valid.
func decodeConsent(body []byte) (consentInput, *httpapi.InputError) {
	var b consentBody
	if bad := httpapi.DecodeJSON(body, &b); bad != nil {
		return consentInput{}, bad
	}
	const uuid, hex = "a lowercase UUID v4", "1 to 64 lowercase hex digits"
	for _, f := range []struct {
		name string
		v    *string
		ok   func(string) bool
		want string
	}{
		{"consentId", b.ConsentID, isUUIDv4, uuid},
		{"eventId", b.EventID, isUUIDv4, uuid},
		{"action", b.Action, isAction, "accept_all, reject_all, custom or withdraw"},
		{"consentVersion", b.ConsentVersion, isVersion, hex},
		{"policyVersion", b.PolicyVersion, isVersion, hex},
		{"language", b.Language, content.IsLanguage, strings.Join(content.Languages, ", ")},
		{"page", b.Page, isPagePath, "a root-relative path of at most 256 bytes, without query or fragment"},
	} {
		if f.v == nil {
			return consentInput{}, invalid(f.name + " is required")
		}
		if !f.ok(*f.v) {
			return consentInput{}, invalid(f.name + " must be " + f.want)
		}
	}
	if b.GPC == nil {
		return consentInput{}, invalid("gpc is required")
	}
	c, bad := categories(b.Categories)
	if bad != nil {
		return consentInput{}, bad
	}
	if bad := checkAction(*b.Action, c); bad != nil {
		return consentInput{}, bad
	}
	var chosen string
	if b.ChosenAt != nil {
		// The browser's clock, kept as it says, but a number of seconds
		// that is one: from 1970 to 2242.
		if *b.ChosenAt < 0 || *b.ChosenAt >= 1<<33 {
			return consentInput{}, invalid("chosenAt must be unix seconds")
		}
		chosen = time.Unix(*b.ChosenAt, 0).UTC().Format(store.TimeFormat)
	}
	return consentInput{
		ConsentID: *b.ConsentID, EventID: *b.EventID, Action: *b.Action, Categories: c,
		ConsentVersion: *b.ConsentVersion, PolicyVersion: *b.PolicyVersion,
		Language: *b.Language, Page: *b.Page, GPC: *b.GPC, ChosenAt: chosen,
	}, nil
}

func categories(c *categoriesBody) (store.Categories, *httpapi.InputError) {
	if c == nil {
		return store.Categories{}, invalid("categories is required")
	}
	for i, v := range []*bool{c.Necessary, c.Preferences, c.Statistics, c.Marketing} {
		if v == nil {
			return store.Categories{}, invalid("categories." + content.Categories[i] + " is required")
		}
	}
	if required := content.Categories[0]; !*c.Necessary {
		return store.Categories{}, invalid("categories." + required + " must be true: " + required + " cookies cannot be refused")
	}
	return store.Categories{Necessary: true, Preferences: *c.Preferences, Statistics: *c.Statistics, Marketing: *c.Marketing}, nil
}

// checkAction keeps a record self-consistent: it is proof of consent, so an
// "accept_all" that refuses a category would prove nothing.
func checkAction(action string, c store.Categories) *httpapi.InputError {
	all := c.Preferences && c.Statistics && c.Marketing
	none := !c.Preferences && !c.Statistics && !c.Marketing
	switch {
	case action == "accept_all" && !all:
		return invalid("accept_all must grant every category")
	case (action == "reject_all" || action == "withdraw") && !none:
		return invalid(action + " must refuse every optional category")
	}
	return nil
}

func isAction(s string) bool {
	return s == "accept_all" || s == "reject_all" || s == "custom" || s == "withdraw"
}

// isUUIDv4 accepts the canonical lowercase form with version 4 and the
// RFC 4122 variant, the only form crypto.randomUUID() produces.
func isUUIDv4(s string) bool {
	if len(s) != 36 || s[14] != '4' || !strings.ContainsRune("89ab", rune(s[19])) {
		return false
	}
	for i := range len(s) {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

func isVersion(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := range len(s) {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// isPagePath accepts a URL path such as "/sq/privatesia/". Queries and
// fragments are refused: they may carry personal data into the record.
func isPagePath(s string) bool {
	if len(s) == 0 || len(s) > 256 || s[0] != '/' || strings.HasPrefix(s, "//") {
		return false
	}
	for i := range len(s) {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("/-._~%!$&'()*+,;=:@", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}
