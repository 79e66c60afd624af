package proxy

import (
	"errors"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

// seenLevel reports how much of an entity the app received.
func seenLevel(id, summary, all bool) string {
	switch {
	case all:
		return "all"
	case summary:
		return "summary"
	case id:
		return "id"
	}
	return ""
}

func TestExpandLevelsAndPermissions(t *testing.T) {
	w := newTestWorld(t)
	w.install(t, "none", nil, nil)
	w.install(t, "bot", apps.Permissions{apps.PermissionActAsBot}, nil)
	w.install(t, "user", apps.Permissions{apps.PermissionActAsUser}, nil)
	botApp, _ := w.p.GetInstalledApp("bot")
	// The bot can read what its memberships allow.
	if _, err := w.mm.AddTeamMember(w.team, botApp.BotUserID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.mm.AddChannelMember(w.channel, botApp.BotUserID, ""); err != nil {
		t.Fatal(err)
	}

	type key struct {
		name string
		set  func(*apps.Expand, apps.ExpandLevel)
		seen func(apps.Context) string
	}
	keys := []key{
		{"acting_user", func(e *apps.Expand, l apps.ExpandLevel) { e.ActingUser = l }, func(c apps.Context) string {
			if u := c.ActingUser; u != nil {
				return seenLevel(u.ID != "", u.Username != "", u.CreateAt != 0)
			}
			return ""
		}},
		{"channel", func(e *apps.Expand, l apps.ExpandLevel) { e.Channel = l }, func(c apps.Context) string {
			if ch := c.Channel; ch != nil {
				return seenLevel(ch.ID != "", ch.Name != "", ch.CreateAt != 0)
			}
			return ""
		}},
		{"team", func(e *apps.Expand, l apps.ExpandLevel) { e.Team = l }, func(c apps.Context) string {
			if tm := c.Team; tm != nil {
				return seenLevel(tm.ID != "", tm.Name != "", tm.CreateAt != 0)
			}
			return ""
		}},
	}
	tests := []struct {
		app   string
		level apps.ExpandLevel
		want  string // what the app sees
		err   error  // when required
	}{
		{"none", apps.ExpandID, "id", nil},
		{"none", apps.ExpandSummary, "", ErrForbidden},
		{"none", apps.ExpandAll, "", ErrForbidden},
		{"bot", apps.ExpandID, "id", nil},
		{"bot", apps.ExpandSummary, "summary", nil},
		{"bot", apps.ExpandAll, "all", nil},
		{"user", apps.ExpandID, "id", nil},
		{"user", apps.ExpandSummary, "summary", nil},
		{"user", apps.ExpandAll, "all", nil},
	}
	for _, k := range keys {
		for _, tc := range tests {
			var e apps.Expand
			k.set(&e, tc.level)
			if _, err := w.call(tc.app, "/x", w.channel, &e); err != nil {
				t.Fatalf("%s %s=%s: %v", tc.app, k.name, tc.level, err)
			}
			if got := k.seen(w.up.last(t).Context); got != tc.want {
				t.Errorf("%s %s=%s: saw %q, want %q", tc.app, k.name, tc.level, got, tc.want)
			}
			k.set(&e, tc.level.Required())
			_, err := w.call(tc.app, "/x", w.channel, &e)
			if (tc.err == nil) != (err == nil) || (tc.err != nil && !errors.Is(err, tc.err)) {
				t.Errorf("%s %s=+%s: error %v, want %v", tc.app, k.name, tc.level, err, tc.err)
			}
		}
	}
}

func TestExpandTokensAndUserAgentContext(t *testing.T) {
	w := newTestWorld(t)
	w.install(t, "user", apps.Permissions{apps.PermissionActAsUser, apps.PermissionActAsBot}, nil)
	w.install(t, "bot", apps.Permissions{apps.PermissionActAsBot}, nil)

	// Tokens only at level all; the bot token whenever act_as_bot is granted.
	for _, tc := range []struct {
		app     string
		level   apps.ExpandLevel
		token   bool
		wantErr bool
	}{
		{"user", apps.ExpandSummary, false, false},
		{"user", apps.ExpandAll, true, false},
		{"bot", apps.ExpandAll, false, false},
		{"bot", "+all", false, true},
	} {
		_, err := w.call(tc.app, "/x", w.channel, &apps.Expand{ActingUserAccessToken: tc.level})
		if (err != nil) != tc.wantErr {
			t.Fatalf("%s token=%s: %v", tc.app, tc.level, err)
		}
		if err != nil {
			continue
		}
		cc := w.up.last(t).Context
		if (cc.ActingUserAccessToken != "") != tc.token || cc.BotAccessToken == "" {
			t.Errorf("%s token=%s: user token %q, bot token %q", tc.app, tc.level, cc.ActingUserAccessToken, cc.BotAccessToken)
		}
		if s, ok := w.mm.Authenticate(cc.BotAccessToken); !ok || s.Props["mattermost_app_id"] != tc.app {
			t.Errorf("bot token is not an app session: %+v", s)
		}
	}

	// No expand: the client's IDs do not reach the app.
	if _, err := w.call("user", "/x", w.channel, nil); err != nil {
		t.Fatal(err)
	}
	if cc := w.up.last(t).Context; cc.ChannelID != "" || cc.TeamID != "" || cc.Channel != nil || cc.ActingUserID != w.alice {
		t.Errorf("unexpanded context: %+v", cc)
	}

	// A direct channel has no team: the client's team is kept if the user
	// is on it, and the call is not refused.
	if _, err := w.call("user", "/x", w.dm, &apps.Expand{Channel: "+summary", Team: "+id"}); err != nil {
		t.Fatalf("DM: %v", err)
	}
	if cc := w.up.last(t).Context; cc.Channel == nil || cc.Channel.Type != "D" || cc.Team == nil || cc.Team.ID != w.team {
		t.Errorf("DM context: channel %+v team %+v", cc.Channel, cc.Team)
	}

	// Membership: bob is in no channel or team.
	_, err := w.p.InvokeCall(t.Context(), Incoming{ActingUserID: w.bob}, apps.CallRequest{
		Call:    apps.Call{Path: "/x"},
		Context: apps.Context{UserAgentContext: apps.UserAgentContext{AppID: "user", ChannelID: w.channel}},
	})
	if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "not a member") {
		t.Errorf("non-member: %v", err)
	}
	// Leaving is seen at once (the hook forgets the cached membership).
	if _, err := w.call("user", "/x", w.channel, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.mm.RemoveChannelMember(w.channel, w.alice, ""); err != nil {
		t.Fatal(err)
	}
	w.p.MembershipChanged(w.alice)
	if _, err := w.call("user", "/x", w.channel, nil); !errors.Is(err, ErrForbidden) {
		t.Errorf("after leaving: %v", err)
	}
}

func TestCheckCallPath(t *testing.T) {
	app := apps.App{Manifest: apps.Manifest{AppID: "a", OnInstall: apps.NewCall("/install"), OnRemoteWebhook: apps.NewCall("/hooks")}}
	for path, want := range map[string]error{
		"/send":            nil,
		"/send/":           nil,
		"/ping":            ErrForbidden,
		"/install":         ErrForbidden,
		"//install":        ErrForbidden,
		"/uninstall":       nil, // not set in the manifest
		"/oauth2/connect":  ErrForbidden,
		"/oauth2/complete": ErrForbidden,
		"/hooks":           ErrForbidden,
		"/hooks/github":    ErrForbidden,
		"/hooksy":          nil,
		"/webhook":         nil, // the manifest moved it
		"/a/../install":    ErrInvalid,
		"send":             ErrInvalid,
		"":                 ErrInvalid,
	} {
		_, err := checkCallPath(app, apps.Call{Path: path})
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Errorf("%q: %v, want %v", path, err, want)
		}
	}
}
