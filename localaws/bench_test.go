package localaws

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

var benchPayload = []byte(`{"path":"/ping","httpMethod":"POST","headers":{"Content-Type":"application/json"},"body":"{\"path\":\"/ping\"}"}`)

// benchEnv is a server with the echo function under both runtimes, a plain
// loopback HTTP echo server as the baseline, and a pooled HTTP client.
type benchEnv struct {
	srv      *Server
	sdk      *lambda.Client
	client   *http.Client
	baseline string
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	s := startServer(b, Options{MaxInstances: 8})
	c := lambdaClient(s)
	createFunction(b, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("echo"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(b, "echo", "bootstrap")},
	})
	createFunction(b, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String("echo-go1x"),
		Runtime:      lambdatypes.RuntimeGo1x,
		Handler:      aws.String("echo"),
		Code:         &lambdatypes.FunctionCode{ZipFile: functionZip(b, "echo", "echo")},
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})}
	go func() { _ = hs.Serve(ln) }()
	b.Cleanup(func() { _ = hs.Close() })

	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	return &benchEnv{srv: s, sdk: c, client: &http.Client{Transport: tr}, baseline: "http://" + ln.Addr().String() + "/"}
}

func (e *benchEnv) post(url string, signed bool) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(benchPayload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if signed {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIALOCALTEST/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Amz-Function-Error") != "" {
		return fmt.Errorf("status %d, function error %q", resp.StatusCode, resp.Header.Get("X-Amz-Function-Error"))
	}
	return nil
}

// measure runs n calls of op on conc workers and returns the median latency
// and the throughput.
func measure(b *testing.B, n, conc int, op func() error) (p50 time.Duration, perSec float64) {
	b.Helper()
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				if err := op(); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(lat)
	return lat[n/2], float64(n) / elapsed.Seconds()
}

func report(b *testing.B, p50, baseP50 time.Duration, tput, baseTput float64) {
	b.ReportMetric(float64(p50.Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(baseP50.Nanoseconds())/1e3, "http-p50-µs")
	b.ReportMetric(float64(p50)/float64(baseP50), "p50-x-http")
	b.ReportMetric(tput, "invokes/s")
	b.ReportMetric(baseTput, "http-req/s")
	b.ReportMetric(baseTput/tput, "tput-x-http")
}

// BenchmarkWarmInvoke measures warm invocations of an echo function over raw
// HTTP (no SDK), at concurrency 1 and 8, for the provided.al2023 (Runtime
// API) and go1.x (net/rpc) runtimes, against a plain loopback HTTP round trip
// measured in the same run. p50-x-http and tput-x-http are the slowdowns
// relative to that baseline.
func BenchmarkWarmInvoke(b *testing.B) {
	env := newBenchEnv(b)
	for _, fn := range []struct{ name, function string }{{"provided.al2023", "echo"}, {"go1.x", "echo-go1x"}} {
		url := env.srv.URL() + "/2015-03-31/functions/" + fn.function + "/invocations"
		for _, conc := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/c%d", fn.name, conc), func(b *testing.B) {
				// Warm: start the instances this concurrency uses.
				measure(b, 4*conc, conc, func() error { return env.post(url, true) })
				measure(b, 200, conc, func() error { return env.post(env.baseline, false) })
				baseP50, baseTput := measure(b, max(b.N, 200), conc, func() error { return env.post(env.baseline, false) })
				b.ResetTimer()
				p50, tput := measure(b, b.N, conc, func() error { return env.post(url, true) })
				b.StopTimer()
				report(b, p50, baseP50, tput, baseTput)
			})
		}
	}
}

// BenchmarkWarmInvokeSDK is BenchmarkWarmInvoke through the aws-sdk-go-v2
// lambda client (SigV4 signing and middleware included).
func BenchmarkWarmInvokeSDK(b *testing.B) {
	env := newBenchEnv(b)
	ctx := context.Background()
	invoke := func() error {
		out, err := env.sdk.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: benchPayload})
		if err == nil && out.FunctionError != nil {
			err = fmt.Errorf("function error %s", *out.FunctionError)
		}
		return err
	}
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("c%d", conc), func(b *testing.B) {
			measure(b, 4*conc, conc, invoke)
			measure(b, 200, conc, func() error { return env.post(env.baseline, false) })
			baseP50, baseTput := measure(b, max(b.N, 200), conc, func() error { return env.post(env.baseline, false) })
			b.ResetTimer()
			p50, tput := measure(b, b.N, conc, invoke)
			b.StopTimer()
			report(b, p50, baseP50, tput, baseTput)
		})
	}
}
