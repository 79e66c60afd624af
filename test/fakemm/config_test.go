package fakemm

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func TestConfig(t *testing.T) {
	s := New(Options{SiteURL: "http://127.0.0.1:1234"})
	api := s.ForPlugin(PluginManifest{
		Id: "com.example.cfg", Version: "2.0.0",
		SettingsDefaults: map[string]any{"DeveloperMode": false, "MaxItems": 10, "Name": "default"},
	}, "", "/bundles/cfg")

	cfg := api.GetConfig()
	ss := cfg.ServiceSettings
	if model.String(ss.SiteURL) != "http://127.0.0.1:1234" || !model.Bool(ss.EnableOAuthServiceProvider) ||
		!model.Bool(ss.EnableUserAccessTokens) || !model.Bool(ss.EnableBotAccountCreation) ||
		model.Bool(ss.EnableDeveloper) || model.Bool(ss.EnableTesting) ||
		!model.Bool(cfg.PluginSettings.Enable) || cfg.FeatureFlags == nil || !cfg.FeatureFlags.AppsEnabled {
		t.Fatalf("defaults = %+v", cfg)
	}
	*cfg.ServiceSettings.SiteURL = "mutated"
	cfg.FeatureFlags.AppsEnabled = false
	if s.SiteURL() != "http://127.0.0.1:1234" || !api.GetUnsanitizedConfig().FeatureFlags.AppsEnabled {
		t.Fatal("GetConfig returned shared memory")
	}

	var dest struct {
		DeveloperMode bool
		MaxItems      int
		Name          string
		Extra         string
	}
	if err := api.LoadPluginConfiguration(&dest); err != nil {
		t.Fatal(err)
	}
	if dest.MaxItems != 10 || dest.Name != "default" || dest.DeveloperMode {
		t.Fatalf("defaults not loaded: %+v", dest)
	}
	s.SetPluginSetting("com.example.cfg", "DeveloperMode", true)
	noAppErr(t, api.SavePluginConfig(map[string]any{"Name": "saved", "Extra": "x", "DeveloperMode": true}))
	if got := api.GetPluginConfig(); got["name"] != "saved" || got["extra"] != "x" || len(got) != 3 {
		t.Fatalf("plugin config = %v", got)
	}
	if err := api.LoadPluginConfiguration(&dest); err != nil {
		t.Fatal(err)
	}
	if dest.MaxItems != 10 || dest.Name != "saved" || !dest.DeveloperMode || dest.Extra != "x" {
		t.Fatalf("overlay = %+v", dest)
	}
	var raw json.RawMessage
	if err := api.LoadPluginConfiguration(&raw); err != nil || len(raw) == 0 {
		t.Fatalf("raw = %s, %v", raw, err)
	}
	// SavePluginConfig replaces the map.
	noAppErr(t, api.SavePluginConfig(map[string]any{"only": 1}))
	if got := s.PluginConfigMap("com.example.cfg"); len(got) != 1 || got["only"] != 1 {
		t.Fatalf("after replace = %v", got)
	}
	if got := s.ForPlugin(PluginManifest{Id: "fresh"}, "", "").GetPluginConfig(); got == nil || len(got) != 0 {
		t.Fatalf("unset plugin config = %#v", got)
	}

	// Plugin identity.
	if v := api.GetServerVersion(); v != DefaultServerVersion {
		t.Fatalf("version = %s", v)
	}
	if p, err := api.GetBundlePath(); err != nil || p != "/bundles/cfg" {
		t.Fatalf("bundle = %s, %v", p, err)
	}
	st, err := api.GetPluginStatus("com.example.cfg")
	noAppErr(t, err)
	if st.State != model.PluginStateRunning || st.Version != "2.0.0" {
		t.Fatalf("status = %+v", st)
	}
	_, err = api.GetPluginStatus("not.installed")
	wantAppErr(t, err, http.StatusNotFound, "app.plugin.not_installed.app_error")
	s.SetPluginStatus(model.PluginStatus{PluginId: "com.example.cfg", State: model.PluginStateFailedToStart})
	if st, _ := api.GetPluginStatus("com.example.cfg"); st.State != model.PluginStateFailedToStart {
		t.Fatal("SetPluginStatus ignored")
	}
	plugins, err := api.GetPlugins()
	noAppErr(t, err)
	if len(plugins) != 2 || plugins[0].Id != "com.example.cfg" || plugins[1].Id != "fresh" {
		t.Fatalf("plugins = %+v", plugins)
	}
}

func TestWebsocketEventsAndLogs(t *testing.T) {
	var logged []string
	s := New(Options{Logf: func(f string, a ...any) { logged = append(logged, f) }})
	api := s.ForPlugin(PluginManifest{Id: "com.mattermost.apps"}, "", "")
	payload := map[string]any{"k": "v", "nested": map[string]any{"a": []any{"x"}}}
	api.PublishWebSocketEvent("refresh_bindings", payload, &model.WebsocketBroadcast{UserId: "u1"})
	payload["nested"].(map[string]any)["a"].([]any)[0] = "mutated"
	evs := s.WebsocketEvents()
	if len(evs) != 1 || evs[0].Event != "custom_com.mattermost.apps_refresh_bindings" || evs[0].Broadcast.UserId != "u1" {
		t.Fatalf("events = %+v", evs)
	}
	if evs[0].Data["nested"].(map[string]any)["a"].([]any)[0] != "x" {
		t.Fatal("payload aliased")
	}
	s.ClearWebsocketEvents()
	if len(s.WebsocketEvents()) != 0 {
		t.Fatal("not cleared")
	}

	api.LogWarn("careful", "key", "value")
	api.LogDebug("dbg")
	logs := s.Logs()
	if len(logs) != 2 || logs[0].Level != "warn" || logs[0].PluginID != "com.mattermost.apps" || logs[0].Message != "careful" ||
		len(logs[0].KeyValues) != 2 || logs[1].Level != "debug" || len(logged) != 2 {
		t.Fatalf("logs = %+v / %v", logs, logged)
	}
}

func TestPosts(t *testing.T) {
	s, api, clk := newTestServer(t)
	admin := s.CreateAdmin("admin")
	team := s.CreateTeam("team")
	ch := s.CreateChannel(team.Id, "dev", model.ChannelTypeOpen, admin.Id)

	_, err := api.CreatePost(&model.Post{UserId: admin.Id, Message: "no channel"})
	wantAppErr(t, err, http.StatusBadRequest, "model.post.is_valid.channel_id.app_error")
	_, err = api.CreatePost(&model.Post{ChannelId: ch.Id, Message: "no user"})
	wantAppErr(t, err, http.StatusBadRequest, "model.post.is_valid.user_id.app_error")
	_, err = api.CreatePost(&model.Post{UserId: admin.Id, ChannelId: model.NewId()})
	wantAppErr(t, err, http.StatusNotFound, "app.channel.get.existing.app_error")
	_, err = api.CreatePost(&model.Post{UserId: admin.Id, ChannelId: ch.Id, Type: "weird"})
	wantAppErr(t, err, http.StatusBadRequest, "model.post.is_valid.type.app_error")

	in := &model.Post{
		UserId: admin.Id, ChannelId: ch.Id, Message: "hello", Type: "custom_apps",
		Props: map[string]any{"attachments": []any{map[string]any{
			"text": "att", "actions": []any{map[string]any{"name": "Go", "integration": map[string]any{"url": "/x"}}},
		}}},
	}
	p, err := api.CreatePost(in)
	noAppErr(t, err)
	if !model.IsValidId(p.Id) || p.CreateAt != clk.Now().UnixMilli() || p.GetProp("from_plugin") != "true" || in.Id != "" {
		t.Fatalf("post = %+v", p)
	}
	atts, ok := p.Props["attachments"].([]*model.SlackAttachment)
	if !ok || len(atts) != 1 || atts[0].Text != "att" || atts[0].Actions[0].Id == "" || atts[0].Actions[0].Integration.URL != "/x" {
		t.Fatalf("attachments = %#v", p.Props["attachments"])
	}
	if _, ok := in.Props["from_plugin"]; ok {
		t.Fatal("CreatePost changed the caller's props")
	}
	if got, _ := s.Channel(ch.Id); got.LastPostAt != p.CreateAt || got.TotalMsgCount != 1 {
		t.Fatalf("channel counters = %+v", got)
	}
	reply, err := api.CreatePost(&model.Post{UserId: admin.Id, ChannelId: ch.Id, RootId: p.Id, Message: "reply"})
	noAppErr(t, err)

	clk.Advance(1000000000)
	p.Message = "edited"
	up, err := api.UpdatePost(p)
	noAppErr(t, err)
	if up.Message != "edited" || up.EditAt == 0 || up.UpdateAt == up.CreateAt {
		t.Fatalf("updated = %+v", up)
	}
	noAppErr(t, api.DeletePost(p.Id))
	_, err = api.GetPost(p.Id)
	wantAppErr(t, err, http.StatusNotFound, "app.post.get.app_error")
	if r, _ := s.Post(reply.Id); r.DeleteAt == 0 {
		t.Fatal("reply not deleted with its root")
	}
	wantAppErr(t, api.DeletePost(p.Id), http.StatusNotFound, "")
	if posts := s.Posts(ch.Id); len(posts) != 2 || posts[0].DeleteAt == 0 {
		t.Fatalf("posts = %+v", posts)
	}

	// Ephemeral posts.
	ep := api.SendEphemeralPost(admin.Id, &model.Post{ChannelId: ch.Id, Message: "only you"})
	if ep.Id == "" || ep.Type != model.PostTypeEphemeral || ep.CreateAt == 0 {
		t.Fatalf("ephemeral = %+v", ep)
	}
	ep.Message = "changed"
	api.UpdateEphemeralPost(admin.Id, ep)
	api.DeleteEphemeralPost(admin.Id, ep.Id)
	eps := s.EphemeralPosts(admin.Id)
	if len(eps) != 1 || eps[0].Message != "changed" || eps[0].DeleteAt == 0 {
		t.Fatalf("ephemeral posts = %+v", eps)
	}
}

func TestTeamsAndChannelsAPI(t *testing.T) {
	s, api, _ := newTestServer(t)
	alice := s.CreateUser("alice")
	team := s.CreateTeam("team-one")

	_, err := api.GetTeam(model.NewId())
	wantAppErr(t, err, http.StatusNotFound, "app.team.get.find.app_error")
	if got, err := api.GetTeamByName("team-one"); err != nil || got.Id != team.Id {
		t.Fatal("GetTeamByName")
	}
	_, err = api.GetTeamByName("nope")
	wantAppErr(t, err, http.StatusNotFound, "")
	_, err = api.GetTeamMember(team.Id, alice.Id)
	wantAppErr(t, err, http.StatusNotFound, "app.team.get_member.missing.app_error")
	_, err = api.CreateTeamMember(team.Id, model.NewId())
	wantAppErr(t, err, http.StatusNotFound, "")
	m, err := api.CreateTeamMember(team.Id, alice.Id)
	noAppErr(t, err)
	if m.Roles != "team_user" || !m.SchemeUser {
		t.Fatalf("member = %+v", m)
	}
	members, _ := api.GetTeamMembers(team.Id, 0, 10)
	if len(members) != 1 {
		t.Fatalf("members = %v", members)
	}

	tests := []struct {
		name   string
		ch     *model.Channel
		status int
	}{
		{"valid", &model.Channel{TeamId: team.Id, Name: "good-name_1", DisplayName: "Good", Type: model.ChannelTypeOpen}, 0},
		{"one char", &model.Channel{TeamId: team.Id, Name: "a", Type: model.ChannelTypePrivate}, 0},
		{"duplicate", &model.Channel{TeamId: team.Id, Name: "good-name_1", Type: model.ChannelTypeOpen}, http.StatusBadRequest},
		{"upper case", &model.Channel{TeamId: team.Id, Name: "Bad", Type: model.ChannelTypeOpen}, http.StatusBadRequest},
		{"leading dash", &model.Channel{TeamId: team.Id, Name: "-bad", Type: model.ChannelTypeOpen}, http.StatusBadRequest},
		{"direct type", &model.Channel{TeamId: team.Id, Name: "dm", Type: model.ChannelTypeDirect}, http.StatusBadRequest},
		{"no type", &model.Channel{TeamId: team.Id, Name: "nt"}, http.StatusBadRequest},
		{"unknown team", &model.Channel{TeamId: model.NewId(), Name: "nt", Type: model.ChannelTypeOpen}, http.StatusNotFound},
	}
	for _, tc := range tests {
		_, err := api.CreateChannel(tc.ch)
		if tc.status == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		} else if err == nil || err.StatusCode != tc.status {
			t.Errorf("%s: err = %v, want %d", tc.name, err, tc.status)
		}
	}
	ch, err := api.GetChannelByName(team.Id, "good-name_1", false)
	noAppErr(t, err)
	_, err = api.GetChannelByName(team.Id, "missing", false)
	wantAppErr(t, err, http.StatusNotFound, "app.channel.get_by_name.missing.app_error")
	_, err = api.GetChannel(model.NewId())
	wantAppErr(t, err, http.StatusNotFound, "app.channel.get.existing.app_error")
	_, err = api.GetChannelMember(ch.Id, alice.Id)
	wantAppErr(t, err, http.StatusNotFound, "app.channel.get_member.missing.app_error")
	_, err = api.AddChannelMember(ch.Id, alice.Id)
	noAppErr(t, err)
	cms, _ := api.GetChannelMembers(ch.Id, 0, 10)
	if len(cms) != 1 || cms[0].UserId != alice.Id || cms[0].Roles != "channel_user" || cms[0].NotifyProps == nil {
		t.Fatalf("channel members = %+v", cms)
	}
	teams, _ := api.GetTeams()
	if len(teams) != 1 {
		t.Fatalf("teams = %v", teams)
	}
	// Town square was joined with the team.
	ts, _ := api.GetChannelByName(team.Id, DefaultChannelTownSquare, false)
	if _, err := api.GetChannelMember(ts.Id, alice.Id); err != nil {
		t.Fatal("not in town-square")
	}

	// Without default channels.
	bare := New(Options{SkipDefaultChannels: true})
	bt := bare.CreateTeam("bare")
	if _, ok := bare.ChannelByName(bt.Id, DefaultChannelTownSquare); ok {
		t.Fatal("default channel created")
	}
}
