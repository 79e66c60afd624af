package s3test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

var kinds = []struct {
	name  string
	start func(testing.TB) *Server
	keys  int // objects for the pagination test (> 1000: more than one page)
}{
	{"inprocess", StartInProcess, 2500},
	{"minio", StartMinIO, 1100},
}

func TestServers(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			start := time.Now()
			s := k.start(t)
			t.Logf("%s ready in %v at %s", k.name, time.Since(start).Round(time.Millisecond), s.Endpoint)
			if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") || s.Region != "us-east-1" || s.AccessKey == "" || s.SecretKey == "" {
				t.Fatalf("server fields: %+v", s)
			}
			t.Run("PutGetList", func(t *testing.T) { testPutGetList(t, s) })
			t.Run("Uploads", func(t *testing.T) { testUploads(t, s) })
			t.Run("AWSChunked", func(t *testing.T) { testAWSChunked(t, s) })
			t.Run("Multipart", func(t *testing.T) { testMultipart(t, s) })
			t.Run("Tagging", func(t *testing.T) { testTagging(t, s) })
			t.Run("Credentials", func(t *testing.T) { testCredentials(t, s) })
			t.Run("Presigned", func(t *testing.T) { testPresigned(t, s) })
			t.Run("Pagination", func(t *testing.T) { testPagination(t, s, k.keys) })
		})
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func testPutGetList(t *testing.T, s *Server) {
	s.CreateBucket(t, "basic")
	objects := map[string][]byte{
		"apps/hello/manifest.json":  []byte(`{"app_id":"hello"}`),
		"apps/hello/static/a b.png": bytes.Repeat([]byte{0, 1, 2, 255}, 1000),
		"apps/hellö/ü+~*.txt":       []byte("unicode, plus, tilde"),
		"other/x":                   {},
	}
	for k, v := range objects {
		s.Put(t, "basic", k, v)
	}
	for k, v := range objects {
		if got := s.Get(t, "basic", k); !bytes.Equal(got, v) {
			t.Errorf("get %q: %d bytes, want %d", k, len(got), len(v))
		}
	}
	if got, want := s.Keys(t, "basic", "apps/"), []string{"apps/hello/manifest.json", "apps/hello/static/a b.png", "apps/hellö/ü+~*.txt"}; !slices.Equal(got, want) {
		t.Errorf("keys apps/ = %q, want %q", got, want)
	}
	if got := s.Keys(t, "basic", "none/"); len(got) != 0 {
		t.Errorf("keys none/ = %q", got)
	}

	// Overwrite, head, delete, missing key.
	c := s.Client()
	s.Put(t, "basic", "other/x", []byte("v2"))
	head, err := c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String("basic"), Key: aws.String("other/x")})
	if err != nil || aws.ToInt64(head.ContentLength) != 2 {
		t.Fatalf("head: %v %+v", err, head)
	}
	if _, err := c.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: aws.String("basic"), Key: aws.String("other/x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("basic"), Key: aws.String("other/x")})
	if code := apiCode(err); code != "NoSuchKey" {
		t.Errorf("get deleted: %v (code %q), want NoSuchKey", err, code)
	}
	_, err = c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
	if code := apiCode(err); code != "NoSuchBucket" {
		t.Errorf("list missing bucket: %v (code %q), want NoSuchBucket", err, code)
	}
}

// testUploads puts objects with the SDK's default checksum settings (CRC32
// or the chosen algorithm, sent as a header over plain HTTP), with checksums
// "when required", and from a stream (UnsignedPayload).
func testUploads(t *testing.T, s *Server) {
	s.CreateBucket(t, "uploads")
	defaults := s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
	whenRequired := s.Client(func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	unsigned := s.Client(UnsignedPayload)
	body := bytes.Repeat([]byte("0123456789abcdef"), 70_000) // > 1 MiB
	cases := []struct {
		name   string
		client *s3.Client
		in     *s3.PutObjectInput
	}{
		{"default", defaults, &s3.PutObjectInput{Body: bytes.NewReader(body)}},
		{"default-sha256", defaults, &s3.PutObjectInput{Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmSha256}},
		{"default-crc64nvme", defaults, &s3.PutObjectInput{Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme}},
		{"default-crc32c-empty", defaults, &s3.PutObjectInput{Body: bytes.NewReader(nil), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c}},
		{"when-required", whenRequired, &s3.PutObjectInput{Body: bytes.NewReader(body)}},
		{"when-required-sha1", whenRequired, &s3.PutObjectInput{Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmSha1}},
		{"stream-unsigned-payload", unsigned, &s3.PutObjectInput{Body: io.MultiReader(bytes.NewReader(body)), ContentLength: aws.Int64(int64(len(body)))}},
		{"stream-unsigned-payload-sha256", unsigned, &s3.PutObjectInput{Body: io.MultiReader(bytes.NewReader(body)), ContentLength: aws.Int64(int64(len(body))), ChecksumSHA256: aws.String(sha256b64(body))}},
	}
	for _, tc := range cases {
		tc.in.Bucket, tc.in.Key = aws.String("uploads"), aws.String(tc.name)
		if _, err := tc.client.PutObject(ctx(t), tc.in); err != nil {
			t.Errorf("put %s: %v", tc.name, err)
			continue
		}
		out, err := tc.client.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("uploads"), Key: aws.String(tc.name)})
		if err != nil {
			t.Errorf("get %s: %v", tc.name, err)
			continue
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		want := body
		if strings.HasSuffix(tc.name, "-empty") {
			want = []byte{}
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("get %s: %d bytes (err %v), want %d", tc.name, len(got), err, len(want))
		}
	}
	// A wrong checksum is refused.
	_, err := s.Client().PutObject(ctx(t), &s3.PutObjectInput{
		Bucket: aws.String("uploads"), Key: aws.String("bad"), Body: bytes.NewReader(body),
		ChecksumCRC32: aws.String("AAAAAA=="),
	})
	if code := apiCode(err); code != "BadDigest" && code != "XAmzContentChecksumMismatch" {
		t.Errorf("put with a wrong CRC32: %v (code %q), want BadDigest", err, code)
	}
}

// testAWSChunked sends aws-chunked bodies with a trailing checksum, as the
// SDK does over HTTPS (and other clients do over HTTP), signed by hand.
func testAWSChunked(t *testing.T, s *Server) {
	s.CreateBucket(t, "chunked")
	body := bytes.Repeat([]byte("chunked-body-"), 10_000)
	crc := crc32.ChecksumIEEE(body)
	good := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc))
	bad := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc+1))
	for _, tc := range []struct {
		key, checksum string
		wantStatus    int
	}{{"good", good, 200}, {"bad", bad, 400}} {
		var enc bytes.Buffer
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 64<<10)
			fmt.Fprintf(&enc, "%x\r\n%s\r\n", n, rest[:n])
			rest = rest[n:]
		}
		fmt.Fprintf(&enc, "0\r\nx-amz-checksum-crc32:%s\r\n\r\n", tc.checksum)
		req, _ := http.NewRequest(http.MethodPut, s.Endpoint+"/chunked/"+tc.key, bytes.NewReader(enc.Bytes()))
		req.Header.Set("Content-Encoding", "aws-chunked")
		req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(body)))
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
		creds := aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey}
		if err := v4.NewSigner().SignHTTP(ctx(t), creds, req, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "s3", s.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantStatus {
			t.Errorf("aws-chunked put %s: %d %s, want %d", tc.key, resp.StatusCode, msg, tc.wantStatus)
		}
	}
	if got := s.Get(t, "chunked", "good"); !bytes.Equal(got, body) {
		t.Errorf("aws-chunked object: %d bytes, want %d", len(got), len(body))
	}
	out, err := s.Client().HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String("chunked"), Key: aws.String("good")})
	if err != nil {
		t.Fatal(err)
	}
	if ce := aws.ToString(out.ContentEncoding); strings.Contains(ce, "aws-chunked") {
		t.Errorf("Content-Encoding %q stored", ce)
	}
	if keys := s.Keys(t, "chunked", ""); !slices.Equal(keys, []string{"good"}) {
		t.Errorf("keys = %q, want [good]", keys)
	}
}

func testMultipart(t *testing.T, s *Server) {
	s.CreateBucket(t, "multi")
	c := s.Client()
	bucket, key := aws.String("multi"), aws.String("big.bin")
	up, err := c.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{bytes.Repeat([]byte{'a'}, 5<<20), []byte("tail")}
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := c.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	_, err = c.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Get(t, "multi", "big.bin"); !bytes.Equal(got, bytes.Join(parts, nil)) {
		t.Errorf("multipart object: %d bytes", len(got))
	}
}

func getTags(t *testing.T, c *s3.Client, bucket, key string) map[string]string {
	t.Helper()
	out, err := c.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get tagging %s: %v", key, err)
	}
	m := map[string]string{}
	for _, tg := range out.TagSet {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func testTagging(t *testing.T, s *Server) {
	c := s.Client()
	s.CreateBucket(t, "tags")
	s.Put(t, "tags", "bundle.zip", []byte("bundle"))
	if got := getTags(t, c, "tags", "bundle.zip"); len(got) != 0 {
		t.Errorf("new object tags = %v", got)
	}
	// What the appsctl deployer does.
	_, err := c.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{
		Bucket: aws.String("tags"), Key: aws.String("bundle.zip"),
		Tagging: &types.Tagging{TagSet: []types.Tag{
			{Key: aws.String("deployed_staging"), Value: aws.String("true")},
			{Key: aws.String("deployed_prod"), Value: aws.String("true")},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := getTags(t, c, "tags", "bundle.zip"), map[string]string{"deployed_staging": "true", "deployed_prod": "true"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tags = %v, want %v", got, want)
	}
	if h, err := c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String("tags"), Key: aws.String("bundle.zip")}); err != nil {
		t.Fatal(err)
	} else if out, err := c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("tags"), Key: aws.String("bundle.zip")}); err != nil {
		t.Fatal(err)
	} else {
		out.Body.Close()
		if aws.ToInt32(out.TagCount) != 2 {
			t.Errorf("GetObject TagCount = %d, want 2 (head: %v)", aws.ToInt32(out.TagCount), h.Metadata)
		}
	}

	// x-amz-tagging on PutObject; overwriting replaces the tags.
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("bundle.zip"),
		Body: bytes.NewReader([]byte("v2")), Tagging: aws.String("deployed_dev=true&note=a%20b")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := getTags(t, c, "tags", "bundle.zip"), map[string]string{"deployed_dev": "true", "note": "a b"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tags after put = %v, want %v", got, want)
	}
	// CopyObject copies tags unless told to replace them.
	_, err = c.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: aws.String("tags"), Key: aws.String("copy.zip"), CopySource: aws.String("tags/bundle.zip")})
	if err != nil {
		t.Fatal(err)
	}
	if got := getTags(t, c, "tags", "copy.zip"); got["deployed_dev"] != "true" {
		t.Errorf("copied tags = %v", got)
	}
	// Delete the tags, then the object.
	if _, err := c.DeleteObjectTagging(ctx(t), &s3.DeleteObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("bundle.zip")}); err != nil {
		t.Fatal(err)
	}
	if got := getTags(t, c, "tags", "bundle.zip"); len(got) != 0 {
		t.Errorf("tags after delete = %v", got)
	}
	_, err = c.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing.zip"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
	if code := apiCode(err); code != "NoSuchKey" {
		t.Errorf("tag a missing object: %v (code %q), want NoSuchKey", err, code)
	}
	_, err = c.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("copy.zip"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}}})
	if code := apiCode(err); code != "InvalidTag" {
		t.Errorf("duplicate tag keys: %v (code %q), want InvalidTag", err, code)
	}
}

func testCredentials(t *testing.T, s *Server) {
	s.CreateBucket(t, "private")
	s.Put(t, "private", "secret.txt", []byte("secret"))
	list := func(c *s3.Client) error {
		_, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String("private")})
		return err
	}
	if err := list(s.Client()); err != nil {
		t.Fatalf("right credentials: %v", err)
	}
	cases := []struct {
		name  string
		creds aws.CredentialsProvider
		codes []string
	}{
		{"wrong secret key", credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey+"x", ""), []string{"SignatureDoesNotMatch"}},
		{"wrong access key", credentials.NewStaticCredentialsProvider("AKWRONG"+s.AccessKey[7:], s.SecretKey, ""), []string{"InvalidAccessKeyId"}},
		{"anonymous", aws.AnonymousCredentials{}, []string{"AccessDenied"}},
	}
	for _, tc := range cases {
		c := s.Client(func(o *s3.Options) { o.Credentials = tc.creds })
		err := list(c)
		if !slices.Contains(tc.codes, apiCode(err)) {
			t.Errorf("%s: list = %v (code %q), want %v", tc.name, err, apiCode(err), tc.codes)
		}
		_, err = c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("private"), Key: aws.String("secret.txt")})
		if !slices.Contains(tc.codes, apiCode(err)) {
			t.Errorf("%s: get = %v (code %q), want %v", tc.name, err, apiCode(err), tc.codes)
		}
	}
	// Plain unsigned HTTP, and a forged Authorization header.
	for _, auth := range []string{"", "AWS4-HMAC-SHA256 Credential=" + s.AccessKey + "/20250101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64)} {
		req, _ := http.NewRequest(http.MethodGet, s.Endpoint+"/private/secret.txt", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
			req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || bytes.Contains(b, []byte("secret")) && !bytes.Contains(b, []byte("<Error>")) {
			t.Errorf("GET with Authorization %.30q: %d %s, want 403", auth, resp.StatusCode, b)
		}
	}
}

func testPresigned(t *testing.T, s *Server) {
	s.CreateBucket(t, "presign")
	s.Put(t, "presign", "static/app.js", []byte("console.log(1)"))
	ps := s3.NewPresignClient(s.Client())
	req, err := ps.PresignGetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String("static/app.js")},
		s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(req.URL); code != 200 || body != "console.log(1)" {
		t.Errorf("presigned GET: %d %q", code, body)
	}
	if code, _ := get(strings.Replace(req.URL, "static%2Fapp.js", "static%2Fother.js", 1)); code != http.StatusForbidden {
		if code, _ := get(strings.Replace(req.URL, "static/app.js", "static/other.js", 1)); code != http.StatusForbidden {
			t.Errorf("presigned GET of another key: %d, want 403", code)
		}
	}
}

func testPagination(t *testing.T, s *Server, n int) {
	s.CreateBucket(t, "many")
	c := s.Client()
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("apps/%05d.json", i)
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	work := make(chan string)
	for range 16 {
		wg.Go(func() {
			for k := range work {
				_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("many"), Key: aws.String(k), Body: strings.NewReader(k)})
				if err != nil {
					errs <- fmt.Errorf("put %s: %w", k, err)
				}
			}
		})
	}
	for _, k := range want {
		work <- k
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	put := time.Since(start)
	s.Put(t, "many", "zzz-outside-prefix", nil)

	start = time.Now()
	got := s.Keys(t, "many", "apps/")
	t.Logf("%d puts in %v, listed in %v", n, put.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d keys, want %d (first %q)", len(got), len(want), got[:min(3, len(got))])
	}
	// More than one page really was served.
	page, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String("many"), Prefix: aws.String("apps/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Contents) != 1000 || !aws.ToBool(page.IsTruncated) || page.NextContinuationToken == nil {
		t.Errorf("first page: %d keys, truncated %v", len(page.Contents), aws.ToBool(page.IsTruncated))
	}
	if got := s.Get(t, "many", want[n-1]); string(got) != want[n-1] {
		t.Errorf("get last: %q", got)
	}
}

func TestMinIOStopsProcess(t *testing.T) {
	bin := MinIOPath()
	if !isExecutable(bin) {
		t.Skipf("no MinIO binary (%q): run `make minio`", bin)
	}
	s, err := NewMinIO(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() }) // if the test stops early
	pid, dir := s.minio.cmd.Process.Pid, s.minio.dir
	if !processAlive(pid) {
		t.Fatalf("MinIO pid %d not running", pid)
	}
	s.CreateBucket(t, "bkt")
	s.Put(t, "bkt", "k", []byte("v"))
	if _, err := os.Stat(filepath.Join(dir, "data", "bkt", "k")); err != nil {
		t.Errorf("data not under %s: %v", dir, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if processAlive(pid) {
		t.Errorf("MinIO pid %d still alive after Close", pid)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("data dir %s not removed: %v", dir, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get(s.Endpoint + "/minio/health/live"); err == nil {
		t.Errorf("%s still answers after Close", s.Endpoint)
	}
}

func TestNewInProcessClose(t *testing.T) {
	s, err := NewInProcess()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	s.CreateBucket(t, "bkt")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client(func(o *s3.Options) { o.RetryMaxAttempts = 1 }).ListBuckets(ctx(t), &s3.ListBucketsInput{}); err == nil {
		t.Error("server still answers after Close")
	}
}

func TestInProcessSignatureChecks(t *testing.T) {
	s := StartInProcess(t)
	s.CreateBucket(t, "bkt")
	// Clock skew.
	s.fake.clockOffset.Store(int64(time.Hour))
	_, err := s.Client().ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	if code := apiCode(err); code != "RequestTimeTooSkewed" {
		t.Errorf("skewed clock: %v, want RequestTimeTooSkewed", err)
	}
	// Expired presigned URL.
	s.fake.clockOffset.Store(0)
	s.Put(t, "bkt", "k", []byte("v"))
	req, err := s3.NewPresignClient(s.Client()).PresignGetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	s.fake.clockOffset.Store(int64(2 * time.Minute))
	resp, err := http.Get(req.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("expired presigned URL: %d, want 403", resp.StatusCode)
	}
	s.fake.clockOffset.Store(0)
	// Wrong region.
	_, err = s.Client(func(o *s3.Options) { o.Region = "eu-west-1" }).ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	if code := apiCode(err); code != "AuthorizationHeaderMalformed" {
		t.Errorf("wrong region: %v, want AuthorizationHeaderMalformed", err)
	}
}

func sha256b64(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// TestEnv loads the SDK's config from Server.Env, as a subprocess would.
func TestEnv(t *testing.T) {
	s := StartInProcess(t)
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String("env")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String("env"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	if got := s.Get(t, "env", "k"); string(got) != "v" {
		t.Errorf("got %q", got)
	}
}

func TestCRC64NVME(t *testing.T) {
	// The CRC-64/NVME check value.
	if got := crc64.Checksum([]byte("123456789"), crc64NVME); got != 0xae8b14860a799888 {
		t.Errorf("crc64nvme(123456789) = %#x", got)
	}
}

func TestMinIOPath(t *testing.T) {
	t.Setenv(MinIOEnv, "/nonexistent/minio")
	if got := MinIOPath(); got != "/nonexistent/minio" {
		t.Errorf("MinIOPath with %s set = %q", MinIOEnv, got)
	}
	t.Setenv(MinIOEnv, "")
	root := moduleRoot()
	v := makefileMinIOVersion(filepath.Join(root, "Makefile"))
	if v == "" {
		t.Fatalf("no MINIO_VERSION in %s/Makefile", root)
	}
	got := MinIOPath()
	if got != "" && !strings.HasPrefix(got, filepath.Join(root, ".tools", "minio-")) {
		t.Errorf("MinIOPath = %q, want under %s/.tools", got, root)
	}
	t.Logf("MINIO_VERSION %s, found %q", v, got)
}
