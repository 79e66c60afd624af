package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// delivery is what a test app saw of one notification.
type delivery struct {
	subject apps.Subject
	userID  string // context.user_id (channel_created: the channel)
	owner   string // the JWT's acting_user_id
}

func (d delivery) String() string { return fmt.Sprintf("%s(%s by %s)", d.subject, d.userID, d.owner) }

func deliveries(app *testapp.App) []string {
	var out []string
	for _, r := range app.Received() {
		if r.Path != "/event" {
			continue
		}
		cc := r.Request.Context
		about := cc.UserID
		if cc.Subject == apps.SubjectChannelCreated {
			about = cc.ChannelID
		}
		out = append(out, delivery{cc.Subject, about, r.ActingUserID}.String())
	}
	slices.Sort(out)
	return out
}

func (w *world) subscribe(t *testing.T, token string, e apps.Event, want int) string {
	t.Helper()
	body, _ := json.Marshal(apps.Subscription{Event: e, Call: apps.Call{Path: "/event", Expand: &apps.Expand{User: apps.ExpandSummary}}})
	st, resp := w.api(t, token, http.MethodPost, "/api/v1/subscribe", string(body))
	if st != want {
		t.Fatalf("subscribe to %s: %d %q, want %d", e, st, resp, want)
	}
	return resp
}

func TestSubscriptionsDeliverEachSubjectOnceToItsOwner(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	a := installServicesApp(t, w, testapp.Options{AppID: "suba", Permissions: servicesPerms})
	b := installServicesApp(t, w, testapp.Options{AppID: "subb", Permissions: servicesPerms})
	alice := w.user
	bAlice := b.userToken(t, w, w.userToken)
	mm := w.host.MM

	// App a's bot reads the team and channel it watches.
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(mm.AddTeamMember(w.teamID, a.botID, ""))
	must(mm.AddChannelMember(w.channelID, a.botID, ""))
	ch2 := mm.CreateChannel(w.teamID, "second", "O", w.admin)
	team2 := mm.CreateTeam("team2")

	// One subscription per subject, spread over apps and owners.
	w.subscribe(t, a.botToken, apps.Event{Subject: apps.SubjectUserCreated}, 200)
	w.subscribe(t, a.botToken, apps.Event{Subject: apps.SubjectUserJoinedChannel, ChannelID: w.channelID}, 200)
	w.subscribe(t, a.botToken, apps.Event{Subject: apps.SubjectUserLeftTeam, TeamID: w.teamID}, 200)
	w.subscribe(t, a.botToken, apps.Event{Subject: apps.SubjectBotJoinedChannel}, 200)
	w.subscribe(t, a.botToken, apps.Event{Subject: apps.SubjectBotLeftChannel}, 200)
	w.subscribe(t, bAlice, apps.Event{Subject: apps.SubjectUserJoinedTeam, TeamID: w.teamID}, 200)
	w.subscribe(t, bAlice, apps.Event{Subject: apps.SubjectUserLeftChannel}, 200) // alice's own leaves
	w.subscribe(t, b.adminToken, apps.Event{Subject: apps.SubjectChannelCreated, TeamID: w.teamID}, 200)
	w.subscribe(t, b.botToken, apps.Event{Subject: apps.SubjectBotJoinedTeam}, 200)
	w.subscribe(t, b.botToken, apps.Event{Subject: apps.SubjectBotLeftTeam}, 200)

	// What may not be subscribed to.
	w.subscribe(t, bAlice, apps.Event{Subject: apps.SubjectChannelCreated, TeamID: team2.Id}, http.StatusForbidden)
	w.subscribe(t, bAlice, apps.Event{Subject: apps.SubjectBotJoinedChannel}, http.StatusForbidden)
	w.subscribe(t, bAlice, apps.Event{Subject: "post_created"}, http.StatusBadRequest)
	if resp := w.subscribe(t, w.userToken, apps.Event{Subject: apps.SubjectUserCreated}, http.StatusUnauthorized); !strings.Contains(resp, "not an app session") {
		t.Fatalf("subscribe with a login token: %q", resp)
	}
	st, body := w.api(t, bAlice, http.MethodGet, "/api/v1/subscribe", "")
	expectStatus(t, "list", st, body, 200, `"subject":"user_joined_team"`, `"subject":"user_left_channel"`)
	if strings.Contains(body, "channel_created") {
		t.Fatalf("alice's list shows the admin's subscription: %s", body)
	}

	// The events.
	carol := mm.CreateUser("carol")                            // user_created -> a
	must(mm.AddTeamMember(w.teamID, carol.Id, ""))             // user_joined_team -> b
	must(mm.AddChannelMember(w.channelID, carol.Id, ""))       // user_joined_channel -> a
	newCh := mm.CreateChannel(w.teamID, "fresh", "O", w.admin) // channel_created -> b
	must(nil, mm.RemoveChannelMember(w.channelID, alice, ""))  // user_left_channel (alice) -> b
	must(mm.AddChannelMember(ch2.Id, a.botID, ""))             // bot_joined_channel -> a
	must(nil, mm.RemoveChannelMember(ch2.Id, a.botID, ""))     // bot_left_channel -> a
	must(mm.AddTeamMember(team2.Id, b.botID, ""))              // bot_joined_team -> b
	must(nil, mm.RemoveTeamMember(team2.Id, b.botID, ""))      // bot_left_team -> b
	must(nil, mm.RemoveTeamMember(w.teamID, carol.Id, ""))     // user_left_team -> a
	must(mm.CreateDirectChannel(alice, w.admin))               // not reported
	mm.CreateChannel(team2.Id, "elsewhere", "O", w.admin)      // another team: not reported
	dave := mm.CreateUser("dave")                              // user_created -> a
	wantA := []string{
		delivery{apps.SubjectBotJoinedChannel, a.botID, a.botID}.String(),
		delivery{apps.SubjectBotLeftChannel, a.botID, a.botID}.String(),
		delivery{apps.SubjectUserCreated, carol.Id, a.botID}.String(),
		delivery{apps.SubjectUserJoinedChannel, carol.Id, a.botID}.String(),
		delivery{apps.SubjectUserLeftTeam, carol.Id, a.botID}.String(),
	}
	wantB := []string{
		delivery{apps.SubjectBotJoinedTeam, b.botID, b.botID}.String(),
		delivery{apps.SubjectBotLeftTeam, b.botID, b.botID}.String(),
		delivery{apps.SubjectChannelCreated, newCh.Id, w.admin}.String(),
		delivery{apps.SubjectUserJoinedTeam, carol.Id, alice}.String(),
		delivery{apps.SubjectUserLeftChannel, alice, alice}.String(),
	}
	wantA = append(wantA, delivery{apps.SubjectUserCreated, dave.Id, a.botID}.String())
	slices.Sort(wantA)
	slices.Sort(wantB)

	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (len(deliveries(a.App)) < len(wantA) || len(deliveries(b.App)) < len(wantB)) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // duplicates or strays would arrive by now
	if got := deliveries(a.App); !slices.Equal(got, wantA) {
		t.Errorf("app a got\n  %v\nwant\n  %v", got, wantA)
	}
	if got := deliveries(b.App); !slices.Equal(got, wantB) {
		t.Errorf("app b got\n  %v\nwant\n  %v", got, wantB)
	}
	// The subscription's expand was applied: user summary of carol.
	for _, r := range a.Received() {
		if r.Path == "/event" && r.Request.Context.Subject == apps.SubjectUserCreated && r.Request.Context.UserID == carol.Id {
			if u := r.Request.Context.User; u == nil || u.Username != "carol" {
				t.Errorf("user_created for carol: expanded user %+v", u)
			}
		}
	}

	// Unsubscribe; uninstall removes the app's subscriptions.
	ev, _ := json.Marshal(apps.Event{Subject: apps.SubjectUserLeftChannel})
	st, body = w.api(t, bAlice, http.MethodPost, "/api/v1/unsubscribe", string(ev))
	expectStatus(t, "unsubscribe", st, body, 200)
	st, body = w.api(t, bAlice, http.MethodPost, "/api/v1/unsubscribe", string(ev))
	expectStatus(t, "unsubscribe again", st, body, http.StatusNotFound)
	mustContain(t, "uninstall", w.run(t, w.admin, "/apps uninstall suba"), "Uninstalled")
	for k, v := range mm.KV(pluginID) {
		if strings.HasPrefix(k, "sub.") && strings.Contains(string(v), `"suba"`) {
			t.Errorf("subscription of the uninstalled app left in %s: %s", k, v)
		}
	}
}

func TestSubscriptionHooksNeverWaitForApps(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	slow := installServicesApp(t, w, testapp.Options{AppID: "slow", Permissions: servicesPerms,
		Paths: map[string]func(apps.CallRequest) apps.CallResponse{"/event": func(apps.CallRequest) apps.CallResponse {
			<-block
			return apps.NewTextResponse("late")
		}}})
	w.subscribe(t, slow.botToken, apps.Event{Subject: apps.SubjectUserCreated}, 200)
	start := time.Now()
	for i := 0; i < 50; i++ {
		w.host.MM.CreateUser(fmt.Sprintf("user%02d", i)) // the host runs the hook synchronously
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("50 user_created hooks took %v with a stuck app", d)
	}
	if got := slow.WaitFor("/event", 1, 5*time.Second); len(got) == 0 {
		t.Fatal("no delivery reached the app")
	}
}
