// Command hello stands in for a Lambda bootstrap in the builder's tests.
package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println("hello from", os.Getenv("AWS_LAMBDA_FUNCTION_NAME")) }
