package requests

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"pelqim/functions/consent/httpapi"
)

const form = "application/x-www-form-urlencoded"

// badRequests are refused with the status given, store nothing and send no
// mail. JSON clients get a JSON error, form clients the form page again.
var badRequests = []struct {
	name, method, origin, contentType, body string
	status                                  int
}{
	{"wrong origin", "POST", "https://evil.example", "application/json", `{"type":"access","email":"a@example.com","language":"en"}`, 403},
	{"no origin", "POST", "", "application/json", `{"type":"access","email":"a@example.com","language":"en"}`, 403},
	{"GET", "GET", testOrigin, "", "", 405},
	{"PUT", "PUT", testOrigin, "application/json", `{}`, 405},
	{"too large json", "POST", testOrigin, "application/json", `{"type":"access","email":"a@example.com","language":"en","details":"` + strings.Repeat("x", MaxBody) + `"}`, 413},
	{"too large form", "POST", testOrigin, form, "type=access&email=a%40example.com&language=en&details=" + strings.Repeat("x", MaxBody), 413},
	{"text/plain", "POST", testOrigin, "text/plain", `type=access`, 415},
	{"no content type", "POST", testOrigin, "", `{}`, 415},
	{"multipart", "POST", testOrigin, "multipart/form-data; boundary=x", "--x--", 415},
	{"latin1 form", "POST", testOrigin, form + "; charset=iso-8859-1", "type=access", 415},
	{"empty json", "POST", testOrigin, "application/json", ``, 400},
	{"json array", "POST", testOrigin, "application/json", `[]`, 400},
	{"email with ë before the @", "POST", testOrigin, "application/json", `{"type":"access","email":"arbër@example.com","language":"sq"}`, 400},
	{"email at an unencoded international domain", "POST", testOrigin, "application/json", `{"type":"access","email":"jovan@primer.срб","language":"sr"}`, 400},
	{"json two objects", "POST", testOrigin, "application/json", `{"type":"access","email":"a@example.com","language":"en"}{}`, 400},
	{"json unknown member", "POST", testOrigin, "application/json", `{"type":"access","email":"a@example.com","language":"en","name":"Arta"}`, 400},
	{"json duplicate member", "POST", testOrigin, "application/json", `{"type":"access","type":"erase","email":"a@example.com","language":"en"}`, 400},
	{"json wrong type", "POST", testOrigin, "application/json", `{"type":1,"email":"a@example.com","language":"en"}`, 400},
	{"json missing email", "POST", testOrigin, "application/json", `{"type":"access","language":"en"}`, 400},
	{"json missing type", "POST", testOrigin, "application/json", `{"email":"a@example.com","language":"en"}`, 400},
	{"json missing language", "POST", testOrigin, "application/json", `{"type":"access","email":"a@example.com"}`, 400},
	{"unknown type", "POST", testOrigin, "application/json", `{"type":"delete","email":"a@example.com","language":"en"}`, 400},
	{"type case", "POST", testOrigin, "application/json", `{"type":"Access","email":"a@example.com","language":"en"}`, 400},
	{"unknown language", "POST", testOrigin, "application/json", `{"type":"access","email":"a@example.com","language":"de"}`, 400},
	{"email no at", "POST", testOrigin, "application/json", `{"type":"access","email":"a.example.com","language":"en"}`, 400},
	{"email display name", "POST", testOrigin, "application/json", `{"type":"access","email":"Arta <a@example.com>","language":"en"}`, 400},
	{"email two addresses", "POST", testOrigin, "application/json", `{"type":"access","email":"a@example.com, b@example.com","language":"en"}`, 400},
	{"email no dot", "POST", testOrigin, "application/json", `{"type":"access","email":"a@localhost","language":"en"}`, 400},
	{"email ip literal", "POST", testOrigin, "application/json", `{"type":"access","email":"a@[192.0.2.1]","language":"en"}`, 400},
	{"email too long", "POST", testOrigin, "application/json", `{"type":"access","email":"` + strings.Repeat("a", 250) + `@example.com","language":"en"}`, 400},
	{"email header injection", "POST", testOrigin, "application/json", `{"type":"access","email":"a@example.com\r\nBcc: b@example.com","language":"en"}`, 400},
	{"details too long", "POST", testOrigin, "application/json", `{"type":"access","email":"a@example.com","language":"en","details":"` + strings.Repeat("ë", 2001) + `"}`, 400},
	{"details control char", "POST", testOrigin, "application/json", `{"type":"access","email":"a@example.com","language":"en","details":"a\u0000b"}`, 400},
	{"json invalid utf8", "POST", testOrigin, "application/json", "{\"type\":\"access\",\"email\":\"a@example.com\",\"language\":\"en\",\"details\":\"\xff\"}", 400},
	{"form unknown field", "POST", testOrigin, form, "type=access&email=a%40example.com&language=en&name=Arta", 400},
	{"form repeated field", "POST", testOrigin, form, "type=access&type=erase&email=a%40example.com&language=en", 400},
	{"form bad escape", "POST", testOrigin, form, "type=access&email=a%zz&language=en", 400},
	{"form missing email", "POST", testOrigin, form, "type=access&language=sq", 400},
	{"form empty type", "POST", testOrigin, form, "type=&email=a%40example.com&language=sq", 400},
	{"form invalid utf8", "POST", testOrigin, form, "type=access&email=a%40example.com&language=sq&details=%FF", 400},
	{"form bad email", "POST", testOrigin, form, "type=access&email=nobody&language=sr", 400},
}

func TestBadRequests(t *testing.T) {
	f := boltFixture(t)
	for _, c := range badRequests {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.origin != "" {
				h.Set("Origin", c.origin)
			}
			if c.contentType != "" {
				h.Set("Content-Type", c.contentType)
			}
			resp := serve(f.h, httpapi.Request{Method: c.method, Path: "/api/requests", Header: h, Body: []byte(c.body), ClientAddr: "203.0.113.5:1"})
			if resp.Status != c.status {
				t.Fatalf("status %d, want %d: %s", resp.Status, c.status, resp.Body)
			}
			ct := resp.Header.Get("Content-Type")
			switch {
			case strings.HasPrefix(c.contentType, form) && (c.status == 400 || c.status == 413):
				if ct != "text/html; charset=utf-8" || !strings.Contains(string(resp.Body), `<form method="post" action="/api/requests">`) || !strings.Contains(string(resp.Body), `role="alert"`) {
					t.Errorf("form client got %s:\n%s", ct, resp.Body)
				}
			default:
				var e struct{ Error, Message string }
				if ct != "application/json" || json.Unmarshal(resp.Body, &e) != nil || e.Error == "" || e.Message == "" {
					t.Errorf("JSON client got %s %s", ct, resp.Body)
				}
			}
		})
	}
	if all := stored(t, f.rs); len(all) != 0 {
		t.Errorf("bad requests stored %+v", all)
	}
	if m := outboxMail(t, f.outbox); len(m) != 0 {
		t.Errorf("bad requests sent mail: %+v", m)
	}
	// They did not count against the limits either: this client and
	// address still have all their requests.
	for range DefaultLimit {
		if resp := postJSON(f.h, "a@example.com", "203.0.113.5:1"); resp.Status != http.StatusAccepted {
			t.Fatalf("after the bad requests: %d %s", resp.Status, resp.Body)
		}
	}
}

// TestFormAgainKeepsInput: the refused form comes back filled in, escaped,
// in the posted language.
func TestFormAgainKeepsInput(t *testing.T) {
	f := boltFixture(t)
	resp := postRequest(f.h, form, "type=erase&email=not-an-email&language=en&details=%3Cb%3EOrder+7%3C%2Fb%3E", "203.0.113.5:1")
	body := string(resp.Body)
	for _, want := range []string{`value="not-an-email"`, "&lt;b&gt;Order 7&lt;/b&gt;", `value="erase" required checked`, "Enter one valid email address.", `<html lang="en">`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
}

// TestEmailNotASCII: an address with letters SES cannot send to is refused
// with a hint at what to change, in the form's language.
func TestEmailNotASCII(t *testing.T) {
	f := boltFixture(t)
	resp := postRequest(f.h, form, "type=access&email=arb%C3%ABr%40example.com&language=sq", "203.0.113.5:1")
	if body := string(resp.Body); resp.Status != http.StatusBadRequest || !strings.Contains(body, "pa shkronja si ë apo ç") {
		t.Errorf("%d, page:\n%s", resp.Status, body)
	}
	resp = postRequest(f.h, "application/json", `{"type":"access","email":"jovan@primer.срб","language":"sr"}`, "203.0.113.5:1")
	if resp.Status != http.StatusBadRequest || !strings.Contains(string(resp.Body), `"error":"invalid_email_ascii"`) {
		t.Errorf("JSON: %d %s", resp.Status, resp.Body)
	}
}

func TestValidEmail(t *testing.T) {
	for addr, ok := range map[string]bool{
		"arta@example.com":              true,
		"jovan@xn--e1afmkfd.xn--90a3ac": true,  // пример.срб as browsers send it
		"arbër@example.com":             false, // SES has no SMTPUTF8
		"jovan@пример.срб":              false,
		"Arta <arta@example.com>":       false,
		"arta@localhost":                false,
		"a@b@example.com":               false,
	} {
		if _, got := validEmail(addr); got != ok {
			t.Errorf("validEmail(%q) = %v, want %v", addr, got, ok)
		}
	}
}
