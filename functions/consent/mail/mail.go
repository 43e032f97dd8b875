// Package mail is how the data-request confirmation emails leave: the
// Message, the Sender interface, and Outbox, which writes them into a folder
// of .eml files so `cmd/site serve` needs no mail server. The Lambda sends
// through Amazon SES v2 with package mail/ses, kept apart so that nothing
// here links the AWS SDK.
package mail

import (
	"context"
	"errors"
)

// Message is one email with a plain-text and an HTML body.
type Message struct {
	From    string
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers a message. An error means it may not have been sent.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrNotSent is in the error of every message that was not sent, whatever
// the sender: the API then tells the visitor that the email failed, not
// the record store.
var ErrNotSent = errors.New("the email was not sent")
