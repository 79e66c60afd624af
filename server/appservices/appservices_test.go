package appservices

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

const pluginID = "com.mattermost.apps"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type installed map[string]apps.App

func (m installed) Get(id string) (apps.App, bool) { a, ok := m[id]; return a, ok }
func (m installed) List() []apps.App {
	var out []apps.App
	for _, a := range m {
		out = append(out, a)
	}
	return out
}

type world struct {
	mm    *fakemm.Server
	api   mmplugin.API
	clock *clock
	apps  installed
}

func newWorld(t *testing.T) *world {
	t.Helper()
	c := &clock{t: time.Now()}
	mm := fakemm.New(fakemm.Options{Now: c.Now})
	return &world{mm: mm, api: mm.ForPlugin(fakemm.PluginManifest{Id: pluginID}, "node1", ""), clock: c, apps: installed{}}
}

func (w *world) app(id string, perms ...apps.Permission) apps.App {
	bot := w.mm.CreateUser(id+"-bot", "system_user")
	a := apps.App{Manifest: apps.Manifest{AppID: apps.AppID(id)}, BotUserID: bot.Id, GrantedPermissions: perms}
	w.apps[id] = a
	return a
}

func TestKVIsolatesAppsAndUsers(t *testing.T) {
	w := newWorld(t)
	kv := NewKV(w.api)
	a, b := w.app("appa"), w.app("appb")
	user := w.mm.CreateUser("alice").Id
	aBot, aUser, bBot := Caller{App: a, UserID: a.BotUserID}, Caller{App: a, UserID: user}, Caller{App: b, UserID: b.BotUserID}

	if changed, err := kv.Set(aBot, "", "k", []byte(`"bot"`)); err != nil || !changed {
		t.Fatalf("set: %v %v", changed, err)
	}
	if changed, err := kv.Set(aBot, "", "k", []byte(`"bot"`)); err != nil || changed {
		t.Fatalf("same value again: changed=%v %v", changed, err)
	}
	if _, err := kv.Set(aUser, "", "k", []byte(`"user"`)); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Set(aBot, "p", "k", []byte(`"prefixed"`)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c            Caller
		prefix, want string
	}{{aBot, "", `"bot"`}, {aUser, "", `"user"`}, {aBot, "p", `"prefixed"`}, {bBot, "", ""}, {aUser, "p", ""}} {
		got, err := kv.Get(tc.c, tc.prefix, "k")
		if err != nil || string(got) != tc.want {
			t.Errorf("get as %s/%s prefix %q = %q %v, want %q", tc.c.AppID(), tc.c.UserID, tc.prefix, got, err, tc.want)
		}
	}
	if keys, err := kv.List(aBot, ""); err != nil || fmt.Sprint(keys) != "[k]" {
		t.Errorf("list = %v %v", keys, err)
	}
	if keys, _ := kv.List(bBot, ""); len(keys) != 0 {
		t.Errorf("app b lists %v", keys)
	}
	if deleted, err := kv.Delete(aBot, "", "k"); err != nil || !deleted {
		t.Fatalf("delete: %v %v", deleted, err)
	}
	if deleted, _ := kv.Delete(aBot, "", "k"); deleted {
		t.Error("deleted twice")
	}
	if keys, _ := kv.List(aBot, ""); len(keys) != 0 {
		t.Errorf("list after delete = %v", keys)
	}
	if v, _ := kv.Get(aUser, "", "k"); string(v) != `"user"` {
		t.Errorf("the user's value went with the bot's: %q", v)
	}

	// Every key fits old servers.
	for k := range w.mm.KV(pluginID) {
		if len(k) > 50 {
			t.Errorf("key %q is %d bytes", k, len(k))
		}
	}

	// Uninstall with --delete-data: only app a's data goes.
	if _, err := kv.Set(bBot, "", "k", []byte(`1`)); err != nil {
		t.Fatal(err)
	}
	n, err := DeleteAppData(w.api, a.AppID)
	if err != nil || n == 0 {
		t.Fatalf("DeleteAppData = %d %v", n, err)
	}
	if v, _ := kv.Get(aUser, "", "k"); v != nil {
		t.Error("app a's data survived")
	}
	if v, _ := kv.Get(bBot, "", "k"); string(v) != "1" {
		t.Error("app b's data was deleted")
	}
}

func TestKVValueRules(t *testing.T) {
	w := newWorld(t)
	kv := NewKV(w.api)
	a := w.app("appa")
	c := Caller{App: a, UserID: a.BotUserID}
	big := []byte(`"` + strings.Repeat("x", apps.MaxKVValueSize-1) + `"`)
	if _, err := kv.Set(c, "", "big", big); !errors.Is(err, apps.ErrTooLarge) {
		t.Errorf("%d bytes: %v, want too large", len(big), err)
	}
	if _, err := kv.Set(c, "", "big", big[1 : len(big)-1][:apps.MaxKVValueSize-2]); !errors.Is(err, apps.ErrInvalid) || errors.Is(err, apps.ErrTooLarge) {
		t.Errorf("not JSON: %v, want invalid", err)
	}
	exact := []byte(`"` + strings.Repeat("x", apps.MaxKVValueSize-2) + `"`)
	if _, err := kv.Set(c, "", "exact", exact); err != nil {
		t.Errorf("exactly %d bytes: %v", len(exact), err)
	}
	if _, err := kv.Set(c, "abc", "k", []byte("1")); !errors.Is(err, apps.ErrInvalid) {
		t.Errorf("3-byte prefix: %v", err)
	}
}

func TestKVConcurrentWritersKeepTheListRight(t *testing.T) {
	w := newWorld(t)
	kv := NewKV(w.api)
	a := w.app("appa")
	c := Caller{App: a, UserID: a.BotUserID}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := fmt.Sprintf("k%02d", i)
			for j := 0; j < 5; j++ {
				if _, err := kv.Set(c, "", k, []byte(fmt.Sprint(j))); err != nil {
					t.Error(err)
				}
			}
			if i%2 == 0 {
				if _, err := kv.Delete(c, "", k); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	keys, err := kv.List(c, "")
	if err != nil || len(keys) != 8 {
		t.Fatalf("list = %v %v, want the 8 odd keys", keys, err)
	}
}

func TestOAuth2StateIsSingleUseBoundAndExpires(t *testing.T) {
	w := newWorld(t)
	o := NewOAuth2(w.api)
	alice, bob := w.mm.CreateUser("alice").Id, w.mm.CreateUser("bob").Id

	state, err := o.CreateState("appa", alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(OAuth2StatePrefix+state) > 50 || !strings.HasSuffix(state, "."+alice) {
		t.Fatalf("state %q", state)
	}
	for _, tc := range []struct {
		name, app, user, state string
	}{
		{"another user", "appa", bob, state},
		{"another app", "appb", alice, state},
		{"forged owner", "appa", bob, strings.Split(state, ".")[0] + "." + bob},
		{"no owner", "appa", alice, "abc"},
		{"empty", "appa", alice, ""},
	} {
		if err := o.ConsumeState(apps.AppID(tc.app), tc.user, tc.state); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: %v, want forbidden", tc.name, err)
		}
	}
	if err := o.ConsumeState("appa", alice, state); err != nil {
		t.Fatalf("the right user: %v", err)
	}
	if err := o.ConsumeState("appa", alice, state); !errors.Is(err, ErrForbidden) {
		t.Errorf("replay: %v, want forbidden", err)
	}

	late, _ := o.CreateState("appa", alice)
	w.clock.Add(OAuth2StateTTL + time.Second)
	if err := o.ConsumeState("appa", alice, late); !errors.Is(err, ErrForbidden) {
		t.Errorf("expired: %v, want forbidden", err)
	}
}

func TestOAuth2UserData(t *testing.T) {
	w := newWorld(t)
	o := NewOAuth2(w.api)
	a := w.app("appa", apps.PermissionActAsUser, apps.PermissionRemoteOAuth2)
	alice := w.mm.CreateUser("alice").Id
	if err := o.SaveUser(Caller{App: a, UserID: a.BotUserID}, []byte(`{}`)); !errors.Is(err, ErrForbidden) {
		t.Errorf("as the bot: %v", err)
	}
	noPerm := w.app("appb", apps.PermissionActAsUser)
	if err := o.SaveUser(Caller{App: noPerm, UserID: alice}, []byte(`{}`)); !errors.Is(err, ErrForbidden) {
		t.Errorf("without remote_oauth2: %v", err)
	}
	if err := o.SaveUser(Caller{App: a, UserID: alice}, []byte(`{"token":"t"}`)); err != nil {
		t.Fatal(err)
	}
	if v, _ := o.GetUser(a.AppID, alice); string(v) != `{"token":"t"}` {
		t.Errorf("stored %q", v)
	}
}

func TestSubscriptionsDeliverToTheRightOwners(t *testing.T) {
	w := newWorld(t)
	subs := NewSubscriptions(w.api, w.apps)
	a, b := w.app("appa", apps.PermissionActAsBot), w.app("appb", apps.PermissionActAsBot)
	admin := w.mm.CreateAdmin("admin").Id
	alice := w.mm.CreateUser("alice").Id
	outsider := w.mm.CreateUser("outsider").Id
	team := w.mm.CreateTeam("team")
	for _, u := range []string{admin, alice, a.BotUserID} {
		if _, err := w.mm.AddTeamMember(team.Id, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	ch := w.mm.CreateChannel(team.Id, "ch", model.ChannelTypeOpen, admin)
	if _, err := w.mm.AddChannelMember(ch.Id, alice, ""); err != nil {
		t.Fatal(err)
	}
	call := apps.Call{Path: "/event"}
	sub := func(c Caller, e apps.Event) error { return subs.Subscribe(c, apps.Subscription{Event: e, Call: call}) }

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(sub(Caller{App: a, UserID: alice}, apps.Event{Subject: apps.SubjectUserJoinedChannel, ChannelID: ch.Id}))
	must(sub(Caller{App: b, UserID: alice}, apps.Event{Subject: apps.SubjectUserJoinedChannel}))
	must(sub(Caller{App: a, UserID: a.BotUserID}, apps.Event{Subject: apps.SubjectBotJoinedChannel}))
	must(sub(Caller{App: b, UserID: admin}, apps.Event{Subject: apps.SubjectChannelCreated, TeamID: team.Id}))
	must(sub(Caller{App: a, UserID: admin}, apps.Event{Subject: apps.SubjectUserCreated}))
	// Re-subscribing replaces.
	must(sub(Caller{App: a, UserID: admin}, apps.Event{Subject: apps.SubjectUserCreated}))

	for name, err := range map[string]error{
		"channel not readable": sub(Caller{App: a, UserID: outsider}, apps.Event{Subject: apps.SubjectUserJoinedChannel, ChannelID: ch.Id}),
		"team not viewable":    sub(Caller{App: a, UserID: outsider}, apps.Event{Subject: apps.SubjectUserJoinedTeam, TeamID: team.Id}),
		"bot subject as user":  sub(Caller{App: a, UserID: alice}, apps.Event{Subject: apps.SubjectBotJoinedTeam}),
		"channels not listed":  sub(Caller{App: a, UserID: outsider}, apps.Event{Subject: apps.SubjectChannelCreated, TeamID: team.Id}),
	} {
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: %v, want forbidden", name, err)
		}
	}
	if err := sub(Caller{App: a, UserID: alice}, apps.Event{Subject: "post_created"}); !errors.Is(err, apps.ErrInvalid) {
		t.Errorf("unknown subject: %v", err)
	}

	type got struct {
		app   apps.AppID
		owner string
		subj  apps.Subject
	}
	match := func(o Occurrence) []got {
		t.Helper()
		ds, err := subs.Match(o)
		if err != nil {
			t.Fatal(err)
		}
		var out []got
		for _, d := range ds {
			out = append(out, got{d.AppID, d.OwnerUserID, d.Subject})
		}
		return out
	}
	// Admin joins ch: a's channel subscription (owner alice may read ch); b's
	// self subscription is alice's, not admin's.
	if g := match(Occurrence{Subject: apps.SubjectUserJoinedChannel, UserID: admin, ChannelID: ch.Id}); fmt.Sprint(g) != fmt.Sprint([]got{{"appa", alice, apps.SubjectUserJoinedChannel}}) {
		t.Errorf("admin joins: %v", g)
	}
	// Alice joins another channel: only her self subscription.
	if g := match(Occurrence{Subject: apps.SubjectUserJoinedChannel, UserID: alice, ChannelID: "other"}); fmt.Sprint(g) != fmt.Sprint([]got{{"appb", alice, apps.SubjectUserJoinedChannel}}) {
		t.Errorf("alice joins elsewhere: %v", g)
	}
	// App a's bot joins ch: the channel subscription and a's bot subscription.
	if g := match(Occurrence{Subject: apps.SubjectUserJoinedChannel, UserID: a.BotUserID, ChannelID: ch.Id}); len(g) != 2 || g[1] != (got{"appa", a.BotUserID, apps.SubjectBotJoinedChannel}) {
		t.Errorf("bot joins: %v", g)
	}
	// App b's bot joins elsewhere: not a's bot subscription.
	if g := match(Occurrence{Subject: apps.SubjectUserJoinedChannel, UserID: b.BotUserID, ChannelID: "other"}); len(g) != 0 {
		t.Errorf("b's bot joins: %v", g)
	}
	if g := match(Occurrence{Subject: apps.SubjectUserCreated, UserID: outsider}); fmt.Sprint(g) != fmt.Sprint([]got{{"appa", admin, apps.SubjectUserCreated}}) {
		t.Errorf("user created: %v", g)
	}
	if g := match(Occurrence{Subject: apps.SubjectChannelCreated, ChannelID: "new", TeamID: team.Id, ChannelType: model.ChannelTypeOpen}); len(g) != 1 || g[0].app != "appb" {
		t.Errorf("channel created: %v", g)
	}
	if g := match(Occurrence{Subject: apps.SubjectChannelCreated, ChannelID: "dm", TeamID: team.Id, ChannelType: model.ChannelTypeDirect}); len(g) != 0 {
		t.Errorf("DM created: %v", g)
	}
	// A disabled app gets nothing.
	dis := w.apps["appb"]
	dis.Disabled = true
	w.apps["appb"] = dis
	if g := match(Occurrence{Subject: apps.SubjectChannelCreated, ChannelID: "new", TeamID: team.Id, ChannelType: model.ChannelTypeOpen}); len(g) != 0 {
		t.Errorf("disabled app: %v", g)
	}
	w.apps["appb"] = b

	// Listing and unsubscribing are per (app, owner).
	list, err := subs.List(Caller{App: a, UserID: alice})
	if err != nil || len(list) != 1 || list[0].ChannelID != ch.Id {
		t.Fatalf("list = %+v %v", list, err)
	}
	if err := subs.Unsubscribe(Caller{App: b, UserID: alice}, apps.Event{Subject: apps.SubjectUserJoinedChannel, ChannelID: ch.Id}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unsubscribe another app's: %v", err)
	}
	must(subs.Unsubscribe(Caller{App: a, UserID: alice}, apps.Event{Subject: apps.SubjectUserJoinedChannel, ChannelID: ch.Id}))
	if list, _ := subs.List(Caller{App: a, UserID: alice}); len(list) != 0 {
		t.Errorf("after unsubscribe: %+v", list)
	}

	// Uninstall removes all of a's, keeps b's.
	must(subs.RemoveApp("appa"))
	if list, _ := subs.List(Caller{App: a, UserID: admin}); len(list) != 0 {
		t.Errorf("a's after RemoveApp: %+v", list)
	}
	if list, _ := subs.List(Caller{App: b, UserID: admin}); len(list) != 1 {
		t.Errorf("b's after RemoveApp: %+v", list)
	}
	// Records use the original plugin's keys.
	kv := w.mm.KV(pluginID)
	if _, ok := kv["sub.channel_created."+team.Id]; !ok {
		t.Errorf("no sub.channel_created.<team> record: %v", keysOf(kv))
	}
	if _, ok := kv["sub.user_created"]; ok {
		t.Error("an emptied record was kept")
	}
}

func TestSubscriptionsReadTheOriginalRecords(t *testing.T) {
	w := newWorld(t)
	a := w.app("appa")
	// As the original plugin stored it.
	w.mm.SetKV(pluginID, "sub.user_joined_team", []byte(`{"Event":{"subject":"user_joined_team"},"Subscriptions":[{"Call":{"path":"/joined","expand":{"user":"summary"}},"app_id":"appa","user_id":"u1"}]}`))
	ds, err := NewSubscriptions(w.api, w.apps).Match(Occurrence{Subject: apps.SubjectUserJoinedTeam, UserID: "u1", TeamID: "t1"})
	if err != nil || len(ds) != 1 || ds[0].AppID != a.AppID || ds[0].Call.Path != "/joined" || ds[0].Call.Expand.User != apps.ExpandSummary {
		t.Fatalf("Match = %+v %v", ds, err)
	}
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

type fakeSessions map[string]*model.Session

func (f fakeSessions) AppOf(id string) (apps.AppID, *model.Session, error) {
	s, ok := f[id]
	if !ok || s.Props["mattermost_app_id"] == "" {
		return "", nil, errors.New("not an app session")
	}
	return apps.AppID(s.Props["mattermost_app_id"]), s, nil
}

func TestAuthAcceptsOnlyAppSessions(t *testing.T) {
	w := newWorld(t)
	a := w.app("appa")
	sessions := fakeSessions{
		"s1":   {Id: "s1", UserId: "u1", ExpiresAt: time.Now().Add(time.Hour).UnixMilli(), Props: map[string]string{"mattermost_app_id": "appa"}},
		"user": {Id: "user", UserId: "u1"},
		"gone": {Id: "gone", UserId: "u1", Props: map[string]string{"mattermost_app_id": "uninstalled"}},
	}
	auth := NewAuth(sessions, w.apps, nil)
	if c, err := auth.Caller("u1", "s1"); err != nil || c.AppID() != a.AppID || c.UserID != "u1" {
		t.Fatalf("app session: %+v %v", c, err)
	}
	delete(sessions, "s1") // cached: no new lookup
	if _, err := auth.Caller("u1", "s1"); err != nil {
		t.Errorf("cached: %v", err)
	}
	for name, tc := range map[string][2]string{
		"anonymous":         {"", ""},
		"user session":      {"u1", "user"},
		"someone else's":    {"u2", "s1"},
		"unknown session":   {"u1", "nope"},
		"uninstalled app":   {"u1", "gone"},
		"no session passed": {"u1", ""},
	} {
		_, err := auth.Caller(tc[0], tc[1])
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if name != "uninstalled app" && (!errors.Is(err, apps.ErrUnauthorized) || !strings.Contains(err.Error(), "not an app session")) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestKVWritesStayCorrectAcrossNodes(t *testing.T) {
	w := newWorld(t)
	a := w.app("appa")
	c := Caller{App: a, UserID: a.BotUserID}
	node1, node2 := NewKV(w.api), NewKV(w.mm.ForPlugin(fakemm.PluginManifest{Id: pluginID}, "node2", ""))
	step := func(kv *KV, value string, wantChanged bool) {
		t.Helper()
		changed, err := kv.Set(c, "", "k", []byte(value))
		if err != nil || changed != wantChanged {
			t.Fatalf("set %s: changed=%v %v, want %v", value, changed, err, wantChanged)
		}
	}
	step(node1, "1", true)
	step(node1, "2", true)  // node1 knows the value: one compare-and-set
	step(node2, "3", true)  // node1's memory is now stale
	step(node1, "3", false) // found out by reading
	step(node1, "4", true)
	if _, err := node2.Delete(c, "", "k"); err != nil {
		t.Fatal(err)
	}
	step(node1, "5", true) // stale again: the key is new, and listed
	if keys, err := node2.List(c, ""); err != nil || fmt.Sprint(keys) != "[k]" {
		t.Fatalf("list = %v %v", keys, err)
	}
	if v, _ := node2.Get(c, "", "k"); string(v) != "5" {
		t.Fatalf("value = %q", v)
	}
}
