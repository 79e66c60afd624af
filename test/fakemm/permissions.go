package fakemm

import (
	"strings"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// rolePermissions is a trimmed copy of the server's default role definitions
// (no custom schemes). system_admin is not listed: it has every permission.
var rolePermissions = map[string]map[string]bool{}

func init() {
	set := func(role string, perms ...string) {
		m := rolePermissions[role]
		if m == nil {
			m = map[string]bool{}
			rolePermissions[role] = m
		}
		for _, p := range perms {
			m[p] = true
		}
	}
	set(model.SystemUserRoleId,
		"create_team", "list_public_teams", "join_public_teams", "view_members",
		"create_direct_channel", "create_group_channel", "create_emojis", "delete_emojis",
		"create_custom_group", "edit_custom_group", "delete_custom_group", "restore_custom_group",
		"manage_custom_group_members")
	set(model.SystemGuestRoleId, "create_direct_channel", "create_group_channel")
	set("system_user_access_token", "create_user_access_token", "read_user_access_token", "revoke_user_access_token")
	set("system_post_all", "create_post")
	set("system_post_all_public", "create_post_public")

	teamUser := []string{
		"list_team_channels", "join_public_channels", "read_public_channel", "view_team",
		"create_public_channel", "create_private_channel", "invite_user", "add_user_to_team",
	}
	set("team_user", teamUser...)
	set("team_guest", "view_team")
	set("team_admin", teamUser...)
	set("team_admin",
		"manage_team", "remove_user_from_team", "manage_team_roles", "manage_channel_roles",
		"manage_slash_commands", "manage_others_slash_commands", "manage_incoming_webhooks",
		"manage_outgoing_webhooks", "manage_others_incoming_webhooks", "manage_others_outgoing_webhooks",
		"delete_post", "delete_others_posts", "convert_public_channel_to_private",
		"convert_private_channel_to_public", "import_team")

	channelUser := []string{
		"read_channel", "read_channel_content", "add_reaction", "remove_reaction",
		"manage_public_channel_members", "upload_file", "get_public_link", "create_post",
		"use_channel_mentions", "use_slash_commands", "manage_public_channel_properties",
		"delete_public_channel", "manage_private_channel_properties", "delete_private_channel",
		"manage_private_channel_members", "use_group_mentions", "edit_post", "delete_post",
	}
	set("channel_user", channelUser...)
	set("channel_guest",
		"read_channel", "read_channel_content", "add_reaction", "remove_reaction", "upload_file",
		"edit_post", "create_post", "use_channel_mentions", "use_slash_commands")
	set("channel_admin", channelUser...)
	set("channel_admin", "manage_channel_roles", "manage_public_channel_banner", "manage_private_channel_banner")
}

func rolesGrant(roles, permissionID string) bool {
	for _, r := range strings.Fields(roles) {
		if r == model.SystemAdminRoleId || rolePermissions[r][permissionID] {
			return true
		}
	}
	return false
}

func (s *Server) hasPermissionToLocked(userID, permissionID string) bool {
	u, ok := s.users[userID]
	if !ok {
		return false
	}
	return rolesGrant(u.Roles, permissionID)
}

func (s *Server) hasPermissionToTeamLocked(userID, teamID, permissionID string) bool {
	if teamID == "" || userID == "" {
		return false
	}
	if m, ok := s.teamMembers[teamID][userID]; ok && m.DeleteAt == 0 && rolesGrant(m.Roles, permissionID) {
		return true
	}
	return s.hasPermissionToLocked(userID, permissionID)
}

// HasPermissionTo reports whether a user's system roles grant a permission
// (system admins have all).
func (s *Server) HasPermissionTo(userID, permissionID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.hasPermissionToLocked(userID, permissionID)
}

func (p *pluginAPI) HasPermissionTo(userID string, permission *model.Permission) bool {
	if permission == nil {
		return false
	}
	return p.s.HasPermissionTo(userID, permission.Id)
}

// HasPermissionToTeam: the user's team roles (active members only), then the system roles.
func (p *pluginAPI) HasPermissionToTeam(userID, teamID string, permission *model.Permission) bool {
	if permission == nil {
		return false
	}
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.hasPermissionToTeamLocked(userID, teamID, permission.Id)
}

// HasPermissionToChannel: the user's channel roles, then the team roles of the
// channel's team (system roles for DMs/GMs), then the system roles.
func (p *pluginAPI) HasPermissionToChannel(userID, channelID string, permission *model.Permission) bool {
	if permission == nil || channelID == "" {
		return false
	}
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	if m, ok := s.channelMembers[channelID][userID]; ok && rolesGrant(m.Roles, permission.Id) {
		return true
	}
	if ch, ok := s.channels[channelID]; ok && ch.TeamId != "" {
		return s.hasPermissionToTeamLocked(userID, ch.TeamId, permission.Id)
	}
	return s.hasPermissionToLocked(userID, permission.Id)
}
