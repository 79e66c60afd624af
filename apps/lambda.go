package apps

// HTTPCallRequest is the payload the plugin sends to an AWS Lambda function:
// an API-Gateway-proxy-like request whose Body is the CallRequest JSON. It
// works with aws-lambda-go-api-proxy's httpadapter.
type HTTPCallRequest struct {
	Path       string            `json:"path"`
	HTTPMethod string            `json:"httpMethod"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	RawQuery   string            `json:"rawQuery,omitempty"`
}

// HTTPCallResponse is what a Lambda function returns: the CallResponse JSON
// in Body, StatusCode 200 on success.
type HTTPCallResponse struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers,omitempty"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded,omitempty"`
}
