package api

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
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
		kind := kindJSON
		if isForm {
			kind = kindForm
		}
		in, err := decodeRequest(kind, body)
		if err != nil {
			if e, ok := err.(*inputError); !ok || e.code == "" || e.message == "" {
				t.Fatalf("error %#v is not an inputError", err)
			}
			return
		}
		if !slices.Contains(RequestTypes, in.Type) || !isLanguage(in.Language) {
			t.Fatalf("accepted type %q language %q", in.Type, in.Language)
		}
		if _, ok := validEmail(in.Email); !ok || len(in.Email) > 254 {
			t.Fatalf("accepted email %q", in.Email)
		}
		if !utf8.ValidString(in.Details) || utf8.RuneCountInString(in.Details) > MaxDetails {
			t.Fatalf("accepted details of %d bytes", len(in.Details))
		}
	})
}
