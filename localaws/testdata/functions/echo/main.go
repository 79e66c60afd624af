// Command echo is a minimal test Lambda function returning its payload, used
// by the benchmarks.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, in json.RawMessage) (json.RawMessage, error) {
		return in, nil
	})
}
