package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// observed says how much of an expanded entity reached the app: "" (none),
// "id" (the ID only), "summary" (summary fields, no timestamps), "all".
type expandKey struct {
	name string
	set  func(e *apps.Expand, l apps.ExpandLevel)
	seen func(cc apps.Context) string
	// free: expanding needs no act_as permission at any level.
	free bool
	// allOnly: only level "all" expands it (tokens).
	allOnly bool
	// perm: the one permission that allows it (besides act_as_*).
	perm apps.Permission
}

func level(idOnly, summary, all bool) string {
	switch {
	case all:
		return "all"
	case summary:
		return "summary"
	case idOnly:
		return "id"
	}
	return ""
}

func expandKeys() []expandKey {
	return []expandKey{
		{name: "app", free: true, set: func(e *apps.Expand, l apps.ExpandLevel) { e.App = l }, seen: func(cc apps.Context) string {
			a := cc.App
			if a == nil {
				return ""
			}
			return level(a.AppID != "", a.BotUserID != "", a.DeployType != "")
		}},
		{name: "acting_user", set: func(e *apps.Expand, l apps.ExpandLevel) { e.ActingUser = l }, seen: func(cc apps.Context) string {
			u := cc.ActingUser
			if u == nil {
				return ""
			}
			return level(u.ID != "", u.Username != "", u.CreateAt != 0)
		}},
		{name: "acting_user_access_token", allOnly: true, perm: apps.PermissionActAsUser, set: func(e *apps.Expand, l apps.ExpandLevel) { e.ActingUserAccessToken = l }, seen: func(cc apps.Context) string {
			if cc.ActingUserAccessToken != "" {
				return "all"
			}
			return ""
		}},
		{name: "locale", free: true, set: func(e *apps.Expand, l apps.ExpandLevel) { e.Locale = l }, seen: func(cc apps.Context) string {
			if cc.Locale != "" {
				return "set"
			}
			return ""
		}},
		{name: "channel", set: func(e *apps.Expand, l apps.ExpandLevel) { e.Channel = l }, seen: func(cc apps.Context) string {
			c := cc.Channel
			if c == nil {
				return ""
			}
			return level(c.ID != "", c.Name != "", c.CreateAt != 0)
		}},
		{name: "channel_member", set: func(e *apps.Expand, l apps.ExpandLevel) { e.ChannelMember = l }, seen: func(cc apps.Context) string {
			m := cc.ChannelMember
			if m == nil {
				return ""
			}
			// summary is the same as all for members.
			return level(m.ChannelID != "", false, m.Roles != "")
		}},
		{name: "team", set: func(e *apps.Expand, l apps.ExpandLevel) { e.Team = l }, seen: func(cc apps.Context) string {
			t := cc.Team
			if t == nil {
				return ""
			}
			return level(t.ID != "", t.Name != "", t.CreateAt != 0)
		}},
		{name: "team_member", set: func(e *apps.Expand, l apps.ExpandLevel) { e.TeamMember = l }, seen: func(cc apps.Context) string {
			m := cc.TeamMember
			if m == nil {
				return ""
			}
			return level(m.TeamID != "", false, m.Roles != "")
		}},
		{name: "post", set: func(e *apps.Expand, l apps.ExpandLevel) { e.Post = l }, seen: func(cc apps.Context) string {
			p := cc.Post
			if p == nil {
				return ""
			}
			return level(p.ID != "", p.Message != "", p.CreateAt != 0)
		}},
		{name: "root_post", set: func(e *apps.Expand, l apps.ExpandLevel) { e.RootPost = l }, seen: func(cc apps.Context) string {
			p := cc.RootPost
			if p == nil {
				return ""
			}
			return level(p.ID != "", p.Message != "", p.CreateAt != 0)
		}},
		{name: "user", set: func(e *apps.Expand, l apps.ExpandLevel) { e.User = l }, seen: func(cc apps.Context) string {
			u := cc.User
			if u == nil {
				return ""
			}
			return level(u.ID != "", u.Username != "", u.CreateAt != 0)
		}},
	}
}

// want is what an app with perms should receive for key at level (plain,
// not required), and whether a required expansion fails.
func (k expandKey) want(perms apps.Permissions, l apps.ExpandLevel) (seen string, requiredFails bool) {
	if k.name == "locale" {
		return "set", false
	}
	if k.allOnly {
		if l != apps.ExpandAll {
			return "", false // silently skipped
		}
		if perms.Contains(k.perm) {
			return "all", false
		}
		return "", true
	}
	if l == apps.ExpandID || k.free {
		if (k.name == "channel_member" || k.name == "team_member") && l != apps.ExpandID {
			return "all", false
		}
		return string(l), false
	}
	if !perms.Contains(apps.PermissionActAsBot) && !perms.Contains(apps.PermissionActAsUser) {
		return "", true
	}
	if k.name == "channel_member" || k.name == "team_member" {
		return "all", false
	}
	return string(l), false
}

// TestExpandMatrix: every expand key at every level, for apps with no act_as
// permission, act_as_bot and act_as_user; required ("+") expansions that
// cannot be done fail the call.
func TestExpandMatrix(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	root, err := w.host.MM.CreatePost(&model.Post{ChannelId: w.channelID, UserId: w.admin, Message: "the root"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := w.host.MM.CreatePost(&model.Post{ChannelId: w.channelID, UserId: w.user, RootId: root.Id, Message: "a reply"})
	if err != nil {
		t.Fatal(err)
	}
	permsets := map[string]apps.Permissions{
		"expnone": nil,
		"expbot":  {apps.PermissionActAsBot},
		"expuser": {apps.PermissionActAsUser},
	}
	installed := map[string]*testapp.App{}
	for id, perms := range permsets {
		installed[id] = installHTTPApp(t, w, testapp.Options{AppID: id, Permissions: perms, Locations: apps.Locations{apps.LocationPostMenu}})
	}
	// The bot sees what its team and channel memberships allow.
	bot := botByUsername(w.host, "expbot")
	if _, err := w.host.MM.AddTeamMember(w.teamID, bot.UserId, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.host.MM.AddChannelMember(w.channelID, bot.UserId, ""); err != nil {
		t.Fatal(err)
	}

	request := func(id string, e apps.Expand) apps.CallRequest {
		creq := callRequest(id, "/expand", "", &e)
		creq.Context.PostID = reply.Id
		creq.Context.TeamID = w.teamID
		creq.Context.UserID = w.admin
		return creq
	}
	for id, perms := range permsets {
		app := installed[id]
		for _, key := range expandKeys() {
			for _, l := range []apps.ExpandLevel{apps.ExpandID, apps.ExpandSummary, apps.ExpandAll} {
				wantSeen, requiredFails := key.want(perms, l)
				var e apps.Expand
				key.set(&e, l)
				status, _, body := w.call(t, w.userToken, request(id, e))
				if status != http.StatusOK {
					t.Errorf("%s %s=%s: %d %s", id, key.name, l, status, body)
					continue
				}
				got := key.seen(lastCall(t, app, "/expand").Request.Context)
				if got != wantSeen {
					t.Errorf("%s %s=%s: the app saw %q, want %q", id, key.name, l, got, wantSeen)
				}
				key.set(&e, l.Required())
				status, _, body = w.call(t, w.userToken, request(id, e))
				switch {
				case requiredFails && (status != http.StatusForbidden || !strings.Contains(body, "required expand."+key.name)):
					t.Errorf("%s %s=+%s: %d %q, want 403 for a required expansion", id, key.name, l, status, body)
				case !requiredFails && status != http.StatusOK:
					t.Errorf("%s %s=+%s: %d %q, want 200", id, key.name, l, status, body)
				}
			}
		}
	}

	// IDs reach the app only through expansion: without expand, none does.
	status, _, body := w.call(t, w.userToken, request("expuser", apps.Expand{}))
	cc := lastCall(t, installed["expuser"], "/expand").Request.Context
	if status != http.StatusOK || cc.ChannelID != "" || cc.TeamID != "" || cc.PostID != "" || cc.RootPostID != "" || cc.UserID != "" || cc.Location != "" {
		t.Errorf("unexpanded context reached the app: %d %s: %+v", status, body, cc.UserAgentContext)
	}

	// The bot cannot read a private channel it is not in: left out, or
	// refused when required. The acting user (act_as_user) can.
	private := w.host.MM.CreateChannel(w.teamID, "private", model.ChannelTypePrivate, w.user)
	for _, tc := range []struct {
		app    string
		level  apps.ExpandLevel
		status int
		seen   bool
	}{
		{"expbot", apps.ExpandSummary, http.StatusOK, false},
		{"expbot", "+summary", http.StatusForbidden, false},
		{"expuser", "+summary", http.StatusOK, true},
	} {
		status, _, body := w.call(t, w.userToken, callRequest(tc.app, "/private", private.Id, &apps.Expand{Channel: tc.level}))
		if status != tc.status {
			t.Errorf("%s channel=%s in a private channel: %d %s", tc.app, tc.level, status, body)
			continue
		}
		if status == http.StatusOK {
			if got := lastCall(t, installed[tc.app], "/private").Request.Context.Channel != nil; got != tc.seen {
				t.Errorf("%s channel=%s in a private channel: channel expanded = %t, want %t", tc.app, tc.level, got, tc.seen)
			}
		} else if !strings.Contains(body, "cannot read channel") {
			t.Errorf("%s channel=%s: %q does not say why", tc.app, tc.level, body)
		}
	}
	// A required expansion of something the context lacks is a bad request.
	if status, _, body := w.call(t, w.userToken, callRequest("expuser", "/nopost", w.channelID, &apps.Expand{Post: "+id"})); status != http.StatusBadRequest || !strings.Contains(body, "no post") {
		t.Errorf("required post without a post: %d %q", status, body)
	}
}
