package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// The benchmarks report their figures against baselines measured in the
// same run: a direct HTTP call to the same app, and the test host's bare
// ServeHTTP round trip (GET /api/v1/ping through the host), which every
// request to the plugin pays. Targets: the plugin adds at most 0.5 ms (p50)
// over that round trip; cached bindings answer in at most 1 ms.
//
// A POST to the plugin also pays for its body, which the plugin pulls from
// the server over RPC (a GET has none): the "hostecho" baseline is a POST
// of the same body to /api/v1/debug/echo, so added-over-hostecho is what the
// plugin's own work (checks, the call to the app) adds.

// latencies runs n calls of f on conc workers and returns the sorted
// latencies and the wall time.
func latencies(b *testing.B, n, conc int, f func() error) ([]time.Duration, time.Duration) {
	b.Helper()
	var next atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	var failed atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				if err := f(); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	if failed.Load() > 0 {
		b.Fatalf("%d of %d calls failed: %v", failed.Load(), n, firstErr.Load())
	}
	slices.Sort(all)
	return all, wall
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(float64(len(d)-1) * p)
	return d[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchEnv is a host with the plugin and one HTTP app.
type benchEnv struct {
	w      *world
	app    *testapp.App
	client *http.Client
	call   []byte // the /api/v1/call body
	direct []byte // what the plugin sends the app, for the direct baseline
}

func newBenchEnv(b *testing.B) *benchEnv {
	w := newWorld(b, mmhost.Options{}, func(h *mmhost.Host) {
		allowLoopbackApps(h)
		developerMode(h) // for /api/v1/debug/echo
	})
	app := installHTTPApp(b, w, testapp.Options{AppID: "benchapp", Secret: "bench", Locations: apps.Locations{apps.LocationCommand}, NoRecord: true})
	creq := callRequest("benchapp", "/send", w.channelID, &apps.Expand{ActingUser: apps.ExpandID})
	creq.Values = map[string]any{"name": "bench"}
	call, _ := json.Marshal(creq)
	// The request the plugin sends: the call with the plugin's context.
	creq.Context = apps.Context{ActingUserID: w.user, UserAgentContext: apps.UserAgentContext{AppID: "benchapp"},
		ExpandedContext: apps.ExpandedContext{MattermostSiteURL: w.host.URL, AppPath: "/plugins/" + pluginID + "/apps/benchapp", BotUserID: "bot", ActingUser: &apps.User{ID: w.user}}}
	direct, _ := json.Marshal(creq)
	return &benchEnv{w: w, app: app, call: call, direct: direct,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 256}}}
}

func (e *benchEnv) do(req *http.Request) error {
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return nil
}

func (e *benchEnv) pluginCall() error {
	req, _ := http.NewRequest(http.MethodPost, e.w.host.URL+pluginPath("/api/v1/call"), bytes.NewReader(e.call))
	req.Header.Set("Authorization", "Bearer "+e.w.userToken)
	req.Header.Set("Content-Type", "application/json")
	return e.do(req)
}

func (e *benchEnv) directCall() error {
	req, _ := http.NewRequest(http.MethodPost, e.app.URL+"/send", bytes.NewReader(e.direct))
	req.Header.Set("Content-Type", "application/json")
	if err := apps.SetJWTHeader(req.Header, "bench", e.w.user, time.Now()); err != nil {
		return err
	}
	return e.do(req)
}

func (e *benchEnv) echo() error {
	req, _ := http.NewRequest(http.MethodPost, e.w.host.URL+pluginPath("/api/v1/debug/echo"), bytes.NewReader(e.call))
	req.Header.Set("Authorization", "Bearer "+e.w.adminToken)
	req.Header.Set("Content-Type", "application/json")
	return e.do(req)
}

func (e *benchEnv) ping() error {
	req, _ := http.NewRequest(http.MethodGet, e.w.host.URL+pluginPath("/api/v1/ping"), nil)
	req.Header.Set("Authorization", "Bearer "+e.w.userToken)
	return e.do(req)
}

// BenchmarkCallThroughPlugin: a call to an HTTP app through the plugin's
// /api/v1/call (ns/op) against a direct call to the same app and the host's
// bare round trip (GET /api/v1/ping), at concurrency 1 and 8.
func BenchmarkCallThroughPlugin(b *testing.B) {
	e := newBenchEnv(b)
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("c%d", conc), func(b *testing.B) {
			for _, f := range []func() error{e.directCall, e.ping, e.echo, e.pluginCall} { // warm up pools
				latencies(b, 50, conc, f)
			}
			b.StopTimer()
			direct, directWall := latencies(b, b.N, conc, e.directCall)
			ping, _ := latencies(b, b.N, conc, e.ping)
			echo, _ := latencies(b, b.N, conc, e.echo)
			b.StartTimer()
			plugin, pluginWall := latencies(b, b.N, conc, e.pluginCall)
			b.StopTimer()
			added50 := pct(plugin, .5) - pct(direct, .5)
			added99 := pct(plugin, .99) - pct(direct, .99)
			b.ReportMetric(ms(pct(plugin, .5)), "plugin-p50-ms")
			b.ReportMetric(ms(pct(plugin, .99)), "plugin-p99-ms")
			b.ReportMetric(ms(pct(direct, .5)), "direct-p50-ms")
			b.ReportMetric(ms(pct(direct, .99)), "direct-p99-ms")
			b.ReportMetric(ms(pct(ping, .5)), "hostping-p50-ms")
			b.ReportMetric(ms(added50), "added-p50-ms")
			b.ReportMetric(ms(added99), "added-p99-ms")
			b.ReportMetric(ms(pct(echo, .5)), "hostecho-p50-ms")
			b.ReportMetric(ms(added50-pct(ping, .5)), "added-over-hostping-p50-ms")
			b.ReportMetric(ms(added50-pct(echo, .5)), "added-over-hostecho-p50-ms")
			b.ReportMetric(float64(directWall)/float64(pluginWall), "throughput-ratio")
		})
	}
}

// BenchmarkBindings: GET /api/v1/bindings with 10 apps, cold (each request
// in a new channel: every app is asked) and cached (the same channel).
func BenchmarkBindings(b *testing.B) {
	w := newWorld(b, mmhost.Options{}, allowLoopbackApps)
	const nApps = 10
	for i := range nApps {
		id := fmt.Sprintf("bindapp%02d", i)
		installHTTPApp(b, w, testapp.Options{AppID: id, Locations: apps.Locations{apps.LocationCommand, apps.LocationChannelHeader}, NoRecord: true,
			Bindings: []apps.Binding{
				{Location: apps.LocationCommand, Bindings: []apps.Binding{{Label: id, Icon: "icon.png", Bindings: []apps.Binding{
					{Label: "send", Submit: apps.NewCall("/send")},
					{Label: "form", Form: &apps.Form{Submit: apps.NewCall("/form"), Fields: []apps.Field{{Name: "a", Type: apps.FieldTypeText}, {Name: "b", Type: apps.FieldTypeBool}}}},
				}}}},
				{Location: apps.LocationChannelHeader, Bindings: []apps.Binding{{Location: "send", Label: "Send", Icon: "icon.png", Submit: apps.NewCall("/send")}}},
			}})
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	get := func(channelID string) error {
		q := url.Values{"channel_id": {channelID}, "team_id": {w.teamID}, "user_agent_type": {"webapp"}}
		req, _ := http.NewRequest(http.MethodGet, w.host.URL+pluginPath("/api/v1/bindings?"+q.Encode()), nil)
		req.Header.Set("Authorization", "Bearer "+w.userToken)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var bb []apps.Binding
		if err := json.NewDecoder(resp.Body).Decode(&bb); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || len(at(bb, apps.LocationCommand)) != nApps {
			return fmt.Errorf("bindings: %d, %d commands", resp.StatusCode, len(at(bb, apps.LocationCommand)))
		}
		return nil
	}
	ping := func() error {
		req, _ := http.NewRequest(http.MethodGet, w.host.URL+pluginPath("/api/v1/ping"), nil)
		req.Header.Set("Authorization", "Bearer "+w.userToken)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	report := func(b *testing.B, d []time.Duration) {
		b.StopTimer()
		slices.Sort(d)
		pings, _ := latencies(b, max(len(d), 200), 1, ping)
		b.ReportMetric(ms(pct(d, .5)), "p50-ms")
		b.ReportMetric(ms(pct(d, .99)), "p99-ms")
		b.ReportMetric(ms(pct(pings, .5)), "hostping-p50-ms")
		b.ReportMetric(ms(pct(d, .5)-pct(pings, .5)), "over-hostping-p50-ms")
		b.ReportMetric(nApps, "apps")
	}
	n := 0
	b.Run("cold", func(b *testing.B) {
		var d []time.Duration
		for range b.N {
			b.StopTimer()
			n++
			ch := w.host.MM.CreateChannel(w.teamID, fmt.Sprintf("bench-%d", n), model.ChannelTypeOpen, w.admin)
			if _, err := w.host.MM.AddChannelMember(ch.Id, w.user, ""); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			t0 := time.Now()
			if err := get(ch.Id); err != nil {
				b.Fatal(err)
			}
			d = append(d, time.Since(t0))
		}
		report(b, d)
	})
	b.Run("cached", func(b *testing.B) {
		if err := get(w.channelID); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		var d []time.Duration
		for range b.N {
			t0 := time.Now()
			if err := get(w.channelID); err != nil {
				b.Fatal(err)
			}
			d = append(d, time.Since(t0))
		}
		report(b, d)
	})
}
