// Command lambdaapp is a test Lambda app: every function runs this code and
// answers with its own function name, so tests see which one a call reached.
package main

import (
	"encoding/json"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/mattermost-community/apps-plugin/apps"
)

func main() {
	lambda.Start(httpadapter.New(http.HandlerFunc(handle)).ProxyWithContext)
}

func handle(w http.ResponseWriter, r *http.Request) {
	var creq apps.CallRequest
	if err := json.NewDecoder(r.Body).Decode(&creq); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fn := os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	var resp apps.CallResponse
	switch r.URL.Path {
	case "/ping":
		resp = apps.NewTextResponse("PONG")
	case "/bindings":
		resp = apps.NewDataResponse([]apps.Binding{
			{Location: apps.LocationCommand, Bindings: []apps.Binding{{
				Label: "three", Description: "Three functions",
				Bindings: []apps.Binding{
					{Label: "root", Submit: apps.NewCall("/hello")},
					{Label: "admin", Submit: apps.NewCall("/admin/x")},
				},
			}}},
			{Location: apps.LocationChannelHeader, Bindings: []apps.Binding{
				{Location: "hello", Label: "Hello", Icon: "icon.svg", Submit: apps.NewCall("/hello")},
			}},
		})
	default:
		user := ""
		if creq.Context.ActingUser != nil {
			user = creq.Context.ActingUser.Username
		}
		resp = apps.CallResponse{Type: apps.CallResponseTypeOK, Text: "function " + fn + " path " + r.URL.Path + " user " + user,
			Data: map[string]any{"function": fn, "path": r.URL.Path, "values": creq.Values}}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}
