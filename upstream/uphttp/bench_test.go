package uphttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
	"github.com/mattermost-community/apps-plugin/upstream/uphttp"
)

// BenchmarkHTTPRoundtrip compares upstream.Call through uphttp (URL
// cleaning, policy dialer, JWT signing, size limits, decode) with a direct
// http.Client POST + decode to the same local app, interleaved in the same
// run. It reports both latencies and their ratio.
func BenchmarkHTTPRoundtrip(b *testing.B) {
	for _, jwt := range []bool{false, true} {
		name := "plain"
		if jwt {
			name = "jwt"
		}
		b.Run(name, func(b *testing.B) { benchRoundtrip(b, jwt) })
	}
}

func benchRoundtrip(b *testing.B, useJWT bool) {
	srv := startApp(b, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, `{"type":"ok","text":"Hello, world!"}`)
	})
	up := newUpstream(b, uphttp.Options{})
	app := httpApp("bench", srv.URL, useJWT, appSecret)
	direct := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}, Timeout: 30 * time.Second}
	b.Cleanup(direct.CloseIdleConnections)
	ctx := context.Background()
	creq := callRequest("/hello", "user-id")

	viaUpstream := func() {
		if _, err := upstream.Call(ctx, up, app, creq); err != nil {
			b.Fatal(err)
		}
	}
	viaDirect := func() {
		body, err := json.Marshal(creq)
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/hello", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if useJWT {
			if err := apps.SetJWTHeader(req.Header, appSecret, "user-id", time.Now()); err != nil {
				b.Fatal(err)
			}
		}
		resp, err := direct.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		var cr apps.CallResponse
		if err := json.Unmarshal(data, &cr); err != nil {
			b.Fatal(err)
		}
	}
	viaUpstream()
	viaDirect()

	var tUp, tDirect time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		viaUpstream()
		t1 := time.Now()
		viaDirect()
		tUp += t1.Sub(t0)
		tDirect += time.Since(t1)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(tUp.Nanoseconds())/n, "uphttp-ns/call")
	b.ReportMetric(float64(tDirect.Nanoseconds())/n, "direct-ns/call")
	b.ReportMetric(float64(tUp)/float64(tDirect), "uphttp/direct")
}
