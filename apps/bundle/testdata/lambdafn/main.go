// Command lambdafn is a minimal Apps AWS Lambda function, built by the
// bundle tests (GOOS=linux, CGO_ENABLED=0) to make real test bundles.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/mattermost-community/apps-plugin/apps"
)

func handle(_ context.Context, req apps.HTTPCallRequest) (apps.HTTPCallResponse, error) {
	creq, err := apps.DecodeCallRequest([]byte(req.Body))
	resp := apps.NewTextResponse("PONG %s", req.Path)
	if err != nil {
		resp = apps.NewErrorResponse(err)
	} else if creq.Context.AppID != "" {
		resp.Text += " " + string(creq.Context.AppID)
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return apps.HTTPCallResponse{}, err
	}
	return apps.HTTPCallResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}, nil
}

func main() {
	lambda.Start(handle)
}
