// Command apps is a test Lambda function answering the Mattermost Apps call
// shape through aws-lambda-go-api-proxy (httpadapter) and gorilla/mux, like
// the upstream hello-lambda example.
package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/gorilla/mux"
)

// version is read from version.txt next to the binary, so that a test can
// change the code by shipping a different zip.
var version = "v1"

type callRequest struct {
	Path    string         `json:"path"`
	Values  map[string]any `json:"values"`
	Context struct {
		AppID      string `json:"app_id"`
		ActingUser struct {
			Username string `json:"username"`
		} `json:"acting_user"`
	} `json:"context"`
}

type callResponse struct {
	Type     string         `json:"type"`
	Text     string         `json:"text,omitempty"`
	Markdown string         `json:"markdown,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
}

func write(w http.ResponseWriter, resp callResponse) {
	if resp.Data == nil {
		resp.Data = map[string]any{}
	}
	resp.Data["pid"] = os.Getpid()
	resp.Data["version"] = version
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func main() {
	if b, err := os.ReadFile(filepath.Join(os.Getenv("LAMBDA_TASK_ROOT"), "version.txt")); err == nil {
		version = strings.TrimSpace(string(b))
	}
	r := mux.NewRouter()
	r.HandleFunc("/ping", func(w http.ResponseWriter, _ *http.Request) {
		write(w, callResponse{Type: "ok", Markdown: "PONG"})
	}).Methods(http.MethodPost)
	r.HandleFunc("/hello", func(w http.ResponseWriter, req *http.Request) {
		var creq callRequest
		if err := json.NewDecoder(req.Body).Decode(&creq); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		name, _ := creq.Values["name"].(string)
		if name == "" {
			name = creq.Context.ActingUser.Username
		}
		write(w, callResponse{Type: "ok", Text: "Hello, " + name + "!"})
	}).Methods(http.MethodPost)
	r.HandleFunc("/env", func(w http.ResponseWriter, _ *http.Request) {
		env := map[string]any{}
		for _, k := range []string{
			"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
			"AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER", "LAMBDA_TASK_ROOT", "GREETING", "HOME",
		} {
			env[k] = os.Getenv(k)
		}
		write(w, callResponse{Type: "ok", Data: env})
	}).Methods(http.MethodPost)
	lambda.Start(httpadapter.New(r).ProxyWithContext)
}
