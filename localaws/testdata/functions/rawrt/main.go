// Command rawrt is a minimal custom runtime written against the Runtime API
// with plain net/http (no aws-lambda-go): it echoes each payload and checks
// the invocation headers.
package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(base + "next")
		if err != nil {
			os.Exit(1)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		deadline, _ := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
		url, ctype := base+id+"/response", "application/json"
		switch {
		case resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn") == "":
			url, body = base+id+"/error", []byte(`{"errorType":"Missing","errorMessage":"no function ARN"}`)
		case deadline < time.Now().UnixMilli():
			url, body = base+id+"/error", []byte(`{"errorType":"Deadline","errorMessage":"deadline in the past"}`)
		case string(body) == `"not-json-error"`:
			url, ctype, body = base+id+"/error", "text/plain", []byte("plain failure")
		}
		r, err := http.Post(url, ctype, bytes.NewReader(body))
		if err != nil {
			os.Exit(1)
		}
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
}
