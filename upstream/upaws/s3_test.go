package upaws_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/s3test"
	"github.com/mattermost-community/apps-plugin/upstream"
	"github.com/mattermost-community/apps-plugin/upstream/upaws"
)

const testBucket = "apps-test-bucket"

// TestS3 runs against the in-process S3 server and, when available, MinIO.
func TestS3(t *testing.T) {
	for name, start := range map[string]func(testing.TB) *s3test.Server{
		"in-process": s3test.StartInProcess,
		"minio":      s3test.StartMinIO,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testS3(t, start(t))
		})
	}
}

func s3Clients(t *testing.T, srv *s3test.Server, mutate func(*upaws.Config)) *upaws.Clients {
	t.Helper()
	cfg := upaws.Config{
		Region:     srv.Region,
		Bucket:     testBucket,
		AccessKey:  srv.AccessKey,
		SecretKey:  srv.SecretKey,
		S3Endpoint: srv.Endpoint,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := upaws.NewClients(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testS3(t *testing.T, srv *s3test.Server) {
	ctx := context.Background()
	srv.CreateBucket(t, testBucket)
	manifest := []byte(`{"app_id":"com.example.up","version":"v1.2.3","display_name":"Up"}`)
	srv.Put(t, testBucket, "manifests/com.example.up_v1.2.3.json", manifest)
	srv.Put(t, testBucket, "manifests/com.example.big_v1.json", bytes.Repeat([]byte(" "), apps.MaxManifestSize+1))
	srv.Put(t, testBucket, apps.StaticS3Key("com.example.up", "v1.2.3", "my file.txt"), []byte("hello"))
	if _, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(testBucket),
		Key:         aws.String("static/com.example.up_v1.2.3_app/icon"),
		Body:        strings.NewReader("PNG"),
		ContentType: aws.String("image/png"),
	}); err != nil {
		t.Fatal(err)
	}
	c := s3Clients(t, srv, nil)

	t.Run("manifest found", func(t *testing.T) {
		got, err := c.GetManifest(ctx, "com.example.up", "v1.2.3")
		if err != nil || !bytes.Equal(got, manifest) {
			t.Fatalf("got %q, %v", got, err)
		}
	})

	t.Run("manifest missing", func(t *testing.T) {
		_, err := c.GetManifest(ctx, "com.example.up", "v9")
		if !upaws.IsNotFound(err) {
			t.Fatalf("got %v, want not found", err)
		}
		for _, want := range []string{"manifests/com.example.up_v9.json", testBucket, `app "com.example.up"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %q", err, want)
			}
		}
	})

	t.Run("bucket missing", func(t *testing.T) {
		other := s3Clients(t, srv, func(c *upaws.Config) { c.Bucket = "no-such-bucket" })
		_, err := other.GetManifest(ctx, "com.example.up", "v1.2.3")
		if !upaws.IsNotFound(err) || !strings.Contains(err.Error(), "no-such-bucket") {
			t.Fatalf("got %v, want not found naming the bucket", err)
		}
	})

	t.Run("manifest too large", func(t *testing.T) {
		_, err := c.GetManifest(ctx, "com.example.big", "v1")
		if !errors.Is(err, apps.ErrTooLarge) || upaws.IsNotFound(err) {
			t.Fatalf("got %v, want too large", err)
		}
	})

	t.Run("wrong credentials", func(t *testing.T) {
		bad := s3Clients(t, srv, func(c *upaws.Config) { c.SecretKey = "wrong" })
		_, err := bad.GetManifest(ctx, "com.example.up", "v1.2.3")
		if err == nil || upaws.IsNotFound(err) {
			t.Fatalf("got %v, want an error that is not 'not found'", err)
		}
	})

	t.Run("static", func(t *testing.T) {
		up := upaws.NewUpstream(c)
		app := lambdaApp(fn("/", "root"))
		for _, tc := range []struct{ name, body, ctype string }{
			{"icon", "PNG", "image/png"},
			{"my file.txt", "hello", "text/plain; charset=utf-8"},
		} {
			body, ctype, err := up.GetStatic(ctx, app, tc.name)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			data, err := io.ReadAll(body)
			_ = body.Close()
			if err != nil || string(data) != tc.body || ctype != tc.ctype {
				t.Errorf("%s: got %q %q %v, want %q %q", tc.name, data, ctype, err, tc.body, tc.ctype)
			}
		}
		_, _, err := up.GetStatic(ctx, app, "missing.png")
		if !errors.Is(err, upstream.ErrNotFound) || !strings.Contains(err.Error(), "static/com.example.up_v1.2.3_app/missing.png") {
			t.Fatalf("missing asset: got %v", err)
		}
	})
}

func TestS3Unreachable(t *testing.T) {
	c, err := upaws.NewClients(upaws.Config{
		Region: "us-east-1", Bucket: testBucket, AccessKey: "AKIA", SecretKey: "secret",
		S3Endpoint: "http://127.0.0.1:1",
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.GetManifest(context.Background(), "com.example.up", "v1.2.3")
	if err == nil || upaws.IsNotFound(err) {
		t.Fatalf("got %v, want an error that is not 'not found'", err)
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), `app "com.example.up"`) {
		t.Errorf("error %q should say the endpoint is unreachable", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
	t.Log(err)
}
