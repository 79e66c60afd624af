package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
	"github.com/mattermost-community/apps-plugin/test/testbundle"
)

// installHTTPApp starts a test app, lists it and installs it through the
// REST API as the admin (consent is implied there).
func installHTTPApp(t testing.TB, w *world, opts testapp.Options) *testapp.App {
	t.Helper()
	app := startApp(t, opts)
	m, err := json.Marshal(app.Manifest())
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body, err := w.host.Fetch(w.adminToken, http.MethodPost, pluginPath("/api/v1/update-app-listing"), string(m)); err != nil || status != http.StatusOK {
		t.Fatalf("list %s: %d %s %v", opts.AppID, status, body, err)
	}
	req, _ := json.Marshal(map[string]string{"app_id": opts.AppID, "secret": opts.Secret})
	if status, _, body, err := w.host.Fetch(w.adminToken, http.MethodPost, pluginPath("/api/v1/install-app"), string(req)); err != nil || status != http.StatusOK {
		t.Fatalf("install %s: %d %s %v", opts.AppID, status, body, err)
	}
	return app
}

// call POSTs a call request to /api/v1/call as the holder of token.
func (w *world) call(t testing.TB, token string, creq apps.CallRequest) (int, apps.ProxyCallResponse, string) {
	t.Helper()
	body, err := json.Marshal(creq)
	if err != nil {
		t.Fatal(err)
	}
	status, _, resp, err := w.host.Fetch(token, http.MethodPost, pluginPath("/api/v1/call"), string(body))
	if err != nil {
		t.Fatal(err)
	}
	var out apps.ProxyCallResponse
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(resp), &out); err != nil {
			t.Fatalf("decode call response %q: %v", resp, err)
		}
	}
	return status, out, resp
}

func callRequest(appID, path, channelID string, expand *apps.Expand) apps.CallRequest {
	return apps.CallRequest{
		Call: apps.Call{Path: path, Expand: expand},
		Context: apps.Context{UserAgentContext: apps.UserAgentContext{
			AppID: apps.AppID(appID), ChannelID: channelID, Location: "/channel_header/send", UserAgent: "webapp",
		}},
	}
}

// lastCall is the last call the app received on path.
func lastCall(t *testing.T, app *testapp.App, path string) testapp.Received {
	t.Helper()
	rr := app.Received()
	for i := len(rr) - 1; i >= 0; i-- {
		if rr[i].Path == path {
			return rr[i]
		}
	}
	t.Fatalf("the app received no call to %s; got %v", path, app.ReceivedPaths())
	return testapp.Received{}
}

func TestCallReachesHTTPAppWithJWT(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	app := installHTTPApp(t, w, testapp.Options{
		AppID: "caller", Secret: "s3cret",
		Permissions: apps.Permissions{apps.PermissionActAsBot},
		Locations:   apps.Locations{apps.LocationChannelHeader},
		Handle: func(creq apps.CallRequest) apps.CallResponse {
			switch creq.Path {
			case "/fail":
				return apps.CallResponse{Type: apps.CallResponseTypeError, Text: "the app says no"}
			case "/form":
				return apps.NewFormResponse(apps.Form{Title: "Form", Icon: "icon.png", Submit: apps.NewCall("/submit"),
					Fields: []apps.Field{{Name: "a", Type: apps.FieldTypeText}, {Name: "bad name", Type: apps.FieldTypeText}}})
			case "/refresh":
				return apps.CallResponse{Type: apps.CallResponseTypeOK, Text: "refreshed", RefreshBindings: true}
			}
			return apps.NewTextResponse("hello %s", creq.GetValue("name", "?"))
		},
	})

	creq := callRequest("caller", "/send", w.channelID, &apps.Expand{ActingUser: apps.ExpandSummary, Channel: apps.ExpandID})
	creq.Values = map[string]any{"name": "bob"}
	status, resp, body := w.call(t, w.userToken, creq)
	if status != http.StatusOK || resp.Type != apps.CallResponseTypeOK || resp.Text != "hello bob" {
		t.Fatalf("call: %d %s", status, body)
	}
	bot := botByUsername(w.host, "caller")
	if resp.AppMetadata == nil || resp.AppMetadata.BotUserID != bot.UserId || resp.AppMetadata.BotUsername != "caller" {
		t.Errorf("app_metadata = %+v, want the bot %s", resp.AppMetadata, bot.UserId)
	}
	got := lastCall(t, app, "/send")
	cc := got.Request.Context
	switch {
	case got.ActingUserID != w.user:
		t.Errorf("JWT acting_user_id = %q, want %s", got.ActingUserID, w.user)
	case cc.ActingUser == nil || cc.ActingUser.ID != w.user || cc.ActingUser.Username != "alice":
		t.Errorf("acting_user = %+v", cc.ActingUser)
	case cc.Channel == nil || cc.Channel.ID != w.channelID || cc.Channel.Name != "" || cc.ChannelID != w.channelID:
		t.Errorf("channel at level id: %+v, channel_id %q", cc.Channel, cc.ChannelID)
	case cc.TeamID != "" || cc.Location != "" || cc.UserAgent != "":
		t.Errorf("the user-agent context reached the app unexpanded: team %q location %q agent %q", cc.TeamID, cc.Location, cc.UserAgent)
	case cc.BotAccessToken == "" || cc.BotUserID != bot.UserId || cc.MattermostSiteURL != w.host.URL:
		t.Errorf("expanded context: %+v", cc.ExpandedContext)
	}

	// The app's own error is a 200 of type error with the app's text.
	status, resp, body = w.call(t, w.userToken, callRequest("caller", "/fail", w.channelID, nil))
	if status != http.StatusOK || resp.Type != apps.CallResponseTypeError || resp.Text != "the app says no" {
		t.Fatalf("app error: %d %s", status, body)
	}
	// Forms are cleaned: icon → static URL, a field with a two-word name dropped.
	status, resp, body = w.call(t, w.userToken, callRequest("caller", "/form", w.channelID, nil))
	if status != http.StatusOK || resp.Form == nil || len(resp.Form.Fields) != 1 ||
		resp.Form.Icon != w.host.URL+"/plugins/"+pluginID+"/apps/caller/static/icon.png" {
		t.Fatalf("form: %d %s", status, body)
	}
	// refresh_bindings → a websocket event to the user.
	w.host.MM.ClearWebsocketEvents()
	if status, resp, body = w.call(t, w.userToken, callRequest("caller", "/refresh", w.channelID, nil)); status != http.StatusOK || !resp.RefreshBindings {
		t.Fatalf("refresh: %d %s", status, body)
	}
	var refreshed bool
	for _, ev := range w.host.MM.WebsocketEvents() {
		if ev.Event == "custom_"+pluginID+"_refresh_bindings" && ev.Broadcast.UserId == w.user {
			refreshed = true
		}
	}
	if !refreshed {
		t.Errorf("no refresh_bindings event for the user: %+v", w.host.MM.WebsocketEvents())
	}

	// A wrong secret: the app rejects the JWT; the error names the app and why.
	app.SetSecret("rotated")
	status, _, body = w.call(t, w.userToken, callRequest("caller", "/send", w.channelID, nil))
	if status != http.StatusBadGateway || !strings.Contains(body, `"caller"`) || !strings.Contains(body, "401") || !strings.Contains(body, "bad JWT") {
		t.Fatalf("call with a rotated secret: %d %q, want 502 naming the app and the 401", status, body)
	}
	if app.Rejected() == 0 {
		t.Error("the app did not reject the wrongly signed call")
	}
	app.SetSecret("s3cret")

	// Refusals.
	other := w.host.MM.CreateChannel(w.teamID, "not-alice", "O", w.admin)
	for _, tc := range []struct {
		name   string
		token  string
		creq   apps.CallRequest
		status int
		want   string
	}{
		{"anonymous", "", callRequest("caller", "/send", w.channelID, nil), http.StatusUnauthorized, "log in"},
		{"not a member", w.userToken, callRequest("caller", "/send", other.Id, nil), http.StatusForbidden, "not a member of channel"},
		{"unknown app", w.userToken, callRequest("nosuch", "/send", w.channelID, nil), http.StatusNotFound, "not installed"},
		{"no app id", w.userToken, callRequest("", "/send", w.channelID, nil), http.StatusBadRequest, "app_id"},
		{"ping", w.userToken, callRequest("caller", "/ping", w.channelID, nil), http.StatusForbidden, "reserved"},
		{"on_install", w.userToken, callRequest("caller", "/install", w.channelID, nil), http.StatusForbidden, "reserved"},
		{"cleaned to on_uninstall", w.userToken, callRequest("caller", "/x/../uninstall", w.channelID, nil), http.StatusBadRequest, ".."},
		{"oauth2", w.userToken, callRequest("caller", "/oauth2/complete", w.channelID, nil), http.StatusForbidden, "reserved"},
		{"webhook", w.userToken, callRequest("caller", "/webhook/github", w.channelID, nil), http.StatusForbidden, "webhooks"},
		{"bad expand", w.userToken, callRequest("caller", "/send", w.channelID, &apps.Expand{Channel: "none"}), http.StatusBadRequest, "expand"},
	} {
		status, _, body := w.call(t, tc.token, tc.creq)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %q, want %d containing %q", tc.name, status, body, tc.status, tc.want)
		}
	}
	n := len(app.ReceivedPaths())
	// The admin disables the app: calls are refused without reaching it.
	w.run(t, w.admin, "/apps disable caller")
	if status, _, body := w.call(t, w.userToken, callRequest("caller", "/send", w.channelID, nil)); status != http.StatusForbidden || !strings.Contains(body, "disabled") {
		t.Errorf("disabled app: %d %q", status, body)
	}
	for _, p := range app.ReceivedPaths()[n:] {
		if p != "/disable" {
			t.Errorf("the app received %s after the refusals", p)
		}
	}
}

// TestCallInGroupChannel: a group channel has no team; the client's team is
// kept (the user is a member), not refused.
func TestCallInGroupChannel(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	app := installHTTPApp(t, w, testapp.Options{AppID: "gmapp", Permissions: apps.Permissions{apps.PermissionActAsUser}, Locations: apps.Locations{apps.LocationCommand}})
	carol := w.host.MM.CreateUser("carol")
	gm, err := w.host.MM.CreateGroupChannel(w.user, w.admin, carol.Id)
	if err != nil {
		t.Fatal(err)
	}
	creq := callRequest("gmapp", "/here", gm.Id, &apps.Expand{Channel: "+summary", Team: "+summary", TeamMember: apps.ExpandAll})
	creq.Context.TeamID = w.teamID
	status, _, body := w.call(t, w.userToken, creq)
	if status != http.StatusOK {
		t.Fatalf("call in a group channel: %d %s", status, body)
	}
	cc := lastCall(t, app, "/here").Request.Context
	if cc.Channel == nil || cc.Channel.Type != "G" || cc.Channel.TeamID != "" || cc.Team == nil || cc.Team.ID != w.teamID || cc.TeamMember == nil || cc.TeamMember.UserID != w.user {
		t.Fatalf("group channel context: channel %+v team %+v member %+v", cc.Channel, cc.Team, cc.TeamMember)
	}
	// carol is not on the team: the team is dropped, and required → refused.
	carolToken := w.host.MM.LoginUser(carol.Id)
	if status, _, body := w.call(t, carolToken, creq); status != http.StatusBadRequest || !strings.Contains(body, "no team") {
		t.Fatalf("team expand for a non-member: %d %s", status, body)
	}
}

// TestConnectionsAreReused: 2000 calls through the plugin to one HTTP app
// use a handful of connections (counted by the app's server).
func TestConnectionsAreReused(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	app := installHTTPApp(t, w, testapp.Options{AppID: "pooled", Secret: "pool", Locations: apps.Locations{apps.LocationCommand}, NoRecord: true})
	before := app.Conns()
	const calls, workers = 2000, 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	body, _ := json.Marshal(callRequest("pooled", "/send", w.channelID, nil))
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= calls {
				req, _ := http.NewRequest(http.MethodPost, w.host.URL+pluginPath("/api/v1/call"), strings.NewReader(string(body)))
				req.Header.Set("Authorization", "Bearer "+w.userToken)
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				var out apps.ProxyCallResponse
				if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil || out.Text != "ok /send" {
					failed.Add(1)
				}
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d of %d calls failed", failed.Load(), calls)
	}
	opened := app.Conns() - before
	t.Logf("%d calls (%d at a time) opened %d connections to the app", calls, workers, opened)
	if opened > workers+2 {
		t.Fatalf("%d calls opened %d connections to the app, want at most %d", calls, opened, workers+2)
	}
	if app.Rejected() != 0 {
		t.Fatalf("the app rejected %d calls", app.Rejected())
	}
}

// TestLambdaAppCallsStaticAndBindings: a Lambda app with three functions
// (paths /, /admin, /admin/deep) provisioned into MinIO and the local
// Lambda. Calls go to the function with the longest matching path prefix;
// static assets come from S3; bindings and the app's slash command work.
func TestLambdaAppCallsStaticAndBindings(t *testing.T) {
	aws := startAWS(t)
	root, err := testbundle.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "test", "e2e", "testdata", "lambdaapp")
	m, err := aws.ProvisionExample(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, mmhost.Options{PluginEnv: aws.PluginEnv()}, nil)
	raw, _ := json.Marshal(m)
	if status, _, body, _ := w.host.Fetch(w.adminToken, http.MethodPost, pluginPath("/api/v1/update-app-listing"), string(raw)); status != http.StatusOK {
		t.Fatalf("list: %d %s", status, body)
	}
	if status, _, body, _ := w.host.Fetch(w.adminToken, http.MethodPost, pluginPath("/api/v1/install-app"), `{"app_id":"lambda3"}`); status != http.StatusOK {
		t.Fatalf("install: %d %s", status, body)
	}

	for path, fn := range map[string]string{
		"/hello":         "root",
		"/adm":           "root",
		"/admin":         "admin",
		"/admin/x":       "admin",
		"/administrator": "admin", // a string prefix, as upstream
		"/admin/deep":    "deep",
		"/admin/deep/y":  "deep",
	} {
		status, resp, body := w.call(t, w.userToken, callRequest("lambda3", path, w.channelID, &apps.Expand{ActingUser: apps.ExpandSummary}))
		want := fmt.Sprintf("function %s path %s user alice", apps.LambdaName("lambda3", "0.1.0", fn), path)
		if status != http.StatusOK || resp.Text != want {
			t.Errorf("call %s: %d %s; want %q", path, status, body, want)
		}
	}

	for name, want := range map[string]string{"icon.svg": "image/svg+xml", "test.txt": "text/plain; charset=utf-8"} {
		resp, body := w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/lambda3/static/"+name, nil)
		file, _ := os.ReadFile(filepath.Join(dir, "static", name))
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != want || !bytes.Equal(body, file) {
			t.Errorf("static %s: %d %q %q", name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	if resp, _ := w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/lambda3/static/missing.png", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing S3 asset: %d", resp.StatusCode)
	}

	bb, _ := w.getBindings(t, w.userToken, w.channelID)
	if cmds := at(bb, apps.LocationCommand); len(cmds) != 1 || cmds[0].Label != "three" || len(cmds[0].Bindings) != 2 {
		t.Errorf("commands: %+v", cmds)
	}
	if hdr := at(bb, apps.LocationChannelHeader); len(hdr) != 1 || hdr[0].Icon != w.host.URL+"/plugins/"+pluginID+"/apps/lambda3/static/icon.svg" {
		t.Errorf("channel header: %+v", hdr)
	}
	out := w.run(t, w.user, "/three admin")
	mustContain(t, "/three admin", out, "function "+apps.LambdaName("lambda3", "0.1.0", "admin")+" path /admin/x")
}
