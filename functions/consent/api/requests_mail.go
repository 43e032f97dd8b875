package api

import (
	"html"
	"net/url"
	"strings"
	"time"

	"pelqim/functions/consent/mail"
)

// verifyLink is the confirmation link of the email. The language rides
// along so the confirmation page speaks the requester's language without a
// store read.
func (h *Handler) verifyLink(ref, token, lang string) string {
	q := url.Values{"ref": {ref}, "token": {token}, "lang": {lang}}
	return strings.TrimSuffix(h.Origin, "/") + RequestsPath + "/verify?" + q.Encode()
}

// confirmationMail is the email asking the requester to confirm, in the
// language of the request, as text and as HTML with the same words.
func (h *Handler) confirmationMail(ref, typ, email, lang, token string, due time.Time) (mail.Message, error) {
	v := struct {
		Lang, Subject, Hello, Received, Confirm, Button, Due, Ignore, Site, Link string
	}{
		Lang:     lang,
		Subject:  tr(lang, "mail_subject", ref),
		Hello:    tr(lang, "mail_hello"),
		Received: tr(lang, "mail_received", tr(lang, "type_"+typ), ref),
		Confirm:  tr(lang, "mail_confirm"),
		Button:   tr(lang, "mail_button"),
		Due:      tr(lang, "mail_due", longDate(lang, due)),
		Ignore:   tr(lang, "mail_ignore"),
		Site:     tr(lang, "site"),
		Link:     h.verifyLink(ref, token, lang),
	}
	// Escaped by hand, not html/template: see renderPage.
	e := html.EscapeString
	var body strings.Builder
	body.WriteString("<!doctype html>\n<html lang=\"" + e(v.Lang) + "\"><head><meta charset=\"utf-8\"><title>" + e(v.Subject) + "</title></head>\n<body>\n")
	for _, para := range []string{v.Hello, v.Received, v.Confirm} {
		body.WriteString("<p>" + e(para) + "</p>\n")
	}
	body.WriteString("<p><a href=\"" + e(v.Link) + "\">" + e(v.Button) + "</a></p>\n")
	for _, para := range []string{v.Due, v.Ignore, v.Site} {
		body.WriteString("<p>" + e(para) + "</p>\n")
	}
	body.WriteString("</body></html>\n")
	text := strings.Join([]string{v.Hello, v.Received, v.Confirm, v.Link, v.Due, v.Ignore}, "\n\n") + "\n\n-- \n" + v.Site + "\n"
	return mail.Message{From: h.Sender, To: email, Subject: v.Subject, Text: text, HTML: body.String()}, nil
}
