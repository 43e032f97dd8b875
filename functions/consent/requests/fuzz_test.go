package requests

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"pelqim/content"
)

// FuzzDecodeRequest: any body decodes to a valid request or a 400-shaped
// error, never a panic; the seeds run as a normal test in CI.
func FuzzDecodeRequest(f *testing.F) {
	for _, c := range badRequests {
		f.Add(strings.HasPrefix(c.contentType, form), []byte(c.body))
	}
	f.Add(false, []byte(`{"type":"access","email":"a@example.com","language":"en","details":"","website":""}`))
	f.Add(true, []byte("type=portability&email=arta%2Btest%40example.com&language=sq&details=Porosia+1042&website="))
	f.Add(true, []byte("type=object&email=a%40example.com&language=sr&website=x"))
	f.Fuzz(func(t *testing.T, isForm bool, body []byte) {
		var f format = jsonFormat{}
		if isForm {
			f = formFormat{}
		}
		_, in, bad := read(f, body)
		if bad != nil {
			if bad.Status != http.StatusBadRequest || bad.Code == "" || bad.Message == "" {
				t.Fatalf("error %#v is not a 400 with a code and a message", bad)
			}
			return
		}
		if !slices.Contains(content.RequestTypes, in.Type) || !content.IsLanguage(in.Language) {
			t.Fatalf("accepted type %q language %q", in.Type, in.Language)
		}
		if _, ok := validEmail(in.Email); !ok || len(in.Email) > 254 {
			t.Fatalf("accepted email %q", in.Email)
		}
		if !utf8.ValidString(in.Details) || utf8.RuneCountInString(in.Details) > content.MaxRequestDetails {
			t.Fatalf("accepted details of %d bytes", len(in.Details))
		}
	})
}
