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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/apps/bundle"
	"github.com/mattermost-community/apps-plugin/localaws"
	"github.com/mattermost-community/apps-plugin/provision"
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

// BuildExampleBundle builds the bundle of the example app in exampleDir (a
// main package, manifest.json, static/): one function zip per manifest
// function, all built from the package, zipped with the manifest and the
// static files, as an app developer would ship it. It returns the path.
func (w *World) BuildExampleBundle(exampleDir string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(exampleDir, "manifest.json"))
	if err != nil {
		return "", err
	}
	m, err := apps.DecodeManifest(raw)
	if err != nil {
		return "", err
	}
	if m.AWSLambda == nil {
		return "", fmt.Errorf("%s is not a Lambda app", exampleDir)
	}
	work, err := os.MkdirTemp(w.dir, "build-")
	if err != nil {
		return "", err
	}
	fn, err := BuildFunctionZip(exampleDir, work)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) error {
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	if err := add("manifest.json", raw); err != nil {
		return "", err
	}
	for _, f := range m.AWSLambda.Functions {
		if err := add(f.Name+".zip", fn); err != nil {
			return "", err
		}
	}
	entries, _ := os.ReadDir(filepath.Join(exampleDir, "static"))
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(exampleDir, "static", e.Name()))
		if err != nil {
			return "", err
		}
		if err := add("static/"+e.Name(), data); err != nil {
			return "", err
		}
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	path := filepath.Join(work, string(m.AppID)+"-bundle.zip")
	return path, os.WriteFile(path, buf.Bytes(), 0o644)
}

// ProvisionConfig is appsctl's configuration for this world.
func (w *World) ProvisionConfig() provision.Config {
	return provision.Config{
		Region: w.S3.Region, Bucket: Bucket, AccessKey: w.S3.AccessKey, SecretKey: w.S3.SecretKey,
		S3Endpoint: w.S3.Endpoint, LambdaEndpoint: w.Lambda.URL(), IAMEndpoint: w.Lambda.URL(),
	}
}

// ProvisionExample builds the example app's bundle and provisions it with
// appsctl's provisioner (after appsctl aws init), as an operator would.
// onEvent, if set, receives appsctl's progress events.
func (w *World) ProvisionExample(ctx context.Context, exampleDir string, onEvent func(provision.Event)) (*apps.Manifest, error) {
	path, err := w.BuildExampleBundle(exampleDir)
	if err != nil {
		return nil, err
	}
	clients, err := w.ProvisionConfig().NewClients(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := provision.Init(ctx, clients, provision.InitOptions{}); err != nil {
		return nil, fmt.Errorf("appsctl aws init: %w", err)
	}
	p, err := provision.New(clients, provision.Options{OnEvent: onEvent})
	if err != nil {
		return nil, err
	}
	b, err := bundle.Open(path)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if _, err := p.Provision(ctx, b, false); err != nil {
		return nil, fmt.Errorf("appsctl provision app: %w", err)
	}
	return b.Manifest, nil
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
