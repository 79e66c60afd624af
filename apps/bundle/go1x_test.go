package bundle_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/apps/bundle"
)

func go1xFunction(t *testing.T, zipData []byte) bundle.Function {
	return bundle.Function{
		AWSLambdaFunction: apps.AWSLambdaFunction{Path: "/", Name: "go-function", Handler: "hello-lambda", Runtime: "go1.x"},
		Entry:             "go-function.zip",
		Zip:               zipData,
	}
}

func TestConvertGo1x(t *testing.T) {
	bin := lambdaBinary(t)
	orig := makeZip(t, entry{name: "hello-lambda", data: bin, mode: 0o755}, file("config/app.json", `{"a":1}`),
		entry{name: "config/"}, entry{name: "lib/link", data: []byte("../config/app.json"), mode: os.ModeSymlink | 0o777})
	fn, err := bundle.ConvertGo1x(go1xFunction(t, orig))
	if err != nil {
		t.Fatal(err)
	}
	if fn.Runtime != "provided.al2023" || fn.Handler != "bootstrap" || fn.Name != "go-function" || fn.Path != "/" {
		t.Errorf("converted function %+v", fn.AWSLambdaFunction)
	}
	zr, err := zip.NewReader(bytes.NewReader(fn.Zip), int64(len(fn.Zip)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name != "bootstrap" {
			continue
		}
		if f.Mode().Perm() != 0o755 || !f.Mode().IsRegular() {
			t.Errorf("bootstrap mode %v", f.Mode())
		}
		rc, _ := f.Open()
		got, err := io.ReadAll(rc)
		if err != nil || !bytes.Equal(got, bin) {
			t.Errorf("bootstrap content differs (%v)", err)
		}
	}
	if strings.Join(names, ",") != "bootstrap,config/app.json,config/,lib/link" {
		t.Errorf("entries %v", names)
	}
	if !bundle.IsGo1x("go1.x") || bundle.IsGo1x("provided.al2") {
		t.Error("IsGo1x")
	}

	// A handler with a path, given as "./bin/main".
	nested := makeZip(t, entry{name: "bin/main", data: bin, mode: 0o755})
	if _, err := bundle.RewriteGo1xZip(nested, "./bin/main"); err != nil {
		t.Errorf("nested handler: %v", err)
	}

	fakeELF := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...)
	fakeELF[18] = 62
	for name, tc := range map[string]struct {
		fn   bundle.Function
		want string
	}{
		"not go1.x":  {func() bundle.Function { f := go1xFunction(t, orig); f.Runtime = "nodejs18.x"; return f }(), `uses runtime "nodejs18.x"`},
		"no handler": {go1xFunction(t, makeZip(t, entry{name: "other", data: bin})), `handler "hello-lambda" not found`},
		"not ELF":    {go1xFunction(t, makeZip(t, file("hello-lambda", "#!/bin/sh\necho hi"))), "not a Linux (ELF) executable"},
		"arm64": {go1xFunction(t, makeZip(t, entry{name: "hello-lambda", data: func() []byte {
			b := append([]byte{}, fakeELF...)
			b[18] = 183
			return b
		}()})), "not an x86-64 executable"},
		"no Runtime API":     {go1xFunction(t, makeZip(t, entry{name: "hello-lambda", data: fakeELF})), "does not support the AWS Lambda Runtime API"},
		"bootstrap conflict": {go1xFunction(t, makeZip(t, entry{name: "hello-lambda", data: bin}, file("bootstrap", "x"))), `both a "bootstrap" entry`},
		"traversal":          {go1xFunction(t, makeZip(t, entry{name: "hello-lambda", data: bin}, file("../x", "x"))), "'..'"},
		"not a zip":          {go1xFunction(t, []byte("nope")), "not a valid zip archive"},
		"bad handler":        {func() bundle.Function { f := go1xFunction(t, orig); f.Handler = "../x"; return f }(), "not a path in the archive"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := bundle.ConvertGo1x(tc.fn)
			checkErr(t, err, tc.want, false)
			if name == "no Runtime API" && !errors.Is(err, bundle.ErrNoRuntimeAPI) {
				t.Error("does not match ErrNoRuntimeAPI")
			}
		})
	}
}

// TestConvertedGo1xRuns runs the converted bootstrap against a fake AWS
// Lambda Runtime API, as provided.al2023 would, and checks its answer.
func TestConvertedGo1xRuns(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the test function is a linux/amd64 executable")
	}
	fn, err := bundle.ConvertGo1x(go1xFunction(t, functionZip(t, "hello-lambda", lambdaBinary(t))))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zr, err := zip.NewReader(bytes.NewReader(fn.Zip), int64(len(fn.Zip)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	bin, _ := io.ReadAll(rc)
	exe := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(exe, bin, 0o755); err != nil {
		t.Fatal(err)
	}

	creq, _ := json.Marshal(apps.CallRequest{Call: apps.Call{Path: "/ping"}, Context: apps.Context{UserAgentContext: apps.UserAgentContext{AppID: "hello"}}})
	event, _ := json.Marshal(apps.HTTPCallRequest{Path: "/ping", HTTPMethod: "POST",
		Headers: map[string]string{"Content-Type": "application/json"}, Body: string(creq)})

	results := make(chan string, 1)
	var served atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		if served.Swap(true) {
			<-r.Context().Done() // no more events
			return
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:test")
		_, _ = w.Write(event)
	})
	mux.HandleFunc("/2018-06-01/runtime/invocation/req-1/response", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		results <- string(body)
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		results <- "unexpected " + r.URL.Path + ": " + string(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(), "_HANDLER=bootstrap",
		"AWS_LAMBDA_FUNCTION_NAME=test", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	select {
	case got := <-results:
		var resp apps.HTTPCallResponse
		if err := json.Unmarshal([]byte(got), &resp); err != nil || resp.StatusCode != 200 {
			t.Fatalf("response %q (%v)", got, err)
		}
		var cresp apps.CallResponse
		if err := json.Unmarshal([]byte(resp.Body), &cresp); err != nil || cresp.Type != "ok" || cresp.Text != "PONG /ping hello" {
			t.Fatalf("call response %q (%v)", resp.Body, err)
		}
	case <-ctx.Done():
		t.Fatalf("no response from the function; stderr: %s", stderr.String())
	}
}
