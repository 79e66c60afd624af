package proxy

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/registry"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
	"github.com/mattermost-community/apps-plugin/upstream"
)

func TestVersionNewer(t *testing.T) {
	for _, c := range []struct {
		listed, installed string
		want              bool
	}{
		{"1.1.0", "1.0.0", true},
		{"1.10.0", "1.9.2", true},
		{"1.0.0", "1.1.0", false},
		{"1.0.0", "1.0.0", false},
		{"1.0", "1.0.0", false},
		{"v00_01_000", "v00_00_900", true},
		{"beta", "alpha", true},
		{"", "1.0.0", false},
	} {
		if got := versionNewer(apps.AppVersion(c.listed), apps.AppVersion(c.installed)); got != c.want {
			t.Errorf("versionNewer(%q, %q) = %v, want %v", c.listed, c.installed, got, c.want)
		}
	}
}

// TestUpgradeCallsOnVersionChangedOncePerCluster runs the listing sync on
// two nodes at once, several times: the record takes the new manifest, the
// bot the new name, and on_version_changed is called exactly once.
func TestUpgradeCallsOnVersionChangedOncePerCluster(t *testing.T) {
	mm := fakemm.New(fakemm.Options{SiteURL: "http://mm.test"})
	up := &fakeUpstream{}
	node := func(name string) *Proxy {
		api := mm.ForPlugin(fakemm.PluginManifest{Id: testPluginID}, name, t.TempDir())
		conf := config.NewService(api, config.BuildInfo{PluginID: testPluginID, Version: "test"})
		if err := conf.Reload(); err != nil {
			t.Fatal(err)
		}
		installed := store.NewInstalledApps(api)
		if err := installed.Load(); err != nil {
			t.Fatal(err)
		}
		reg := registry.New(registry.Options{API: api, BundlePath: t.TempDir(), Locals: store.NewLocalManifests(api)})
		return New(Options{API: api, Config: conf, Apps: installed, Registry: reg,
			Upstreams: map[apps.DeployType]upstream.Upstream{apps.DeployHTTP: up}})
	}
	first := node("node1")
	api := first.api
	bot, appErr := api.CreateBot(&model.Bot{Username: "upg", DisplayName: "Old Name"})
	if appErr != nil {
		t.Fatal(appErr)
	}
	manifest := func(v, name string) apps.Manifest {
		return apps.Manifest{
			AppID: "upg", Version: apps.AppVersion(v), DisplayName: name, HomepageURL: "https://example.com",
			HTTP: &apps.HTTP{RootURL: "http://app.test"}, OnVersionChanged: &apps.Call{Path: "/version-changed"},
			RequestedPermissions: apps.Permissions{apps.PermissionActAsBot},
		}
	}
	app := apps.App{Manifest: manifest("1.0.0", "Old Name"), DeployType: apps.DeployHTTP, BotUserID: bot.UserId, BotUsername: "upg",
		GrantedPermissions: apps.Permissions{apps.PermissionActAsBot}}
	if err := first.store.Save("upg", app); err != nil {
		t.Fatal(err)
	}
	second := node("node2")
	newer := manifest("1.1.0", "New Name")
	newer.RequestedPermissions = apps.Permissions{apps.PermissionActAsBot, apps.PermissionActAsUser}
	if err := first.registry.AddLocal(newer); err != nil {
		t.Fatal(err)
	}
	if err := second.registry.ReloadLocal(); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	msgs := make([][]string, 4)
	for i := range msgs {
		p := first
		if i%2 == 1 {
			p = second
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			msgs[i] = p.SyncInstalledApps(context.Background())
		}()
	}
	wg.Wait()
	if n := up.count(); n != 1 {
		t.Fatalf("on_version_changed calls = %d, want 1 (messages %v)", n, msgs)
	}
	got := up.last(t)
	if got.Path != "/version-changed" || got.Values["prev_version"] != "1.0.0" {
		t.Fatalf("call = %s %v, want /version-changed prev_version 1.0.0", got.Path, got.Values)
	}
	all := strings.Join(append(append(msgs[0], msgs[1]...), append(msgs[2], msgs[3]...)...), "\n")
	if !strings.Contains(all, "Upgraded upg from 1.0.0 to 1.1.0") || !strings.Contains(all, "act_as_user") {
		t.Fatalf("messages = %q", all)
	}
	stored, err := first.store.Stored("upg")
	if err != nil {
		t.Fatal(err)
	}
	if stored.Version != "1.1.0" || stored.DisplayName != "New Name" {
		t.Fatalf("record = %s %q", stored.Version, stored.DisplayName)
	}
	if stored.GrantedPermissions.Contains(apps.PermissionActAsUser) {
		t.Fatal("an upgrade granted a new permission")
	}
	b, appErr := api.GetBot(bot.UserId, true)
	if appErr != nil || b.DisplayName != "New Name" || !strings.Contains(b.Description, "New Name") {
		t.Fatalf("bot = %+v %v", b, appErr)
	}

	// A restart (a fresh node) and an older listing on a stale node change nothing.
	third := node("node3")
	third.SyncInstalledApps(context.Background())
	stale := node("node4")
	if err := stale.registry.AddLocal(manifest("1.0.0", "Old Name")); err != nil {
		t.Fatal(err)
	}
	stale.SyncInstalledApps(context.Background())
	if n := up.count(); n != 1 {
		t.Fatalf("on_version_changed calls after restart = %d, want 1", n)
	}
	if stored, _ := first.store.Stored("upg"); stored.Version != "1.1.0" {
		t.Fatalf("a stale listing downgraded the app to %s", stored.Version)
	}
}
