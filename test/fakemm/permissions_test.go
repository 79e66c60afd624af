package fakemm

import (
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func TestPermissions(t *testing.T) {
	s, api, _ := newTestServer(t)
	admin := s.CreateAdmin("admin")
	member := s.CreateUser("member")
	outsider := s.CreateUser("outsider")
	team := s.CreateTeam("team")
	other := s.CreateTeam("other")
	for _, u := range []*model.User{admin, member} {
		if _, err := s.AddTeamMember(team.Id, u.Id, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddTeamMember(other.Id, outsider.Id, ""); err != nil {
		t.Fatal(err)
	}
	pub := s.CreateChannel(team.Id, "pub", model.ChannelTypeOpen, admin.Id)
	priv := s.CreateChannel(team.Id, "priv", model.ChannelTypePrivate, admin.Id)
	if _, err := s.AddChannelMember(pub.Id, member.Id, ""); err != nil {
		t.Fatal(err)
	}
	dm, err := s.CreateDirectChannel(member.Id, outsider.Id)
	if err != nil {
		t.Fatal(err)
	}

	type check struct {
		name string
		got  bool
		want bool
	}
	checks := []check{
		{"admin manage_system", api.HasPermissionTo(admin.Id, model.PermissionManageSystem), true},
		{"admin manage_oauth", api.HasPermissionTo(admin.Id, model.PermissionManageOAuth), true},
		{"admin token", api.HasPermissionTo(admin.Id, model.PermissionCreateUserAccessTk), true},
		{"admin read foreign channel", api.HasPermissionToChannel(admin.Id, dm.Id, model.PermissionReadChannel), true},
		{"admin view foreign team", api.HasPermissionToTeam(admin.Id, other.Id, model.PermissionViewTeam), true},
		{"user manage_system", api.HasPermissionTo(member.Id, model.PermissionManageSystem), false},
		{"user manage_oauth", api.HasPermissionTo(member.Id, model.PermissionManageOAuth), false},
		{"user token", api.HasPermissionTo(member.Id, model.PermissionCreateUserAccessTk), false},
		{"user view_members", api.HasPermissionTo(member.Id, model.PermissionViewMembers), true},
		{"user view own team", api.HasPermissionToTeam(member.Id, team.Id, model.PermissionViewTeam), true},
		{"user list own team channels", api.HasPermissionToTeam(member.Id, team.Id, model.PermissionListTeamChannels), true},
		{"user view other team", api.HasPermissionToTeam(member.Id, other.Id, model.PermissionViewTeam), false},
		{"user view_team at system level", api.HasPermissionTo(member.Id, model.PermissionViewTeam), false},
		{"member reads channel", api.HasPermissionToChannel(member.Id, pub.Id, model.PermissionReadChannel), true},
		{"member posts", api.HasPermissionToChannel(member.Id, pub.Id, model.PermissionCreatePost), true},
		{"non-member private read", api.HasPermissionToChannel(member.Id, priv.Id, model.PermissionReadChannel), false},
		{"non-member private post", api.HasPermissionToChannel(member.Id, priv.Id, model.PermissionCreatePost), false},
		{"team member lists channels via channel", api.HasPermissionToChannel(member.Id, priv.Id, model.PermissionListTeamChannels), true},
		{"outsider reads public channel", api.HasPermissionToChannel(outsider.Id, pub.Id, model.PermissionReadChannel), false},
		{"DM member reads", api.HasPermissionToChannel(outsider.Id, dm.Id, model.PermissionReadChannel), true},
		{"DM non-member reads", api.HasPermissionToChannel(admin.Id, dm.Id, model.PermissionCreatePost), true},
		{"unknown user", api.HasPermissionTo(model.NewId(), model.PermissionViewMembers), false},
		{"unknown channel", api.HasPermissionToChannel(member.Id, model.NewId(), model.PermissionReadChannel), false},
		{"nil permission", api.HasPermissionTo(admin.Id, nil), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	// Leaving the team takes the team permissions and the channel memberships.
	if err := s.RemoveTeamMember(team.Id, member.Id, ""); err != nil {
		t.Fatal(err)
	}
	if api.HasPermissionToTeam(member.Id, team.Id, model.PermissionViewTeam) {
		t.Error("removed member still views the team")
	}
	if api.HasPermissionToChannel(member.Id, pub.Id, model.PermissionReadChannel) {
		t.Error("removed member still reads the channel")
	}
}
