package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// allowLoopbackApps lets the plugin reach apps on 127.0.0.1, as an admin
// would with ServiceSettings.AllowedUntrustedInternalConnections.
func allowLoopbackApps(h *mmhost.Host) {
	h.MM.UpdateConfig(func(c *model.Config) {
		c.ServiceSettings.AllowedUntrustedInternalConnections = model.NewString("127.0.0.1")
	})
}

func startApp(t testing.TB, opts testapp.Options) *testapp.App {
	t.Helper()
	a, err := testapp.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// run executes a slash command and returns its text.
func (w *world) run(t *testing.T, userID, command string) string {
	t.Helper()
	resp, err := w.host.ExecuteCommand(userID, w.channelID, command)
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	return resp.Text
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Fatalf("%s = %q\nwant it to contain %q", what, got, want)
		}
	}
}

func botByUsername(h *mmhost.Host, username string) *model.Bot {
	for _, b := range h.MM.Bots() {
		if b.Username == username {
			return b
		}
	}
	return nil
}

func TestHTTPAppLifecycle(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	app := startApp(t, testapp.Options{
		AppID: "hello", Secret: "s3cret",
		Permissions: apps.Permissions{apps.PermissionActAsBot, apps.PermissionActAsUser},
		Locations:   apps.Locations{apps.LocationCommand, apps.LocationChannelHeader},
	})

	// Listing it shows the consent text and installs nothing.
	out := w.run(t, w.admin, "/apps install http "+app.URL+"/manifest.json")
	mustContain(t, "consent", out, "use Mattermost REST API as the app's bot user", "Channel Header buttons", "--consent", "--secret")
	if botByUsername(w.host, "hello") != nil {
		t.Fatal("a bot was created before consent")
	}

	out = w.run(t, w.admin, "/apps install listed hello --consent --secret s3cret")
	mustContain(t, "install", out, "Installed Test app hello", "@hello", "install done by hello")
	bot := botByUsername(w.host, "hello")
	if bot == nil || bot.DeleteAt != 0 {
		t.Fatalf("bot after install: %+v", bot)
	}
	if len(w.host.MM.ProfileImage(bot.UserId)) == 0 {
		t.Error("the bot's picture was not set from the app's icon")
	}
	oauth := w.host.MM.OAuthApps()
	if len(oauth) != 1 || oauth[0].MattermostAppID != "hello" || !strings.HasSuffix(oauth[0].CallbackUrls[0], "/plugins/"+pluginID+"/apps/hello/oauth2/mattermost/complete") {
		t.Fatalf("OAuth apps after install: %+v", oauth)
	}
	var install *testapp.Received
	for _, r := range app.Received() {
		if r.Path == "/install" {
			install = &r
		}
	}
	if install == nil {
		t.Fatalf("on_install not received; got %v", app.ReceivedPaths())
	}
	if install.ActingUserID != w.admin || install.Request.Context.ActingUser == nil || install.Request.Context.ActingUser.ID != w.admin {
		t.Errorf("on_install acting user: JWT %q, context %+v; want %s", install.ActingUserID, install.Request.Context.ActingUser, w.admin)
	}
	if install.Request.Context.BotUserID != bot.UserId || install.Request.Context.MattermostSiteURL != w.host.URL {
		t.Errorf("on_install context: %+v", install.Request.Context.ExpandedContext)
	}
	// Tokens are short-lived app sessions (act_as_bot, act_as_user granted).
	botToken, userToken := install.Request.Context.BotAccessToken, install.Request.Context.ActingUserAccessToken
	if s, ok := w.host.MM.Authenticate(botToken); !ok || s.UserId != bot.UserId || s.Props["mattermost_app_id"] != "hello" {
		t.Fatalf("bot token in on_install: %q -> %+v", botToken, s)
	}
	if s, ok := w.host.MM.Authenticate(userToken); !ok || s.UserId != w.admin {
		t.Fatalf("acting user token in on_install: %q -> %+v", userToken, s)
	}
	if tokens := w.host.MM.UserAccessTokens(bot.UserId); len(tokens) != 0 {
		t.Errorf("a personal access token was created for the bot: %+v", tokens)
	}

	out = w.run(t, w.user, "/apps list")
	mustContain(t, "list", out, "Test app hello", "Enabled", "http", "@hello", "act_as_bot")

	out = w.run(t, w.admin, "/apps disable hello")
	mustContain(t, "disable", out, "Disabled")
	if _, ok := w.host.MM.Authenticate(botToken); ok {
		t.Error("the bot token still works after disable")
	}
	if b := botByUsername(w.host, "hello"); b.DeleteAt == 0 {
		t.Error("bot still active after disable")
	}
	mustContain(t, "list", w.run(t, w.admin, "/apps list"), "Disabled")

	out = w.run(t, w.admin, "/apps enable hello")
	mustContain(t, "enable", out, "Enabled", "enable done by hello")
	if b := botByUsername(w.host, "hello"); b.DeleteAt != 0 {
		t.Error("bot inactive after enable")
	}

	// A restart keeps the installed app.
	if err := w.host.RestartPlugin(pluginID); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "list after restart", w.run(t, w.admin, "/apps list"), "Test app hello", "Enabled")

	out = w.run(t, w.admin, "/apps uninstall hello")
	mustContain(t, "uninstall", out, "Uninstalled", "data is kept")
	if len(w.host.MM.OAuthApps()) != 0 {
		t.Error("OAuth app left after uninstall")
	}
	if b := botByUsername(w.host, "hello"); b.DeleteAt == 0 {
		t.Error("bot still active after uninstall")
	}
	want := []string{"/ping", "/install", "/disable", "/enable", "/uninstall"}
	// Besides pings, and bindings calls (the plugin registers the app's slash
	// commands from them after install, enable and restart).
	got := slices.DeleteFunc(app.ReceivedPaths(), func(p string) bool { return p == "/ping" || p == "/bindings" })
	if !slices.Equal(got, want[1:]) {
		t.Errorf("app received %v, want %v (besides pings and bindings)", got, want[1:])
	}
	if app.Rejected() != 0 {
		t.Errorf("the app rejected %d requests for their JWT", app.Rejected())
	}
	mustContain(t, "list after uninstall", w.run(t, w.admin, "/apps list"), "Listed")
}

func TestWrongSecretFailsInstallAndLeavesNothing(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	app := startApp(t, testapp.Options{AppID: "jwtapp", Secret: "right"})
	w.run(t, w.admin, "/apps install http "+app.URL+"/manifest.json")
	out := w.run(t, w.admin, "/apps install listed jwtapp --secret wrong")
	mustContain(t, "install with a wrong secret", out, "Error", "jwtapp")
	if app.Rejected() == 0 {
		t.Error("the app never saw (and rejected) the wrongly signed request")
	}
	if botByUsername(w.host, "jwtapp") != nil {
		t.Error("a bot was left behind by the failed install")
	}
}

func TestNonAdminIsRefusedAndNothingChanges(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	app := startApp(t, testapp.Options{AppID: "guarded", Locations: apps.Locations{apps.LocationCommand}})
	w.run(t, w.admin, "/apps install http "+app.URL+"/manifest.json")
	for _, cmd := range []string{
		"/apps install listed guarded --consent",
		"/apps install http " + app.URL + "/manifest.json",
		"/apps uninstall guarded", "/apps enable guarded", "/apps disable guarded",
	} {
		mustContain(t, cmd, w.run(t, w.user, cmd), "Forbidden")
	}
	status, _, body, err := w.host.Fetch(w.userToken, http.MethodPost, pluginPath("/api/v1/install-app"), `{"app_id":"guarded"}`)
	if err != nil || status != http.StatusForbidden {
		t.Fatalf("REST install as a user: %d %q %v, want 403", status, body, err)
	}
	if status, _, _, _ := w.host.Fetch("", http.MethodGet, pluginPath("/api/v1/bot-ids"), ""); status != http.StatusUnauthorized {
		t.Errorf("anonymous bot-ids: %d, want 401", status)
	}
	if len(w.host.MM.Bots()) != 1 || len(app.Received()) != 0 {
		t.Fatalf("something changed: bots %d, app calls %v", len(w.host.MM.Bots()), app.ReceivedPaths())
	}
}

func TestConcurrentInstallsYieldOneApp(t *testing.T) {
	w := newWorld(t, mmhost.Options{Nodes: 2}, allowLoopbackApps)
	app := startApp(t, testapp.Options{AppID: "racer", Locations: apps.Locations{apps.LocationCommand}})
	w.run(t, w.admin, "/apps install http "+app.URL+"/manifest.json")
	p, _ := w.host.Plugin(pluginID)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Alternate nodes: the race is cluster-wide.
			in := p.Instances[i%2]
			rec := httptestRecorder()
			req, _ := http.NewRequest(http.MethodPost, "/api/v1/install-app", bytes.NewReader([]byte(`{"app_id":"racer"}`)))
			req.Header.Set("Mattermost-User-Id", w.admin)
			in.Hooks.ServeHTTP(pluginCtx(), rec, req)
			if rec.Code != http.StatusOK {
				t.Errorf("install on %s: %d %s", in.Node, rec.Code, rec.Body.String())
			}
		}()
	}
	wg.Wait()
	n := 0
	for _, b := range w.host.MM.Bots() {
		if strings.HasPrefix(b.Username, "racer") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("bots for racer = %d, want 1", n)
	}
	status, _, body, _ := w.host.Fetch(w.adminToken, http.MethodGet, pluginPath("/api/v1/apps/racer"), "")
	var got apps.App
	if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.AppID != "racer" {
		t.Fatalf("get app: %d %s", status, body)
	}
}

func testappOptions(id string) testapp.Options {
	return testapp.Options{AppID: id, Locations: apps.Locations{apps.LocationCommand}}
}
