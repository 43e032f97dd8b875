package httpapi

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"

	"pelqim/functions/consent/mail"
	"pelqim/functions/consent/store"

	"github.com/go-json-experiment/json"
)

// JSON answers v as JSON with status, never cached.
func JSON(status int, v any) Response {
	body, err := json.Marshal(v)
	if err != nil {
		// Only the endpoints' own answer types get here; they always encode.
		status, body = http.StatusInternalServerError, []byte(`{"error":"internal","message":"response encoding failed"}`)
	}
	return Response{
		Status: status,
		Header: http.Header{
			"Content-Type":           {"application/json"},
			"Cache-Control":          {"no-store"},
			"X-Content-Type-Options": {"nosniff"},
		},
		Body: body,
	}
}

// Error is the JSON error answer {"error": code, "message": message}.
func Error(status int, code, message string) Response {
	return JSON(status, errorBody{Error: code, Message: message})
}

type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// Unavailable answers a failed store or mail call: 503 with Retry-After,
// never 2xx, so that the client keeps what it sent and sends it again; a
// busy store is retried sooner. The message names what failed: an email
// not sent is no failure of the record store.
func Unavailable(err error) Response {
	retry, msg := "30", "the record store failed; try again later"
	switch {
	case errors.Is(err, store.ErrUnavailable):
		retry, msg = "2", "the record store is busy; try again shortly"
	case errors.Is(err, mail.ErrNotSent):
		msg = "the confirmation email could not be sent; try again later"
	}
	resp := Error(http.StatusServiceUnavailable, "unavailable", msg)
	resp.Header.Set("Retry-After", retry)
	return resp
}

// StoreFailed logs a failed store call (what was being done, and the
// error) to log (nil: slog's default) and answers it as Unavailable.
func StoreFailed(ctx context.Context, log *slog.Logger, err error, what string) Response {
	cmp.Or(log, slog.Default()).ErrorContext(ctx, what, "err", err)
	return Unavailable(err)
}
