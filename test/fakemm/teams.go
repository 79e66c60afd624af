package fakemm

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Default channels every team gets and every team member joins.
const (
	DefaultChannelTownSquare = "town-square"
	DefaultChannelOffTopic   = "off-topic"
)

var (
	validTeamName    = regexp.MustCompile(`^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+$`)
	validChannelName = regexp.MustCompile(`^[a-z0-9]+([a-z\-\_0-9]+|(__)?)[a-z0-9]*$`)
	reservedTeamName = map[string]bool{
		"admin": true, "api": true, "channel": true, "claim": true, "error": true, "files": true, "help": true,
		"landing": true, "login": true, "mfa": true, "oauth": true, "plug": true, "plugins": true, "post": true,
		"signup": true, "boards": true, "playbooks": true,
	}
)

func defaultChannelNotifyProps() map[string]string {
	return map[string]string{
		"desktop": "default", "email": "default", "mark_unread": "all", "push": "default",
		"ignore_channel_mentions": "default", "channel_auto_follow_threads": "off",
	}
}

func isGuest(u *model.User) bool { return u != nil && hasWord(u.Roles, model.SystemGuestRoleId) }

// Test helpers: teams.

// CreateTeam creates an open team (display name = name) and, unless
// Options.SkipDefaultChannels, its town-square and off-topic channels (each
// emitting ChannelHasBeenCreated). It panics on an invalid or taken name.
func (s *Server) CreateTeam(name string) *model.Team {
	var ev events
	s.mu.Lock()
	t, err := s.createTeamLocked(name, &ev)
	s.mu.Unlock()
	if err != nil {
		panic(fmt.Sprintf("fakemm.CreateTeam(%q): %v", name, err))
	}
	s.fire(ev)
	return t
}

func (s *Server) createTeamLocked(name string, ev *events) (*model.Team, *model.AppError) {
	const where = "CreateTeam"
	if len(name) < 2 || len(name) > 64 || !validTeamName.MatchString(name) || reservedTeamName[name] {
		return nil, appErr(where, "model.team.is_valid.url.app_error", "URL must be two or more lowercase alphanumeric characters.", http.StatusBadRequest)
	}
	for _, t := range s.teams {
		if t.Name == name {
			return nil, appErr(where, "app.team.save.existing.app_error", "A team with that name already exists.", http.StatusBadRequest)
		}
	}
	now := s.nowMillis()
	t := &model.Team{
		Id: model.NewId(), CreateAt: now, UpdateAt: now, Name: name, DisplayName: name,
		Type: "O", AllowOpenInvite: true, InviteId: model.NewId(),
	}
	s.teams[t.Id] = t
	s.teamMembers[t.Id] = map[string]*model.TeamMember{}
	if !s.skipDefaultChannels {
		for _, dc := range []struct{ name, display string }{
			{DefaultChannelTownSquare, "Town Square"},
			{DefaultChannelOffTopic, "Off-Topic"},
		} {
			if _, err := s.createChannelLocked("CreateDefaultChannels", &model.Channel{
				TeamId: t.Id, Name: dc.name, DisplayName: dc.display, Type: model.ChannelTypeOpen,
			}, false, ev); err != nil {
				return nil, err
			}
		}
	}
	return copyTeam(t), nil
}

// Team returns a copy of a team.
func (s *Server) Team(teamID string) (*model.Team, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.teams[teamID]
	return copyTeam(t), ok
}

// AddTeamMember adds (or re-adds) a user to a team, emits UserHasJoinedTeam
// with the acting user (nil for ""), then joins the user to the team's default
// channels (each emitting UserHasJoinedChannel). An existing member is
// returned unchanged and nothing is emitted.
func (s *Server) AddTeamMember(teamID, userID, actorID string) (*model.TeamMember, error) {
	var ev events
	s.mu.Lock()
	m, err := s.joinTeamLocked(teamID, userID, actorID, &ev)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return m, nil
}

// RemoveTeamMember removes a user from a team (the membership is kept with
// DeleteAt set, as the server does) and from the team's channels, and emits
// UserHasLeftTeam. Channel leave hooks are not emitted (the server removes
// those memberships directly).
func (s *Server) RemoveTeamMember(teamID, userID, actorID string) error {
	var ev events
	s.mu.Lock()
	err := s.leaveTeamLocked(teamID, userID, actorID, &ev)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.fire(ev)
	return nil
}

func (s *Server) joinTeamLocked(teamID, userID, actorID string, ev *events) (*model.TeamMember, *model.AppError) {
	const where = "JoinUserToTeam"
	if _, ok := s.teams[teamID]; !ok {
		return nil, errTeamMissing(where)
	}
	u, ok := s.users[userID]
	if !ok {
		return nil, errUserMissing(where)
	}
	members := s.teamMembers[teamID]
	if m, ok := members[userID]; ok && m.DeleteAt == 0 {
		return copyTeamMember(m), nil
	}
	m := &model.TeamMember{TeamId: teamID, UserId: userID, Roles: "team_user", SchemeUser: true}
	if isGuest(u) {
		m.Roles, m.SchemeUser, m.SchemeGuest = "team_guest", false, true
	}
	members[userID] = m
	mc, actor := copyTeamMember(m), s.actorLocked(actorID)
	ev.add(func(l Listener) { l.UserHasJoinedTeam(mc, actor) })
	if !s.skipDefaultChannels {
		for _, name := range []string{DefaultChannelTownSquare, DefaultChannelOffTopic} {
			if ch := s.channelByNameLocked(teamID, name, false); ch != nil && !isGuest(u) {
				if _, err := s.joinChannelLocked(ch, userID, actorID, ev); err != nil {
					return nil, err
				}
			}
		}
	}
	return copyTeamMember(m), nil
}

func (s *Server) leaveTeamLocked(teamID, userID, actorID string, ev *events) *model.AppError {
	const where = "RemoveUserFromTeam"
	if _, ok := s.teams[teamID]; !ok {
		return errTeamMissing(where)
	}
	m, ok := s.teamMembers[teamID][userID]
	if !ok || m.DeleteAt != 0 {
		return errTeamMemberMissing(where)
	}
	m.DeleteAt = s.nowMillis()
	for chID, ch := range s.channels {
		if ch.TeamId == teamID {
			delete(s.channelMembers[chID], userID)
		}
	}
	mc, actor := copyTeamMember(m), s.actorLocked(actorID)
	ev.add(func(l Listener) { l.UserHasLeftTeam(mc, actor) })
	return nil
}

func errTeamMemberMissing(where string) *model.AppError {
	return appErr(where, "app.team.get_member.missing.app_error", "No team member found for that user ID and team ID.", http.StatusNotFound)
}

func errChannelMemberMissing(where string) *model.AppError {
	return appErr(where, "app.channel.get_member.missing.app_error", "No channel member found for that user ID and channel ID.", http.StatusNotFound)
}

// Test helpers: channels.

// CreateChannel creates an open or private channel (display name = name) with
// creatorID (if not "") as its first member and admin, and emits
// ChannelHasBeenCreated. It panics on invalid input: it is a fixture.
func (s *Server) CreateChannel(teamID, name string, typ model.ChannelType, creatorID string) *model.Channel {
	var ev events
	s.mu.Lock()
	ch, err := s.createChannelLocked("CreateChannel", &model.Channel{
		TeamId: teamID, Name: name, DisplayName: name, Type: typ, CreatorId: creatorID,
	}, creatorID != "", &ev)
	s.mu.Unlock()
	if err != nil {
		panic(fmt.Sprintf("fakemm.CreateChannel(%q): %v", name, err))
	}
	s.fire(ev)
	return ch
}

// AddChannelMember adds a user (who must be a member of the channel's team) to
// an open or private channel and emits UserHasJoinedChannel with the acting
// user (nil for ""). An existing member is returned and nothing is emitted.
func (s *Server) AddChannelMember(channelID, userID, actorID string) (*model.ChannelMember, error) {
	var ev events
	s.mu.Lock()
	var (
		m   *model.ChannelMember
		err *model.AppError
	)
	if ch, ok := s.channels[channelID]; ok {
		m, err = s.joinChannelLocked(ch, userID, actorID, &ev)
	} else {
		err = errChannelMissing("AddChannelMember")
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return m, nil
}

// RemoveChannelMember removes a user from a channel and emits
// UserHasLeftChannel with the acting user (nil for "").
func (s *Server) RemoveChannelMember(channelID, userID, actorID string) error {
	const where = "RemoveUserFromChannel"
	var ev events
	s.mu.Lock()
	err := func() *model.AppError {
		ch, ok := s.channels[channelID]
		if !ok {
			return errChannelMissing(where)
		}
		if ch.Name == DefaultChannelTownSquare {
			return appErr(where, "api.channel.remove.default.app_error", "Unable to remove user from the default channel town-square.", http.StatusBadRequest)
		}
		if ch.Type == model.ChannelTypeDirect {
			return appErr(where, "api.channel.remove_user_from_channel.direct.app_error", "Can not remove user from a direct message channel.", http.StatusBadRequest)
		}
		m, ok := s.channelMembers[channelID][userID]
		if !ok {
			return errChannelMemberMissing(where)
		}
		delete(s.channelMembers[channelID], userID)
		mc, actor := copyChannelMember(m), s.actorLocked(actorID)
		ev.add(func(l Listener) { l.UserHasLeftChannel(mc, actor) })
		return nil
	}()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.fire(ev)
	return nil
}

// CreateDirectChannel returns the direct channel of two users, creating it
// (and emitting ChannelHasBeenCreated) if needed.
func (s *Server) CreateDirectChannel(userID1, userID2 string) (*model.Channel, error) {
	ch, err := (&pluginAPI{s: s}).GetDirectChannel(userID1, userID2)
	return ch, model.AsError(err)
}

// CreateGroupChannel returns the group channel of 3–8 users, creating it (and
// emitting ChannelHasBeenCreated) if needed.
func (s *Server) CreateGroupChannel(userIDs ...string) (*model.Channel, error) {
	const where = "CreateGroupChannel"
	ids := map[string]bool{}
	for _, id := range userIDs {
		ids[id] = true
	}
	sorted := sortedKeys(ids)
	if len(sorted) < 3 || len(sorted) > 8 {
		return nil, appErr(where, "api.channel.create_group.bad_size.app_error", "Group message channels must contain at least 3 and no more than 8 users.", http.StatusBadRequest)
	}
	h := sha1.New()
	for _, id := range sorted {
		h.Write([]byte(id))
	}
	name := hex.EncodeToString(h.Sum(nil))
	var ev events
	s.mu.Lock()
	ch, err := func() (*model.Channel, *model.AppError) {
		var names []string
		for _, id := range sorted {
			u, ok := s.users[id]
			if !ok {
				return nil, errUserMissing(where)
			}
			names = append(names, u.Username)
		}
		if ch := s.channelByNameLocked("", name, true); ch != nil {
			return copyChannel(ch), nil
		}
		now := s.nowMillis()
		ch := &model.Channel{
			Id: model.NewId(), CreateAt: now, UpdateAt: now, Name: name, DisplayName: strings.Join(names, ", "),
			Type: model.ChannelTypeGroup, CreatorId: sorted[0],
		}
		s.channels[ch.Id] = ch
		s.channelMembers[ch.Id] = map[string]*model.ChannelMember{}
		for _, id := range sorted {
			s.addChannelMemberLocked(ch, s.users[id], false)
		}
		cc := copyChannel(ch)
		ev.add(func(l Listener) { l.ChannelHasBeenCreated(cc) })
		return copyChannel(ch), nil
	}()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return ch, nil
}

// Channel returns a copy of a channel.
func (s *Server) Channel(channelID string) (*model.Channel, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ch, ok := s.channels[channelID]
	return copyChannel(ch), ok
}

// ChannelByName returns a copy of a team's channel ("" team for DMs/GMs).
func (s *Server) ChannelByName(teamID, name string) (*model.Channel, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ch := s.channelByNameLocked(teamID, name, true)
	return copyChannel(ch), ch != nil
}

func (s *Server) channelByNameLocked(teamID, name string, includeDeleted bool) *model.Channel {
	for _, ch := range s.channels {
		if ch.Name == name && (ch.TeamId == teamID || ch.TeamId == "") && (includeDeleted || ch.DeleteAt == 0) {
			return ch
		}
	}
	return nil
}

func (s *Server) createChannelLocked(where string, in *model.Channel, addCreator bool, ev *events) (*model.Channel, *model.AppError) {
	switch in.Type {
	case model.ChannelTypeOpen, model.ChannelTypePrivate:
	case model.ChannelTypeDirect:
		return nil, appErr(where, "api.channel.create_channel.direct_channel.app_error", "Must use createDirectChannel API service for direct message channel creation.", http.StatusBadRequest)
	case model.ChannelTypeGroup:
		return nil, appErr(where, "api.channel.create_channel.direct_channel.app_error", "Must use createGroupChannel API service for group message channel creation.", http.StatusBadRequest)
	default:
		return nil, appErr(where, "model.channel.is_valid.type.app_error", "Invalid type.", http.StatusBadRequest)
	}
	if _, ok := s.teams[in.TeamId]; !ok {
		return nil, errTeamMissing(where)
	}
	if in.Id != "" {
		return nil, appErr(where, "store.sql_channel.save_channel.existing.app_error", "Must call update for existing channel.", http.StatusBadRequest)
	}
	if len(in.Name) < 1 || len(in.Name) > 64 || !validChannelName.MatchString(in.Name) {
		return nil, appErr(where, "model.channel.is_valid.name.app_error", "Invalid channel name. User ids are not permitted in channel name for non-direct message channels.", http.StatusBadRequest)
	}
	if utf8.RuneCountInString(in.DisplayName) > 64 {
		return nil, appErr(where, "model.channel.is_valid.display_name.app_error", "Invalid display name.", http.StatusBadRequest)
	}
	if utf8.RuneCountInString(in.Header) > 1024 {
		return nil, appErr(where, "model.channel.is_valid.header.app_error", "Invalid header.", http.StatusBadRequest)
	}
	if utf8.RuneCountInString(in.Purpose) > 250 {
		return nil, appErr(where, "model.channel.is_valid.purpose.app_error", "Invalid purpose.", http.StatusBadRequest)
	}
	if s.channelByNameLocked(in.TeamId, in.Name, true) != nil {
		return nil, appErr(where, "store.sql_channel.save_channel.exists.app_error", "A channel with that name already exists on the same team.", http.StatusBadRequest)
	}
	now := s.nowMillis()
	ch := copyChannel(in)
	ch.Id = model.NewId()
	ch.CreateAt, ch.UpdateAt, ch.DeleteAt = now, now, 0
	s.channels[ch.Id] = ch
	s.channelMembers[ch.Id] = map[string]*model.ChannelMember{}
	if addCreator {
		if u, ok := s.users[ch.CreatorId]; ok {
			s.addChannelMemberLocked(ch, u, true)
		}
	}
	cc := copyChannel(ch)
	ev.add(func(l Listener) { l.ChannelHasBeenCreated(cc) })
	return copyChannel(ch), nil
}

func (s *Server) addChannelMemberLocked(ch *model.Channel, u *model.User, admin bool) *model.ChannelMember {
	m := &model.ChannelMember{
		ChannelId: ch.Id, UserId: u.Id, Roles: "channel_user", SchemeUser: true,
		NotifyProps: defaultChannelNotifyProps(), LastUpdateAt: s.nowMillis(),
	}
	if isGuest(u) {
		m.Roles, m.SchemeUser, m.SchemeGuest = "channel_guest", false, true
	} else if admin {
		m.Roles, m.SchemeAdmin = "channel_user channel_admin", true
	}
	s.channelMembers[ch.Id][u.Id] = m
	return m
}

// joinChannelLocked is the server's AddChannelMember for open/private channels.
func (s *Server) joinChannelLocked(ch *model.Channel, userID, actorID string, ev *events) (*model.ChannelMember, *model.AppError) {
	const where = "AddUserToChannel"
	if ch.DeleteAt != 0 {
		return nil, appErr(where, "api.channel.add_user.to.channel.failed.deleted.app_error", "Failed to add user to channel because the channel has been archived.", http.StatusBadRequest)
	}
	if ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate {
		return nil, appErr(where, "api.channel.add_user_to_channel.type.app_error", "Can not add user to this channel type.", http.StatusBadRequest)
	}
	u, ok := s.users[userID]
	if !ok {
		return nil, errUserMissing(where)
	}
	tm, ok := s.teamMembers[ch.TeamId][userID]
	if !ok {
		return nil, errTeamMemberMissing(where)
	}
	if tm.DeleteAt != 0 {
		return nil, appErr(where, "api.channel.add_user.to.channel.failed.deleted.app_error", "Failed to add user to channel because they have been removed from the team.", http.StatusBadRequest)
	}
	if m, ok := s.channelMembers[ch.Id][userID]; ok {
		return copyChannelMember(m), nil
	}
	m := s.addChannelMemberLocked(ch, u, false)
	mc, actor := copyChannelMember(m), s.actorLocked(actorID)
	ev.add(func(l Listener) { l.UserHasJoinedChannel(mc, actor) })
	return copyChannelMember(m), nil
}

// Plugin API: teams.

func (p *pluginAPI) GetTeam(teamID string) (*model.Team, *model.AppError) {
	t, ok := p.s.Team(teamID)
	if !ok {
		return nil, errTeamMissing("GetTeam")
	}
	return t, nil
}

func (p *pluginAPI) GetTeamByName(name string) (*model.Team, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.teams {
		if t.Name == name {
			return copyTeam(t), nil
		}
	}
	return nil, appErr("GetTeamByName", "app.team.get_by_name.missing.app_error", "Unable to find the existing team.", http.StatusNotFound)
}

func (p *pluginAPI) GetTeams() ([]*model.Team, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*model.Team, 0, len(s.teams))
	for _, t := range s.teams {
		out = append(out, copyTeam(t))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (p *pluginAPI) GetTeamMember(teamID, userID string) (*model.TeamMember, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.teamMembers[teamID][userID]
	if !ok {
		return nil, errTeamMemberMissing("GetTeamMember")
	}
	return copyTeamMember(m), nil
}

func (p *pluginAPI) GetTeamMembers(teamID string, pg, perPage int) ([]*model.TeamMember, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []string
	for uid, m := range s.teamMembers[teamID] {
		if m.DeleteAt == 0 {
			ids = append(ids, uid)
		}
	}
	sort.Strings(ids)
	start, end := page(len(ids), pg, perPage)
	out := make([]*model.TeamMember, 0, end-start)
	for _, uid := range ids[start:end] {
		out = append(out, copyTeamMember(s.teamMembers[teamID][uid]))
	}
	return out, nil
}

func (p *pluginAPI) CreateTeamMember(teamID, userID string) (*model.TeamMember, *model.AppError) {
	var ev events
	s := p.s
	s.mu.Lock()
	m, err := s.joinTeamLocked(teamID, userID, "", &ev)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return m, nil
}

// Plugin API: channels.

func (p *pluginAPI) GetChannel(channelID string) (*model.Channel, *model.AppError) {
	ch, ok := p.s.Channel(channelID)
	if !ok {
		return nil, errChannelMissing("GetChannel")
	}
	return ch, nil
}

func (p *pluginAPI) GetChannelByName(teamID, name string, includeDeleted bool) (*model.Channel, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	ch := s.channelByNameLocked(teamID, name, includeDeleted)
	if ch == nil {
		return nil, appErr("GetChannelByName", "app.channel.get_by_name.missing.app_error", "Channel does not exist.", http.StatusNotFound)
	}
	return copyChannel(ch), nil
}

func (p *pluginAPI) CreateChannel(channel *model.Channel) (*model.Channel, *model.AppError) {
	if channel == nil {
		return nil, appErr("CreateChannel", "api.context.invalid_body_param.app_error", "Invalid or missing channel in request body.", http.StatusBadRequest)
	}
	var ev events
	s := p.s
	s.mu.Lock()
	ch, err := s.createChannelLocked("CreateChannel", channel, false, &ev)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return ch, nil
}

func (p *pluginAPI) GetDirectChannel(userID1, userID2 string) (*model.Channel, *model.AppError) {
	const where = "GetOrCreateDirectChannel"
	var ev events
	s := p.s
	s.mu.Lock()
	ch, err := func() (*model.Channel, *model.AppError) {
		u1, ok1 := s.users[userID1]
		u2, ok2 := s.users[userID2]
		if !ok1 || !ok2 {
			return nil, errUserMissing(where)
		}
		name := directChannelName(userID1, userID2)
		if ch := s.channelByNameLocked("", name, true); ch != nil {
			return copyChannel(ch), nil
		}
		now := s.nowMillis()
		ch := &model.Channel{
			Id: model.NewId(), CreateAt: now, UpdateAt: now, Name: name,
			Type: model.ChannelTypeDirect, CreatorId: userID1,
		}
		s.channels[ch.Id] = ch
		s.channelMembers[ch.Id] = map[string]*model.ChannelMember{}
		s.addChannelMemberLocked(ch, u1, false)
		if userID2 != userID1 {
			s.addChannelMemberLocked(ch, u2, false)
		}
		cc := copyChannel(ch)
		ev.add(func(l Listener) { l.ChannelHasBeenCreated(cc) })
		return copyChannel(ch), nil
	}()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return ch, nil
}

// directChannelName is the server's DM channel name: the two ids sorted, "__"-joined.
func directChannelName(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + "__" + b
}

func (p *pluginAPI) GetChannelMember(channelID, userID string) (*model.ChannelMember, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.channelMembers[channelID][userID]
	if !ok {
		return nil, errChannelMemberMissing("GetChannelMember")
	}
	return copyChannelMember(m), nil
}

func (p *pluginAPI) GetChannelMembers(channelID string, pg, perPage int) (model.ChannelMembers, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := sortedKeys(s.channelMembers[channelID])
	start, end := page(len(ids), pg, perPage)
	out := make(model.ChannelMembers, 0, end-start)
	for _, uid := range ids[start:end] {
		out = append(out, *copyChannelMember(s.channelMembers[channelID][uid]))
	}
	return out, nil
}

func (p *pluginAPI) AddChannelMember(channelID, userID string) (*model.ChannelMember, *model.AppError) {
	var ev events
	s := p.s
	s.mu.Lock()
	var (
		m   *model.ChannelMember
		err *model.AppError
	)
	if ch, ok := s.channels[channelID]; ok {
		m, err = s.joinChannelLocked(ch, userID, "", &ev)
	} else {
		err = errChannelMissing("GetChannel")
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return m, nil
}
