// Command initfail is a test custom runtime (no aws-lambda-go) that reports an
// initialization error through the Runtime API and exits.
package main

import (
	"net/http"
	"os"
	"strings"
)

func main() {
	url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
	req, err := http.NewRequest(http.MethodPost, url,
		strings.NewReader(`{"errorMessage":"missing configuration: DB_URL","errorType":"InitError"}`))
	if err != nil {
		os.Exit(2)
	}
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.InitError")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		os.Exit(2)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		os.Exit(4)
	}
	os.Exit(1)
}
