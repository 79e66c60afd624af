package provision_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/mattermost-community/apps-plugin/provision"
	"github.com/mattermost-community/apps-plugin/provision/provisiontest"
)

// BenchmarkProvisionStatic provisions a bundle with 200 static files (8 KiB
// each) into an empty bucket, sequentially (Concurrency 1) and in parallel
// (DefaultConcurrency), in the same iteration, and reports both times and
// their ratio. The function already exists (unchanged), so the time is the
// S3 work: 201 HeadObject (plan) and 201 PutObject (apply).
//
// MinIO is the meaningful target: a real server that verifies SigV4 and
// writes every object to disk, so a request costs what it costs on a real
// store. The in-process S3 keeps objects in memory in this process, sharing
// its CPUs with the client; its ratio says little.
//
// On a machine with few CPUs the client and MinIO compete for them, which
// caps the local speedup near the CPU count. Real S3 is a network round
// trip away (typically 10-50 ms per PutObject); the "minio+5ms" variant puts
// a proxy adding 5 ms to every request in front of MinIO to show what
// parallel uploads gain when requests wait on the network rather than on
// local CPUs.
func BenchmarkProvisionStatic(b *testing.B) {
	for _, kind := range backends {
		b.Run(string(kind), func(b *testing.B) { benchStatic(b, kind, 0) })
	}
	b.Run("minio+5ms", func(b *testing.B) { benchStatic(b, provisiontest.MinIO, 5*time.Millisecond) })
}

// latencyProxy forwards to target after delay (SigV4 still verified by the
// target: the Host header is kept).
func latencyProxy(b *testing.B, target string, delay time.Duration) string {
	u, err := url.Parse(target)
	if err != nil {
		b.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	rp.Transport = tr
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		rp.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

func benchStatic(b *testing.B, kind provisiontest.S3Kind, delay time.Duration) {
	env := provisiontest.NewEnv(b, kind)
	ctx := context.Background()
	clients := env.Clients
	if delay > 0 {
		cfg := env.Config
		cfg.S3Endpoint = latencyProxy(b, env.S3.Endpoint, delay)
		var err error
		if clients, err = cfg.NewClients(ctx); err != nil {
			b.Fatal(err)
		}
	}
	spec := provisiontest.AppSpec(b, "com.example.bench", "v1", "bench")
	spec.Static = nil
	for i := range 200 {
		data := make([]byte, 8<<10)
		_, _ = rand.Read(data)
		spec.Static = append(spec.Static, provisiontest.File{Name: fmt.Sprintf("assets/file-%03d.bin", i), Data: data})
	}
	bnd := openBytes(b, provisiontest.Bundle(b, spec))

	clear := func() {
		keys := env.S3.Keys(b, env.Bucket, "")
		for len(keys) > 0 {
			n := min(len(keys), 1000)
			var ids []s3types.ObjectIdentifier
			for _, k := range keys[:n] {
				ids = append(ids, s3types.ObjectIdentifier{Key: aws.String(k)})
			}
			if _, err := env.Clients.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(env.Bucket), Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}}); err != nil {
				b.Fatal(err)
			}
			keys = keys[n:]
		}
	}
	run := func(concurrency int) time.Duration {
		b.StopTimer()
		clear()
		p, err := provision.New(clients, provision.Options{Concurrency: concurrency})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		rep, err := p.Provision(ctx, bnd, false)
		took := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Assets) != 200 || rep.Assets[0].Action != provision.ActionCreate {
			b.Fatalf("assets: %d, %s", len(rep.Assets), rep.Assets[0].Action)
		}
		return took
	}
	run(provision.DefaultConcurrency) // create the function, warm up connections

	var seq, par time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		seq += run(1)
		par += run(provision.DefaultConcurrency)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(seq.Milliseconds())/n, "seq-ms/op")
	b.ReportMetric(float64(par.Milliseconds())/n, "par-ms/op")
	b.ReportMetric(float64(seq)/float64(par), "speedup")
}
