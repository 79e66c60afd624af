package e2e

import (
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/test/mmhost"
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
