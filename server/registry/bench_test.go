package registry

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
	"github.com/mattermost-community/apps-plugin/test/s3test"
	"github.com/mattermost-community/apps-plugin/upstream/upaws"
)

// BenchmarkSync1000FromMinIO syncs a listing of 1000 manifests from MinIO
// (target: under 2 s), against a baseline of the same 1000 GETs made one
// after another in the same run.
func BenchmarkSync1000FromMinIO(b *testing.B) {
	srv := s3test.StartMinIO(b)
	ctx := context.Background()
	srv.CreateBucket(b, "mattermost-apps-bucket")
	const n = 1000
	listing := make([]string, 0, n)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("app%04d", i)
		srv.Put(b, "mattermost-apps-bucket", apps.ManifestS3Key(apps.AppID(id), "1.0.0"), manifestJSON(id, "1.0.0"))
		listing = append(listing, fmt.Sprintf("%q:%q", id, "1.0.0"))
	}
	dir := b.TempDir()
	_ = os.MkdirAll(filepath.Join(dir, "assets"), 0o755)
	_ = os.WriteFile(filepath.Join(dir, "assets", "manifests.json"), []byte("{"+strings.Join(listing, ",")+"}"), 0o644)
	cfg := upaws.ConfigFromEnv(func(k string) string {
		return map[string]string{
			"MM_APPS_AWS_ACCESS_KEY": srv.AccessKey, "MM_APPS_AWS_SECRET_KEY": srv.SecretKey,
			"MM_APPS_AWS_REGION": srv.Region, "AWS_ENDPOINT_URL_S3": srv.Endpoint,
		}[k]
	})
	clients, err := upaws.NewClients(cfg)
	if err != nil {
		b.Fatal(err)
	}
	api := fakemm.New(fakemm.Options{}).ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps"}, "node1", dir)
	r := New(Options{API: api, BundlePath: dir, S3: clients, IsNotFound: upaws.IsNotFound, Locals: store.NewLocalManifests(api)})

	client := srv.Client()
	var sequential time.Duration
	var synced time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for j := 0; j < n; j++ {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mattermost-apps-bucket"), Key: aws.String(apps.ManifestS3Key(apps.AppID(fmt.Sprintf("app%04d", j)), "1.0.0"))})
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(out.Body)
			out.Body.Close()
		}
		sequential += time.Since(start)

		start = time.Now()
		if err := r.Sync(ctx); err != nil {
			b.Fatal(err)
		}
		synced += time.Since(start)
		if got := len(r.List()); got != n {
			b.Fatalf("listed %d, want %d (status %+v)", got, n, r.Status())
		}
	}
	b.ReportMetric(synced.Seconds()/float64(b.N), "sync_s")
	b.ReportMetric(sequential.Seconds()/float64(b.N), "sequential_gets_s")
	b.ReportMetric(float64(sequential)/float64(synced), "speedup_x")
}
