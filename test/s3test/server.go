package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Region is the region both servers run in.
const Region = "us-east-1"

// opTimeout bounds each helper call.
const opTimeout = 30 * time.Second

// Server is a running S3 server: MinIO ([NewMinIO]) or in-process
// ([NewInProcess]). Its fields are read-only.
type Server struct {
	// Endpoint is the base URL, e.g. "http://127.0.0.1:34567".
	Endpoint string
	// AccessKey and SecretKey are the server's (only, root) credentials.
	AccessKey string
	SecretKey string
	// Region is always "us-east-1".
	Region string

	close     func() error
	closeOnce sync.Once
	closeErr  error
	minio     *minioProc // NewMinIO
	fake      *fakeS3    // NewInProcess

	helperOnce sync.Once
	helper     *s3.Client // for CreateBucket, Put, Get, Keys
}

func (s *Server) helperClient() *s3.Client {
	s.helperOnce.Do(func() { s.helper = s.Client() })
	return s.helper
}

// Close stops the server and removes its data. It is safe to call more than
// once (and concurrently); later calls return the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

// AWSConfig is a config for this server: static credentials, region and
// BaseEndpoint; checksum settings and the HTTP client are the SDK's defaults.
// S3 clients made from it must set UsePathStyle (see [Server.Client]).
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       s.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		BaseEndpoint: aws.String(s.Endpoint),
	}
}

// Client is an S3 client for this server (path-style addressing, see
// [Server.AWSConfig]); optFns adjust it further, e.g. [UnsignedPayload].
func (s *Server) Client(optFns ...func(*s3.Options)) *s3.Client {
	opts := append([]func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }}, optFns...)
	return s3.NewFromConfig(s.AWSConfig(), opts...)
}

// UnsignedPayload is an s3.Options function for uploading bodies that can't
// seek (pipes, io.MultiReader...) over plain HTTP: the SDK then signs
// UNSIGNED-PAYLOAD instead of the body's SHA-256 and computes checksums only
// where an operation requires them. Without it, such a PutObject fails in
// the SDK with "request stream is not seekable" or "unseekable stream is not
// supported without TLS and trailing checksum". Seekable bodies
// (*bytes.Reader, *os.File, *strings.Reader) need nothing.
func UnsignedPayload(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
}

// Env is the environment for a process that loads its AWS config from the
// environment (config.LoadDefaultConfig) to reach this server: credentials,
// region, AWS_ENDPOINT_URL_S3, no IMDS. The process must still use
// path-style addressing (s3.Options.UsePathStyle; there is no variable for
// it in aws-sdk-go-v2).
func (s *Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_SESSION_TOKEN=",
		"AWS_PROFILE=",
		"AWS_REGION=" + s.Region,
		"AWS_ENDPOINT_URL_S3=" + s.Endpoint,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// CreateBucket creates a bucket or fails the test.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if _, err := s.helperClient().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("s3test: create bucket %q: %v", name, err)
	}
}

// Put stores an object or fails the test.
func (s *Server) Put(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	_, err := s.helperClient().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket),
		Key:    aws.String(key),
		Body:   bytes.NewReader(body),
	})
	if err != nil {
		t.Fatalf("s3test: put %s/%s: %v", bucket, key, err)
	}
}

// Get reads an object or fails the test.
func (s *Server) Get(t testing.TB, bucket, key string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	out, err := s.helperClient().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("s3test: get %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("s3test: get %s/%s: %v", bucket, key, err)
	}
	return b
}

// Keys lists every key under prefix (all pages, in S3's order) or fails the
// test.
func (s *Server) Keys(t testing.TB, bucket, prefix string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	keys, err := listKeys(ctx, s.helperClient(), bucket, prefix)
	if err != nil {
		t.Fatalf("s3test: list %s/%s: %v", bucket, prefix, err)
	}
	return keys
}

func listKeys(ctx context.Context, c *s3.Client, bucket, prefix string) ([]string, error) {
	keys := []string{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// randomKey is n random bytes in hex.
func randomKey(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

func newCredentials() (access, secret string) {
	// MinIO: access key 3..20 characters, secret key 8..40.
	return "AK" + randomKey(9), randomKey(20)
}

// newServer is a Server with fresh credentials; the caller sets Endpoint
// and close.
func newServer() *Server {
	access, secret := newCredentials()
	return &Server{AccessKey: access, SecretKey: secret, Region: Region}
}
