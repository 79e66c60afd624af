package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/builtin"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// TestDebugWriteCommands covers /apps debug kv create|edit|edit-modal,
// store pollute and oauth config view.
func TestDebugWriteCommands(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, func(h *mmhost.Host) { allowLoopbackApps(h) })
	w.host.MM.SetPluginSetting(pluginID, "developer_mode", true)
	app := installServicesApp(t, w, testapp.Options{AppID: "dbgw", Permissions: apps.Permissions{apps.PermissionActAsBot, apps.PermissionActAsUser, apps.PermissionRemoteOAuth2}})

	// kv create: the app reads the value with its own token.
	mustContain(t, "kv create as a user", w.run(t, w.user, `/apps debug kv create dbgw k1 '{"v":1}'`), "Forbidden")
	mustContain(t, "kv create", w.run(t, w.admin, `/apps debug kv create dbgw k1 '{"v": 1}'`), `Created key "k1" of app dbgw`)
	st, body := w.api(t, app.botToken, http.MethodGet, "/api/v1/kv/k1", "")
	expectStatus(t, "app reads the created value", st, body, 200, `{"v": 1}`)
	st, body = w.api(t, app.botToken, http.MethodGet, "/api/v1/kv?prefix=", "")
	expectStatus(t, "app lists the created key", st, body, 200, `{"keys":["k1"]}`)
	mustContain(t, "kv create over an existing key", w.run(t, w.admin, `/apps debug kv create dbgw k1 2`), "already has key")
	mustContain(t, "kv create, not JSON", w.run(t, w.admin, `/apps debug kv create dbgw k2 nope`), "not valid JSON")
	mustContain(t, "kv create for a user", w.run(t, w.admin, `/apps debug kv create dbgw k1 '"u"' --user `+w.user), "Created", w.user)
	userTok := app.userToken(t, w, w.userToken)
	st, body = w.api(t, userTok, http.MethodGet, "/api/v1/kv/k1", "")
	expectStatus(t, "user namespace", st, body, 200, `"u"`)

	// kv edit: only existing keys.
	mustContain(t, "kv edit", w.run(t, w.admin, `/apps debug kv edit dbgw k1 '{"v":2}'`), `Updated key "k1"`)
	st, body = w.api(t, app.botToken, http.MethodGet, "/api/v1/kv/k1", "")
	expectStatus(t, "app reads the edited value", st, body, 200, `{"v":2}`)
	mustContain(t, "kv edit of a missing key", w.run(t, w.admin, `/apps debug kv edit dbgw nokey 1`), "has no key")

	// kv edit-modal: a form whose submit edits.
	st, resp, raw := w.call(t, w.adminToken, builtinCall(w, builtin.PathDebugKVEditModal, nil, map[string]any{"app": "dbgw", "key": "k1"}))
	if st != 200 || resp.Type != apps.CallResponseTypeForm || resp.Form == nil || resp.Form.Submit == nil || resp.Form.Submit.Path != builtin.PathDebugKVEdit {
		t.Fatalf("edit-modal: %d %s", st, raw)
	}
	var names []string
	for _, f := range resp.Form.Fields {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); !strings.HasPrefix(got, "app,key,value") {
		t.Fatalf("edit-modal fields = %s", got)
	}
	st, resp, raw = w.call(t, w.adminToken, builtinCall(w, resp.Form.Submit.Path, nil, map[string]any{
		"app": map[string]any{"label": "dbgw", "value": "dbgw"}, "key": "k1", "value": `[3]`}))
	if st != 200 || !strings.Contains(resp.Text, "Updated") {
		t.Fatalf("submit of the edit-modal: %d %s", st, raw)
	}
	st, body = w.api(t, app.botToken, http.MethodGet, "/api/v1/kv/k1", "")
	expectStatus(t, "value after the modal", st, body, 200, `[3]`)
	mustContain(t, "edit-modal through the command", w.run(t, w.admin, "/apps debug kv edit-modal"), builtin.PathDebugKVEdit, "- value:")
	if st, resp, raw = w.call(t, w.userToken, builtinCall(w, builtin.PathDebugKVEditModal, nil, nil)); st == 200 && resp.Type == apps.CallResponseTypeForm {
		t.Fatalf("a user got the edit-modal: %s", raw)
	}

	// store pollute: junk under .debug., listed, cleaned.
	mustContain(t, "pollute", w.run(t, w.admin, "/apps debug store pollute 25"), "Wrote 25 junk keys")
	mustContain(t, "pollute default", w.run(t, w.admin, "/apps debug store pollute"), "Wrote 100 junk keys")
	mustContain(t, "kv list after pollute", w.run(t, w.admin, "/apps debug kv list"), "| `.debug.` | 100 |")
	mustContain(t, "pollute bad count", w.run(t, w.admin, "/apps debug store pollute lots"), "count must be")

	// oauth config view: secrets shortened.
	st, body = w.api(t, app.adminToken, http.MethodPut, "/api/v1/oauth2/app", `{"remote_root_url":"https://remote.example.com","client_id":"cid","client_secret":"remote-secret-9876"}`)
	expectStatus(t, "store the remote OAuth2 config", st, body, 200)
	view := w.run(t, w.admin, "/apps debug oauth config view dbgw")
	mustContain(t, "oauth config view", view, "OAuth configuration of app dbgw", `"client_id": "cid"`, `"client_secret": "***9876"`, "https://remote.example.com", `"mattermost_oauth2"`, "/apps/dbgw/oauth2/mattermost/complete", `"id": "`)
	if strings.Contains(view, "remote-secret") {
		t.Fatalf("oauth config view shows the whole remote secret:\n%s", view)
	}
	mustContain(t, "oauth config view as a user", w.run(t, w.user, "/apps debug oauth config view dbgw"), "Forbidden")

	// clean removes the junk too.
	mustContain(t, "clean", w.run(t, w.admin, "/apps debug clean"), "Deleted all")
	for k := range w.host.MM.KV(pluginID) {
		if strings.HasPrefix(k, builtin.PolluteKeyPrefix) {
			t.Fatalf("junk key %s left after clean", k)
		}
	}
}

// TestExpiredAppSessionIsRenewed: a session the server has expired is
// refused; once the plugin drops it, the app's next call brings a new token
// that works and is reused; uninstall revokes the latest one.
//
// The host clock (mmhost Options.Now) moves only the server's time: the
// plugin process keeps the real clock and dates the sessions it creates by
// it, so while the server clock is ahead every new session is born expired,
// and the plugin cannot see the old one expire by itself. In production
// both share the time; GetOrCreate's own expiry and extension rules are
// covered with one clock in server/session. Here the server clock goes
// back before the plugin drops the session (/apps debug session delete) and
// creates the next one.
func TestExpiredAppSessionIsRenewed(t *testing.T) {
	clock := &testClock{}
	w := newWorld(t, mmhost.Options{Now: clock.Now}, allowLoopbackApps)
	w.host.MM.SetPluginSetting(pluginID, "developer_mode", true)
	app := installServicesApp(t, w, testapp.Options{AppID: "renew", Permissions: apps.Permissions{apps.PermissionActAsBot}})

	botToken := func() string {
		t.Helper()
		st, _, raw := w.call(t, w.userToken, callRequest("renew", "/hi", w.channelID, nil))
		if st != 200 {
			t.Fatalf("call /hi: %d %s", st, raw)
		}
		tok := lastCall(t, app.App, "/hi").Request.Context.BotAccessToken
		if tok == "" {
			t.Fatal("the app got no bot_access_token")
		}
		return tok
	}
	old := botToken()
	st, body := w.api(t, old, http.MethodPut, "/api/v1/kv/k", `1`)
	expectStatus(t, "first token", st, body, 200)

	logsBefore := len(w.host.MM.Logs())
	clock.Add(11 * time.Minute) // app sessions live 10 minutes
	st, body = w.api(t, old, http.MethodGet, "/api/v1/kv/k", "")
	expectStatus(t, "expired token", st, body, http.StatusUnauthorized)

	clock.Add(-11 * time.Minute)
	sessionID := ""
	for _, line := range strings.Split(w.run(t, w.admin, "/apps debug session list"), "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 4 && strings.TrimSpace(cells[1]) == "renew" {
			sessionID = strings.TrimSpace(cells[3])
		}
	}
	mustContain(t, "drop the expired session", w.run(t, w.admin, "/apps debug session delete "+sessionID), "Revoked session")

	fresh := botToken()
	if fresh == old {
		t.Fatal("after the session expired the app got the same token again")
	}
	st, body = w.api(t, fresh, http.MethodGet, "/api/v1/kv/k", "")
	expectStatus(t, "renewed token", st, body, 200, "1")
	if again := botToken(); again != fresh {
		t.Fatal("the renewed token was not reused by the next call")
	}
	for _, l := range w.host.MM.Logs()[logsBefore:] {
		if l.Level == "error" || l.Level == "warn" {
			t.Errorf("the plugin logged: %s %s %v", l.Level, l.Message, l.KeyValues)
		}
	}

	mustContain(t, "uninstall", w.run(t, w.admin, "/apps uninstall renew"), "Uninstalled")
	st, body = w.api(t, fresh, http.MethodGet, "/api/v1/kv/k", "")
	expectStatus(t, "token after uninstall", st, body, http.StatusUnauthorized)
}
