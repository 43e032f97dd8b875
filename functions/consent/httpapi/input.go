package httpapi

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Media types of the bodies the endpoints take.
const (
	MediaJSON = "application/json"
	MediaForm = "application/x-www-form-urlencoded"
)

// IsMediaType reports whether contentType is want, with no parameter but
// an optional charset=utf-8: the endpoints read UTF-8 alone.
func IsMediaType(contentType, want string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != want {
		return false
	}
	cs, ok := params["charset"]
	return len(params) == 0 || len(params) == 1 && ok && strings.EqualFold(cs, "utf-8")
}

// CheckOrigin answers 403 unless req carries exactly one Origin header,
// origin: the API takes writes only from the site's own pages.
func CheckOrigin(req Request, origin string) (Response, bool) {
	if got := req.Header.Values("Origin"); len(got) != 1 || got[0] != origin {
		return Error(http.StatusForbidden, "forbidden_origin", "Origin must be the site's origin"), false
	}
	return Response{}, true
}

// CheckWrite answers a write that is not from origin (CheckOrigin, 403),
// whose body is over limit bytes (413) or not of mediaType (415).
func CheckWrite(req Request, origin string, limit int, mediaType string) (Response, bool) {
	if resp, ok := CheckOrigin(req, origin); !ok {
		return resp, false
	}
	if len(req.Body) > limit {
		return TooLarge(limit).Response(), false
	}
	if !IsMediaType(req.Header.Get("Content-Type"), mediaType) {
		return Error(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be "+mediaType), false
	}
	return Response{}, true
}

// InputError is a client error of what was sent: its answer says what is
// wrong with the body, by code and in words, without echoing Go types.
type InputError struct {
	Status        int // 400, or 413 for a body over the limit
	Code, Message string
}

func (e *InputError) Error() string { return e.Code + ": " + e.Message }

// Response is e as a JSON error answer.
func (e *InputError) Response() Response { return Error(e.Status, e.Code, e.Message) }

// Invalid is a 400 with code and message.
func Invalid(code, message string) *InputError {
	return &InputError{Status: http.StatusBadRequest, Code: code, Message: message}
}

// TooLarge is the 413 of a body over limit bytes.
func TooLarge(limit int) *InputError {
	return &InputError{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
		Message: "the body must be at most " + strconv.Itoa(limit) + " bytes"}
}

// DecodeJSON parses body into v strictly: exactly one JSON value, UTF-8,
// member names matched exactly, no duplicate or unknown members. Its
// errors name where the body is wrong (code invalid_json).
func DecodeJSON(body []byte, v any) *InputError {
	err := json.Unmarshal(body, v, json.RejectUnknownMembers(true))
	if err == nil {
		return nil
	}
	var sem *json.SemanticError
	var syn *jsontext.SyntacticError
	msg := "malformed JSON"
	switch {
	case errors.As(err, &sem) && errors.Is(sem.Err, json.ErrUnknownName):
		msg = "unknown member " + string(sem.JSONPointer)
	case errors.As(err, &sem) && sem.JSONPointer != "":
		msg = "wrong type of value at " + string(sem.JSONPointer)
	case errors.As(err, &sem):
		msg = "the body must be one JSON object"
	case errors.As(err, &syn):
		msg = "malformed JSON: " + syn.Err.Error()
	}
	return Invalid("invalid_json", msg)
}
