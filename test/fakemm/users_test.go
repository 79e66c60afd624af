package fakemm

import (
	"net/http"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func TestUserLookups(t *testing.T) {
	s, api, _ := newTestServer(t)
	alice := s.CreateUser("alice")
	admin := s.CreateAdmin("root")
	if alice.Roles != "system_user" || admin.Roles != "system_user system_admin" {
		t.Fatalf("roles: %q %q", alice.Roles, admin.Roles)
	}
	if u := s.CreateUser("guest", model.SystemGuestRoleId); u.Roles != "system_guest" {
		t.Fatalf("guest roles = %q", u.Roles)
	}

	_, err := api.GetUser(model.NewId())
	wantAppErr(t, err, http.StatusNotFound, "app.user.missing_account.const")
	if err.Message != "Unable to find the user." {
		t.Fatalf("message = %q", err.Message)
	}
	if u, err := api.GetUserByUsername("Alice"); err != nil || u.Id != alice.Id {
		t.Fatalf("by username: %v %v", u, err)
	}
	_, err = api.GetUserByUsername("nobody")
	wantAppErr(t, err, http.StatusNotFound, "app.user.get_by_username.app_error")
	if u, err := api.GetUserByEmail("ALICE@example.com"); err != nil || u.Id != alice.Id {
		t.Fatalf("by email: %v %v", u, err)
	}
	_, err = api.GetUserByEmail("nobody@example.com")
	wantAppErr(t, err, http.StatusNotFound, "")

	// Returned users are copies.
	u, _ := api.GetUser(alice.Id)
	u.Roles = "system_admin"
	u.NotifyProps["email"] = "false"
	again, _ := api.GetUser(alice.Id)
	if again.Roles != "system_user" || again.NotifyProps["email"] != "true" {
		t.Fatal("mutating a returned user changed the stored one")
	}

	// Users in channel: sort option checked, username order, paging.
	team := s.CreateTeam("team")
	ch := s.CreateChannel(team.Id, "chan", model.ChannelTypeOpen, admin.Id)
	_, aerr := s.AddTeamMember(team.Id, alice.Id, "")
	if aerr != nil {
		t.Fatal(aerr)
	}
	if _, err := s.AddChannelMember(ch.Id, alice.Id, ""); err != nil {
		t.Fatal(err)
	}
	_, err = api.GetUsersInChannel(ch.Id, "bogus", 0, 10)
	wantAppErr(t, err, http.StatusBadRequest, "plugin.api.get_users_in_channel")
	users, err := api.GetUsersInChannel(ch.Id, "username", 0, 10)
	noAppErr(t, err)
	if len(users) != 2 || users[0].Username != "alice" || users[1].Username != "root" {
		t.Fatalf("users = %v", users)
	}
	users, _ = api.GetUsersInChannel(ch.Id, "status", 1, 1)
	if len(users) != 1 || users[0].Username != "root" {
		t.Fatalf("page 1 = %v", users)
	}
}

func TestCreateUserPanicsOnDuplicate(t *testing.T) {
	s, _, _ := newTestServer(t)
	s.CreateUser("dup")
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	s.CreateUser("dup")
}

func TestSessionsAndTokens(t *testing.T) {
	s, api, clk := newTestServer(t)
	alice := s.CreateUser("alice")

	// A login session lives 30 days.
	tok := s.LoginUser(alice.Id)
	sess, ok := s.Authenticate(tok)
	if !ok || sess.UserId != alice.Id || sess.IsOAuth || sess.Props["csrf"] == "" || sess.Roles != "system_user" {
		t.Fatalf("login session = %+v, %v", sess, ok)
	}
	if got, err := api.GetSession(sess.Id); err != nil || got.Token != tok {
		t.Fatalf("GetSession = %+v, %v", got, err)
	}
	clk.Advance(30*24*time.Hour + time.Second)
	if _, ok := s.Authenticate(tok); ok {
		t.Fatal("expired session authenticated")
	}
	if _, ok := s.Session(sess.Id); ok {
		t.Fatal("expired session not removed on use")
	}
	if s.LoginUser(model.NewId()) != "" {
		t.Fatal("login of an unknown user")
	}

	// Plugin-created sessions keep what they were given.
	created, err := api.CreateSession(&model.Session{
		UserId: alice.Id, IsOAuth: true, ExpiresAt: clk.Now().Add(10 * time.Minute).UnixMilli(),
		Props: map[string]string{"mattermost_app_id": "app1"},
	})
	noAppErr(t, err)
	if !model.IsValidId(created.Id) || created.Token == "" || created.CreateAt == 0 || !created.IsOAuth || created.Props["mattermost_app_id"] != "app1" {
		t.Fatalf("created = %+v", created)
	}
	if got, ok := s.Authenticate(created.Token); !ok || got.Id != created.Id {
		t.Fatal("plugin session does not authenticate")
	}
	_, err = api.CreateSession(&model.Session{UserId: model.NewId()})
	wantAppErr(t, err, http.StatusNotFound, "")
	clk.Advance(9 * time.Minute)
	noAppErr(t, api.ExtendSessionExpiry(created.Id, clk.Now().Add(10*time.Minute).UnixMilli()))
	clk.Advance(5 * time.Minute)
	if _, ok := s.Authenticate(created.Token); !ok {
		t.Fatal("extended session expired")
	}
	wantAppErr(t, api.ExtendSessionExpiry(model.NewId(), 0), http.StatusInternalServerError, "")
	noAppErr(t, api.RevokeSession(created.Id))
	if _, ok := s.Authenticate(created.Token); ok {
		t.Fatal("revoked session authenticates")
	}
	wantAppErr(t, api.RevokeSession(created.Id), http.StatusBadRequest, "app.session.get.app_error")
	_, err = api.GetSession(created.Id)
	wantAppErr(t, err, http.StatusBadRequest, "app.session.get.app_error")

	// Personal access tokens.
	pat, err := api.CreateUserAccessToken(&model.UserAccessToken{UserId: alice.Id, Description: "d"})
	noAppErr(t, err)
	if !model.IsValidId(pat.Id) || !model.IsValidId(pat.Token) || !pat.IsActive {
		t.Fatalf("pat = %+v", pat)
	}
	ps, ok := s.Authenticate(pat.Token)
	if !ok || ps.IsOAuth || ps.Props[SessionPropType] != SessionTypeUserAccessToken || ps.Props[SessionPropUserAccessTokenID] != pat.Id {
		t.Fatalf("PAT session = %+v", ps)
	}
	ps2, _ := s.Authenticate(pat.Token)
	if ps2.Id != ps.Id {
		t.Fatal("PAT created a second implicit session")
	}
	if len(s.UserAccessTokens(alice.Id)) != 1 {
		t.Fatal("token not listed")
	}
	noAppErr(t, api.RevokeUserAccessToken(pat.Id))
	if _, ok := s.Authenticate(pat.Token); ok {
		t.Fatal("revoked PAT authenticates")
	}
	if _, ok := s.Session(ps.Id); ok {
		t.Fatal("revoking the PAT left its session")
	}
	wantAppErr(t, api.RevokeUserAccessToken(pat.Id), http.StatusNotFound, "")

	// Expiring PAT.
	exp, err := api.CreateUserAccessToken(&model.UserAccessToken{UserId: alice.Id, ExpiresAt: clk.Now().Add(time.Hour).UnixMilli()})
	noAppErr(t, err)
	clk.Advance(2 * time.Hour)
	if _, ok := s.Authenticate(exp.Token); ok {
		t.Fatal("expired PAT authenticates")
	}
	_, err = api.CreateUserAccessToken(&model.UserAccessToken{UserId: alice.Id, ExpiresAt: 1})
	wantAppErr(t, err, http.StatusBadRequest, "")

	// Deactivation revokes sessions and blocks tokens.
	pat2, _ := api.CreateUserAccessToken(&model.UserAccessToken{UserId: alice.Id})
	login := s.LoginUser(alice.Id)
	noAppErr(t, api.UpdateUserActive(alice.Id, false))
	if _, ok := s.Authenticate(login); ok {
		t.Fatal("session of deactivated user")
	}
	if _, ok := s.Authenticate(pat2.Token); ok {
		t.Fatal("PAT of deactivated user")
	}
	if s.LoginUser(alice.Id) != "" {
		t.Fatal("login of a deactivated user")
	}
	if _, ok := s.Authenticate("garbage"); ok {
		t.Fatal("garbage authenticates")
	}
}

func TestUserAccessTokensDisabled(t *testing.T) {
	s, api, _ := newTestServer(t)
	alice := s.CreateUser("alice")
	before, err := api.CreateUserAccessToken(&model.UserAccessToken{UserId: alice.Id})
	noAppErr(t, err)
	bot, err := api.CreateBot(&model.Bot{Username: "tokenbot"})
	noAppErr(t, err)

	s.UpdateConfig(func(c *model.Config) { c.ServiceSettings.EnableUserAccessTokens = model.NewBool(false) })
	_, err = api.CreateUserAccessToken(&model.UserAccessToken{UserId: alice.Id})
	wantAppErr(t, err, http.StatusNotImplemented, "app.user_access_token.disabled")
	if _, ok := s.Authenticate(before.Token); ok {
		t.Fatal("a user's PAT authenticates with tokens disabled")
	}
	bt, err := api.CreateUserAccessToken(&model.UserAccessToken{UserId: bot.UserId})
	noAppErr(t, err)
	sess, ok := s.Authenticate(bt.Token)
	if !ok || sess.Props[SessionPropIsBot] != "true" {
		t.Fatalf("bot PAT session = %+v, %v", sess, ok)
	}
	_, err = api.CreateUserAccessToken(&model.UserAccessToken{UserId: model.NewId()})
	wantAppErr(t, err, http.StatusNotFound, "")
}
