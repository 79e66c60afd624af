package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// bindingsTimeout is the per-app bindings timeout the bindings tests run
// with (the default is 2 s).
const bindingsTimeout = 300 * time.Millisecond

func bindingsWorld(t testing.TB) *world {
	return newWorld(t, mmhost.Options{PluginEnv: []string{"MM_APPS_BINDINGS_TIMEOUT=" + bindingsTimeout.String()}}, func(h *mmhost.Host) {
		allowLoopbackApps(h)
		developerMode(h)
	})
}

// getBindings fetches the merged bindings as the holder of token.
func (w *world) getBindings(t testing.TB, token, channelID string) ([]apps.Binding, http.Header) {
	t.Helper()
	q := url.Values{"channel_id": {channelID}, "team_id": {w.teamID}, "user_agent_type": {"webapp"}}
	status, header, body, err := w.host.Fetch(token, http.MethodGet, pluginPath("/api/v1/bindings?"+q.Encode()), "")
	if err != nil || status != http.StatusOK {
		t.Fatalf("bindings: %d %s %v", status, body, err)
	}
	var bb []apps.Binding
	if err := json.Unmarshal([]byte(body), &bb); err != nil {
		t.Fatalf("bindings %q: %v", body, err)
	}
	return bb, header
}

type bindingsStats struct {
	Fetched  uint64 `json:"fetched"`
	Cached   uint64 `json:"cached"`
	TimedOut uint64 `json:"timed_out"`
	Failed   uint64 `json:"failed"`
	Skipped  uint64 `json:"skipped"`
}

func (w *world) bindingsStats(t testing.TB) bindingsStats {
	t.Helper()
	status, _, body, err := w.host.Fetch(w.adminToken, http.MethodGet, pluginPath("/api/v1/debug/bindings"), "")
	var st bindingsStats
	if err != nil || status != http.StatusOK || json.Unmarshal([]byte(body), &st) != nil {
		t.Fatalf("bindings stats: %d %s %v", status, body, err)
	}
	return st
}

// at returns the sub-bindings of a top-level location, without the
// built-in app's (its /apps command is in every user's bindings).
func at(bb []apps.Binding, loc apps.Location) []apps.Binding {
	return withoutBuiltin(atAll(bb, loc))
}

// atAll returns all the sub-bindings of a top-level location.
func atAll(bb []apps.Binding, loc apps.Location) []apps.Binding {
	for _, b := range bb {
		if b.Location == loc {
			return b.Bindings
		}
	}
	return nil
}

func labels(bb []apps.Binding) []string {
	var out []string
	for _, b := range bb {
		out = append(out, string(b.AppID)+":"+b.Label)
	}
	return out
}

func countLogs(w *world, level, contains, appID string) int {
	n := 0
	for _, l := range w.host.MM.Logs() {
		if l.Level != level || !strings.Contains(l.Message, contains) {
			continue
		}
		for i := 0; i+1 < len(l.KeyValues); i += 2 {
			if l.KeyValues[i] == "app_id" && l.KeyValues[i+1] == appID {
				n++
			}
		}
	}
	return n
}

func alphaBindings() []apps.Binding {
	form := &apps.Form{Submit: apps.NewCall("/form"), Fields: []apps.Field{{Name: "x", Type: apps.FieldTypeText}}}
	return []apps.Binding{
		{Location: apps.LocationCommand, Bindings: []apps.Binding{{
			Label: "alpha", Description: "Alpha commands", Icon: "icon.png",
			Bindings: []apps.Binding{
				{Label: "send", Submit: apps.NewCall("/send")},
				{Label: "two words", Submit: apps.NewCall("/x")},               // dropped: not one word
				{Label: "form", Form: form},                                    // kept
				{Label: "both", Submit: apps.NewCall("/x"), Form: form},        // dropped: two actions
				{Label: "send", Location: "send2", Submit: apps.NewCall("/x")}, // dropped: label used
				{Label: "none"}, // dropped: no action
				{Label: "climb", Icon: "../secret", Submit: apps.NewCall("/x")}, // kept, icon dropped
			},
		}}},
		{Location: apps.LocationChannelHeader, Bindings: []apps.Binding{
			{Location: "send", Label: "Send", Icon: "icon.png", Submit: apps.NewCall("/send")},
			{Location: "noicon", Label: "No icon", Submit: apps.NewCall("/x")}, // dropped for the webapp
		}},
		{Location: apps.LocationPostMenu, Bindings: []apps.Binding{ // not granted
			{Label: "pm", Submit: apps.NewCall("/x")},
		}},
	}
}

func TestBindingsCleanMergeCacheAndTimeouts(t *testing.T) {
	w := bindingsWorld(t)
	alpha := installHTTPApp(t, w, testapp.Options{AppID: "alpha", Locations: apps.Locations{apps.LocationCommand, apps.LocationChannelHeader}, Bindings: alphaBindings()})
	beta := installHTTPApp(t, w, testapp.Options{AppID: "beta", Locations: apps.Locations{apps.LocationPostMenu, apps.LocationCommand},
		Bindings: []apps.Binding{
			{Location: apps.LocationPostMenu, Bindings: []apps.Binding{{Label: "Beta action", Icon: "https://example.com/b.png", Submit: apps.NewCall("/b")}}},
			{Location: apps.LocationCommand, Bindings: []apps.Binding{
				{Label: "alpha", Submit: apps.NewCall("/b")}, // alpha's command: dropped in the merge
				{Label: "beta", Submit: apps.NewCall("/b")},
			}},
		},
		Handle: func(creq apps.CallRequest) apps.CallResponse {
			return apps.CallResponse{Type: apps.CallResponseTypeOK, RefreshBindings: true}
		},
	})
	slow := installHTTPApp(t, w, testapp.Options{AppID: "slow", Locations: apps.Locations{apps.LocationCommand},
		BindingsDelay: 3 * bindingsTimeout,
		Bindings:      []apps.Binding{{Location: apps.LocationCommand, Bindings: []apps.Binding{{Label: "slow", Submit: apps.NewCall("/s")}}}}})
	installHTTPApp(t, w, testapp.Options{AppID: "broken", Locations: apps.Locations{apps.LocationCommand},
		Handle: func(creq apps.CallRequest) apps.CallResponse {
			return apps.CallResponse{Type: apps.CallResponseTypeError, Text: "no bindings today"}
		}})
	installHTTPApp(t, w, testapp.Options{AppID: "nolocs"}) // no granted locations: never asked

	before := w.bindingsStats(t)
	start := time.Now()
	bb, header := w.getBindings(t, w.userToken, w.channelID)
	took := time.Since(start)
	if took > bindingsTimeout+time.Second {
		t.Errorf("bindings took %s with a %s per-app timeout", took, bindingsTimeout)
	}
	commands := at(bb, apps.LocationCommand)
	if got := strings.Join(labels(commands), " "); got != "alpha:alpha beta:beta" {
		t.Fatalf("commands = %q, want alpha's and beta's (slow timed out, broken failed, beta's duplicate alpha dropped)", got)
	}
	if got := strings.Join(labels(commands[0].Bindings), " "); got != "alpha:send alpha:form alpha:climb" {
		t.Errorf("alpha's subcommands = %q", got)
	}
	staticURL := w.host.URL + "/plugins/" + pluginID + "/apps/alpha/static/icon.png"
	if commands[0].Icon != staticURL || commands[0].Bindings[2].Icon != "" {
		t.Errorf("icons: %q, %q; want %q and none", commands[0].Icon, commands[0].Bindings[2].Icon, staticURL)
	}
	if header := at(bb, apps.LocationChannelHeader); len(header) != 1 || header[0].Label != "Send" || header[0].Icon != staticURL {
		t.Errorf("channel header = %+v", header)
	}
	if pm := at(bb, apps.LocationPostMenu); len(pm) != 1 || pm[0].AppID != "beta" || pm[0].Icon != "https://example.com/b.png" {
		t.Errorf("post menu = %+v (alpha's is not granted)", pm)
	}
	if got := header.Get("X-Apps-Bindings-Omitted"); !strings.Contains(got, "slow=timeout") || !strings.Contains(got, "broken=failed") {
		t.Errorf("X-Apps-Bindings-Omitted = %q", got)
	}
	st := w.bindingsStats(t)
	if st.TimedOut-before.TimedOut != 1 || st.Failed-before.Failed != 1 {
		t.Errorf("stats %+v (before %+v): want one timeout and one failure", st, before)
	}
	if n := countLogs(w, "warn", "timed out", "slow"); n < 1 {
		t.Error("the timed-out app was not logged")
	}
	if n := countLogs(w, "warn", "bindings failed", "broken"); n != 1 {
		t.Errorf("the failing app was logged %d times, want 1", n)
	}
	if n := countLogs(w, "warn", "left out", "alpha"); n == 0 {
		t.Error("alpha's dropped bindings were not logged")
	}

	// Cached: alpha and beta are not asked again; slow is paused (timed out
	// recently) and still reported.
	alphaCalls := len(alpha.ReceivedPaths())
	start = time.Now()
	bb2, header := w.getBindings(t, w.userToken, w.channelID)
	if took := time.Since(start); took > bindingsTimeout/2 {
		t.Errorf("cached bindings took %s", took)
	}
	if len(alpha.ReceivedPaths()) != alphaCalls || strings.Join(labels(at(bb2, apps.LocationCommand)), " ") != "alpha:alpha beta:beta" {
		t.Errorf("second fetch: alpha asked again (%v) or different answer %v", alpha.ReceivedPaths()[alphaCalls:], labels(at(bb2, apps.LocationCommand)))
	}
	if got := header.Get("X-Apps-Bindings-Omitted"); !strings.Contains(got, "slow=paused") {
		t.Errorf("X-Apps-Bindings-Omitted on the cached answer = %q", got)
	}
	if st2 := w.bindingsStats(t); st2.Skipped-st.Skipped != 1 {
		t.Errorf("skipped %d, want 1", st2.Skipped-st.Skipped)
	}
	_ = slow

	// refresh_bindings from beta invalidates beta's cached bindings for the user.
	betaCalls := countUserPath(beta, "/bindings", w.user)
	if status, resp, body := w.call(t, w.userToken, callRequest("beta", "/b", w.channelID, nil)); status != http.StatusOK || !resp.RefreshBindings {
		t.Fatalf("beta call: %d %s", status, body)
	}
	w.getBindings(t, w.userToken, w.channelID)
	if countUserPath(beta, "/bindings", w.user) != betaCalls+1 {
		t.Errorf("beta's bindings were not fetched again after refresh_bindings")
	}
	if len(alpha.ReceivedPaths()) != alphaCalls {
		t.Errorf("alpha was asked again after beta's refresh")
	}

	// Disabling alpha drops it at once (beta's /alpha is no longer shadowed);
	// enabling brings it back (fetched again).
	w.run(t, w.admin, "/apps disable alpha")
	if got := labels(at(w.mustBindings(t), apps.LocationCommand)); strings.Join(got, " ") != "beta:alpha beta:beta" {
		t.Errorf("after disable: %v", got)
	}
	w.run(t, w.admin, "/apps enable alpha")
	if got := labels(at(w.mustBindings(t), apps.LocationCommand)); strings.Join(got, " ") != "alpha:alpha beta:beta" {
		t.Errorf("after enable: %v", got)
	}
	// Another user's bindings are their own (cache per user).
	if got := labels(at(w.mustBindingsAs(t, w.adminToken), apps.LocationCommand)); len(got) != 2 {
		t.Errorf("admin's bindings: %v", got)
	}
	// A channel the user is not in is refused.
	other := w.host.MM.CreateChannel(w.teamID, "elsewhere", "O", w.admin)
	q := url.Values{"channel_id": {other.Id}}
	if status, _, body, _ := w.host.Fetch(w.userToken, http.MethodGet, pluginPath("/api/v1/bindings?"+q.Encode()), ""); status != http.StatusForbidden {
		t.Errorf("bindings in a channel the user is not in: %d %s", status, body)
	}
}

func (w *world) mustBindings(t testing.TB) []apps.Binding {
	return w.mustBindingsAs(t, w.userToken)
}

func (w *world) mustBindingsAs(t testing.TB, token string) []apps.Binding {
	bb, _ := w.getBindings(t, token, w.channelID)
	return bb
}

// countUserPath counts the app's calls to path made for userID.
func countUserPath(app *testapp.App, path, userID string) int {
	n := 0
	for _, r := range app.Received() {
		if r.Path == path && r.Request.Context.ActingUserID == userID {
			n++
		}
	}
	return n
}

// TestBindingsUnderLoadNeverDropAnAppSilently: many users fetch bindings at
// once while one app is slow; every answer has the healthy apps, and every
// answer without the slow app says so, with the timeouts logged and counted.
func TestBindingsUnderLoadNeverDropAnAppSilently(t *testing.T) {
	w := bindingsWorld(t)
	const healthy = 4
	for _, id := range []string{"load1", "load2", "load3", "load4"} {
		installHTTPApp(t, w, testapp.Options{AppID: id, Locations: apps.Locations{apps.LocationCommand}, NoRecord: true,
			Bindings: []apps.Binding{{Location: apps.LocationCommand, Bindings: []apps.Binding{{Label: id, Submit: apps.NewCall("/go")}}}}})
	}
	installHTTPApp(t, w, testapp.Options{AppID: "sluggish", Locations: apps.Locations{apps.LocationCommand}, NoRecord: true,
		BindingsDelay: 3 * bindingsTimeout,
		Bindings:      []apps.Binding{{Location: apps.LocationCommand, Bindings: []apps.Binding{{Label: "sluggish", Submit: apps.NewCall("/go")}}}}})
	const users = 40
	tokens := make([]string, users)
	for i := range tokens {
		u := w.host.MM.CreateUser("loaduser" + string(rune('a'+i/26)) + string(rune('a'+i%26)))
		if _, err := w.host.MM.AddTeamMember(w.teamID, u.Id, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.host.MM.AddChannelMember(w.channelID, u.Id, ""); err != nil {
			t.Fatal(err)
		}
		tokens[i] = w.host.MM.LoginUser(u.Id)
	}
	before := w.bindingsStats(t)
	warnsBefore := countLogs(w, "warn", "timed out", "sluggish")
	var mu sync.Mutex
	var withSlow, reported, silent int
	var wg sync.WaitGroup
	for round := 0; round < 3; round++ {
		for _, tok := range tokens {
			wg.Add(1)
			go func(tok string) {
				defer wg.Done()
				bb, header := w.getBindings(t, tok, w.channelID)
				cmds := at(bb, apps.LocationCommand)
				has := map[string]bool{}
				for _, c := range cmds {
					has[c.Label] = true
				}
				mu.Lock()
				defer mu.Unlock()
				for _, id := range []string{"load1", "load2", "load3", "load4"} {
					if !has[id] {
						t.Errorf("a healthy app (%s) is missing: %v", id, labels(cmds))
					}
				}
				switch {
				case has["sluggish"]:
					withSlow++
				case strings.Contains(header.Get("X-Apps-Bindings-Omitted"), "sluggish="):
					reported++
				default:
					silent++
				}
			}(tok)
		}
		wg.Wait()
	}
	st := w.bindingsStats(t)
	timeouts := st.TimedOut - before.TimedOut
	skipped := st.Skipped - before.Skipped
	logged := countLogs(w, "warn", "timed out", "sluggish") - warnsBefore
	t.Logf("%d answers: %d with the slow app, %d reporting it left out, %d silent; %d timeouts (%d logged), %d skipped while paused; healthy apps: %d",
		3*users, withSlow, reported, silent, timeouts, logged, skipped, healthy)
	if silent != 0 {
		t.Fatalf("%d answers left the slow app out without saying so", silent)
	}
	if uint64(reported) != timeouts+skipped {
		t.Errorf("answers without the slow app: %d; counted timeouts+skipped: %d", reported, timeouts+skipped)
	}
	if uint64(logged) != timeouts || timeouts == 0 {
		t.Errorf("timeouts: %d counted, %d logged", timeouts, logged)
	}
}

// withoutBuiltin drops the built-in app's bindings (its /apps command is in
// every user's bindings).
func withoutBuiltin(bb []apps.Binding) []apps.Binding {
	var out []apps.Binding
	for _, b := range bb {
		if b.AppID != apps.BuiltinAppID {
			out = append(out, b)
		}
	}
	return out
}
