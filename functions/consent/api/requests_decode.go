package api

import (
	"maps"
	"mime"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
)

// RequestTypes are the rights a data request can invoke (GDPR Art. 15–21),
// in the order the site's form shows them.
var RequestTypes = []string{"access", "rectify", "erase", "restrict", "portability", "object", "withdraw"}

// MaxDetails is the longest details text accepted, in characters.
const MaxDetails = 2000

// requestBody is the POST /api/requests body as sent, JSON or form.
// Pointers tell a missing member from an empty one.
type requestBody struct {
	Type     *string `json:"type"`
	Email    *string `json:"email"`
	Details  *string `json:"details"`
	Language *string `json:"language"`
	Website  *string `json:"website"` // honeypot: people leave it empty
}

// requestInput is a decoded, valid request.
type requestInput struct {
	Type, Email, Details, Language string
	Honeypot                       bool // the website field was filled: a bot
}

// bodyKind tells how a client posted, which decides how errors are answered.
type bodyKind int

const (
	kindUnsupported bodyKind = iota
	kindJSON
	kindForm
)

func requestKind(contentType string) bodyKind {
	if isJSON(contentType) {
		return kindJSON
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return kindUnsupported
	}
	if cs, ok := params["charset"]; len(params) > 1 || len(params) == 1 && (!ok || !strings.EqualFold(cs, "utf-8")) {
		return kindUnsupported
	}
	return kindForm
}

// decodeRequest parses a JSON or form body strictly: unknown, repeated or
// missing fields and invalid values are errors, never ignored.
func decodeRequest(kind bodyKind, body []byte) (requestInput, error) {
	var b requestBody
	switch kind {
	case kindJSON:
		if err := json.Unmarshal(body, &b, json.RejectUnknownMembers(true)); err != nil {
			return requestInput{}, jsonError(err)
		}
	case kindForm:
		if err := decodeForm(body, &b); err != nil {
			return requestInput{}, err
		}
	default:
		return requestInput{}, &inputError{"unsupported_media_type", "Content-Type must be application/json or application/x-www-form-urlencoded"}
	}
	return validateRequest(b)
}

func decodeForm(body []byte, b *requestBody) error {
	if !utf8.Valid(body) {
		return &inputError{"invalid_form", "the form must be UTF-8"}
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return &inputError{"invalid_form", "malformed form encoding"}
	}
	fields := map[string]**string{
		"type": &b.Type, "email": &b.Email, "details": &b.Details,
		"language": &b.Language, "website": &b.Website,
	}
	for _, name := range slices.Sorted(maps.Keys(vals)) {
		dst, ok := fields[name]
		if !ok {
			return &inputError{"invalid_form", "unknown field " + truncateUTF8(name, 40)}
		}
		if len(vals[name]) != 1 {
			return &inputError{"invalid_form", "field " + name + " is repeated"}
		}
		v := vals[name][0]
		*dst = &v
	}
	return nil
}

func validateRequest(b requestBody) (requestInput, error) {
	for _, f := range []struct {
		name string
		v    *string
	}{{"type", b.Type}, {"email", b.Email}, {"language", b.Language}} {
		if f.v == nil || *f.v == "" {
			return requestInput{}, &inputError{"invalid_" + f.name, f.name + " is required"}
		}
	}
	if !slices.Contains(RequestTypes, *b.Type) {
		return requestInput{}, &inputError{"invalid_type", "type must be one of " + strings.Join(RequestTypes, ", ")}
	}
	if !isLanguage(*b.Language) {
		return requestInput{}, &inputError{"invalid_language", "language must be " + languageList}
	}
	if strings.ContainsFunc(*b.Email, nonASCII) {
		return requestInput{}, &inputError{"invalid_email_ascii", "email must be in ASCII, which is all SES sends to (an international domain in its xn-- form)"}
	}
	email, ok := validEmail(*b.Email)
	if !ok {
		return requestInput{}, &inputError{"invalid_email", "email must be one valid address of at most 254 characters"}
	}
	var details string
	if b.Details != nil {
		details = strings.TrimSpace(*b.Details)
	}
	if !utf8.ValidString(details) || utf8.RuneCountInString(details) > MaxDetails {
		return requestInput{}, &inputError{"invalid_details", "details must be UTF-8 text of at most 2000 characters"}
	}
	if strings.ContainsFunc(details, isControl) {
		return requestInput{}, &inputError{"invalid_details", "details must not contain control characters"}
	}
	return requestInput{
		Type: *b.Type, Email: email, Details: details, Language: *b.Language,
		Honeypot: b.Website != nil && *b.Website != "",
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
