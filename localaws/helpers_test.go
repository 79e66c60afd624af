package localaws

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const testRole = "arn:aws:iam::000000000000:role/mattermost-apps-execute-lambda-role"

// The test functions under testdata/functions are built once per test binary.
var testFunctions struct {
	once sync.Once
	dir  string
	err  error
	zips sync.Map // zipKey -> []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testFunctions.dir != "" {
		_ = os.RemoveAll(testFunctions.dir)
	}
	os.Exit(code)
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

// functionBinary returns the path of the built test function name.
func functionBinary(tb testing.TB, name string) string {
	tb.Helper()
	testFunctions.once.Do(func() {
		dir, err := os.MkdirTemp("", "localaws-functions-")
		if err != nil {
			testFunctions.err = err
			return
		}
		testFunctions.dir = dir
		cmd := exec.Command(goTool(), "build", "-ldflags=-s -w", "-o", dir+string(filepath.Separator), "./testdata/functions/...")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			testFunctions.err = errors.New("build test functions: " + err.Error() + "\n" + string(out))
		}
	})
	if testFunctions.err != nil {
		tb.Fatal(testFunctions.err)
	}
	return filepath.Join(testFunctions.dir, name)
}

type zipFile struct {
	name     string
	data     []byte
	mode     fs.FileMode
	compress bool
}

func makeZip(tb testing.TB, files ...zipFile) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Store}
		if f.compress {
			h.Method = zip.Deflate
		}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// functionZip zips test function fn as entry (e.g. "bootstrap"), with extra
// text files.
func functionZip(tb testing.TB, fn, entry string, extra ...string) []byte {
	tb.Helper()
	key := fn + "|" + entry + "|" + strings.Join(extra, "|")
	if z, ok := testFunctions.zips.Load(key); ok {
		return z.([]byte)
	}
	bin, err := os.ReadFile(functionBinary(tb, fn))
	if err != nil {
		tb.Fatal(err)
	}
	files := []zipFile{{name: entry, data: bin, mode: 0o755, compress: true}}
	for i := 0; i+1 < len(extra); i += 2 {
		files = append(files, zipFile{name: extra[i], data: []byte(extra[i+1]), mode: 0o644})
	}
	z := makeZip(tb, files...)
	testFunctions.zips.Store(key, z)
	return z
}

// startServer starts a server and, at cleanup, closes it and checks that no
// instance process it started is left.
func startServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.Dir == "" {
		opts.Dir = tb.TempDir()
	}
	s, err := Start(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
		for _, pid := range s.startedPIDs() {
			if !processGone(pid) {
				tb.Errorf("instance process %d is still running after Close", pid)
			}
		}
	})
	return s
}

func awsConfig(s *Server) aws.Config {
	return aws.Config{
		Region:           s.Region(),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIALOCALTEST", "secret", ""),
		HTTPClient:       awshttp.NewBuildableClient(),
		RetryMaxAttempts: 1,
	}
}

func lambdaClient(s *Server) *lambda.Client {
	return lambda.NewFromConfig(awsConfig(s), func(o *lambda.Options) { o.BaseEndpoint = aws.String(s.URL()) })
}

func iamClient(s *Server) *iam.Client {
	return iam.NewFromConfig(awsConfig(s), func(o *iam.Options) { o.BaseEndpoint = aws.String(s.URL()) })
}

func createFunction(tb testing.TB, c *lambda.Client, in *lambda.CreateFunctionInput) *lambda.CreateFunctionOutput {
	tb.Helper()
	if in.Role == nil {
		in.Role = aws.String(testRole)
	}
	if in.Runtime == "" {
		in.Runtime = lambdatypes.RuntimeProvidedal2023
	}
	if in.Handler == nil {
		in.Handler = aws.String("bootstrap")
	}
	out, err := c.CreateFunction(context.Background(), in)
	if err != nil {
		tb.Fatalf("CreateFunction %s: %v", aws.ToString(in.FunctionName), err)
	}
	return out
}

func invokeRaw(tb testing.TB, c *lambda.Client, name string, payload any) *lambda.InvokeOutput {
	tb.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: b})
	if err != nil {
		tb.Fatalf("Invoke %s: %v", name, err)
	}
	return out
}

// invokeOK invokes and decodes a successful payload into a map.
func invokeOK(tb testing.TB, c *lambda.Client, name string, payload any) map[string]any {
	tb.Helper()
	out := invokeRaw(tb, c, name, payload)
	if out.FunctionError != nil {
		tb.Fatalf("Invoke %s: function error %s: %s", name, *out.FunctionError, out.Payload)
	}
	var m map[string]any
	if err := json.Unmarshal(out.Payload, &m); err != nil {
		tb.Fatalf("Invoke %s: decode %q: %v", name, out.Payload, err)
	}
	return m
}

// invokeError invokes expecting a function error and returns its payload.
func invokeError(tb testing.TB, c *lambda.Client, name string, payload any) (errType, errMsg string) {
	tb.Helper()
	out := invokeRaw(tb, c, name, payload)
	if out.FunctionError == nil || *out.FunctionError != "Unhandled" {
		tb.Fatalf("Invoke %s: want X-Amz-Function-Error Unhandled, got %v (payload %s)", name, out.FunctionError, out.Payload)
	}
	var e struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(out.Payload, &e); err != nil {
		tb.Fatalf("Invoke %s: decode error payload %q: %v", name, out.Payload, err)
	}
	return e.ErrorType, e.ErrorMessage
}

func pidOf(tb testing.TB, m map[string]any) int {
	tb.Helper()
	if d, ok := m["data"].(map[string]any); ok {
		m = d
	}
	f, ok := m["pid"].(float64)
	if !ok {
		tb.Fatalf("no pid in %v", m)
	}
	return int(f)
}

// processGone reports whether pid no longer runs (zombies count as gone).
func processGone(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err == nil {
		s := string(data)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
			st := s[i+2]
			return st == 'Z' || st == 'X'
		}
		return false
	}
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func waitGone(tb testing.TB, pids ...int) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for !processGone(pid) {
			if time.Now().After(deadline) {
				tb.Fatalf("process %d still running", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// appsCall builds the API-Gateway-proxy payload the Apps plugin sends.
func appsCall(tb testing.TB, path string, call any) map[string]any {
	tb.Helper()
	body, err := json.Marshal(call)
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]any{
		"path":       path,
		"httpMethod": "POST",
		"headers":    map[string]string{"Content-Type": "application/json"},
		"body":       string(body),
	}
}

// appsResponse decodes the proxy response and its CallResponse body.
func appsResponse(tb testing.TB, m map[string]any) map[string]any {
	tb.Helper()
	if code, _ := m["statusCode"].(float64); code != 200 {
		tb.Fatalf("statusCode %v, response %v", m["statusCode"], m)
	}
	body, _ := m["body"].(string)
	var resp map[string]any
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		tb.Fatalf("decode call response %q: %v", body, err)
	}
	return resp
}
