// Command hello-lambda is an example Mattermost App that runs on AWS Lambda
// (or on appsctl's local Lambda). It answers the Apps call shape through
// aws-lambda-go-api-proxy and gorilla/mux: a /hello slash command with a
// form, a channel header button, and the install lifecycle.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/gorilla/mux"

	"github.com/mattermost-community/apps-plugin/apps"
)

func main() {
	lambda.Start(httpadapter.New(newRouter()).ProxyWithContext)
}

func newRouter() *mux.Router {
	r := mux.NewRouter()
	handle := func(path string, f func(apps.CallRequest) apps.CallResponse) {
		r.HandleFunc(path, func(w http.ResponseWriter, req *http.Request) {
			var creq apps.CallRequest
			if err := json.NewDecoder(req.Body).Decode(&creq); err != nil {
				http.Error(w, "bad call request: "+err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(f(creq))
		}).Methods(http.MethodPost)
	}
	handle("/ping", func(apps.CallRequest) apps.CallResponse { return apps.NewTextResponse("PONG") })
	handle("/install", func(creq apps.CallRequest) apps.CallResponse {
		return apps.NewTextResponse("Hello Lambda is installed. Try `/hello send`.")
	})
	handle("/uninstall", func(apps.CallRequest) apps.CallResponse { return apps.NewTextResponse("Goodbye from Hello Lambda.") })
	handle("/bindings", bindings)
	handle("/send/form", func(apps.CallRequest) apps.CallResponse { return apps.NewFormResponse(sendForm()) })
	handle("/send", send)
	return r
}

func sendForm() apps.Form {
	return apps.Form{
		Title:  "Say hello",
		Icon:   "icon.svg",
		Submit: &apps.Call{Path: "/send", Expand: &apps.Expand{ActingUser: apps.ExpandSummary}},
		Fields: []apps.Field{
			{Name: "name", Type: apps.FieldTypeText, Label: "name", Description: "Who to greet", Position: 1},
			{Name: "shout", Type: apps.FieldTypeBool, Label: "shout", Description: "Greet loudly"},
		},
	}
}

func bindings(apps.CallRequest) apps.CallResponse {
	form := sendForm()
	return apps.NewDataResponse([]apps.Binding{
		{
			Location: apps.LocationCommand,
			Bindings: []apps.Binding{{
				Label: "hello", Description: "Say hello", Icon: "icon.svg",
				Bindings: []apps.Binding{{Location: "send", Label: "send", Form: &form}},
			}},
		},
		{
			Location: apps.LocationChannelHeader,
			Bindings: []apps.Binding{{Location: "send", Label: "Say hello", Icon: "icon.svg", Form: &form}},
		},
	})
}

func send(creq apps.CallRequest) apps.CallResponse {
	name := creq.GetValue("name", "")
	if name == "" && creq.Context.ActingUser != nil {
		name = creq.Context.ActingUser.Username
	}
	if name == "" {
		name = "world"
	}
	text := fmt.Sprintf("Hello, %s!", name)
	if creq.BoolValue("shout") {
		text = fmt.Sprintf("HELLO, %s!", name)
	}
	return apps.NewTextResponse("%s", text)
}
