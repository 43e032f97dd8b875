package requests

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"
	"unicode/utf8"

	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/store"
)

// A format is one way of posting a data request, and of being answered:
// scripts send JSON and read JSON (jsonFormat); the site's form, in a
// browser without JavaScript, sends a form and reads pages (formFormat).
// Both decode into posted, and post handles that one way.
type format interface {
	// decode reads a body into the fields as sent; with an error, also
	// what it could read, to fill the form in again.
	decode(body []byte) (posted, *httpapi.InputError)
	// refused answers a request that is not valid (400) or too large (413).
	refused(p posted, bad *httpapi.InputError) httpapi.Response
	// answer answers a valid request in lang by how it ended.
	answer(lang string, r result) httpapi.Response
}

// formatOf is the format of a Content-Type; an unsupported one is
// answered as JSON.
func formatOf(contentType string) (f format, supported bool) {
	switch {
	case httpapi.IsMediaType(contentType, httpapi.MediaJSON):
		return jsonFormat{}, true
	case httpapi.IsMediaType(contentType, httpapi.MediaForm):
		return formFormat{}, true
	}
	return jsonFormat{}, false
}

// read decodes and validates a body in format f.
func read(f format, body []byte) (posted, request, *httpapi.InputError) {
	p, bad := f.decode(body)
	if bad != nil {
		return p, request{}, bad
	}
	in, bad := p.validate()
	return p, in, bad
}

// jsonFormat is a script's: a JSON body (decoded strictly, as
// httpapi.DecodeJSON says), answered in JSON.
type jsonFormat struct{}

// accepted is the JSON answer to a filed request (and, identically shaped,
// to a bot that filled the honeypot).
type accepted struct {
	Reference string `json:"reference"`
	DueAt     string `json:"dueAt"`
	// Mailed is false when the address had its confirmation emails for
	// the hour (MailLimit): the request is filed all the same.
	Mailed bool `json:"mailed"`
}

func (jsonFormat) decode(body []byte) (posted, *httpapi.InputError) {
	var p posted
	return p, httpapi.DecodeJSON(body, &p)
}

func (jsonFormat) refused(_ posted, bad *httpapi.InputError) httpapi.Response { return bad.Response() }

// answer is 202 with the reference, 429 or 503 with Retry-After.
func (jsonFormat) answer(_ string, r result) httpapi.Response {
	switch {
	case r.unavailable.Status != 0:
		return r.unavailable
	case r.wait > 0:
		return httpapi.TooMany(r.wait, "too many requests; try again later")
	}
	return httpapi.JSON(http.StatusAccepted, accepted{r.ref, r.due.Format(store.TimeFormat), r.mailed})
}

// formFormat is the site's form without JavaScript: a form body, answered
// with pages (pages.go).
type formFormat struct{}

// decode reads a form strictly: UTF-8, each field at most once, no field
// the form does not have.
func (formFormat) decode(body []byte) (posted, *httpapi.InputError) {
	vals, err := url.ParseQuery(string(body))
	var p posted
	fields := map[string]**string{
		"type": &p.Type, "email": &p.Email, "details": &p.Details,
		"language": &p.Language, "website": &p.Website,
	}
	for name, dst := range fields {
		if v := vals[name]; len(v) > 0 {
			*dst = &v[0]
		}
	}
	switch {
	case !utf8.Valid(body):
		return p, httpapi.Invalid("invalid_form", "the form must be UTF-8")
	case err != nil:
		return p, httpapi.Invalid("invalid_form", "malformed form encoding")
	}
	for _, name := range slices.Sorted(maps.Keys(vals)) {
		if _, ok := fields[name]; !ok {
			return p, httpapi.Invalid("invalid_form", "unknown field "+httpapi.TruncateUTF8(name, 40))
		}
		if len(vals[name]) != 1 {
			return p, httpapi.Invalid("invalid_form", "field "+name+" is repeated")
		}
	}
	return p, nil
}

// refused shows the form again, filled in as posted, with the reason.
func (formFormat) refused(p posted, bad *httpapi.InputError) httpapi.Response {
	return formAgain(p, bad)
}

// answer is a 303 to the received page, or a page of why not (429 or 503,
// with Retry-After).
func (formFormat) answer(lang string, r result) httpapi.Response {
	switch {
	case r.unavailable.Status != 0 && r.ref != "":
		// Filed, but the email failed: the page says so, with the reference.
		page := messagePage(http.StatusServiceUnavailable, lang, tr(lang, "req_unavailable_title"), tr(lang, "req_mail_failed", "{ref}", r.ref))
		page.Header.Set("Retry-After", r.unavailable.Header.Get("Retry-After"))
		return page
	case r.unavailable.Status != 0:
		return unavailablePage(lang, r.unavailable)
	case r.wait > 0:
		page := messagePage(http.StatusTooManyRequests, lang, tr(lang, "req_rate_title"), tr(lang, "req_rate"))
		page.Header.Set("Retry-After", httpapi.RetryAfter(r.wait))
		return page
	}
	q := url.Values{"ref": {r.ref}, "lang": {lang}, "due": {r.due.In(Kosovo()).Format(time.DateOnly)}}
	if !r.mailed {
		q.Set("mail", "0")
	}
	return httpapi.Response{
		Status: http.StatusSeeOther,
		Header: http.Header{
			"Location":               {receivedPath + "?" + q.Encode()},
			"Cache-Control":          {"no-store"},
			"X-Content-Type-Options": {"nosniff"},
		},
	}
}
