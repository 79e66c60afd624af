package fakemm

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func TestListenerEvents(t *testing.T) {
	s, api, _ := newTestServer(t)
	rec := &recorder{}
	s.SetListener(rec)
	expect := func(step string, want ...string) {
		t.Helper()
		got := rec.Calls()
		if !equalStrings(got, want) {
			t.Fatalf("%s:\n got  %q\n want %q", step, got, want)
		}
		rec.Reset()
	}

	admin := s.CreateAdmin("admin")
	alice := s.CreateUser("alice")
	expect("create users", "UserHasBeenCreated admin", "UserHasBeenCreated alice")

	team := s.CreateTeam("team")
	expect("create team", "ChannelHasBeenCreated town-square", "ChannelHasBeenCreated off-topic")
	ts, _ := s.ChannelByName(team.Id, DefaultChannelTownSquare)
	ot, _ := s.ChannelByName(team.Id, DefaultChannelOffTopic)

	if _, err := s.AddTeamMember(team.Id, alice.Id, admin.Id); err != nil {
		t.Fatal(err)
	}
	expect("join team",
		"UserHasJoinedTeam "+team.Id+" "+alice.Id+" by admin",
		"UserHasJoinedChannel "+ts.Id+" "+alice.Id+" by admin",
		"UserHasJoinedChannel "+ot.Id+" "+alice.Id+" by admin")
	if _, err := s.AddTeamMember(team.Id, alice.Id, admin.Id); err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateTeamMember(team.Id, alice.Id); err != nil {
		t.Fatal(err)
	}
	expect("join team again (no change)")

	ch := s.CreateChannel(team.Id, "dev", model.ChannelTypeOpen, admin.Id)
	expect("create channel", "ChannelHasBeenCreated dev")

	if _, err := s.AddChannelMember(ch.Id, alice.Id, admin.Id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddChannelMember(ch.Id, alice.Id, admin.Id); err != nil {
		t.Fatal(err)
	}
	expect("join channel once", "UserHasJoinedChannel "+ch.Id+" "+alice.Id+" by admin")

	if _, err := api.AddChannelMember(ch.Id, admin.Id); err == nil {
		t.Fatal("admin is not a team member yet; AddChannelMember should fail")
	}
	if _, err := api.CreateTeamMember(team.Id, admin.Id); err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	// admin is the creator and already a member: nothing.
	if _, err := api.AddChannelMember(ch.Id, admin.Id); err != nil {
		t.Fatal(err)
	}
	expect("plugin adds an existing member")

	bob := s.CreateUser("bob")
	if _, err := s.AddTeamMember(team.Id, bob.Id, ""); err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	if _, err := api.AddChannelMember(ch.Id, bob.Id); err != nil {
		t.Fatal(err)
	}
	expect("plugin adds a member (nil actor)", "UserHasJoinedChannel "+ch.Id+" "+bob.Id+" by <nil>")

	if err := s.RemoveChannelMember(ch.Id, bob.Id, bob.Id); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveChannelMember(ch.Id, bob.Id, bob.Id); err == nil {
		t.Fatal("removing a non-member succeeded")
	}
	expect("leave channel once", "UserHasLeftChannel "+ch.Id+" "+bob.Id+" by bob")
	if err := s.RemoveChannelMember(ts.Id, bob.Id, ""); err == nil {
		t.Fatal("left town-square")
	}

	if err := s.RemoveTeamMember(team.Id, alice.Id, admin.Id); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTeamMember(team.Id, alice.Id, admin.Id); err == nil {
		t.Fatal("removing a removed member succeeded")
	}
	expect("leave team once", "UserHasLeftTeam "+team.Id+" "+alice.Id+" by admin")
	if _, err := api.GetChannelMember(ch.Id, alice.Id); err == nil {
		t.Fatal("channel membership survived leaving the team")
	}
	tm, err := api.GetTeamMember(team.Id, alice.Id)
	if err != nil || tm.DeleteAt == 0 {
		t.Fatalf("removed team member = %+v, %v", tm, err)
	}

	dm, err := api.GetDirectChannel(alice.Id, bob.Id)
	noAppErr(t, err)
	again, err := api.GetDirectChannel(bob.Id, alice.Id)
	noAppErr(t, err)
	if again.Id != dm.Id || dm.Name != directChannelName(alice.Id, bob.Id) || dm.Type != model.ChannelTypeDirect {
		t.Fatalf("dm = %+v", dm)
	}
	expect("DM created once", "ChannelHasBeenCreated "+dm.Name)

	gm, gerr := s.CreateGroupChannel(alice.Id, bob.Id, admin.Id)
	if gerr != nil {
		t.Fatal(gerr)
	}
	if gm2, _ := s.CreateGroupChannel(admin.Id, bob.Id, alice.Id); gm2.Id != gm.Id {
		t.Fatal("second GM")
	}
	expect("GM created once", "ChannelHasBeenCreated "+gm.Name)
	if _, err := s.CreateGroupChannel(alice.Id, bob.Id); err == nil {
		t.Fatal("GM of two")
	}

	pc, err := api.CreateChannel(&model.Channel{TeamId: team.Id, Name: "plugin-made", Type: model.ChannelTypePrivate, CreatorId: admin.Id})
	noAppErr(t, err)
	expect("plugin creates channel", "ChannelHasBeenCreated plugin-made")
	if _, err := api.GetChannelMember(pc.Id, admin.Id); err == nil {
		t.Fatal("the plugin API added the creator as a member")
	}

	post, err := api.CreatePost(&model.Post{UserId: admin.Id, ChannelId: ch.Id, Message: "hi"})
	noAppErr(t, err)
	expect("post", "MessageHasBeenPosted "+ch.Id+` "hi"`)
	_ = post

	s.SetPluginSetting(testPluginID, "Key", "v")
	noAppErr(t, api.SavePluginConfig(map[string]any{"a": 1}))
	s.SetSiteURL("http://other")
	expect("config", "ConfigurationChanged", "ConfigurationChanged", "ConfigurationChanged")

	// Bots are not "created users".
	_, err = api.CreateBot(&model.Bot{Username: "silent"})
	noAppErr(t, err)
	expect("bot creation")

	s.SetListener(nil)
	s.CreateUser("nobody-listens")
	if len(rec.Calls()) != 0 {
		t.Fatal("removed listener still called")
	}
}

func TestListenerMayCallBack(t *testing.T) {
	s, api, _ := newTestServer(t)
	team := s.CreateTeam("team")
	rec := &recorder{}
	var mu sync.Mutex
	var seen []string
	rec.onCall = func(call string) {
		// Re-entering the server from a listener must not deadlock.
		if strings.HasPrefix(call, "UserHasBeenCreated") {
			u, err := api.GetUserByUsername(strings.Fields(call)[1])
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := api.CreateTeamMember(team.Id, u.Id); err != nil {
				t.Error(err)
			}
		}
		mu.Lock()
		seen = append(seen, strings.Fields(call)[0])
		mu.Unlock()
	}
	s.SetListener(rec)
	s.CreateUser("carol")
	mu.Lock()
	defer mu.Unlock()
	want := []string{"UserHasJoinedTeam", "UserHasJoinedChannel", "UserHasJoinedChannel", "UserHasBeenCreated"}
	if !equalStrings(seen, want) {
		t.Fatalf("seen = %v, want %v", seen, want)
	}
}

func TestClusterAndPluginHTTP(t *testing.T) {
	s, api, _ := newTestServer(t)
	// No listener: single node, no error; no routing, 404.
	if err := api.PublishPluginClusterEvent(model.PluginClusterEvent{Id: "e"}, model.PluginClusterEventSendOptions{}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/other.plugin/api/x?q=1", nil)
	if resp := api.PluginHTTP(req); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("no listener: %d", resp.StatusCode)
	}

	rec := &recorder{}
	s.SetListener(rec)
	err := api.PublishPluginClusterEvent(model.PluginClusterEvent{Id: "e", Data: []byte("d")},
		model.PluginClusterEventSendOptions{SendType: model.PluginClusterEventSendTypeReliable})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Calls(); !equalStrings(got, []string{"PublishPluginClusterEvent " + testPluginID + " node-a e d reliable"}) {
		t.Fatalf("calls = %q", got)
	}
	resp := api.PluginHTTP(req)
	if resp.StatusCode != http.StatusTeapot || rec.httpFrom[0] != testPluginID || rec.httpPaths[0] != "/other.plugin/api/x" {
		t.Fatalf("routed: %d %v %v", resp.StatusCode, rec.httpFrom, rec.httpPaths)
	}
	for _, bad := range []string{"/nothing", "//x"} {
		resp := api.PluginHTTP(httptest.NewRequest(http.MethodGet, bad, nil))
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "/<pluginid>/*") {
			t.Fatalf("%s: %d %s", bad, resp.StatusCode, body)
		}
	}
}
