package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"

	"pelqim/content"
	"pelqim/functions/consent/api"
	"pelqim/functions/consent/mail/ses"
	"pelqim/functions/consent/store/dynamo"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// config is the Lambda's environment, the one place the function reads it:
//
//   - SITE_ORIGIN, TABLE_NAME, SENDER_ADDRESS and ORIGIN_SECRET (the
//     X-Origin-Verify value CloudFront adds; see api.FunctionURLHandler)
//     are required;
//   - RETENTION_DAYS and REQUEST_RETENTION_DAYS are optional, whole days
//     from 1 to content.MaxRetention (unset: content.DefaultRetention);
//   - the AWS configuration is what the Lambda runtime's variables say
//     (AWS_REGION, the execution role's credentials) plus
//     AWS_ENDPOINT_URL[_<SERVICE>] for tests; the SDK's config package
//     (shared files, profiles, SSO, STS) is not linked: its service
//     clients alone would put the arm64 binary over 10 MB.
type config struct {
	api          api.Config // without the store and mail, which the AWS clients below are
	table        string     // the DynamoDB table
	originSecret string
	aws          awsConfig
}

type awsConfig struct {
	region                string
	credentials           aws.CredentialsProvider
	dynamoDBURL, sesv2URL *string // endpoint overrides; nil: AWS's
}

// configFromEnv reads config from the environment.
func configFromEnv() (config, error) {
	c := config{
		api: api.Config{
			Origin: os.Getenv("SITE_ORIGIN"),
			Sender: os.Getenv("SENDER_ADDRESS"),
		},
		table:        os.Getenv("TABLE_NAME"),
		originSecret: os.Getenv("ORIGIN_SECRET"),
		aws: awsConfig{
			region: cmp.Or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION")),
			credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"),
				os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")),
			dynamoDBURL: endpointURL(os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")),
			sesv2URL:    endpointURL(os.Getenv("AWS_ENDPOINT_URL_SESV2")),
		},
	}
	for _, required := range []struct{ value, name, what string }{
		{c.api.Origin, "SITE_ORIGIN", "the site's origin"},
		{c.table, "TABLE_NAME", "the DynamoDB table"},
		{c.originSecret, "ORIGIN_SECRET", "the value of the X-Origin-Verify header CloudFront adds"},
		{c.api.Sender, "SENDER_ADDRESS", "the From address of the confirmation emails"},
	} {
		if required.value == "" {
			return config{}, errors.New(required.name + " is not set (" + required.what + ")")
		}
	}
	origins, err := content.ParseOrigins(os.Getenv("CONSENT_ORIGINS"))
	if err != nil {
		return config{}, fmt.Errorf("CONSENT_ORIGINS: %w", err)
	}
	c.api.Origins = origins
	// Each name is written out where it is read: infra's tests hold the
	// template to the variables the function reads.
	if err := errors.Join(
		days(&c.api.Retention, "RETENTION_DAYS", os.Getenv("RETENTION_DAYS")),
		days(&c.api.RequestRetention, "REQUEST_RETENTION_DAYS", os.Getenv("REQUEST_RETENTION_DAYS")),
	); err != nil {
		return config{}, err
	}
	return c, nil
}

// days sets *d from the setting name's value v, unless v is empty.
func days(d *content.Days, name, v string) (err error) {
	if v != "" {
		*d, err = content.ParseDays(name, v)
	}
	return err
}

// handlerFromEnv builds the Lambda's Function URL handler from the
// environment (config): the store is DynamoDB and the confirmation emails
// go through SES v2. Only the Lambda links the SDK: `cmd/site serve` gets
// bbolt and an outbox from package local.
func handlerFromEnv() (api.FunctionURLFunc, error) {
	c, err := configFromEnv()
	if err != nil {
		return nil, err
	}
	s := dynamo.New(dynamodb.New(dynamodb.Options{
		Region: c.aws.region, Credentials: c.aws.credentials, BaseEndpoint: c.aws.dynamoDBURL,
	}), c.table)
	c.api.Store, c.api.Requests = s, s
	c.api.Mail = ses.Sender{Client: sesv2.New(sesv2.Options{
		Region: c.aws.region, Credentials: c.aws.credentials, BaseEndpoint: c.aws.sesv2URL,
	})}
	h, err := api.New(c.api)
	if err != nil {
		return nil, err
	}
	return api.FunctionURLHandler(h, c.originSecret), nil
}

// endpointURL is the SDK's endpoint override for a service: its own
// AWS_ENDPOINT_URL_<SERVICE> value, else AWS_ENDPOINT_URL, else nil (AWS's).
func endpointURL(serviceURL string) *string {
	if u := cmp.Or(serviceURL, os.Getenv("AWS_ENDPOINT_URL")); u != "" {
		return aws.String(u)
	}
	return nil
}
