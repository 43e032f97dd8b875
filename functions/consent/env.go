package main

import (
	"cmp"
	"errors"
	"os"

	"pelqim/functions/consent/api"
	"pelqim/functions/consent/mail/ses"
	"pelqim/functions/consent/store/dynamo"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// handlerFromEnv builds the Lambda's Function URL handler from the
// environment: TABLE_NAME, SITE_ORIGIN, SENDER_ADDRESS and ORIGIN_SECRET
// (the X-Origin-Verify value CloudFront adds; see api.FunctionURLHandler)
// are required, RETENTION_DAYS and REQUEST_RETENTION_DAYS are optional. The store is DynamoDB and the
// confirmation emails go through SES v2.
//
// The AWS configuration is what the Lambda runtime's variables say (region,
// the execution role's credentials) plus AWS_ENDPOINT_URL_<SERVICE> for
// tests; the SDK's config package (shared files, profiles, SSO, STS) is not
// linked: its service clients alone would put the arm64 binary over 10 MB.
// It lives here, in the Lambda's main package, so that only the Lambda
// links the SDK: `cmd/site serve` uses local.FromEnv (bbolt and an outbox).
func handlerFromEnv() (api.FunctionURLFunc, error) {
	h, err := api.HandlerFromEnv()
	if err != nil {
		return nil, err
	}
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	secret := os.Getenv("ORIGIN_SECRET")
	if secret == "" {
		return nil, errors.New("ORIGIN_SECRET is not set (the value of the X-Origin-Verify header CloudFront adds)")
	}
	if h.Sender = os.Getenv("SENDER_ADDRESS"); h.Sender == "" {
		return nil, errors.New("SENDER_ADDRESS is not set (the From address of the confirmation emails)")
	}
	region := cmp.Or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"))
	creds := credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"),
		os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))
	s := dynamo.New(dynamodb.New(dynamodb.Options{
		Region: region, Credentials: creds, BaseEndpoint: endpointURL(os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")),
	}), table)
	h.Store, h.Requests = s, s
	h.Mail = ses.Sender{Client: sesv2.New(sesv2.Options{
		Region: region, Credentials: creds, BaseEndpoint: endpointURL(os.Getenv("AWS_ENDPOINT_URL_SESV2")),
	})}
	return api.FunctionURLHandler(h, secret), nil
}

// endpointURL is the SDK's endpoint override for a service: its own
// AWS_ENDPOINT_URL_<SERVICE> value, else AWS_ENDPOINT_URL, else nil (AWS's).
func endpointURL(serviceURL string) *string {
	if u := cmp.Or(serviceURL, os.Getenv("AWS_ENDPOINT_URL")); u != "" {
		return aws.String(u)
	}
	return nil
}
