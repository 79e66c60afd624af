package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/migrate"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/original"
	"github.com/mattermost-community/apps-plugin/test/testapp"
	"github.com/mattermost-community/apps-plugin/test/testbundle"
)

// legacy is what the original plugin left on the server.
type legacy struct {
	botHTTP, botLambda string
	oauthAppID         string
	user, userToken    string
	team, channel      string
	originalKeys       []string // records that must move (sessions aside)
	httpSecret         string
}

// seedOriginal writes, before our plugin is installed, what the original
// plugin (v1.2.2) stored: two installed apps (an HTTP app with a JWT
// secret, enabled, and a Lambda app, disabled), a local manifest, KV values
// of the HTTP app's bot and of a user, a value of the Lambda app's bot,
// OAuth2 user data, a subscription and a cached session.
func seedOriginal(t *testing.T, h *mmhost.Host, httpURL string, lambdaApp func(bot string) string) *legacy {
	t.Helper()
	h.MM.UpdateConfig(func(c *model.Config) {
		c.ServiceSettings.EnableOAuthServiceProvider = model.NewBool(true)
	})
	api := h.MM.ForPlugin(fakemm.PluginManifest{Id: pluginID}, "node1", "")
	o := original.Writer{MM: h.MM, PluginID: pluginID}
	l := &legacy{httpSecret: "legacy-s3cret"}

	oldAdmin := h.MM.CreateAdmin("oldadmin")
	user := h.MM.CreateUser("olduser")
	l.user, l.userToken = user.Id, h.MM.LoginUser(user.Id)
	botH, appErr := api.CreateBot(&model.Bot{Username: "legacy-http", DisplayName: "Legacy HTTP", Description: "Bot account for Legacy HTTP App."})
	if appErr != nil {
		t.Fatal(appErr)
	}
	botL, appErr := api.CreateBot(&model.Bot{Username: "legacy-lambda", DisplayName: "Legacy Lambda"})
	if appErr != nil {
		t.Fatal(appErr)
	}
	l.botHTTP, l.botLambda = botH.UserId, botL.UserId
	oauth, appErr := api.CreateOAuthApp(&model.OAuthApp{
		CreatorId: oldAdmin.Id, Name: "Legacy HTTP", Homepage: "https://example.com/legacy-http",
		CallbackUrls: []string{h.URL + "/plugins/" + pluginID + "/apps/legacy-http/oauth2/mattermost/complete"}, IsTrusted: true,
	})
	if appErr != nil {
		t.Fatal(appErr)
	}
	l.oauthAppID = oauth.Id
	team := h.MM.CreateTeam("oldteam")
	ch := h.MM.CreateChannel(team.Id, "legacy", "O", oldAdmin.Id)
	l.team, l.channel = team.Id, ch.Id
	for _, id := range []string{oldAdmin.Id, user.Id, l.botHTTP} {
		if _, err := h.MM.AddTeamMember(team.Id, id, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := h.MM.AddChannelMember(ch.Id, id, ""); err != nil {
			t.Fatal(err)
		}
	}

	lambdaRecord := original.LambdaApp(original.LambdaManifest("legacy-lambda", "0.1.0", "fn"), l.botLambda, "legacy-lambda", true)
	lambdaID := "legacy-lambda"
	if lambdaApp != nil {
		lambdaRecord = lambdaApp(l.botLambda)
		var a struct {
			AppID string `json:"app_id"`
		}
		_ = json.Unmarshal([]byte(lambdaRecord), &a)
		lambdaID = a.AppID
	}
	l.originalKeys = []string{
		o.InstallApp("legacy-http", original.HTTPApp("legacy-http", httpURL, l.httpSecret, l.botHTTP, "legacy-http", l.oauthAppID, false)),
		o.InstallApp(lambdaID, lambdaRecord),
		o.ListManifest("legacy-http", original.Manifest("legacy-http", httpURL)),
		o.SetValue("legacy-http", l.botHTTP, "", "counter", `{"n":41}`),
		o.SetValue("legacy-http", l.user, "pf", "theme", `"dark"`),
		o.SetValue(lambdaID, l.botLambda, "", "state", `{"ok":true}`),
		o.SetOAuth2User("legacy-http", l.user, `{"token":"t0"}`),
	}
	o.Subscribe("sub.user_joined_channel."+ch.Id, "user_joined_channel", ch.Id, "", "legacy-http", l.botHTTP, "/event")
	o.CacheSession("legacy-http", l.user, `{"id":"oldsession"}`)
	return l
}

// legacyHTTPApp is the original's HTTP app, still running: it checks the
// JWT with its secret and, on /read, reads its old data through the plugin
// with the tokens it gets.
func legacyHTTPApp(t *testing.T) *testapp.App {
	return startApp(t, testapp.Options{
		AppID: "legacy-http", Version: "1.2.0", Secret: "legacy-s3cret",
		Permissions: apps.Permissions{apps.PermissionActAsBot, apps.PermissionActAsUser, apps.PermissionRemoteOAuth2, apps.PermissionRemoteWebhooks},
		Locations:   apps.Locations{apps.LocationCommand, apps.LocationChannelHeader},
		Paths: map[string]func(apps.CallRequest) apps.CallResponse{"/read": func(creq apps.CallRequest) apps.CallResponse {
			cc := creq.Context
			_, bot, err1 := testapp.CallPlugin(cc, cc.BotAccessToken, http.MethodGet, "/api/v1/kv/counter", nil)
			_, user, err2 := testapp.CallPlugin(cc, cc.ActingUserAccessToken, http.MethodGet, "/api/v1/kv/pf/theme", nil)
			_, botSeesUser, _ := testapp.CallPlugin(cc, cc.BotAccessToken, http.MethodGet, "/api/v1/kv/pf/theme", nil)
			oauth, _ := json.Marshal(cc.OAuth2.User)
			return apps.NewTextResponse("bot=%s user=%s bot-sees-user=%s oauth2=%s errors=%v,%v", bot, user, botSeesUser, oauth, err1, err2)
		}},
	})
}

func (w *world) readLegacy(t *testing.T, l *legacy, app *testapp.App) {
	t.Helper()
	creq := callRequest("legacy-http", "/read", l.channel, &apps.Expand{ActingUserAccessToken: apps.ExpandAll, OAuth2User: apps.ExpandAll})
	status, resp, body := w.call(t, l.userToken, creq)
	if status != http.StatusOK || resp.Type != apps.CallResponseTypeOK {
		t.Fatalf("call legacy-http /read: %d %s", status, body)
	}
	mustContain(t, "what the app read", resp.Text, `bot={"n":41}`, `user="dark"`, `bot-sees-user={}`, `oauth2={"token":"t0"}`, "errors=<nil>,<nil>")
	last := lastCall(t, app, "/read")
	if last.ActingUserID != l.user || last.Request.Context.BotUserID != l.botHTTP {
		t.Fatalf("the app was called as %q with bot %q; want %q and the original's bot %q", last.ActingUserID, last.Request.Context.BotUserID, l.user, l.botHTTP)
	}
	if app.Rejected() != 0 {
		t.Fatalf("the app rejected %d requests: the JWT secret did not carry over", app.Rejected())
	}
}

// migratedSnapshot is the plugin's stored data and config, without what
// changes on its own (sessions made by calls, locks).
func migratedSnapshot(h *mmhost.Host) map[string]string {
	out := map[string]string{}
	for k, v := range h.MM.KV(pluginID) {
		if strings.HasPrefix(k, ".s") || strings.HasPrefix(k, "lock.") {
			continue
		}
		out[k] = string(v)
	}
	conf, _ := json.Marshal(h.MM.PluginConfigMap(pluginID))
	out["(config)"] = string(conf)
	return out
}

func TestReplacingTheOriginalPlugin(t *testing.T) {
	app := legacyHTTPApp(t)
	var l *legacy
	w := newWorld(t, mmhost.Options{Nodes: 2}, func(h *mmhost.Host) {
		allowLoopbackApps(h)
		l = seedOriginal(t, h, app.URL, nil)
	})
	// One node migrated; the other found it done and loaded the result.
	migrations := 0
	for _, line := range w.host.MM.Logs() {
		if strings.Contains(line.Message, "Migrated the stored data") {
			migrations++
		}
	}
	if migrations != 1 {
		t.Errorf("%d nodes migrated, want 1", migrations)
	}
	p, _ := w.host.Plugin(pluginID)
	rec := httptestRecorder()
	p.Instances[1].Hooks.ServeHTTP(pluginCtx(), rec, httptestRequest(http.MethodGet, "/api/v1/apps/legacy-lambda", w.admin))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"disabled":true`) {
		t.Errorf("node2 does not have the migrated app: %d %s", rec.Code, rec.Body.String())
	}

	// Both apps are installed, with their bots; the disabled one stays so.
	list := w.run(t, w.admin, "/apps list")
	mustContain(t, "/apps list", list, "**Legacy legacy-http** (`legacy-http`) | Enabled | http | 1.2.0 | @legacy-http",
		"**Legacy legacy-lambda** (`legacy-lambda`) | Disabled | aws_lambda | 0.1.0 | @legacy-lambda")
	st, _, body, err := w.host.Fetch(w.adminToken, http.MethodGet, pluginPath("/api/v1/apps/legacy-http"), "")
	if err != nil || st != http.StatusOK {
		t.Fatalf("get the app: %d %s %v", st, body, err)
	}
	var got apps.App
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Secret != l.httpSecret || got.BotUserID != l.botHTTP || got.MattermostOAuth2 == nil || got.MattermostOAuth2.ID != l.oauthAppID ||
		got.WebhookSecret != "wh-legacy-http" || len(got.GrantedPermissions) != 4 || len(got.GrantedLocations) != 2 {
		t.Fatalf("legacy-http after the migration: %s", body)
	}

	// The HTTP app answers with the same secret and bot and reads its old
	// KV values (bot and user namespaces) and OAuth2 user data.
	w.readLegacy(t, l, app)
	// The disabled app gets no calls.
	status, _, body := w.call(t, l.userToken, callRequest("legacy-lambda", "/x", l.channel, nil))
	if !strings.Contains(body, "legacy-lambda is disabled") {
		t.Fatalf("a call to the disabled app: %d %s", status, body)
	}

	// The subscription still fires, as the app's bot.
	newcomer := w.host.MM.CreateUser("newcomer")
	if _, err := w.host.MM.AddTeamMember(l.team, newcomer.Id, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.host.MM.AddChannelMember(l.channel, newcomer.Id, ""); err != nil {
		t.Fatal(err)
	}
	events := app.WaitFor("/event", 1, 5*time.Second)
	if len(events) != 1 || events[0].ActingUserID != l.botHTTP || events[0].Request.Context.UserID != newcomer.Id ||
		events[0].Request.Context.Subject != apps.SubjectUserJoinedChannel {
		t.Fatalf("subscription deliveries: %+v", events)
	}

	info := w.run(t, w.admin, "/apps info")
	mustContain(t, "/apps info", info, "Storage schema: 1; last migration: migrated the original plugin's data: 2 installed apps, 1 local manifest, 3 app KV values, 1 OAuth2 user record, 1 subscription record; deleted 1 cached session, 20")
	mustContain(t, "dry run", w.run(t, w.admin, "/apps debug migrate --dry-run"), "Nothing to migrate.")
	mustContain(t, "dry run as a user", w.run(t, w.user, "/apps debug migrate --dry-run"), "Forbidden")

	kv := w.host.MM.KV(pluginID)
	for _, k := range l.originalKeys {
		if _, ok := kv[k]; ok {
			t.Errorf("the original record %q is still there", k)
		}
		if _, ok := kv[migrate.BackupKey(k)]; !ok {
			t.Errorf("no backup of %q", k)
		}
	}
	if conf := w.host.MM.PluginConfigMap(pluginID); conf["installed_apps"] != nil || conf["local_manifests"] != nil {
		t.Errorf("the original's config maps are still there: %v", conf)
	}

	// A second activation changes nothing, and everything still works.
	before := migratedSnapshot(w.host)
	if err := w.host.RestartPlugin(pluginID); err != nil {
		t.Fatal(err)
	}
	if after := migratedSnapshot(w.host); !mapsEqual(before, after) {
		t.Fatalf("the second activation changed the stored data:\nbefore %v\nafter  %v", before, after)
	}
	w.readLegacy(t, l, app)
	mustContain(t, "/apps list after a restart", w.run(t, w.admin, "/apps list"), "Legacy legacy-http", "Legacy legacy-lambda", "Disabled")

	// Rolling back gives the original its records and config back; if this
	// plugin starts again instead of the original, it migrates them again.
	mustContain(t, "rollback as a user", w.run(t, w.user, "/apps debug migrate --rollback"), "Forbidden")
	mustContain(t, "rollback", w.run(t, w.admin, "/apps debug migrate --rollback"), "rolled back: restored 8 records", "replace this plugin with the original")
	kv = w.host.MM.KV(pluginID)
	for _, k := range l.originalKeys {
		if _, ok := kv[k]; !ok {
			t.Errorf("the original record %q was not restored", k)
		}
	}
	if conf := w.host.MM.PluginConfigMap(pluginID); conf["installed_apps"] == nil || conf["local_manifests"] == nil {
		t.Errorf("the original's config maps were not restored: %v", conf)
	}
	if out := w.run(t, w.admin, "/apps list"); strings.Contains(out, "legacy-lambda") {
		t.Errorf("after the rollback this plugin still lists the original's apps:\n%s", out)
	}
	if err := w.host.RestartPlugin(pluginID); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "/apps info after migrating again", w.run(t, w.admin, "/apps info"), "last migration: migrated the original plugin's data: 2 installed apps")
	w.readLegacy(t, l, app)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// TestMigrationCrashIsResumed kills the plugin process halfway through the
// migration (the test hook exits after the 20th write), then starts it
// again: the migration resumes and nothing is lost or duplicated.
func TestMigrationCrashIsResumed(t *testing.T) {
	app := legacyHTTPApp(t)
	clock := &testClock{}
	marker := filepath.Join(t.TempDir(), "crashed")
	var l *legacy
	w := newWorld(t, mmhost.Options{Now: clock.Now, PluginEnv: []string{
		migrate.EnvTestCrashAfter + "=20", migrate.EnvTestCrashMarker + "=" + marker,
	}}, func(h *mmhost.Host) {
		allowLoopbackApps(h)
		l = seedOriginal(t, h, app.URL, nil)
		if _, err := h.InstallPlugin(bundlePath(t)); err == nil {
			t.Fatal("the plugin started although the migration was to crash")
		}
		if _, err := os.Stat(marker); err != nil {
			t.Fatalf("the crash hook did not run: %v", err)
		}
		// Halfway: some records moved (and backed up), others not yet,
		// none lost.
		kv := h.MM.KV(pluginID)
		moved, left := 0, 0
		for _, k := range l.originalKeys {
			_, orig := kv[k]
			_, bak := kv[migrate.BackupKey(k)]
			switch {
			case orig:
				left++
			case bak:
				moved++
			default:
				t.Errorf("after the crash, %q is neither in place nor backed up", k)
			}
		}
		if moved == 0 || left == 0 {
			t.Fatalf("the crash was not halfway: %d moved, %d left", moved, left)
		}
		var st struct {
			Data migrate.State `json:"data"`
		}
		if err := json.Unmarshal(kv[migrate.StateKey], &st); err != nil || st.Data.Status != migrate.StatusRunning {
			t.Fatalf("state after the crash: %s (%v)", kv[migrate.StateKey], err)
		}
		clock.Add(2 * time.Minute) // the crashed process's lock expires
	})

	mustContain(t, "/apps info", w.run(t, w.admin, "/apps info"),
		"Storage schema: 1; last migration: migrated the original plugin's data: 2 installed apps", "(resumed: attempt 2)")
	mustContain(t, "/apps list", w.run(t, w.admin, "/apps list"), "Legacy legacy-http** (`legacy-http`) | Enabled", "Legacy legacy-lambda** (`legacy-lambda`) | Disabled")
	w.readLegacy(t, l, app)

	kv := w.host.MM.KV(pluginID)
	for _, k := range l.originalKeys {
		if _, ok := kv[k]; ok {
			t.Errorf("the original record %q is still there", k)
		}
		if _, ok := kv[migrate.BackupKey(k)]; !ok {
			t.Errorf("no backup of %q", k)
		}
	}
	var index struct {
		Data []string `json:"data"`
	}
	if err := json.Unmarshal(kv["idx.apps"], &index); err != nil || !slices.Equal(index.Data, []string{"legacy-http", "legacy-lambda"}) {
		t.Errorf("idx.apps = %s (%v)", kv["idx.apps"], err)
	}
	sub := string(kv["sub.user_joined_channel."+l.channel])
	if strings.Count(sub, `"app_id"`) != 1 {
		t.Errorf("the subscription record after the resume: %s", sub)
	}
	values := 0
	for k := range kv {
		if strings.HasPrefix(k, ".a") {
			values++
		}
	}
	if values != 3 {
		t.Errorf("%d app KV values after the resume, want 3", values)
	}
}

// TestMigratedLambdaAppAnswersCalls: a Lambda app the original installed
// (disabled) is enabled after the migration and answers calls, with its
// original bot. It needs MinIO and the local Lambda.
func TestMigratedLambdaAppAnswersCalls(t *testing.T) {
	aws := startAWS(t)
	root, err := testbundle.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	m, err := aws.ProvisionExample(t.Context(), filepath.Join(root, "test", "e2e", "testdata", "lambdaapp"), nil)
	if err != nil {
		t.Fatal(err)
	}
	manifest, _ := json.Marshal(m)
	app := legacyHTTPApp(t)
	var l *legacy
	w := newWorld(t, mmhost.Options{PluginEnv: aws.PluginEnv()}, func(h *mmhost.Host) {
		allowLoopbackApps(h)
		l = seedOriginal(t, h, app.URL, func(bot string) string {
			return original.LambdaApp(string(manifest), bot, "legacy-lambda", true)
		})
	})
	mustContain(t, "list", w.run(t, w.admin, "/apps list"), "Three Functions** (`lambda3`) | Disabled | aws_lambda | 0.1.0 | @legacy-lambda")
	mustContain(t, "enable", w.run(t, w.admin, "/apps enable lambda3"), "Enabled")
	status, resp, body := w.call(t, l.userToken, callRequest("lambda3", "/hello", l.channel, &apps.Expand{ActingUser: apps.ExpandSummary}))
	want := fmt.Sprintf("function %s path /hello user olduser", apps.LambdaName("lambda3", "0.1.0", "root"))
	if status != http.StatusOK || resp.Text != want {
		t.Fatalf("call the migrated Lambda app: %d %s; want %q", status, body, want)
	}
	st, _, body, _ := w.host.Fetch(w.adminToken, http.MethodGet, pluginPath("/api/v1/apps/lambda3"), "")
	var got apps.App
	if st != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.BotUserID != l.botLambda || got.Disabled {
		t.Fatalf("lambda3 after enabling: %d %s", st, body)
	}
	w.readLegacy(t, l, app)
}
