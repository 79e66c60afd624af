package upaws

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// Upstream invokes the Lambda functions of AWS apps and reads their static
// assets from S3.
type Upstream struct {
	c *Clients
}

var _ upstream.Upstream = (*Upstream)(nil)

// NewUpstream returns the upstream using c.
func NewUpstream(c *Clients) *Upstream { return &Upstream{c: c} }

// FunctionName returns the Lambda function a call to callPath of app goes
// to (see MatchFunction and apps.LambdaName). The error matches
// upstream.ErrNotFound when no function matches.
func FunctionName(app apps.App, callPath string) (string, error) {
	if app.AWSLambda == nil || len(app.AWSLambda.Functions) == 0 {
		return "", fmt.Errorf("app %q: the manifest has no aws_lambda functions: %w", app.AppID, upstream.ErrNotFound)
	}
	fn, ok := MatchFunction(app.AWSLambda.Functions, callPath)
	if !ok {
		return "", fmt.Errorf("app %q: no aws_lambda function for path %q: %w", app.AppID, callPath, upstream.ErrNotFound)
	}
	return apps.LambdaName(app.AppID, app.Version, fn.Name), nil
}

// Roundtrip invokes the function matching creq.Path with an
// apps.HTTPCallRequest payload (RequestResponse, or Event when async) and
// returns the body of its apps.HTTPCallResponse. See upstream.Upstream.
//
// An async call returns once Lambda has queued the event, so that a missing
// function is still reported.
func (u *Upstream) Roundtrip(ctx context.Context, app apps.App, creq apps.CallRequest, async bool) (io.ReadCloser, error) {
	name, err := FunctionName(app, creq.Path)
	if err != nil {
		return nil, err
	}
	payload, err := encodePayload(creq)
	if err != nil {
		return nil, fmt.Errorf("app %q: call %s: %w", app.AppID, creq.Path, err)
	}
	invocation := lambdatypes.InvocationTypeRequestResponse
	if async {
		invocation = lambdatypes.InvocationTypeEvent
	}
	out, err := u.c.Lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   &name,
		InvocationType: invocation,
		Payload:        payload,
	})
	if err != nil {
		var rnf *lambdatypes.ResourceNotFoundException
		if errors.As(err, &rnf) {
			return nil, fmt.Errorf("app %q: function %s does not exist: %w", app.AppID, name, upstream.ErrNotFound)
		}
		return nil, fmt.Errorf("app %q: invoke function %s: %w", app.AppID, name, err)
	}
	if async {
		return nil, nil
	}
	if out.FunctionError != nil {
		return nil, fmt.Errorf("app %q: function %s failed (%s): %s", app.AppID, name, *out.FunctionError, functionErrorText(out.Payload))
	}
	var resp apps.HTTPCallResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		return nil, fmt.Errorf("app %q: function %s: decode response %q: %w", app.AppID, name, upstream.Excerpt(out.Payload), err)
	}
	body := resp.Body
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, fmt.Errorf("app %q: function %s: decode base64 body: %w", app.AppID, name, err)
		}
		body = string(b)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return io.NopCloser(strings.NewReader(body)), nil
	case http.StatusNotFound:
		return nil, fmt.Errorf("app %q: function %s: path %s: status 404: %w", app.AppID, name, creq.Path, upstream.ErrNotFound)
	}
	return nil, fmt.Errorf("app %q: function %s failed with status code %d: %s", app.AppID, name, resp.StatusCode, upstream.Excerpt([]byte(body)))
}

// encodePayload returns the API-Gateway-proxy-like payload of a call.
func encodePayload(creq apps.CallRequest) ([]byte, error) {
	body, err := json.Marshal(creq)
	if err != nil {
		return nil, fmt.Errorf("encode call request: %w", err)
	}
	return json.Marshal(apps.HTTPCallRequest{
		Path:       creq.Path,
		HTTPMethod: http.MethodPost,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	})
}

// functionErrorText extracts "errorType: errorMessage" from a Lambda error
// payload.
func functionErrorText(payload []byte) string {
	var e struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(payload, &e); err != nil || (e.ErrorMessage == "" && e.ErrorType == "") {
		return upstream.Excerpt(payload)
	}
	if e.ErrorType == "" {
		return upstream.Excerpt([]byte(e.ErrorMessage))
	}
	return e.ErrorType + ": " + upstream.Excerpt([]byte(e.ErrorMessage))
}

// GetStatic reads the app's static asset from S3 (apps.StaticS3Key of the
// installed app's ID and version). See upstream.Upstream.
func (u *Upstream) GetStatic(ctx context.Context, app apps.App, name string) (io.ReadCloser, string, error) {
	return u.c.getStatic(ctx, app, name)
}

// contentType is the object's content type unless it is missing or generic,
// else the type of the name's extension.
func contentType(objectType *string, name string) string {
	if objectType != nil && *objectType != "" && *objectType != "binary/octet-stream" && *objectType != "application/octet-stream" {
		return *objectType
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
