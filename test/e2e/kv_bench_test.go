package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// BenchmarkKVThroughPlugin measures an app's KV PUT+GET through the real
// plugin (host front server -> ServeHTTP over RPC -> session check -> KV
// over RPC) against the bare host round trip (GET /api/v1/ping through the
// same front server and ServeHTTP), both at concurrency 8, interleaved in
// rounds in the same run. Reported: ns per HTTP request of each, and
// kv-req/ping-req, the KV requests' throughput as a fraction of the bare
// round trip's (1.0 = as fast as a request that does nothing).
func BenchmarkKVThroughPlugin(b *testing.B) {
	const concurrency = 8
	w := newWorld(b, mmhost.Options{}, allowLoopbackApps)
	app := installServicesApp(b, w, testapp.Options{AppID: "bench", Permissions: servicesPerms})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * concurrency}}
	b.Cleanup(client.CloseIdleConnections)

	do := func(method, path, body, want string) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, w.host.URL+pluginPath(path), rd)
		req.Header.Set("Authorization", "Bearer "+app.botToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		data, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || (want != "" && !strings.Contains(string(data), want)) {
			b.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
	}
	ping := func(int) { do(http.MethodGet, "/api/v1/ping", "", "version") }
	putGet := func(i int) {
		key := fmt.Sprintf("/api/v1/kv/key%d", i%256)
		val := fmt.Sprintf(`{"n":%d}`, i)
		do(http.MethodPut, key, val, "changed")
		do(http.MethodGet, key, "", val)
	}
	// run does n ops on concurrency goroutines and returns the wall time.
	run := func(n int, op func(int)) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for g := 0; g < concurrency; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
					op(i)
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	run(200, ping)
	run(200, putGet)

	const round = 500
	var tPing, tKV time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += round {
		n := min(round, b.N-done)
		tPing += run(n, ping)
		tKV += run(n, putGet)
	}
	b.StopTimer()
	n := float64(b.N)
	pingPerReq := float64(tPing.Nanoseconds()) / n
	kvPerReq := float64(tKV.Nanoseconds()) / (2 * n)
	b.ReportMetric(pingPerReq, "ping-ns/req")
	b.ReportMetric(kvPerReq, "kv-ns/req")
	b.ReportMetric(pingPerReq/kvPerReq, "kv-req/ping-req")
}
