package localaws

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

func TestAppsCallThroughSDK(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)
	ctx := context.Background()
	zipData := functionZip(t, "apps", "bootstrap")

	created := createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("com-mattermost-hello_1-0-0_go-function"),
		Code:         &lambdatypes.FunctionCode{ZipFile: zipData},
	})
	sum := sha256.Sum256(zipData)
	wantSHA := base64.StdEncoding.EncodeToString(sum[:])
	if got := aws.ToString(created.CodeSha256); got != wantSHA {
		t.Errorf("CreateFunction CodeSha256 = %s, want %s", got, wantSHA)
	}

	// The Apps call shape: API Gateway proxy payload with a JSON CallRequest body.
	resp := appsResponse(t, invokeOK(t, c, "com-mattermost-hello_1-0-0_go-function", appsCall(t, "/hello", map[string]any{
		"path":    "/hello",
		"values":  map[string]any{"name": "World"},
		"context": map[string]any{"app_id": "hello", "acting_user": map[string]any{"username": "sysadmin"}},
	})))
	if resp["type"] != "ok" || resp["text"] != "Hello, World!" {
		t.Errorf("call response = %v", resp)
	}
	ping := appsResponse(t, invokeOK(t, c, "com-mattermost-hello_1-0-0_go-function", appsCall(t, "/ping", map[string]any{"path": "/ping"})))
	if ping["type"] != "ok" || ping["markdown"] != "PONG" {
		t.Errorf("ping response = %v", ping)
	}
	// Warm instance reused.
	if a, b := pidOf(t, resp), pidOf(t, ping); a != b {
		t.Errorf("second invoke ran in pid %d, first in %d: want the warm instance", b, a)
	}

	// Function ARN forms resolve to the same function.
	arn := "arn:aws:lambda:us-east-1:000000000000:function:com-mattermost-hello_1-0-0_go-function"
	appsResponse(t, invokeOK(t, c, arn, appsCall(t, "/ping", map[string]any{})))
	appsResponse(t, invokeOK(t, c, "000000000000:function:com-mattermost-hello_1-0-0_go-function:$LATEST", appsCall(t, "/ping", map[string]any{})))

	got, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("com-mattermost-hello_1-0-0_go-function")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := got.Configuration
	if aws.ToString(cfg.CodeSha256) != wantSHA || cfg.State != lambdatypes.StateActive ||
		cfg.LastUpdateStatus != lambdatypes.LastUpdateStatusSuccessful || aws.ToString(cfg.FunctionArn) != arn ||
		aws.ToInt32(cfg.Timeout) != 30 || aws.ToInt32(cfg.MemorySize) != 128 || aws.ToString(cfg.Version) != "$LATEST" ||
		cfg.Runtime != lambdatypes.RuntimeProvidedal2023 || cfg.CodeSize != int64(len(zipData)) {
		t.Errorf("GetFunction configuration = %+v", cfg)
	}
	// The code location serves the zip.
	r, err := http.Get(aws.ToString(got.Code.Location))
	if err != nil {
		t.Fatal(err)
	}
	dl, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if !bytes.Equal(dl, zipData) {
		t.Errorf("code location served %d bytes, want the %d-byte zip", len(dl), len(zipData))
	}

	list, err := c.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionName) != "com-mattermost-hello_1-0-0_go-function" {
		t.Errorf("ListFunctions = %+v, %v", list, err)
	}

	// DryRun and Event invocations.
	dry, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("com-mattermost-hello_1-0-0_go-function"), InvocationType: lambdatypes.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Errorf("DryRun: %+v, %v", dry, err)
	}
}

func TestEnvironmentAndUpdateConfiguration(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)
	ctx := context.Background()
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("envfn"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "apps", "bootstrap")},
		Environment:  &lambdatypes.Environment{Variables: map[string]string{"GREETING": "hello"}},
		MemorySize:   aws.Int32(256),
	})
	env := appsResponse(t, invokeOK(t, c, "envfn", appsCall(t, "/env", nil)))["data"].(map[string]any)
	for k, want := range map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "envfn",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"_HANDLER":                        "bootstrap",
		"GREETING":                        "hello",
		"HOME":                            "", // the host environment is not inherited
	} {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q", k, env[k], want)
		}
	}
	if root, _ := env["LAMBDA_TASK_ROOT"].(string); !strings.HasPrefix(root, s.Dir()) {
		t.Errorf("LAMBDA_TASK_ROOT = %q, want under %s", root, s.Dir())
	}
	oldPID := pidOf(t, env)

	up, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("envfn"),
		Environment:  &lambdatypes.Environment{Variables: map[string]string{"GREETING": "bonjour"}},
		Timeout:      aws.Int32(5),
		MemorySize:   aws.Int32(512),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(up.Timeout) != 5 || aws.ToInt32(up.MemorySize) != 512 || up.Environment.Variables["GREETING"] != "bonjour" ||
		up.LastUpdateStatus != lambdatypes.LastUpdateStatusSuccessful {
		t.Errorf("UpdateFunctionConfiguration = %+v", up)
	}
	env = appsResponse(t, invokeOK(t, c, "envfn", appsCall(t, "/env", nil)))["data"].(map[string]any)
	if env["GREETING"] != "bonjour" || env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] != "512" {
		t.Errorf("after update env = %v", env)
	}
	waitGone(t, oldPID) // the old instance was retired

	// Waiters accept the SDK's own readiness check.
	w := lambda.NewFunctionUpdatedV2Waiter(c)
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("envfn")}, 5*time.Second); err != nil {
		t.Errorf("FunctionUpdatedV2 waiter: %v", err)
	}

	// Reserved keys are refused, as by AWS.
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("envfn"),
		Environment:  &lambdatypes.Environment{Variables: map[string]string{"AWS_REGION": "eu-west-1"}},
	})
	var ipv *lambdatypes.InvalidParameterValueException
	if !errors.As(err, &ipv) {
		t.Errorf("reserved env key: err = %v, want InvalidParameterValueException", err)
	}
}

func TestUpdateFunctionCode(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)
	ctx := context.Background()
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("codefn"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "apps", "bootstrap", "version.txt", "v1")},
	})
	v1 := appsResponse(t, invokeOK(t, c, "codefn", appsCall(t, "/ping", nil)))["data"].(map[string]any)
	if v1["version"] != "v1" {
		t.Fatalf("version = %v", v1["version"])
	}

	z2 := functionZip(t, "apps", "bootstrap", "version.txt", "v2")
	up, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("codefn"), ZipFile: z2})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(z2)
	if aws.ToString(up.CodeSha256) != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("CodeSha256 after update = %s", aws.ToString(up.CodeSha256))
	}
	v2 := appsResponse(t, invokeOK(t, c, "codefn", appsCall(t, "/ping", nil)))["data"].(map[string]any)
	if v2["version"] != "v2" {
		t.Errorf("after UpdateFunctionCode version = %v, want v2", v2["version"])
	}
	waitGone(t, pidOf(t, v1))

	// A stale RevisionId is refused.
	_, err = c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("codefn"), ZipFile: z2, RevisionId: aws.String("stale")})
	var pfe *lambdatypes.PreconditionFailedException
	if !errors.As(err, &pfe) {
		t.Errorf("stale RevisionId: err = %v", err)
	}
}

func TestFunctionErrorsAndCrashRecovery(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("crashy"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "crashy", "bootstrap")},
	})
	pid1 := pidOf(t, invokeOK(t, c, "crashy", map[string]string{"mode": "ok"}))

	// A returned error is a function error; the instance stays warm.
	typ, msg := invokeError(t, c, "crashy", map[string]string{"mode": "error", "message": "x"})
	if typ != "errorString" || msg != "handled failure: x" {
		t.Errorf("error: %s %q", typ, msg)
	}
	if pid := pidOf(t, invokeOK(t, c, "crashy", map[string]string{"mode": "ok"})); pid != pid1 {
		t.Errorf("after a handled error the invoke ran in %d, want warm %d", pid, pid1)
	}

	// A panic is reported by the runtime, which then exits: the instance is replaced.
	typ, msg = invokeError(t, c, "crashy", map[string]string{"mode": "panic", "message": "kaput"})
	if typ != "string" || msg != "boom: kaput" {
		t.Errorf("panic: %s %q", typ, msg)
	}
	pid2 := pidOf(t, invokeOK(t, c, "crashy", map[string]string{"mode": "ok"}))
	if pid2 == pid1 {
		t.Errorf("after a panic the same instance (%d) answered", pid1)
	}
	waitGone(t, pid1)

	// A crash without a report is Runtime.ExitError.
	typ, msg = invokeError(t, c, "crashy", map[string]string{"mode": "crash"})
	if typ != "Runtime.ExitError" || !strings.Contains(msg, "Runtime exited with error: exit status 2") || !strings.HasPrefix(msg, "RequestId: ") {
		t.Errorf("crash: %s %q", typ, msg)
	}
	typ, msg = invokeError(t, c, "crashy", map[string]string{"mode": "exit"})
	if typ != "Runtime.ExitError" || !strings.Contains(msg, "exit status 3") {
		t.Errorf("exit: %s %q", typ, msg)
	}
	pid3 := pidOf(t, invokeOK(t, c, "crashy", map[string]string{"mode": "ok"}))
	if pid3 == pid2 {
		t.Errorf("crashed instance %d answered again", pid2)
	}
	waitGone(t, pid2)

	// Function output goes to the per-function log.
	logData, err := os.ReadFile(s.LogPath("crashy"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logData), "boom: kaput") {
		t.Errorf("function log lacks the panic output:\n%s", logData)
	}
}

func TestTimeoutKillsInstance(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{MaxInstances: 1})
	c := lambdaClient(s)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("sleepy"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "sleepy", "bootstrap")},
		Timeout:      aws.Int32(1),
	})
	first := invokeOK(t, c, "sleepy", map[string]any{"ms": 1, "child": true})
	pid, child := pidOf(t, first), int(first["child"].(float64))

	start := time.Now()
	typ, msg := invokeError(t, c, "sleepy", map[string]any{"ms": 5000})
	elapsed := time.Since(start)
	if typ != "Sandbox.Timedout" || !strings.Contains(msg, "Task timed out after 1.00 seconds") {
		t.Errorf("timeout error: %s %q", typ, msg)
	}
	if elapsed < 900*time.Millisecond || elapsed > 4*time.Second {
		t.Errorf("timed out after %v, want about 1s", elapsed)
	}
	// The instance and the process it started are killed.
	waitGone(t, pid, child)

	next := invokeOK(t, c, "sleepy", map[string]any{"ms": 1})
	if pidOf(t, next) == pid {
		t.Errorf("timed-out instance answered again")
	}
}

func TestConcurrentInvokes(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{MaxInstances: 4})
	c := lambdaClient(s)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("sleepy"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "sleepy", "bootstrap")},
	})
	const n, sleep = 16, 250
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		pids = map[int]int{}
	)
	start := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := invokeOK(t, c, "sleepy", map[string]any{"ms": sleep})
			mu.Lock()
			pids[pidOf(t, m)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(pids) > 4 {
		t.Errorf("%d instances ran, want at most 4: %v", len(pids), pids)
	}
	total := 0
	for _, k := range pids {
		total += k
	}
	if total != n {
		t.Errorf("%d invocations answered, want %d", total, n)
	}
	// 16 invocations of 250ms on at most 4 instances need at least 4 rounds.
	if elapsed < 4*sleep*time.Millisecond-50*time.Millisecond {
		t.Errorf("16 invocations took %v: more than 4 ran at once", elapsed)
	}
	if elapsed > 10*time.Second {
		t.Errorf("16 invocations took %v", elapsed)
	}
	t.Logf("16 invocations of %dms on %d instances took %v", sleep, len(pids), elapsed)
}

func TestGo1xRPCRuntime(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)
	// The same aws-lambda-go binary, started in RPC mode (_LAMBDA_SERVER_PORT).
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("rpcfn"),
		Runtime:      lambdatypes.RuntimeGo1x,
		Handler:      aws.String("hello"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "apps", "hello")},
	})
	resp := appsResponse(t, invokeOK(t, c, "rpcfn", appsCall(t, "/hello", map[string]any{"values": map[string]any{"name": "RPC"}})))
	if resp["text"] != "Hello, RPC!" {
		t.Errorf("rpc call response = %v", resp)
	}
	env := appsResponse(t, invokeOK(t, c, "rpcfn", appsCall(t, "/env", nil)))["data"].(map[string]any)
	if env["_HANDLER"] != "hello" || pidOf(t, env) != pidOf(t, resp) {
		t.Errorf("rpc env = %v (first pid %d)", env, pidOf(t, resp))
	}

	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("rpccrashy"),
		Runtime:      lambdatypes.RuntimeGo1x,
		Handler:      aws.String("crashy"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "crashy", "crashy")},
	})
	pid1 := pidOf(t, invokeOK(t, c, "rpccrashy", map[string]string{"mode": "ok"}))
	if typ, msg := invokeError(t, c, "rpccrashy", map[string]string{"mode": "error", "message": "rpc"}); typ != "errorString" || msg != "handled failure: rpc" {
		t.Errorf("rpc error: %s %q", typ, msg)
	}
	if typ, msg := invokeError(t, c, "rpccrashy", map[string]string{"mode": "panic", "message": "rpc"}); typ != "string" || msg != "boom: rpc" {
		t.Errorf("rpc panic: %s %q", typ, msg)
	}
	waitGone(t, pid1) // a panicking go1.x instance is replaced
	if typ, msg := invokeError(t, c, "rpccrashy", map[string]string{"mode": "exit"}); typ != "Runtime.ExitError" || !strings.Contains(msg, "exit status 3") {
		t.Errorf("rpc exit: %s %q", typ, msg)
	}
	if pid := pidOf(t, invokeOK(t, c, "rpccrashy", map[string]string{"mode": "ok"})); pid == pid1 {
		t.Errorf("rpc instance not replaced")
	}
}

func TestDeleteFunctionStopsInstances(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{MaxInstances: 4})
	c := lambdaClient(s)
	ctx := context.Background()
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("doomed"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "sleepy", "bootstrap")},
	})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			invokeOK(t, c, "doomed", map[string]any{"ms": 200})
		}()
	}
	wg.Wait()
	s.lambda.mu.RLock()
	pids := s.lambda.fns["doomed"].pool.pids()
	s.lambda.mu.RUnlock()
	if len(pids) != 4 {
		t.Errorf("%d warm instances, want 4", len(pids))
	}

	// An invocation in flight when the function is deleted fails.
	inflight := make(chan *lambda.InvokeOutput, 1)
	go func() {
		out, _ := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("doomed"), Payload: []byte(`{"ms":10000}`)})
		inflight <- out
	}()
	time.Sleep(100 * time.Millisecond)

	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("doomed")}); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if !processGone(pid) {
			t.Errorf("instance %d survived DeleteFunction", pid)
		}
	}
	select {
	case out := <-inflight:
		if out == nil || out.FunctionError == nil {
			t.Errorf("in-flight invocation: %+v, want a function error", out)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("in-flight invocation did not end")
	}

	_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("doomed")})
	var rnf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &rnf) || !strings.Contains(rnf.ErrorMessage(), "Function not found: arn:aws:lambda:us-east-1:000000000000:function:doomed") {
		t.Errorf("invoke after delete: %v", err)
	}
	if _, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("doomed")}); !errors.As(err, &rnf) {
		t.Errorf("GetFunction after delete: %v", err)
	}
	if _, err := os.Stat(s.lambda.root + "/doomed"); !os.IsNotExist(err) {
		t.Errorf("function dir left: %v", err)
	}
}

func TestValidationAndErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)
	ctx := context.Background()
	createFunction(t, c, &lambda.CreateFunctionInput{FunctionName: aws.String("dup"), Code: &lambdatypes.FunctionCode{ZipFile: functionZip(t, "echo", "bootstrap")}})
	zipData := makeZip(t, zipFile{name: "bootstrap", data: []byte("#!/bin/sh\n"), mode: 0o755})

	check := func(name string, err error, target any) {
		t.Helper()
		if !errors.As(err, target) {
			t.Errorf("%s: err = %v, want %T", name, err, target)
		}
	}
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("dup"), Role: aws.String(testRole),
		Runtime: lambdatypes.RuntimeProvidedal2023, Code: &lambdatypes.FunctionCode{ZipFile: zipData}})
	check("duplicate", err, new(*lambdatypes.ResourceConflictException))

	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("node"), Role: aws.String(testRole),
		Runtime: lambdatypes.RuntimeNodejs20x, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipData}})
	check("unsupported runtime", err, new(*lambdatypes.InvalidParameterValueException))

	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("badzip"), Role: aws.String(testRole),
		Runtime: lambdatypes.RuntimeProvidedal2023, Code: &lambdatypes.FunctionCode{ZipFile: []byte("not a zip")}})
	check("bad zip", err, new(*lambdatypes.InvalidParameterValueException))

	traversal := makeZip(t, zipFile{name: "../escape", data: []byte("x"), mode: 0o755})
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("evil"), Role: aws.String(testRole),
		Runtime: lambdatypes.RuntimeProvidedal2023, Code: &lambdatypes.FunctionCode{ZipFile: traversal}})
	check("traversal zip", err, new(*lambdatypes.InvalidParameterValueException))

	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("badtimeout"), Role: aws.String(testRole),
		Runtime: lambdatypes.RuntimeProvidedal2023, Timeout: aws.Int32(901), Code: &lambdatypes.FunctionCode{ZipFile: zipData}})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Errorf("bad timeout: %v", err)
	}

	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("norole"), Role: aws.String("nope"),
		Runtime: lambdatypes.RuntimeProvidedal2023, Code: &lambdatypes.FunctionCode{ZipFile: zipData}})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Errorf("bad role: %v", err)
	}

	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("missing")})
	check("get missing", err, new(*lambdatypes.ResourceNotFoundException))
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dup"), Qualifier: aws.String("7")})
	check("unknown qualifier", err, new(*lambdatypes.ResourceNotFoundException))
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dup"), Payload: []byte("{not json")})
	check("invalid payload", err, new(*lambdatypes.InvalidRequestContentException))
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dup"), Payload: bytes.Repeat([]byte(" "), 6<<20+1)})
	check("payload too large", err, new(*lambdatypes.RequestTooLargeException))
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("missing")})
	check("delete missing", err, new(*lambdatypes.ResourceNotFoundException))

	// Echo round trip of a non-trivial payload.
	out := invokeRaw(t, c, "dup", map[string]any{"a": strings.Repeat("x", 100000)})
	if out.FunctionError != nil || len(out.Payload) < 100000 || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("echo: %v %d", out.FunctionError, len(out.Payload))
	}
}

func TestInitFailures(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)

	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("initfail"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "initfail", "bootstrap")},
	})
	typ, msg := invokeError(t, c, "initfail", map[string]any{})
	if typ != "InitError" || msg != "missing configuration: DB_URL" {
		t.Errorf("init error: %s %q", typ, msg)
	}

	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("shexit"),
		Code: &lambdatypes.FunctionCode{ZipFile: makeZip(t, zipFile{name: "bootstrap", mode: 0o755,
			data: []byte("#!/bin/sh\necho starting >&2\nexit 7\n")})},
	})
	typ, msg = invokeError(t, c, "shexit", map[string]any{})
	if typ != "Runtime.ExitError" || !strings.Contains(msg, "exit status 7") {
		t.Errorf("exiting bootstrap: %s %q", typ, msg)
	}

	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("nobootstrap"),
		Code:         &lambdatypes.FunctionCode{ZipFile: makeZip(t, zipFile{name: "README", mode: 0o644, data: []byte("hi")})},
	})
	typ, msg = invokeError(t, c, "nobootstrap", map[string]any{})
	if typ != "Runtime.InvalidEntrypoint" || !strings.Contains(msg, "Couldn't find valid bootstrap") {
		t.Errorf("missing bootstrap: %s %q", typ, msg)
	}
	logData, _ := os.ReadFile(s.LogPath("shexit"))
	if !strings.Contains(string(logData), "starting") {
		t.Errorf("bootstrap stderr not in the function log:\n%s", logData)
	}
}

func TestEventInvocation(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("asyncfn"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "crashy", "bootstrap")},
	})
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName:   aws.String("asyncfn"),
		InvocationType: lambdatypes.InvocationTypeEvent,
		Payload:        []byte(`{"mode":"log","message":"async-42"}`),
	})
	if err != nil || out.StatusCode != http.StatusAccepted || len(out.Payload) != 0 {
		t.Fatalf("Event invoke: %+v, %v", out, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(s.LogPath("asyncfn"))
		if strings.Contains(string(data), "LOG-MARKER async-42") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("async invocation did not run; log:\n%s", data)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)
	ctx := context.Background()
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("perm"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "echo", "bootstrap")},
	})
	var rnf *lambdatypes.ResourceNotFoundException
	if _, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("perm")}); !errors.As(err, &rnf) {
		t.Errorf("GetPolicy without statements: %v", err)
	}
	add, err := c.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String("perm"),
		StatementId:  aws.String("AllowMattermost"),
		Action:       aws.String("lambda:InvokeFunction"),
		Principal:    aws.String("123456789012"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(add.Statement)), &st); err != nil || st["Sid"] != "AllowMattermost" ||
		st["Resource"] != s.FunctionARN("perm") {
		t.Errorf("statement = %s (%v)", aws.ToString(add.Statement), err)
	}
	_, err = c.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String("perm"), StatementId: aws.String("AllowMattermost"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
	})
	var rce *lambdatypes.ResourceConflictException
	if !errors.As(err, &rce) {
		t.Errorf("duplicate statement: %v", err)
	}
	pol, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("perm")})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"Sid":"AllowMattermost"`) {
		t.Errorf("GetPolicy = %v, %v", pol, err)
	}
	if _, err := c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("perm"), StatementId: aws.String("AllowMattermost")}); err != nil {
		t.Errorf("RemovePermission: %v", err)
	}
	if _, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("perm")}); !errors.As(err, &rnf) {
		t.Errorf("GetPolicy after remove: %v", err)
	}
}

func TestUnsignedRequestsRefused(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	resp, err := http.Post(s.URL()+"/2015-03-31/functions/x/invocations", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" ||
		!strings.Contains(string(body), `"__type":"MissingAuthenticationTokenException"`) {
		t.Errorf("unsigned lambda call: %d %v %s", resp.StatusCode, resp.Header, body)
	}

	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader("Action=GetRole&RoleName=x&Version=2010-05-08"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic Zm9vOmJhcg==")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("unsigned IAM call: %d %s", resp.StatusCode, body)
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s1, err := Start(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c1 := lambdaClient(s1)
	created := createFunction(t, c1, &lambda.CreateFunctionInput{
		FunctionName: aws.String("persisted"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "apps", "bootstrap")},
		Environment:  &lambdatypes.Environment{Variables: map[string]string{"GREETING": "kept"}},
		Timeout:      aws.Int32(7),
	})
	invokeOK(t, c1, "persisted", appsCall(t, "/ping", nil))
	if _, err := iamClient(s1).CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String("kept-role"), AssumeRolePolicyDocument: aws.String(assumeRoleDoc),
	}); err != nil {
		t.Fatal(err)
	}
	pids := s1.startedPIDs()
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if !processGone(pid) {
			t.Errorf("pid %d survived Close", pid)
		}
	}

	s2 := startServer(t, Options{Dir: dir})
	c2 := lambdaClient(s2)
	got, err := c2.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("persisted")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Configuration.CodeSha256) != aws.ToString(created.CodeSha256) || aws.ToInt32(got.Configuration.Timeout) != 7 {
		t.Errorf("reloaded configuration = %+v", got.Configuration)
	}
	env := appsResponse(t, invokeOK(t, c2, "persisted", appsCall(t, "/env", nil)))["data"].(map[string]any)
	if env["GREETING"] != "kept" {
		t.Errorf("reloaded env = %v", env)
	}
	if _, err := iamClient(s2).GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("kept-role")}); err != nil {
		t.Errorf("role not reloaded: %v", err)
	}
}

// TestCustomRuntime runs a bootstrap written against the Runtime API with
// plain net/http instead of aws-lambda-go.
func TestCustomRuntime(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	c := lambdaClient(s)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("rawrt"),
		Runtime:      lambdatypes.RuntimeProvidedal2,
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(t, "rawrt", "bootstrap")},
	})
	if m := invokeOK(t, c, "rawrt", map[string]any{"hello": "raw"}); m["hello"] != "raw" {
		t.Errorf("echo = %v", m)
	}
	out := invokeRaw(t, c, "rawrt", "not-json-error")
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "plain failure") {
		t.Errorf("error with a non-JSON body: %v %s", out.FunctionError, out.Payload)
	}
	if m := invokeOK(t, c, "rawrt", map[string]any{"again": true}); m["again"] != true {
		t.Errorf("echo after error = %v", m)
	}
}

func TestUnknownOperation(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	_, err := lambdaClient(s).ListAliases(context.Background(), &lambda.ListAliasesInput{FunctionName: aws.String("x")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnknownOperationException" {
		t.Errorf("unsupported operation: %v", err)
	}
}
