// Package provisiontest builds app bundles and runs a local AWS (S3 from
// test/s3test, Lambda and IAM from localaws) for tests and demos of
// provisioning.
//
//	env := provisiontest.NewEnv(t, provisiontest.InProcess) // or MinIO (skips when unavailable)
//	path := provisiontest.WriteBundle(t, provisiontest.AppBundle(t, "com.example.hello", "v1", "code-v1"))
//	p, _ := provision.New(env.Clients, provision.Options{})
//	...
//	status, resp := env.Call(t, lambdaName, "/ping")
package provisiontest

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
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/localaws"
	"github.com/mattermost-community/apps-plugin/provision"
	"github.com/mattermost-community/apps-plugin/test/s3test"
)

// File is a file in a zip.
type File struct {
	Name string
	Data []byte
	Mode fs.FileMode // default 0644
}

// Zip builds a zip of files (deflated).
func Zip(tb testing.TB, files ...File) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate}
		mode := f.Mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		h.Modified = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		w, err := zw.CreateHeader(h)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(f.Data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

var appsFunction struct {
	once sync.Once
	bin  []byte
	err  error
}

// ModuleRoot is the directory of the module's go.mod.
func ModuleRoot(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command(goTool(), "env", "GOMOD").Output()
	if err != nil {
		tb.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		tb.Fatal("provisiontest: not inside the module")
	}
	return filepath.Dir(gomod)
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

// AppsFunction is the executable of localaws/testdata/functions/apps (an
// aws-lambda-go + httpadapter function answering the Apps call shape: POST
// /ping → {"type":"ok","markdown":"PONG","data":{"version":<version.txt>}}),
// built once per process with CGO_ENABLED=0 for this machine.
func AppsFunction(tb testing.TB) []byte {
	tb.Helper()
	root := ModuleRoot(tb)
	appsFunction.once.Do(func() {
		dir, err := os.MkdirTemp("", "provisiontest-")
		if err != nil {
			appsFunction.err = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "apps")
		cmd := exec.Command(goTool(), "build", "-ldflags=-s -w", "-o", out, "./localaws/testdata/functions/apps")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			appsFunction.err = errors.New("build the apps test function: " + err.Error() + "\n" + string(b))
			return
		}
		appsFunction.bin, appsFunction.err = os.ReadFile(out)
	})
	if appsFunction.err != nil {
		tb.Fatal(appsFunction.err)
	}
	return appsFunction.bin
}

// FunctionZip zips the apps test function as entry (e.g. "bootstrap"),
// with version.txt = codeVersion (what /ping reports as data.version).
func FunctionZip(tb testing.TB, entry, codeVersion string) []byte {
	tb.Helper()
	return Zip(tb,
		File{Name: entry, Data: AppsFunction(tb), Mode: 0o755},
		File{Name: "version.txt", Data: []byte(codeVersion + "\n")},
	)
}

// Function is a function of a bundle.
type Function struct {
	Name, Path, Runtime, Handler string
	Zip                          []byte
}

// Spec describes a bundle.
type Spec struct {
	AppID, Version string
	Functions      []Function
	Static         []File // under static/
	// Manifest replaces the generated manifest.json when not nil.
	Manifest []byte
	// Extra files at the root.
	Extra []File
}

// ManifestJSON is the manifest of spec.
func ManifestJSON(spec Spec) []byte {
	m := apps.Manifest{
		AppID:       apps.AppID(spec.AppID),
		Version:     apps.AppVersion(spec.Version),
		DisplayName: "Test app " + spec.AppID,
		HomepageURL: "https://example.com/" + spec.AppID,
		AWSLambda:   &apps.AWSLambda{},
	}
	for _, f := range spec.Functions {
		m.AWSLambda.Functions = append(m.AWSLambda.Functions, apps.AWSLambdaFunction{Path: f.Path, Name: f.Name, Handler: f.Handler, Runtime: f.Runtime})
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

// Bundle zips a bundle: manifest.json, static/..., <function>.zip.
func Bundle(tb testing.TB, spec Spec) []byte {
	tb.Helper()
	man := spec.Manifest
	if man == nil {
		man = ManifestJSON(spec)
	}
	files := []File{{Name: "manifest.json", Data: man}}
	for _, f := range spec.Functions {
		files = append(files, File{Name: f.Name + ".zip", Data: f.Zip})
	}
	for _, s := range spec.Static {
		s.Name = "static/" + s.Name
		files = append(files, s)
	}
	files = append(files, spec.Extra...)
	return Zip(tb, files...)
}

// AppSpec is a bundle of one provided.al2023 function "go-function" (path
// "/") running the apps test function with version.txt = codeVersion, and
// static files icon.png, "file with spaces.txt" and docs/readme.md.
func AppSpec(tb testing.TB, appID, version, codeVersion string) Spec {
	tb.Helper()
	return Spec{
		AppID:   appID,
		Version: version,
		Functions: []Function{{
			Name: "go-function", Path: "/", Runtime: "provided.al2023", Handler: "bootstrap",
			Zip: FunctionZip(tb, "bootstrap", codeVersion),
		}},
		Static: []File{
			{Name: "icon.png", Data: append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 3}, 300)...)},
			{Name: "file with spaces.txt", Data: []byte("static pong " + appID)},
			{Name: "docs/readme.md", Data: []byte("# " + appID + "\n")},
		},
	}
}

// Go1xSpec is AppSpec with the function packaged for go1.x: the executable
// named "hello", handler "hello".
func Go1xSpec(tb testing.TB, appID, version, codeVersion string) Spec {
	tb.Helper()
	s := AppSpec(tb, appID, version, codeVersion)
	s.Functions[0].Runtime, s.Functions[0].Handler = "go1.x", "hello"
	s.Functions[0].Zip = FunctionZip(tb, "hello", codeVersion)
	return s
}

// CanConvertGo1x reports whether the test function built here can stand in
// for a go1.x binary (linux/amd64).
func CanConvertGo1x() bool { return runtime.GOOS == "linux" && runtime.GOARCH == "amd64" }

// WriteBundle writes data to a temporary file and returns its path.
func WriteBundle(tb testing.TB, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "bundle.zip")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// S3Kind selects the S3 server of an Env.
type S3Kind string

// S3 servers.
const (
	MinIO     S3Kind = "minio"
	InProcess S3Kind = "inprocess"
)

// Env is a local AWS: S3 (MinIO or in-process), Lambda and IAM (localaws),
// with the bucket, execute role and invoke policy created by provision.Init.
type Env struct {
	Kind    S3Kind
	S3      *s3test.Server
	Lambda  *localaws.Server
	Config  provision.Config
	Clients *provision.Clients
	Bucket  string
}

// EnvOptions configure NewEnvWith.
type EnvOptions struct {
	// NoInit skips provision.Init (no bucket, role or policy).
	NoInit bool
	// Bucket; default "mattermost-apps-bucket".
	Bucket string
}

// NewEnv starts an Env (MinIO skips the test when unavailable) and runs
// provision.Init. Everything is stopped at cleanup.
func NewEnv(tb testing.TB, kind S3Kind) *Env {
	tb.Helper()
	return NewEnvWith(tb, kind, EnvOptions{})
}

// NewEnvWith is NewEnv with options.
func NewEnvWith(tb testing.TB, kind S3Kind, opts EnvOptions) *Env {
	tb.Helper()
	var s *s3test.Server
	switch kind {
	case MinIO:
		s = s3test.StartMinIO(tb)
	case InProcess:
		s = s3test.StartInProcess(tb)
	default:
		tb.Fatalf("provisiontest: unknown S3 kind %q", kind)
	}
	srv, err := localaws.Start(context.Background(), localaws.Options{Dir: tb.TempDir(), Region: s.Region, MaxInstances: 2})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := srv.Close(); err != nil {
			tb.Errorf("localaws: close: %v", err)
		}
	})
	bucket := opts.Bucket
	if bucket == "" {
		bucket = provision.DefaultBucket
	}
	cfg := provision.Config{
		Region:         s.Region,
		Bucket:         bucket,
		AccessKey:      s.AccessKey,
		SecretKey:      s.SecretKey,
		S3Endpoint:     s.Endpoint,
		LambdaEndpoint: srv.URL(),
		IAMEndpoint:    srv.URL(),
		// A freshly started MinIO may answer 503 for a moment.
		RetryMaxAttempts: 5,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clients, err := cfg.NewClients(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	e := &Env{Kind: kind, S3: s, Lambda: srv, Config: cfg, Clients: clients, Bucket: bucket}
	if !opts.NoInit {
		if _, err := provision.Init(ctx, clients, provision.InitOptions{}); err != nil {
			tb.Fatalf("provision.Init: %v", err)
		}
	}
	return e
}

// Environ is the environment for appsctl to use this Env: credentials,
// bucket, region and the SDK's endpoint variables.
func (e *Env) Environ() map[string]string {
	return map[string]string{
		provision.EnvAccessKey:      e.S3.AccessKey,
		provision.EnvSecretKey:      e.S3.SecretKey,
		provision.EnvBucket:         e.Bucket,
		provision.EnvRegion:         e.S3.Region,
		"AWS_ENDPOINT_URL_S3":       e.S3.Endpoint,
		"AWS_ENDPOINT_URL_LAMBDA":   e.Lambda.URL(),
		"AWS_ENDPOINT_URL_IAM":      e.Lambda.URL(),
		"AWS_ENDPOINT_URL_STS":      e.Lambda.URL(),
		"AWS_EC2_METADATA_DISABLED": "true",
	}
}

// Call invokes a function with an Apps call to path (the payload the
// plugin sends) and returns the HTTP status and the decoded CallResponse.
func (e *Env) Call(tb testing.TB, function, path string) (int, map[string]any) {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"path": path, "context": map[string]any{"acting_user": map[string]any{"username": "tester"}}})
	payload, _ := json.Marshal(apps.HTTPCallRequest{Path: path, HTTPMethod: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: string(body)})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := e.Clients.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(function), Payload: payload})
	if err != nil {
		tb.Fatalf("invoke %s: %v", function, err)
	}
	if out.FunctionError != nil {
		tb.Fatalf("invoke %s: function error %s: %s", function, *out.FunctionError, out.Payload)
	}
	var resp apps.HTTPCallResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		tb.Fatalf("invoke %s: %s: %v", function, out.Payload, err)
	}
	var cr map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &cr); err != nil {
		tb.Fatalf("invoke %s: body %q: %v", function, resp.Body, err)
	}
	return resp.StatusCode, cr
}

// Keys lists the bucket's keys, sorted.
func (e *Env) Keys(tb testing.TB) []string {
	tb.Helper()
	keys := e.S3.Keys(tb, e.Bucket, "")
	sort.Strings(keys)
	return keys
}

// Functions lists the Lambda functions by name.
func (e *Env) Functions(tb testing.TB) map[string]lambdatypes.FunctionConfiguration {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := map[string]lambdatypes.FunctionConfiguration{}
	pg := lambda.NewListFunctionsPaginator(e.Clients.Lambda, &lambda.ListFunctionsInput{})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range page.Functions {
			out[aws.ToString(f.FunctionName)] = f
		}
	}
	return out
}
