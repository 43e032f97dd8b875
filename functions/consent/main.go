// Command consent is the consent function: an AWS Lambda (provided.al2023,
// arm64) answering Lambda Function URL events with the api handler, on
// DynamoDB and SES. It reads its configuration from the environment, here
// and nowhere else (config, env.go), and passes it to package api.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	// Init phase: the clients are built once and reused by every invocation
	// of this execution environment.
	handle, err := handlerFromEnv()
	if err != nil {
		slog.Error("consent function: configuration", "err", err)
		os.Exit(1)
	}
	lambda.Start(handle)
}
