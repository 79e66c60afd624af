// Command fn is a test Lambda function for upaws: an app function behind
// aws-lambda-go-api-proxy's httpadapter that reports its own function name.
//
// Call paths ending in /panic make it fail (a Lambda function error), in
// /missing answer 404, in /fail answer 500, in /notify POST the request to
// the URL in values.callback.
package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/gorilla/mux"
)

type callRequest struct {
	Path    string         `json:"path"`
	Values  map[string]any `json:"values"`
	Context struct {
		ActingUser struct {
			ID string `json:"id"`
		} `json:"acting_user"`
	} `json:"context"`
}

func main() {
	function := os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	r := mux.NewRouter()
	r.PathPrefix("/").Methods(http.MethodPost).HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var creq callRequest
		if err := json.NewDecoder(req.Body).Decode(&creq); err != nil {
			http.Error(w, "decode call request: "+err.Error(), http.StatusBadRequest)
			return
		}
		data := map[string]any{
			"function":       function,
			"path":           req.URL.Path,
			"call_path":      creq.Path,
			"acting_user_id": creq.Context.ActingUser.ID,
			"content_type":   req.Header.Get("Content-Type"),
		}
		switch {
		case strings.HasSuffix(req.URL.Path, "/panic"):
			panic("boom from " + function)
		case strings.HasSuffix(req.URL.Path, "/missing"):
			http.NotFound(w, req)
			return
		case strings.HasSuffix(req.URL.Path, "/fail"):
			http.Error(w, "kaput", http.StatusInternalServerError)
			return
		case strings.HasSuffix(req.URL.Path, "/notify"):
			callback, _ := creq.Values["callback"].(string)
			b, _ := json.Marshal(data)
			resp, err := http.Post(callback, "application/json", bytes.NewReader(b))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			_ = resp.Body.Close()
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"type": "ok", "text": function, "data": data})
	})
	lambda.Start(httpadapter.New(r).ProxyWithContext)
}
