// Package mail sends the data-request confirmation emails: through Amazon
// SES v2 in AWS (and against aws-ses-v2-local in tests), or into an outbox
// folder of .eml files locally, so `cmd/site serve` needs no mail server.
package mail

import "context"

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
