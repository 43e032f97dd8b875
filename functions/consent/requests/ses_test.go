package requests

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pelqim/functions/consent/mail/ses"
	"pelqim/functions/consent/testenv"
)

// TestConfirmationThroughSES sends the confirmation through the real SES v2
// API of aws-ses-v2-local and follows the link it received.
func TestConfirmationThroughSES(t *testing.T) {
	sesLocal := testenv.SESLocal(t)
	f := boltFixture(t)
	f.h.Mail = ses.Sender{Client: sesLocal.Client()}
	for _, lang := range []string{"sq", "en", "sr"} {
		form := url.Values{"type": {"rectify"}, "email": {"qendresa+" + lang + "@example.com"}, "language": {lang}, "details": {"Emri: Qëndresa"}}
		resp := postRequest(f.h, "application/x-www-form-urlencoded", form.Encode(), "203.0.113.20:1")
		if resp.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", lang, resp.Status, resp.Body)
		}
	}
	emails := sesLocal.Emails(t)
	if len(emails) != 3 {
		t.Fatalf("SES holds %d emails, want 3: %v", len(emails), emails)
	}
	subjects := map[string]string{"sq": "Konfirmoni kërkesën tuaj për të dhënat ", "en": "Confirm your data request ", "sr": "Potvrdite svoj zahtev za podatke "}
	for _, lang := range []string{"sq", "en", "sr"} {
		var found bool
		for _, e := range emails {
			if len(e.Destination.To) != 1 || e.Destination.To[0] != "qendresa+"+lang+"@example.com" {
				continue
			}
			found = true
			if e.From != f.h.Sender {
				t.Errorf("%s: from %q", lang, e.From)
			}
			_, q := verifyLinkIn(t, e.Body.Text)
			if q.Get("lang") != lang || !strings.HasPrefix(e.Subject, subjects[lang]) || !strings.HasSuffix(e.Subject, q.Get("ref")) {
				t.Errorf("%s: subject %q, link %v", lang, e.Subject, q)
			}
			if !strings.Contains(e.Body.HTML, strings.ReplaceAll(linkRE.FindString(e.Body.Text), "&", "&amp;")) {
				t.Errorf("%s: the HTML body lacks the link", lang)
			}
			if resp := verify(f.h, http.MethodPost, q.Encode()); resp.Status != http.StatusOK {
				t.Errorf("%s: confirming: %d %s", lang, resp.Status, resp.Body)
			}
			r, err := f.rs.Request(context.Background(), q.Get("ref"))
			if err != nil || r.Status != "verified" || r.Language != lang {
				t.Errorf("%s: after confirming %+v, %v", lang, r, err)
			}
		}
		if !found {
			t.Errorf("no email to the %s requester: %v", lang, emails)
		}
	}
}
