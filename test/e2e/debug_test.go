package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

func TestDebugCommands(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, func(h *mmhost.Host) { allowLoopbackApps(h) })
	app := startApp(t, testappOptions("dbg"))
	w.run(t, w.admin, "/apps install http "+app.URL+"/manifest.json")
	mustContain(t, "install", w.run(t, w.admin, "/apps install listed dbg --consent"), "Installed")

	// Outside developer mode the debug commands refuse, and say how to enable them.
	mustContain(t, "debug without developer mode", w.run(t, w.admin, "/apps debug kv list"), "Forbidden", "developer mode")

	w.host.MM.SetPluginSetting(pluginID, "developer_mode", true)
	mustContain(t, "debug as a user", w.run(t, w.user, "/apps debug kv list"), "Forbidden")
	mustContain(t, "kv list", w.run(t, w.admin, "/apps debug kv list"), "| `ia.` | 1 |", "| `lm.` | 1 |")

	mustContain(t, "clean", w.run(t, w.admin, "/apps debug clean"), "Deleted all")
	out := w.run(t, w.admin, "/apps list")
	if strings.Contains(out, "dbg") {
		t.Fatalf("after debug clean the app is still there:\n%s", out)
	}
	if keys := w.host.MM.KV(pluginID); len(keys) > 2 {
		t.Errorf("keys left after clean: %v", keys)
	}
}

// TestDebugInspectCommands covers /apps debug bindings, kv info|clean,
// session list|view|delete and store list.
func TestDebugInspectCommands(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, func(h *mmhost.Host) { allowLoopbackApps(h) })
	w.host.MM.SetPluginSetting(pluginID, "developer_mode", true)
	opts := testappOptions("dbgi")
	opts.Permissions = apps.Permissions{apps.PermissionActAsBot}
	opts.Bindings = []apps.Binding{{Location: apps.LocationCommand, Bindings: []apps.Binding{{Label: "dbgi", Location: "dbgi", Submit: apps.NewCall("/hi")}}}}
	app := installServicesApp(t, w, opts)
	cc := app.WaitFor("/install", 1, 5*time.Second)[0].Request.Context
	for _, k := range []string{"k1", "k2"} {
		if status, body, err := testapp.CallPlugin(cc, app.botToken, http.MethodPut, "/api/v1/kv/"+k, []byte(`{"v":1}`)); err != nil || status != http.StatusOK {
			t.Fatalf("kv put %s: %d %s %v", k, status, body, err)
		}
	}

	mustContain(t, "debug bindings", w.run(t, w.admin, "/apps debug bindings"), "```json", `"label": "dbgi"`, `"label": "apps"`, w.channelID)
	mustContain(t, "kv info as a user", w.run(t, w.user, "/apps debug kv info dbgi"), "Forbidden")
	mustContain(t, "kv info", w.run(t, w.admin, "/apps debug kv info dbgi"), "| `.a` | KV values | 2 |", "| `.i` | KV key lists (per user and prefix) | 1 |", "| `.s` | app sessions | 1 |")

	list := w.run(t, w.admin, "/apps debug session list")
	sessionID := ""
	for _, line := range strings.Split(list, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 4 && strings.TrimSpace(cells[1]) == "dbgi" {
			sessionID = strings.TrimSpace(cells[3])
		}
	}
	if sessionID == "" {
		t.Fatalf("no session of dbgi in:\n%s", list)
	}
	view := w.run(t, w.admin, "/apps debug session view "+sessionID)
	mustContain(t, "session view", view, sessionID, `"app_id": "dbgi"`, app.botID)
	if strings.Contains(view, app.botToken) {
		t.Fatal("session view shows the whole token")
	}
	mustContain(t, "session delete", w.run(t, w.admin, "/apps debug session delete "+sessionID), "Revoked session "+sessionID)
	mustContain(t, "session view after delete", w.run(t, w.admin, "/apps debug session view "+sessionID), "no app session")
	if status, _, _ := testapp.CallPlugin(cc, app.botToken, http.MethodGet, "/api/v1/kv/k1", nil); status != http.StatusUnauthorized && status != http.StatusForbidden {
		t.Fatalf("the revoked token still works: %d", status)
	}

	store := w.run(t, w.admin, "/apps debug store list")
	mustContain(t, "store list", store, "1 installed apps, 1 local listings", `"app_id": "dbgi"`, `"installed_apps"`, `"local_manifests"`)
	if strings.Contains(store, "s3cret-dbgi") {
		t.Fatal("store list shows the app's JWT secret")
	}

	mustContain(t, "kv clean", w.run(t, w.admin, "/apps debug kv clean dbgi"), "Deleted 3 keys of app dbgi")
	mustContain(t, "kv info after clean", w.run(t, w.admin, "/apps debug kv info dbgi"), "| `.a` | KV values | 0 |")
	mustContain(t, "app still installed", w.run(t, w.admin, "/apps list"), "dbgi")
}
