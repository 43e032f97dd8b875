package api

import (
	"html"
	"net/http"
	"strings"
)

// The function renders a few tiny pages for browsers that post the form
// without JavaScript and for the email's link. They cannot link the site's
// CSS (its name is content-hashed at build time) and the CSP forbids inline
// style and script, so they are plain semantic HTML that links back to the
// site's data-request page.

// page is what pageTemplate shows.
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
		b.WriteString("<form method=\"post\" action=\"" + RequestsPath + "\">\n<input type=\"hidden\" name=\"language\" value=\"" + e(f.Language) + "\">\n" +
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
			"<textarea id=\"req-details\" name=\"details\" rows=\"5\" cols=\"40\" maxlength=\"2000\">" + e(f.Details) + "</textarea></p>\n" +
			"<p hidden><label for=\"req-website\">" + e(f.WebsiteLabel) + "</label> <input id=\"req-website\" name=\"website\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\"></p>\n" +
			"<p><button type=\"submit\">" + e(f.Submit) + "</button></p>\n</form>\n")
	}
	if c := p.Confirm; c != nil {
		b.WriteString("<form method=\"post\" action=\"" + RequestsPath + "/verify\">\n" +
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
func htmlPage(status int, p page) Response {
	if !isLanguage(p.Lang) {
		p.Lang = "sq"
	}
	p.Back, p.BackText = requestSlugs[p.Lang], tr(p.Lang, "back")
	return Response{
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
func messagePage(status int, lang, title string, paragraphs ...string) Response {
	return htmlPage(status, page{Lang: lang, Title: title, Paragraphs: paragraphs})
}

// formAgain shows the request form again, filled in as posted, with the
// reason it was refused.
func formAgain(status int, b requestBody, code string) Response {
	lang := "sq"
	if b.Language != nil && isLanguage(*b.Language) {
		lang = *b.Language
	}
	key := "err_" + code
	if _, ok := requestText["en"][key]; !ok {
		key = "err_invalid"
	}
	alert := tr(lang, key)
	f := &formPage{
		Legend: tr(lang, "form_type"), EmailLabel: tr(lang, "form_email"),
		DetailsLabel: tr(lang, "form_details"), WebsiteLabel: tr(lang, "form_website"),
		Submit: tr(lang, "form_submit"), Language: lang,
	}
	for _, t := range RequestTypes {
		f.Types = append(f.Types, option{t, tr(lang, "type_"+t), b.Type != nil && *b.Type == t})
	}
	if b.Email != nil {
		f.Email = truncateUTF8(*b.Email, 254)
	}
	if b.Details != nil {
		f.Details = truncateUTF8(*b.Details, 4*MaxDetails)
	}
	return htmlPage(status, page{Lang: lang, Title: tr(lang, "form_title"), Alert: alert, Form: f})
}
