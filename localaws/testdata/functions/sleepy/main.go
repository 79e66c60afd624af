// Command sleepy is a test Lambda function that sleeps for the requested time,
// optionally with a child process, to test timeouts and concurrency.
package main

import (
	"context"
	"os"
	"os/exec"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type request struct {
	MS    int  `json:"ms"`
	Child bool `json:"child"` // start a long-running child process first
}

var child *exec.Cmd

func handle(_ context.Context, req request) (map[string]any, error) {
	out := map[string]any{"pid": os.Getpid()}
	if req.Child && child == nil {
		child = exec.Command("sleep", "300")
		if err := child.Start(); err != nil {
			return nil, err
		}
		out["child"] = child.Process.Pid
	}
	time.Sleep(time.Duration(req.MS) * time.Millisecond)
	out["slept"] = req.MS
	return out, nil
}

func main() {
	lambda.Start(handle)
}
