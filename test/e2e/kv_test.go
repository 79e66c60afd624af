package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// servicesApp is an installed HTTP test app and the tokens it received in
// on_install: the app's own way to call back into the plugin.
type servicesApp struct {
	*testapp.App
	id    apps.AppID
	botID string
	// botToken is context.bot_access_token, adminToken the installing
	// admin's context.acting_user_access_token.
	botToken   string
	adminToken string
}

// installServicesApp installs a test app as an administrator does
// (/apps install http, then install listed with consent).
func installServicesApp(t testing.TB, w *world, opts testapp.Options) *servicesApp {
	t.Helper()
	if opts.Secret == "" {
		opts.Secret = "s3cret-" + opts.AppID
	}
	app := startApp(t, opts)
	w.runTB(t, w.admin, "/apps install http "+app.URL+"/manifest.json")
	out := w.runTB(t, w.admin, "/apps install listed "+opts.AppID+" --consent --secret "+opts.Secret)
	if !strings.Contains(out, "nstalled") {
		t.Fatalf("install %s: %s", opts.AppID, out)
	}
	got := app.WaitFor("/install", 1, 5*time.Second)
	if len(got) == 0 {
		t.Fatalf("%s: no on_install call", opts.AppID)
	}
	cc := got[0].Request.Context
	return &servicesApp{App: app, id: apps.AppID(opts.AppID), botID: cc.BotUserID, botToken: cc.BotAccessToken, adminToken: cc.ActingUserAccessToken}
}

func (w *world) runTB(t testing.TB, userID, command string) string {
	t.Helper()
	resp, err := w.host.ExecuteCommand(userID, w.channelID, command)
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	return resp.Text
}

// userToken has the holder of loginToken call the app and returns the
// app-specific token the app got for that user (acting_user_access_token).
func (a *servicesApp) userToken(t testing.TB, w *world, loginToken string) string {
	t.Helper()
	creq, _ := json.Marshal(apps.CallRequest{
		Call:    apps.Call{Path: "/whoami", Expand: &apps.Expand{ActingUser: apps.ExpandID, ActingUserAccessToken: apps.ExpandAll}},
		Context: apps.Context{UserAgentContext: apps.UserAgentContext{AppID: a.id}},
	})
	status, _, body, err := w.host.Fetch(loginToken, http.MethodPost, pluginPath("/api/v1/call"), string(creq))
	if err != nil || status != http.StatusOK {
		t.Fatalf("call %s /whoami: %d %s %v", a.id, status, body, err)
	}
	rr := a.Received()
	for i := len(rr) - 1; i >= 0; i-- {
		if rr[i].Path == "/whoami" && rr[i].Request.Context.ActingUserAccessToken != "" {
			return rr[i].Request.Context.ActingUserAccessToken
		}
	}
	t.Fatalf("%s got no acting user token", a.id)
	return ""
}

// api calls the plugin's REST API with token (as an app does with the
// tokens it received).
func (w *world) api(t testing.TB, token, method, path, body string) (int, string) {
	t.Helper()
	status, _, resp, err := w.host.Fetch(token, method, pluginPath(path), body)
	if err != nil {
		t.Fatal(err)
	}
	return status, resp
}

func expectStatus(t testing.TB, what string, status int, body string, want int, contains ...string) {
	t.Helper()
	if status != want {
		t.Fatalf("%s: %d %q, want %d", what, status, body, want)
	}
	for _, c := range contains {
		if !strings.Contains(body, c) {
			t.Fatalf("%s: %q does not contain %q", what, body, c)
		}
	}
}

var servicesPerms = apps.Permissions{apps.PermissionActAsBot, apps.PermissionActAsUser}

type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

func TestKVStoreThroughThePlugin(t *testing.T) {
	clock := &testClock{}
	w := newWorld(t, mmhost.Options{Now: clock.Now}, allowLoopbackApps)
	a := installServicesApp(t, w, testapp.Options{AppID: "kva", Permissions: servicesPerms})
	b := installServicesApp(t, w, testapp.Options{AppID: "kvb", Permissions: servicesPerms})
	aUser := a.userToken(t, w, w.userToken)

	st, body := w.api(t, a.botToken, http.MethodPut, "/api/v1/kv/k", `{"v":1}`)
	expectStatus(t, "put", st, body, 200, `"changed":true`)
	st, body = w.api(t, a.botToken, http.MethodPost, "/api/v1/kv/k", `{"v":1}`)
	expectStatus(t, "same value again", st, body, 200, `"changed":false`)
	st, body = w.api(t, a.botToken, http.MethodGet, "/api/v1/kv/k", "")
	expectStatus(t, "get", st, body, 200, `{"v":1}`)

	// App b cannot read app a's data; a's user and bot namespaces are apart;
	// prefixes are namespaces too.
	for name, tok := range map[string]string{"app b's bot": b.botToken, "app b as admin": b.adminToken, "app a as the user": aUser} {
		st, body := w.api(t, tok, http.MethodGet, "/api/v1/kv/k", "")
		expectStatus(t, name, st, body, 200)
		if strings.TrimSpace(body) != "{}" {
			t.Fatalf("%s reads %q, want {}", name, body)
		}
	}
	st, body = w.api(t, a.botToken, http.MethodGet, "/api/v1/kv/p/k", "")
	if st != 200 || strings.TrimSpace(body) != "{}" {
		t.Fatalf("prefixed get: %d %q", st, body)
	}
	st, body = w.api(t, aUser, http.MethodPut, "/api/v1/kv/p/k", `"user's"`)
	expectStatus(t, "user put", st, body, 200, `"changed":true`)
	st, body = w.api(t, a.botToken, http.MethodGet, "/api/v1/kv?prefix=", "")
	expectStatus(t, "list", st, body, 200, `{"keys":["k"]}`)
	st, body = w.api(t, aUser, http.MethodGet, "/api/v1/kv?prefix=p", "")
	expectStatus(t, "user list", st, body, 200, `{"keys":["k"]}`)

	// Limits: 8 KiB of JSON.
	big := `"` + strings.Repeat("x", apps.MaxKVValueSize) + `"`
	st, body = w.api(t, a.botToken, http.MethodPut, "/api/v1/kv/k", big)
	expectStatus(t, "9 KiB value", st, body, http.StatusRequestEntityTooLarge, "size limit")
	st, body = w.api(t, a.botToken, http.MethodPut, "/api/v1/kv/k", `not json`)
	expectStatus(t, "not JSON", st, body, http.StatusBadRequest, "not valid JSON")
	st, body = w.api(t, a.botToken, http.MethodPut, "/api/v1/kv/abc/k", `1`)
	expectStatus(t, "3-byte prefix", st, body, http.StatusBadRequest, "prefix")

	// Tokens that are not the app's own: refused, nothing changes.
	for name, tok := range map[string]string{"no token": "", "wrong token": "not-a-token", "the user's own login": w.userToken, "the admin's own login": w.adminToken} {
		st, body := w.api(t, tok, http.MethodPut, "/api/v1/kv/k", `{"v":2}`)
		expectStatus(t, name, st, body, http.StatusUnauthorized)
		if !strings.Contains(body, "not an app session") {
			t.Fatalf("%s: %q does not say \"not an app session\"", name, body)
		}
	}
	st, body = w.api(t, a.botToken, http.MethodGet, "/api/v1/kv/k", "")
	expectStatus(t, "get after refusals", st, body, 200, `{"v":1}`)

	// Delete.
	st, body = w.api(t, aUser, http.MethodDelete, "/api/v1/kv/p/k", "")
	expectStatus(t, "delete", st, body, 200, `"deleted":true`)
	st, body = w.api(t, aUser, http.MethodGet, "/api/v1/kv?prefix=p", "")
	expectStatus(t, "list after delete", st, body, 200, `{"keys":[]}`)

	// Uninstall keeps the data; --delete-data deletes it (and only a's).
	hk, _ := appservices.Hashkey(a.id, a.botID, "", "k")
	hkb, _ := appservices.Hashkey(b.id, b.botID, "", "kb")
	st, body = w.api(t, b.botToken, http.MethodPut, "/api/v1/kv/kb", `true`)
	expectStatus(t, "b put", st, body, 200)
	for k := range w.host.MM.KV(pluginID) {
		if len(k) > 50 {
			t.Errorf("KV key %q is %d bytes (old servers allow 50)", k, len(k))
		}
	}
	mustContain(t, "uninstall", w.run(t, w.admin, "/apps uninstall kva"), "Uninstalled", "kept")
	if _, ok := w.host.MM.KV(pluginID)[hk]; !ok {
		t.Fatal("the data went with a plain uninstall")
	}
	w.run(t, w.admin, "/apps install listed kva --consent --secret s3cret-kva")
	mustContain(t, "uninstall --delete-data", w.run(t, w.admin, "/apps uninstall kva --delete-data"), "Uninstalled", "deleted")
	kv := w.host.MM.KV(pluginID)
	if _, ok := kv[hk]; ok {
		t.Fatal("the data survived --delete-data")
	}
	if _, ok := kv[hkb]; !ok {
		t.Fatal("--delete-data of kva deleted kvb's data")
	}

	// An expired app token: 401, nothing changed.
	clock.Add(11 * time.Minute) // app sessions live 10 minutes
	st, body = w.api(t, b.botToken, http.MethodPut, "/api/v1/kv/kb", `false`)
	expectStatus(t, "expired token", st, body, http.StatusUnauthorized)
	if v := string(w.host.MM.KV(pluginID)[hkb]); v != "true" {
		t.Fatalf("kvb's value after a refused write = %q", v)
	}
}
