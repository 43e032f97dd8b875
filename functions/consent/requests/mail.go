package requests

import (
	"cmp"
	"context"
	"errors"
	"html"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"pelqim/functions/consent/httpapi"
	"pelqim/functions/consent/mail"
	"pelqim/functions/consent/store"
)

// verifyLink is the confirmation link of the email. The language rides
// along so the confirmation page speaks the requester's language without a
// store read.
func (h *Handler) verifyLink(ref, token, lang string) string {
	q := url.Values{"ref": {ref}, "token": {token}, "lang": {lang}}
	return strings.TrimSuffix(h.Origin, "/") + verifyPath + "?" + q.Encode()
}

// confirmationMail is the email asking the requester of r to confirm it,
// in the language of the request, as text and as HTML with the same words.
func (h *Handler) confirmationMail(r store.DataRequest, token string, due time.Time) mail.Message {
	lang, ref := r.Language, r.Reference
	site := tr(lang, "req_site")
	v := struct {
		Subject, Hello, Received, Confirm, Button, Due, Ignore, Link string
	}{
		Subject:  tr(lang, "req_mail_subject", "{ref}", ref),
		Hello:    tr(lang, "req_mail_hello"),
		Received: tr(lang, "req_mail_received", "{site}", site, "{type}", tr(lang, "req_type_"+r.Type), "{ref}", ref),
		Confirm:  tr(lang, "req_mail_confirm"),
		Button:   tr(lang, "req_confirm_button"),
		Due:      tr(lang, "req_due", "{due}", longDate(lang, due)),
		Ignore:   tr(lang, "req_mail_ignore"),
		Link:     h.verifyLink(ref, token, lang),
	}
	// Escaped by hand, not html/template: see renderPage.
	e := html.EscapeString
	var body strings.Builder
	body.WriteString("<!doctype html>\n<html lang=\"" + e(lang) + "\"><head><meta charset=\"utf-8\"><title>" + e(v.Subject) + "</title></head>\n<body>\n")
	for _, para := range []string{v.Hello, v.Received, v.Confirm} {
		body.WriteString("<p>" + e(para) + "</p>\n")
	}
	body.WriteString("<p><a href=\"" + e(v.Link) + "\">" + e(v.Button) + "</a></p>\n")
	for _, para := range []string{v.Due, v.Ignore, site} {
		body.WriteString("<p>" + e(para) + "</p>\n")
	}
	body.WriteString("</body></html>\n")
	text := strings.Join([]string{v.Hello, v.Received, v.Confirm, v.Link, v.Due, v.Ignore}, "\n\n") + "\n\n-- \n" + site + "\n"
	return mail.Message{From: h.Sender, To: r.Email, Subject: v.Subject, Text: text, HTML: body.String()}
}

// mailFailed logs a confirmation email that was not sent and answers it
// 503, as a failed store call. The log holds the request's reference and
// the error's code, never the error's text: mail errors name the
// recipient (SES's MessageRejected lists the addresses it refused), and
// the logs must hold no address.
func (h *Handler) mailFailed(ctx context.Context, ref string, err error) httpapi.Response {
	cmp.Or(h.Log, slog.Default()).ErrorContext(ctx, "data request: confirmation email not sent", "ref", ref, "code", mailErrorCode(err))
	return httpapi.Unavailable(err)
}

// codedError is the method of smithy.APIError, which every error answer of
// an AWS service (SES's included) implements. It is declared here rather
// than imported so that `cmd/site serve`, which links this package, links
// nothing of the AWS SDK.
type codedError interface{ ErrorCode() string }

// mailErrorCode names a mail error without its text: the service's error
// code, else the kind of failure.
func mailErrorCode(err error) string {
	var coded codedError
	var netErr net.Error
	switch {
	case errors.As(err, &coded):
		return coded.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "Timeout"
	case errors.Is(err, context.Canceled):
		return "Canceled"
	case errors.As(err, &netErr):
		return "NetworkError"
	}
	return "Unknown"
}
