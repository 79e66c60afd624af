// Command crashy is a test Lambda function that fails in the ways asked for.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type request struct {
	Mode    string `json:"mode"`
	Message string `json:"message"`
}

func handle(_ context.Context, req request) (map[string]any, error) {
	switch req.Mode {
	case "panic": // recovered by aws-lambda-go, reported, then the process exits
		panic("boom: " + req.Message)
	case "crash": // an unrecovered panic kills the process without a report
		go func() { panic("crash in a goroutine") }()
		time.Sleep(10 * time.Second)
	case "exit":
		os.Exit(3)
	case "error":
		return nil, errors.New("handled failure: " + req.Message)
	case "log":
		fmt.Println("LOG-MARKER " + req.Message)
	}
	return map[string]any{"pid": os.Getpid(), "mode": req.Mode}, nil
}

func main() {
	lambda.Start(handle)
}
