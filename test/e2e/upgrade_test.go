package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
)

// TestUpgradeCallsOnVersionChangedOncePerCluster: an installed app listed
// at a newer version is upgraded (record, bot name) and its
// on_version_changed is called once, with prev_version, however many nodes
// sync the listing and however often they restart.
func TestUpgradeCallsOnVersionChangedOncePerCluster(t *testing.T) {
	w := newWorld(t, mmhost.Options{Nodes: 2}, func(h *mmhost.Host) { allowLoopbackApps(h) })
	var mu sync.Mutex
	version, name := "1.0.0", "Upgrade App"
	opts := testappOptions("upg")
	opts.Manifest = func(m *apps.Manifest) {
		mu.Lock()
		defer mu.Unlock()
		m.Version, m.DisplayName = apps.AppVersion(version), name
		m.OnVersionChanged = apps.NewCall("/version-changed")
	}
	set := func(v, n string) {
		mu.Lock()
		version, name = v, n
		mu.Unlock()
	}
	app := startApp(t, opts)
	w.run(t, w.admin, "/apps install http "+app.URL+"/manifest.json")
	mustContain(t, "install", w.run(t, w.admin, "/apps install listed upg --consent"), "Installed")

	versionChanged := func() []string {
		var prev []string
		for _, r := range app.Received() {
			if r.Path == "/version-changed" {
				prev = append(prev, r.Request.GetValue("prev_version", ""))
			}
		}
		return prev
	}
	waitList := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			out := w.run(t, w.admin, "/apps list")
			if strings.Contains(out, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/apps list never showed %q:\n%s", want, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// 1.1.0 is listed behind the plugin's back (as a new bundle's listing
	// would be); both nodes restart and sync at activation, at once.
	set("1.1.0", "Upgraded App")
	raw, err := json.Marshal(map[string]any{"schema": 1, "data": app.Manifest()})
	if err != nil {
		t.Fatal(err)
	}
	w.host.MM.SetKV(pluginID, "lm.upg", raw)
	if err := w.host.RestartPlugin(pluginID); err != nil {
		t.Fatal(err)
	}
	app.WaitFor("/version-changed", 1, 10*time.Second)
	waitList("1.1.0")
	time.Sleep(300 * time.Millisecond) // a second call would have come by now
	if got := versionChanged(); len(got) != 1 || got[0] != "1.0.0" {
		t.Fatalf("on_version_changed prev_version values = %v, want [1.0.0]", got)
	}
	if bot := botByUsername(w.host, "upg"); bot == nil || bot.DisplayName != "Upgraded App" || !strings.Contains(bot.Description, "Upgraded App") {
		t.Fatalf("bot after the upgrade = %+v", bot)
	}

	// A restart does not call it again.
	if err := w.host.RestartPlugin(pluginID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if got := versionChanged(); len(got) != 1 {
		t.Fatalf("after a restart: on_version_changed calls = %v, want 1", got)
	}

	// 1.2.0 through the listing API, as an admin: upgraded right away.
	set("1.2.0", "Upgraded Again")
	m, _ := json.Marshal(app.Manifest())
	if status, _, body, err := w.host.Fetch(w.adminToken, http.MethodPost, pluginPath("/api/v1/update-app-listing"), string(m)); err != nil || status != http.StatusOK {
		t.Fatalf("update-app-listing: %d %s %v", status, body, err)
	}
	if got := versionChanged(); len(got) != 2 || got[1] != "1.1.0" {
		t.Fatalf("on_version_changed prev_version values = %v, want [1.0.0 1.1.0]", got)
	}
	waitList("1.2.0")
	if bot := botByUsername(w.host, "upg"); bot == nil || bot.DisplayName != "Upgraded Again" {
		t.Fatalf("bot after the second upgrade = %+v", bot)
	}
	// /apps refresh on a synced listing changes nothing.
	mustContain(t, "refresh", w.run(t, w.admin, "/apps refresh"), "Refreshed")
	if got := versionChanged(); len(got) != 2 {
		t.Fatalf("after refresh: on_version_changed calls = %v, want 2", got)
	}
}
