package upaws_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/mattermost-community/apps-plugin/localaws"
)

const (
	testAccessKey = "AKIAUPAWSTEST1234"
	testSecretKey = "upaws-test-secret"
	testRole      = "arn:aws:iam::000000000000:role/mattermost-apps-execute-lambda-role"
)

// buildFunctionZip builds testdata/fn as a provided.al2023 function
// (static binary named bootstrap) and zips it.
func buildFunctionZip(t testing.TB) []byte {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building the test function needs the go tool: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command(goTool, "build", "-ldflags=-s -w", "-o", bin, "./testdata/fn")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build test function: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// startLocalAWS starts the local Lambda emulator for the test.
func startLocalAWS(t testing.TB) *localaws.Server {
	t.Helper()
	srv, err := localaws.Start(context.Background(), localaws.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close localaws: %v", err)
		}
	})
	return srv
}

// adminLambda is a Lambda client for deploying test functions (what appsctl
// would do).
func adminLambda(srv *localaws.Server) *lambda.Client {
	cfg := aws.Config{
		Region:           srv.Region(),
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		HTTPClient:       awshttp.NewBuildableClient(),
		RetryMaxAttempts: 1,
	}
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
}

func createFunction(t testing.TB, c *lambda.Client, name string, zipData []byte) {
	t.Helper()
	_, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Role:         aws.String(testRole),
		Runtime:      lambdatypes.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Code:         &lambdatypes.FunctionCode{ZipFile: zipData},
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}
