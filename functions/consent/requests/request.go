package requests

import (
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"pelqim/content"
	"pelqim/functions/consent/httpapi"
)

// posted is a data request as sent, JSON or form: the same fields either
// way. Pointers tell a missing field from an empty one.
type posted struct {
	Type     *string `json:"type"`
	Email    *string `json:"email"`
	Details  *string `json:"details"`
	Language *string `json:"language"`
	Website  *string `json:"website"` // honeypot: people leave it empty
}

// request is a valid data request.
type request struct {
	Type, Email, Details, Language string
	Honeypot                       bool // the website field was filled: a bot
}

// validate checks every field: missing fields and invalid values are
// errors, never ignored.
func (p posted) validate() (request, *httpapi.InputError) {
	for _, f := range []struct {
		name string
		v    *string
	}{{"type", p.Type}, {"email", p.Email}, {"language", p.Language}} {
		if f.v == nil || *f.v == "" {
			return request{}, httpapi.Invalid("invalid_"+f.name, f.name+" is required")
		}
	}
	if !slices.Contains(content.RequestTypes, *p.Type) {
		return request{}, httpapi.Invalid("invalid_type", "type must be one of "+strings.Join(content.RequestTypes, ", "))
	}
	if !content.IsLanguage(*p.Language) {
		return request{}, httpapi.Invalid("invalid_language", "language must be one of "+strings.Join(content.Languages, ", "))
	}
	if strings.ContainsFunc(*p.Email, nonASCII) {
		return request{}, httpapi.Invalid("invalid_email_ascii", "email must be in ASCII, which is all SES sends to (an international domain in its xn-- form)")
	}
	email, ok := validEmail(*p.Email)
	if !ok {
		return request{}, httpapi.Invalid("invalid_email", "email must be one valid address of at most 254 characters")
	}
	var details string
	if p.Details != nil {
		details = strings.TrimSpace(*p.Details)
	}
	if !utf8.ValidString(details) || utf8.RuneCountInString(details) > content.MaxRequestDetails {
		return request{}, httpapi.Invalid("invalid_details", "details must be UTF-8 text of at most "+maxDetails+" characters")
	}
	if strings.ContainsFunc(details, isControl) {
		return request{}, httpapi.Invalid("invalid_details", "details must not contain control characters")
	}
	return request{
		Type: *p.Type, Email: email, Details: details, Language: *p.Language,
		Honeypot: p.Website != nil && *p.Website != "",
	}, nil
}

// validEmail accepts one bare address ("a@b.c", no display name, no
// comments) as net/mail parses it, with a dotted domain, in ASCII: SES
// refuses the rest (no SMTPUTF8; an international domain must be in its
// xn-- form, which browsers' email fields send), and a refusal there would
// look like an outage, answered 503 to a visitor who would only retry.
func validEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > 254 || strings.ContainsFunc(s, isControl) || strings.ContainsFunc(s, nonASCII) {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.ContainsAny(domain, "[]") {
		return "", false
	}
	return s, true
}

func nonASCII(r rune) bool { return r > unicode.MaxASCII }

// isControl refuses control characters except tab and line breaks, which
// details may contain.
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f || 0x80 <= r && r < 0xa0
}
