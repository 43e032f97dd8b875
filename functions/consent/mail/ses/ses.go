// Package ses sends the confirmation emails through Amazon SES v2. It is a
// package of its own so that only the Lambda links the SDK's SES client:
// package mail, which `cmd/site serve` uses for its outbox, stays free of
// the SDK and of its start-up cost.
package ses

import (
	"context"
	"fmt"

	"pelqim/functions/consent/mail"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// Sender sends through SES v2 SendEmail with Simple content, so SES builds
// the MIME message and signs it for the sending domain.
type Sender struct {
	Client *sesv2.Client
}

// Send implements mail.Sender.
func (s Sender) Send(ctx context.Context, m mail.Message) error {
	utf8 := aws.String("UTF-8")
	_, err := s.Client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(m.Text), Charset: utf8},
				Html: &types.Content{Data: aws.String(m.HTML), Charset: utf8},
			},
		}},
	})
	if err != nil {
		return fmt.Errorf("%w: ses send email: %w", mail.ErrNotSent, err)
	}
	return nil
}
