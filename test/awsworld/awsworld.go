// Package awsworld is AWS on this machine for tests and the demo: an S3
// (MinIO or in-process) and the local Lambda, with helpers to put an example
// app's function, static files and manifest where the plugin looks for them.
package awsworld

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/localaws"
	"github.com/mattermost-community/apps-plugin/test/s3test"
)

// Bucket is the bucket the plugin reads (its default name).
const Bucket = "mattermost-apps-bucket"

// World is a running S3 and Lambda.
type World struct {
	S3     *s3test.Server
	Lambda *localaws.Server
	dir    string
}

// New starts the local Lambda next to s3 and creates the bucket.
func New(ctx context.Context, s3srv *s3test.Server) (*World, error) {
	dir, err := os.MkdirTemp("", "awsworld-")
	if err != nil {
		return nil, err
	}
	lam, err := localaws.Start(ctx, localaws.Options{Dir: filepath.Join(dir, "lambda")})
	if err != nil {
		return nil, fmt.Errorf("start the local Lambda: %w", err)
	}
	w := &World{S3: s3srv, Lambda: lam, dir: dir}
	if _, err := s3srv.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(Bucket)}); err != nil {
		w.Close()
		return nil, fmt.Errorf("create bucket %s: %w", Bucket, err)
	}
	return w, nil
}

// Close stops the Lambda (the caller owns the S3 server).
func (w *World) Close() {
	_ = w.Lambda.Close()
	_ = os.RemoveAll(w.dir)
}

// PluginEnv is the environment that points the plugin at this world.
func (w *World) PluginEnv() []string {
	return []string{
		"MM_APPS_AWS_ACCESS_KEY=" + w.S3.AccessKey,
		"MM_APPS_AWS_SECRET_KEY=" + w.S3.SecretKey,
		"MM_APPS_AWS_REGION=" + w.S3.Region,
		"MM_APPS_S3_BUCKET=" + Bucket,
		"AWS_ENDPOINT_URL_S3=" + w.S3.Endpoint,
		"AWS_ENDPOINT_URL_LAMBDA=" + w.Lambda.URL(),
	}
}

// LambdaClient is an SDK client for the local Lambda.
func (w *World) LambdaClient() *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       w.S3.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(w.S3.AccessKey, w.S3.SecretKey, ""),
		BaseEndpoint: aws.String(w.Lambda.URL()),
	})
}

// BuildFunctionZip compiles the Go package in srcDir for Lambda
// (linux/amd64, no cgo) and zips it as "bootstrap".
func BuildFunctionZip(srcDir, workDir string) ([]byte, error) {
	out := filepath.Join(workDir, "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = srcDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build %s: %w\n%s", srcDir, err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	hdr.SetMode(0o755)
	f, err := zw.CreateHeader(hdr)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(bin); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ProvisionExample puts the example app in exampleDir (main package,
// manifest.json, static/) into this world: one function per manifest
// function (all built from the same package), the static files and, last,
// the manifest. It returns the manifest.
func (w *World) ProvisionExample(ctx context.Context, exampleDir string) (*apps.Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(exampleDir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	m, err := apps.DecodeManifest(raw)
	if err != nil {
		return nil, err
	}
	if m.AWSLambda == nil {
		return nil, fmt.Errorf("%s is not a Lambda app", exampleDir)
	}
	work, err := os.MkdirTemp(w.dir, "build-")
	if err != nil {
		return nil, err
	}
	zipped, err := BuildFunctionZip(exampleDir, work)
	if err != nil {
		return nil, err
	}
	lc := w.LambdaClient()
	for _, f := range m.AWSLambda.Functions {
		name := apps.LambdaName(m.AppID, m.Version, f.Name)
		_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: lambdatypes.Runtime(f.Runtime), Handler: aws.String(f.Handler),
			Role: aws.String("arn:aws:iam::000000000000:role/mattermost-apps-execute-lambda-role"),
			Code: &lambdatypes.FunctionCode{ZipFile: zipped},
		})
		if err != nil && !strings.Contains(err.Error(), "ResourceConflict") {
			return nil, fmt.Errorf("create function %s: %w", name, err)
		}
	}
	staticDir := filepath.Join(exampleDir, "static")
	entries, _ := os.ReadDir(staticDir)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := os.ReadFile(filepath.Join(staticDir, e.Name()))
		if err != nil {
			return nil, err
		}
		if err := w.put(ctx, apps.StaticS3Key(m.AppID, m.Version, e.Name()), body); err != nil {
			return nil, err
		}
	}
	if err := w.put(ctx, apps.ManifestS3Key(m.AppID, m.Version), raw); err != nil {
		return nil, err
	}
	return m, nil
}

// PutManifest stores raw at manifests/<id>_<version>.json.
func (w *World) PutManifest(ctx context.Context, id, version string, raw []byte) error {
	return w.put(ctx, apps.ManifestS3Key(apps.AppID(id), apps.AppVersion(version)), raw)
}

func (w *World) put(ctx context.Context, key string, body []byte) error {
	_, err := w.S3.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(Bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", Bucket, key, err)
	}
	return nil
}
