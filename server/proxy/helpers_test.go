package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/session"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
	"github.com/mattermost-community/apps-plugin/upstream"
)

const testPluginID = "com.mattermost.apps"

// fakeUpstream records calls and answers with respond.
type fakeUpstream struct {
	mu      sync.Mutex
	calls   []apps.CallRequest
	respond func(app apps.App, creq apps.CallRequest) (apps.CallResponse, error)
}

func (u *fakeUpstream) Roundtrip(ctx context.Context, app apps.App, creq apps.CallRequest, async bool) (io.ReadCloser, error) {
	// Round-trip the request through JSON, as a real app would see it.
	raw, _ := json.Marshal(creq)
	var seen apps.CallRequest
	_ = json.Unmarshal(raw, &seen)
	u.mu.Lock()
	u.calls = append(u.calls, seen)
	u.mu.Unlock()
	resp := apps.NewTextResponse("ok")
	if u.respond != nil {
		var err error
		if resp, err = u.respond(app, seen); err != nil {
			return nil, err
		}
	}
	out, _ := json.Marshal(resp)
	return io.NopCloser(bytes.NewReader(out)), nil
}

func (u *fakeUpstream) GetStatic(context.Context, apps.App, string) (io.ReadCloser, string, error) {
	return nil, "", upstream.ErrNotFound
}

func (u *fakeUpstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.calls)
}

func (u *fakeUpstream) last(t *testing.T) apps.CallRequest {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.calls) == 0 {
		t.Fatal("the app received no call")
	}
	return u.calls[len(u.calls)-1]
}

// testWorld is a proxy on the in-memory Mattermost with a team, a channel
// and two users (alice is in both, bob in neither).
type testWorld struct {
	mm                *fakemm.Server
	api               mmplugin.API
	p                 *Proxy
	up                *fakeUpstream
	alice, bob, admin string
	team, channel, dm string
}

func newTestWorld(t testing.TB) *testWorld {
	t.Helper()
	mm := fakemm.New(fakemm.Options{SiteURL: "http://mm.test"})
	api := mm.ForPlugin(fakemm.PluginManifest{Id: testPluginID}, "node1", t.TempDir())
	conf := config.NewService(api, config.BuildInfo{PluginID: testPluginID, Version: "test"})
	if err := conf.Reload(); err != nil {
		t.Fatal(err)
	}
	up := &fakeUpstream{}
	p := New(Options{
		API: api, Config: conf, Apps: store.NewInstalledApps(api),
		Upstreams:       map[apps.DeployType]upstream.Upstream{apps.DeployHTTP: up},
		Sessions:        session.New(api, nil),
		BindingsTimeout: 200 * time.Millisecond,
	})
	w := &testWorld{mm: mm, api: api, p: p, up: up}
	alice := mm.CreateUser("alice")
	bob := mm.CreateUser("bob")
	admin := mm.CreateAdmin("admin")
	team := mm.CreateTeam("team")
	ch := mm.CreateChannel(team.Id, "town", "O", admin.Id)
	for _, id := range []string{alice.Id, admin.Id} {
		if _, err := mm.AddTeamMember(team.Id, id, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := mm.AddChannelMember(ch.Id, id, ""); err != nil {
			t.Fatal(err)
		}
	}
	dm, err := mm.CreateDirectChannel(alice.Id, admin.Id)
	if err != nil {
		t.Fatal(err)
	}
	w.alice, w.bob, w.admin, w.team, w.channel, w.dm = alice.Id, bob.Id, admin.Id, team.Id, ch.Id, dm.Id
	return w
}

// install stores an app with a bot, as InstallApp would.
func (w *testWorld) install(t testing.TB, id string, perms apps.Permissions, locs apps.Locations) apps.App {
	t.Helper()
	bot := w.mm.CreateUser(id + "-bot")
	app := apps.App{
		Manifest: apps.Manifest{
			AppID: apps.AppID(id), Version: "1.0.0", DisplayName: "App " + id, HomepageURL: "https://example.com",
			HTTP: &apps.HTTP{RootURL: "http://app.test"},
		},
		DeployType: apps.DeployHTTP, BotUserID: bot.Id, BotUsername: bot.Username,
		GrantedPermissions: perms, GrantedLocations: locs,
	}
	if err := w.p.store.Save(id, app); err != nil {
		t.Fatal(err)
	}
	return app
}

func (w *testWorld) call(id, path, channelID string, e *apps.Expand) (apps.ProxyCallResponse, error) {
	return w.p.InvokeCall(context.Background(), Incoming{ActingUserID: w.alice}, apps.CallRequest{
		Call:    apps.Call{Path: path, Expand: e},
		Context: apps.Context{UserAgentContext: apps.UserAgentContext{AppID: apps.AppID(id), ChannelID: channelID, TeamID: w.team}},
	})
}
