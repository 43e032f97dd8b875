package requests

import (
	"html"
	"net/http"
	"strconv"
	"strings"

	"pelqim/content"
	"pelqim/functions/consent/httpapi"
)

// The function renders a few tiny pages for browsers that post the form
// without JavaScript and for the email's link. They cannot link the site's
// CSS (its name is content-hashed at build time) and the CSP forbids inline
// style and script, so they are plain semantic HTML that links back to the
// site's data-request page.

// page is what renderPage shows.
type page struct {
	Lang, Title    string
	Paragraphs     []string
	Alert          string      // an error message, announced by screen readers
	Form           *formPage   // the request form again, filled in
	Confirm        *confirmBtn // the verification button
	Back, BackText string
}

type formPage struct {
	Legend, EmailLabel, DetailsLabel, WebsiteLabel, Submit string
	Types                                                  []option
	Email, Details, Language                               string
}

type option struct {
	Value, Label string
	Checked      bool
}

type confirmBtn struct {
	Ref, Token, Lang, Button string
}

// renderPage writes p as HTML, every value escaped. It is plain Go rather
// than html/template on purpose: the template packages call methods by
// reflection, which makes the linker keep every exported method of every
// type (all of the SDK clients' operations) and pushes the Lambda binary
// past its 10 MB budget.
func renderPage(p page) []byte {
	var b strings.Builder
	e := html.EscapeString
	b.WriteString("<!doctype html>\n<html lang=\"" + e(p.Lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n" +
		"<title>" + e(p.Title) + "</title>\n</head>\n<body>\n<main>\n<h1>" + e(p.Title) + "</h1>\n")
	if p.Alert != "" {
		b.WriteString("<p role=\"alert\"><strong>" + e(p.Alert) + "</strong></p>\n")
	}
	for _, para := range p.Paragraphs {
		b.WriteString("<p>" + e(para) + "</p>\n")
	}
	if f := p.Form; f != nil {
		b.WriteString("<form method=\"post\" action=\"" + content.RequestsPath + "\">\n<input type=\"hidden\" name=\"language\" value=\"" + e(f.Language) + "\">\n" +
			"<fieldset>\n<legend>" + e(f.Legend) + "</legend>\n")
		for _, o := range f.Types {
			checked := ""
			if o.Checked {
				checked = " checked"
			}
			b.WriteString("<label><input type=\"radio\" name=\"type\" value=\"" + e(o.Value) + "\" required" + checked + "> " + e(o.Label) + "</label><br>\n")
		}
		b.WriteString("</fieldset>\n<p><label for=\"req-email\">" + e(f.EmailLabel) + "</label><br>\n" +
			"<input id=\"req-email\" name=\"email\" type=\"email\" autocomplete=\"email\" required maxlength=\"254\" value=\"" + e(f.Email) + "\"></p>\n" +
			"<p><label for=\"req-details\">" + e(f.DetailsLabel) + "</label><br>\n" +
			"<textarea id=\"req-details\" name=\"details\" rows=\"5\" cols=\"40\" maxlength=\"" + maxDetails + "\">" + e(f.Details) + "</textarea></p>\n" +
			"<p hidden><label for=\"req-website\">" + e(f.WebsiteLabel) + "</label> <input id=\"req-website\" name=\"website\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\"></p>\n" +
			"<p><button type=\"submit\">" + e(f.Submit) + "</button></p>\n</form>\n")
	}
	if c := p.Confirm; c != nil {
		b.WriteString("<form method=\"post\" action=\"" + verifyPath + "\">\n" +
			"<input type=\"hidden\" name=\"ref\" value=\"" + e(c.Ref) + "\">\n" +
			"<input type=\"hidden\" name=\"token\" value=\"" + e(c.Token) + "\">\n" +
			"<input type=\"hidden\" name=\"lang\" value=\"" + e(c.Lang) + "\">\n" +
			"<p><button type=\"submit\">" + e(c.Button) + "</button></p>\n</form>\n")
	}
	b.WriteString("<p><a href=\"" + e(p.Back) + "\">" + e(p.BackText) + "</a></p>\n</main>\n</body>\n</html>\n")
	return []byte(b.String())
}

// pageCSP allows nothing but posting forms back here: these pages load no
// resource at all.
const pageCSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// htmlPage renders p with status. No-referrer keeps the verification token
// in the page's URL from leaking through the back link.
func htmlPage(status int, p page) httpapi.Response {
	p.Lang = language(p.Lang)
	p.Back, p.BackText = content.RequestsPages[p.Lang], tr(p.Lang, "req_back")
	return httpapi.Response{
		Status: status,
		Header: http.Header{
			"Content-Type":            {"text/html; charset=utf-8"},
			"Cache-Control":           {"no-store"},
			"X-Content-Type-Options":  {"nosniff"},
			"Content-Security-Policy": {pageCSP},
			// Never the path or query (the page's URL holds the token), but
			// the origin: under no-referrer a browser sends "Origin: null"
			// with the Confirm form's POST, which the Origin check refuses.
			"Referrer-Policy": {"strict-origin"},
			"X-Frame-Options": {"DENY"},
		},
		Body: renderPage(p),
	}
}

// messagePage is a page of a title and paragraphs.
func messagePage(status int, lang, title string, paragraphs ...string) httpapi.Response {
	return htmlPage(status, page{Lang: lang, Title: title, Paragraphs: paragraphs})
}

// unavailablePage is the page of a 503 answer, with its Retry-After.
func unavailablePage(lang string, resp httpapi.Response) httpapi.Response {
	page := messagePage(http.StatusServiceUnavailable, lang, tr(lang, "req_unavailable_title"), tr(lang, "req_unavailable_text"))
	page.Header.Set("Retry-After", resp.Header.Get("Retry-After"))
	return page
}

// linkInvalid is the page of a link that is wrong or has expired.
func linkInvalid(lang string) httpapi.Response {
	return messagePage(http.StatusBadRequest, lang, tr(lang, "req_link_invalid_title"), tr(lang, "req_link_invalid_text"))
}

// maxDetails is content.MaxRequestDetails in words of the form and errors.
var maxDetails = strconv.Itoa(content.MaxRequestDetails)

// formErrors are the texts that tell the form's user why a request was
// refused, by error code; any other code is req_err_invalid's.
var formErrors = map[string]string{
	"invalid_type":        "req_err_invalid_type",
	"invalid_email":       "req_err_invalid_email",
	"invalid_email_ascii": "req_err_invalid_email_ascii",
	"invalid_details":     "req_err_invalid_details",
	"too_large":           "req_err_too_large",
}

// formAgain shows the request form again, filled in as posted, with the
// reason bad it was refused.
func formAgain(p posted, bad *httpapi.InputError) httpapi.Response {
	lang := content.DefaultLanguage
	if p.Language != nil {
		lang = language(*p.Language)
	}
	alert, ok := formErrors[bad.Code]
	if !ok {
		alert = "req_err_invalid"
	}
	f := &formPage{
		Legend: tr(lang, "req_type"), EmailLabel: tr(lang, "req_email"),
		DetailsLabel: tr(lang, "req_details"), WebsiteLabel: tr(lang, "req_website"),
		Submit: tr(lang, "req_submit"), Language: lang,
	}
	for _, t := range content.RequestTypes {
		f.Types = append(f.Types, option{t, tr(lang, "req_type_"+t), p.Type != nil && *p.Type == t})
	}
	if p.Email != nil {
		f.Email = httpapi.TruncateUTF8(*p.Email, 254)
	}
	if p.Details != nil {
		f.Details = httpapi.TruncateUTF8(*p.Details, 4*content.MaxRequestDetails)
	}
	return htmlPage(bad.Status, page{Lang: lang, Title: tr(lang, "req_form_title"), Alert: tr(lang, alert), Form: f})
}
