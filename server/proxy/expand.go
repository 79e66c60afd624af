package proxy

import (
	"fmt"
	"sync"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// permissionReadPublicChannel is the team permission that lets team members
// read public channels they have not joined.
var permissionReadPublicChannel = &model.Permission{Id: "read_public_channel", Scope: "team_scope"}

// userAgent is the context a client sent, after the acting user's
// membership was checked: the IDs it names, and what was loaded to check
// them (reused by expansion, so nothing is fetched twice).
//
// Checks: a post's channel is the context's channel (whatever the client
// sent); the acting user must be a member of the channel, or, without a
// channel, of the team. The team of a channel in a team is the channel's
// team; a direct or group channel has none, so the client's team is kept
// there only if the user is a member of it (checked when expanded).
type userAgent struct {
	apps.UserAgentContext
	// UserID is the user the call is about (expand.user).
	UserID string

	actingUserID string
	// clientTeamID is the team the client sent (TeamID may be resolved to
	// another value on expansion).
	clientTeamID string

	mu            sync.Mutex
	channel       *model.Channel
	channelMember *model.ChannelMember
	teamResolved  bool
	post          *model.Post
	rootPost      *model.Post
}

// userAgentContext checks a client's context for the acting user.
func (p *Proxy) userAgentContext(actingUserID string, in apps.Context) (*userAgent, error) {
	ua := &userAgent{
		UserAgentContext: apps.UserAgentContext{
			AppID:         in.AppID,
			Location:      in.Location,
			UserAgent:     in.UserAgent,
			TrackAsSubmit: in.TrackAsSubmit,
		},
		UserID:       in.UserID,
		actingUserID: actingUserID,
		clientTeamID: in.TeamID,
	}
	channelID, teamID := in.ChannelID, in.TeamID
	if in.PostID != "" {
		post, appErr := p.api.GetPost(in.PostID)
		if appErr != nil {
			return nil, fmt.Errorf("%w: post %s: %v", ErrNotFound, in.PostID, appErr)
		}
		// The post's channel is the context's (a client may show a post of
		// another channel, e.g. in search results).
		channelID = post.ChannelId
		ua.PostID, ua.RootPostID, ua.post = post.Id, post.RootId, post
	} else if in.RootPostID != "" {
		root, appErr := p.api.GetPost(in.RootPostID)
		if appErr != nil {
			return nil, fmt.Errorf("%w: post %s: %v", ErrNotFound, in.RootPostID, appErr)
		}
		channelID = root.ChannelId
		ua.RootPostID, ua.rootPost = root.Id, root
	}
	switch {
	case channelID != "":
		member, appErr := p.channelMember(channelID, actingUserID)
		if appErr != nil {
			if model.IsNotFound(appErr) {
				return nil, fmt.Errorf("%w: you are not a member of channel %s", ErrForbidden, channelID)
			}
			return nil, fmt.Errorf("check your membership of channel %s: %w", channelID, appErr)
		}
		ua.ChannelID, ua.channelMember = channelID, member
		ua.TeamID = teamID // resolved (and checked) only if expanded: see team()
	case teamID != "":
		member, appErr := p.teamMember(teamID, actingUserID)
		if appErr != nil || member.DeleteAt != 0 {
			if appErr == nil || model.IsNotFound(appErr) {
				return nil, fmt.Errorf("%w: you are not a member of team %s", ErrForbidden, teamID)
			}
			return nil, fmt.Errorf("check your membership of team %s: %w", teamID, appErr)
		}
		ua.TeamID, ua.teamResolved = teamID, true
	}
	return ua, nil
}

// loadChannel returns the context's channel.
func (p *Proxy) loadChannel(ua *userAgent) (*model.Channel, error) {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	return p.loadChannelLocked(ua)
}

func (p *Proxy) loadChannelLocked(ua *userAgent) (*model.Channel, error) {
	if ua.channel != nil {
		return ua.channel, nil
	}
	if ua.ChannelID == "" {
		return nil, fmt.Errorf("%w: the call's context has no channel", ErrInvalid)
	}
	ch, appErr := p.api.GetChannel(ua.ChannelID)
	if appErr != nil {
		return nil, fmt.Errorf("%w: channel %s: %v", ErrNotFound, ua.ChannelID, appErr)
	}
	ua.channel = ch
	return ch, nil
}

// team returns the context's team, checked for the acting user: the
// channel's team, or for a direct or group channel (which has none) the
// client's team if the user is a member of it ("" otherwise).
func (p *Proxy) team(ua *userAgent) (string, error) {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	if ua.teamResolved {
		return ua.TeamID, nil
	}
	if ua.ChannelID != "" {
		ch, err := p.loadChannelLocked(ua)
		if err != nil {
			return "", err
		}
		if ch.TeamId != "" {
			// A channel member is a member of the channel's team.
			ua.TeamID, ua.teamResolved = ch.TeamId, true
			return ua.TeamID, nil
		}
	}
	if ua.TeamID != "" {
		if member, appErr := p.teamMember(ua.TeamID, ua.actingUserID); appErr != nil || member.DeleteAt != 0 {
			ua.TeamID = ""
		}
	}
	ua.teamResolved = true
	return ua.TeamID, nil
}

func (p *Proxy) loadRootPost(ua *userAgent) (*model.Post, error) {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	if ua.rootPost != nil {
		return ua.rootPost, nil
	}
	if ua.RootPostID == "" {
		return nil, fmt.Errorf("%w: the call's context has no root post", ErrInvalid)
	}
	post, appErr := p.api.GetPost(ua.RootPostID)
	if appErr != nil {
		return nil, fmt.Errorf("%w: post %s: %v", ErrNotFound, ua.RootPostID, appErr)
	}
	ua.rootPost = post
	return post, nil
}

// expander fills one call's context.
type expander struct {
	p          *Proxy
	app        apps.App
	in         Incoming
	ua         *userAgent
	cc         *apps.Context
	actingUser *model.User
}

// expand builds the context an app receives: the plugin's part (site URL,
// app path, bot, bot token when act_as_bot is granted) and what e asks for.
// The client's IDs are not passed on as such: an ID reaches the app only when
// its entity is expanded (level "id" or more). Levels marked required ("+")
// fail the call when they cannot be expanded; others are left out.
func (p *Proxy) expand(in Incoming, app apps.App, ua *userAgent, e *apps.Expand) (apps.Context, error) {
	conf := p.conf.Get()
	cc := apps.Context{
		ActingUserID:     in.ActingUserID,
		UserAgentContext: apps.UserAgentContext{AppID: app.AppID},
		ExpandedContext: apps.ExpandedContext{
			MattermostSiteURL: conf.SiteURL,
			DeveloperMode:     conf.DeveloperMode,
			AppPath:           "/plugins/" + conf.PluginID + "/apps/" + string(app.AppID),
			BotUserID:         app.BotUserID,
		},
	}
	cc.BotAccessToken = p.appToken(app, app.BotUserID, apps.PermissionActAsBot)
	if e == nil {
		return cc, nil
	}
	x := &expander{p: p, app: app, in: in, ua: ua, cc: &cc}
	for _, step := range []struct {
		name  string
		level apps.ExpandLevel
		f     func(apps.ExpandLevel) error
	}{
		{"app", e.App, x.expandApp},
		{"acting_user", e.ActingUser, x.expandActingUser},
		{"acting_user_access_token", e.ActingUserAccessToken, x.expandActingUserToken},
		{"locale", e.Locale, x.expandLocale},
		{"channel", e.Channel, x.expandChannel},
		{"channel_member", e.ChannelMember, x.expandChannelMember},
		{"team", e.Team, x.expandTeam},
		{"team_member", e.TeamMember, x.expandTeamMember},
		{"post", e.Post, x.expandPost},
		{"root_post", e.RootPost, x.expandRootPost},
		{"user", e.User, x.expandUser},
		{"oauth2_app", e.OAuth2App, x.expandOAuth2App},
		{"oauth2_user", e.OAuth2User, x.expandOAuth2User},
	} {
		required, level, err := apps.ParseExpandLevel(step.level)
		if err != nil {
			return apps.Context{}, fmt.Errorf("%w: expand.%s: %v", ErrInvalid, step.name, err)
		}
		if level == apps.ExpandNone {
			continue
		}
		if err := step.f(level); err != nil && required {
			return apps.Context{}, fmt.Errorf("app %s: required expand.%s=%s failed: %w", app.AppID, step.name, step.level, err)
		}
	}
	return cc, nil
}

// principal is the user whose rights bound what the app may see: the acting
// user for apps that act as users, else the app's bot.
func (x *expander) principal(what string) (string, error) {
	switch {
	case x.app.DeployType == apps.DeployBuiltin && x.in.ActingUserID != "":
		return x.in.ActingUserID, nil // the plugin's own app sees what the user sees
	case x.app.GrantedPermissions.Contains(apps.PermissionActAsUser) && x.in.ActingUserID != "":
		return x.in.ActingUserID, nil
	case x.app.GrantedPermissions.Contains(apps.PermissionActAsBot) && x.app.BotUserID != "":
		return x.app.BotUserID, nil
	}
	return "", fmt.Errorf("%w: app %s has neither act_as_user nor act_as_bot, so it cannot expand %s", ErrForbidden, x.app.AppID, what)
}

func (x *expander) loadActingUser() (*model.User, error) {
	if x.actingUser != nil {
		return x.actingUser, nil
	}
	if x.in.ActingUserID == "" {
		return nil, fmt.Errorf("%w: the call has no acting user", ErrInvalid)
	}
	u, appErr := x.p.api.GetUser(x.in.ActingUserID)
	if appErr != nil {
		return nil, fmt.Errorf("%w: user %s: %v", ErrNotFound, x.in.ActingUserID, appErr)
	}
	x.actingUser = u
	return u, nil
}

func (x *expander) isAdmin() bool {
	if x.in.PluginID != "" {
		return true
	}
	return x.in.ActingUserID != "" && x.p.api.HasPermissionTo(x.in.ActingUserID, model.PermissionManageSystem)
}

// canReadChannel: the principal is a member of the channel (or can read
// it), or it is a public channel of a team the principal may read.
func (x *expander) canReadChannel(principal string, ch *model.Channel) error {
	if principal == x.ua.actingUserID && ch.Id == x.ua.ChannelID && x.ua.channelMember != nil {
		return nil // checked by userAgentContext
	}
	api := x.p.api
	if api.HasPermissionToChannel(principal, ch.Id, model.PermissionReadChannel) {
		return nil
	}
	if ch.Type == model.ChannelTypeOpen && ch.TeamId != "" && api.HasPermissionToTeam(principal, ch.TeamId, permissionReadPublicChannel) {
		return nil
	}
	return fmt.Errorf("%w: %s cannot read channel %s", ErrForbidden, x.who(principal), ch.Id)
}

func (x *expander) canViewTeam(principal, teamID string) error {
	x.ua.mu.Lock()
	checked := x.ua.teamResolved && x.ua.TeamID == teamID
	x.ua.mu.Unlock()
	if principal == x.ua.actingUserID && checked {
		return nil // checked: member of the team (or of one of its channels)
	}
	if x.p.api.HasPermissionToTeam(principal, teamID, model.PermissionViewTeam) {
		return nil
	}
	return fmt.Errorf("%w: %s cannot view team %s", ErrForbidden, x.who(principal), teamID)
}

func (x *expander) who(principal string) string {
	if principal == x.app.BotUserID {
		return "the app's bot @" + x.app.BotUsername
	}
	return "user " + principal
}

func (x *expander) expandApp(level apps.ExpandLevel) error {
	switch level {
	case apps.ExpandID:
		x.cc.App = &apps.App{Manifest: apps.Manifest{AppID: x.app.AppID}}
	case apps.ExpandSummary:
		x.cc.App = appSummary(x.app)
	case apps.ExpandAll:
		a := x.app
		a.Secret, a.MattermostOAuth2, a.RemoteOAuth2 = "", nil, apps.OAuth2App{}
		if !x.isAdmin() {
			a.WebhookSecret = ""
		}
		x.cc.App = &a
	}
	return nil
}

func (x *expander) expandActingUser(level apps.ExpandLevel) error {
	if level == apps.ExpandID {
		x.cc.ActingUser = &apps.User{ID: x.in.ActingUserID}
		return nil
	}
	if _, err := x.principal("acting_user"); err != nil {
		return err
	}
	u, err := x.loadActingUser()
	if err != nil {
		return err
	}
	x.cc.ActingUser = convertUser(u, level)
	return nil
}

func (x *expander) expandActingUserToken(level apps.ExpandLevel) error {
	if level != apps.ExpandAll {
		return nil // tokens only at level all
	}
	if !x.app.GrantedPermissions.Contains(apps.PermissionActAsUser) {
		return fmt.Errorf("%w: app %s was not granted act_as_user", ErrForbidden, x.app.AppID)
	}
	tok := x.p.appToken(x.app, x.in.ActingUserID, apps.PermissionActAsUser)
	if tok == "" {
		return fmt.Errorf("could not make a token for user %s", x.in.ActingUserID)
	}
	x.cc.ActingUserAccessToken = tok
	return nil
}

func (x *expander) expandLocale(apps.ExpandLevel) error {
	u, err := x.loadActingUser()
	if err != nil {
		return err
	}
	x.cc.Locale = u.Locale
	if x.cc.Locale == "" {
		x.cc.Locale = "en"
	}
	return nil
}

func (x *expander) expandChannel(level apps.ExpandLevel) error {
	if x.ua.ChannelID == "" {
		return fmt.Errorf("%w: the call's context has no channel", ErrInvalid)
	}
	x.cc.ChannelID = x.ua.ChannelID
	if level == apps.ExpandID {
		x.cc.Channel = &apps.Channel{ID: x.ua.ChannelID}
		return nil
	}
	ch, err := x.readableChannel("channel")
	if err != nil {
		return err
	}
	x.cc.Channel = convertChannel(ch, level)
	return nil
}

func (x *expander) expandChannelMember(level apps.ExpandLevel) error {
	if x.ua.ChannelID == "" {
		return fmt.Errorf("%w: the call's context has no channel", ErrInvalid)
	}
	x.cc.ChannelID = x.ua.ChannelID
	if level == apps.ExpandID {
		x.cc.ChannelMember = &apps.ChannelMember{ChannelID: x.ua.ChannelID, UserID: x.in.ActingUserID}
		return nil
	}
	if _, err := x.readableChannel("channel_member"); err != nil {
		return err
	}
	// The membership checked may come from a cache: send the app fresh data.
	m, appErr := x.p.api.GetChannelMember(x.ua.ChannelID, x.in.ActingUserID)
	if appErr != nil {
		return fmt.Errorf("%w: channel member %s: %v", ErrNotFound, x.ua.ChannelID, appErr)
	}
	x.cc.ChannelMember = convertChannelMember(m)
	return nil
}

func (x *expander) expandTeam(level apps.ExpandLevel) error {
	teamID, err := x.p.team(x.ua)
	if err != nil {
		return err
	}
	if teamID == "" {
		return fmt.Errorf("%w: the call's context has no team", ErrInvalid)
	}
	x.cc.TeamID = teamID
	if level == apps.ExpandID {
		x.cc.Team = &apps.Team{ID: teamID}
		return nil
	}
	if err := x.checkTeam("team", teamID); err != nil {
		return err
	}
	t, appErr := x.p.api.GetTeam(teamID)
	if appErr != nil {
		return fmt.Errorf("%w: team %s: %v", ErrNotFound, teamID, appErr)
	}
	x.cc.Team = convertTeam(t, level)
	return nil
}

func (x *expander) expandTeamMember(level apps.ExpandLevel) error {
	teamID, err := x.p.team(x.ua)
	if err != nil {
		return err
	}
	if teamID == "" {
		return fmt.Errorf("%w: the call's context has no team", ErrInvalid)
	}
	x.cc.TeamID = teamID
	if level == apps.ExpandID {
		x.cc.TeamMember = &apps.TeamMember{TeamID: teamID, UserID: x.in.ActingUserID}
		return nil
	}
	if err := x.checkTeam("team_member", teamID); err != nil {
		return err
	}
	m, appErr := x.p.api.GetTeamMember(teamID, x.in.ActingUserID)
	if appErr != nil {
		return fmt.Errorf("%w: team member %s: %v", ErrNotFound, teamID, appErr)
	}
	x.cc.TeamMember = convertTeamMember(m)
	return nil
}

func (x *expander) expandPost(level apps.ExpandLevel) error {
	if x.ua.PostID == "" {
		return fmt.Errorf("%w: the call's context has no post", ErrInvalid)
	}
	x.cc.PostID = x.ua.PostID
	if level == apps.ExpandID {
		x.cc.Post = &apps.Post{ID: x.ua.PostID}
		return nil
	}
	if _, err := x.readableChannel("post"); err != nil {
		return err
	}
	x.cc.Post = convertPost(x.ua.post, level)
	return nil
}

func (x *expander) expandRootPost(level apps.ExpandLevel) error {
	if x.ua.RootPostID == "" {
		return fmt.Errorf("%w: the call's context has no root post", ErrInvalid)
	}
	x.cc.RootPostID = x.ua.RootPostID
	if level == apps.ExpandID {
		x.cc.RootPost = &apps.Post{ID: x.ua.RootPostID}
		return nil
	}
	principal, err := x.principal("root_post")
	if err != nil {
		return err
	}
	root, err := x.p.loadRootPost(x.ua)
	if err != nil {
		return err
	}
	ch, err := x.p.loadChannel(x.ua)
	if err != nil {
		return err
	}
	if root.ChannelId != ch.Id {
		return fmt.Errorf("%w: root post %s is not in channel %s", ErrInvalid, root.Id, ch.Id)
	}
	if err := x.canReadChannel(principal, ch); err != nil {
		return err
	}
	x.cc.RootPost = convertPost(root, level)
	return nil
}

func (x *expander) expandUser(level apps.ExpandLevel) error {
	if x.ua.UserID == "" {
		return fmt.Errorf("%w: the call's context has no user", ErrInvalid)
	}
	x.cc.UserID = x.ua.UserID
	if level == apps.ExpandID {
		x.cc.User = &apps.User{ID: x.ua.UserID}
		return nil
	}
	principal, err := x.principal("user")
	if err != nil {
		return err
	}
	if principal != x.ua.UserID && !x.p.api.HasPermissionTo(principal, model.PermissionViewMembers) {
		return fmt.Errorf("%w: %s cannot view other users", ErrForbidden, x.who(principal))
	}
	u, appErr := x.p.api.GetUser(x.ua.UserID)
	if appErr != nil {
		return fmt.Errorf("%w: user %s: %v", ErrNotFound, x.ua.UserID, appErr)
	}
	x.cc.User = convertUser(u, level)
	return nil
}

func (x *expander) expandOAuth2App(level apps.ExpandLevel) error {
	if level != apps.ExpandAll {
		return nil
	}
	if !x.app.GrantedPermissions.Contains(apps.PermissionRemoteOAuth2) {
		return fmt.Errorf("%w: app %s was not granted remote_oauth2", ErrForbidden, x.app.AppID)
	}
	base := x.p.conf.Get().PluginURL + "/apps/" + string(x.app.AppID) + "/oauth2/remote"
	x.cc.OAuth2.OAuth2App = x.app.RemoteOAuth2
	x.cc.OAuth2.ConnectURL = base + "/connect"
	x.cc.OAuth2.CompleteURL = base + "/complete"
	return nil
}

func (x *expander) expandOAuth2User(level apps.ExpandLevel) error {
	if level != apps.ExpandAll {
		return nil
	}
	if !x.app.GrantedPermissions.Contains(apps.PermissionRemoteOAuth2) {
		return fmt.Errorf("%w: app %s was not granted remote_oauth2", ErrForbidden, x.app.AppID)
	}
	v, err := x.p.OAuth2UserData(x.app, x.in.ActingUserID)
	if err != nil {
		return err
	}
	x.cc.OAuth2.User = v
	return nil
}

// Conversions from the server's model to what apps receive. Summary levels
// keep the field sets upstream documented (see apps.Expand).

func convertUser(u *model.User, level apps.ExpandLevel) *apps.User {
	if level != apps.ExpandAll {
		return userSummary(u)
	}
	return &apps.User{
		ID: u.Id, CreateAt: u.CreateAt, UpdateAt: u.UpdateAt, DeleteAt: u.DeleteAt, Username: u.Username,
		AuthService: u.AuthService, Email: u.Email, EmailVerified: u.EmailVerified, Nickname: u.Nickname,
		FirstName: u.FirstName, LastName: u.LastName, Position: u.Position, Roles: u.Roles,
		AllowMarketing: u.AllowMarketing, Props: u.Props, NotifyProps: u.NotifyProps,
		LastPasswordUpdate: u.LastPasswordUpdate, LastPictureUpdate: u.LastPictureUpdate,
		FailedAttempts: u.FailedAttempts, Locale: u.Locale, Timezone: u.Timezone, MfaActive: u.MfaActive,
		RemoteID: u.RemoteId, LastActivityAt: u.LastActivityAt, IsBot: u.IsBot, BotDescription: u.BotDescription,
		BotLastIconUpdate: u.BotLastIconUpdate, TermsOfServiceID: u.TermsOfServiceId,
		TermsOfServiceCreateAt: u.TermsOfServiceCreateAt, DisableWelcomeEmail: u.DisableWelcomeEmail,
	}
}

func convertChannel(ch *model.Channel, level apps.ExpandLevel) *apps.Channel {
	if level != apps.ExpandAll {
		return &apps.Channel{ID: ch.Id, DeleteAt: ch.DeleteAt, TeamID: ch.TeamId, Type: string(ch.Type), DisplayName: ch.DisplayName, Name: ch.Name}
	}
	return &apps.Channel{
		ID: ch.Id, CreateAt: ch.CreateAt, UpdateAt: ch.UpdateAt, DeleteAt: ch.DeleteAt, TeamID: ch.TeamId,
		Type: string(ch.Type), DisplayName: ch.DisplayName, Name: ch.Name, Header: ch.Header, Purpose: ch.Purpose,
		LastPostAt: ch.LastPostAt, TotalMsgCount: ch.TotalMsgCount, ExtraUpdateAt: ch.ExtraUpdateAt,
		CreatorID: ch.CreatorId, SchemeID: ch.SchemeId, Props: ch.Props, GroupConstrained: ch.GroupConstrained,
		Shared: ch.Shared, TotalMsgCountRoot: ch.TotalMsgCountRoot, PolicyID: ch.PolicyID, LastRootPostAt: ch.LastRootPostAt,
	}
}

func convertChannelMember(m *model.ChannelMember) *apps.ChannelMember {
	return &apps.ChannelMember{
		ChannelID: m.ChannelId, UserID: m.UserId, Roles: m.Roles, LastViewedAt: m.LastViewedAt, MsgCount: m.MsgCount,
		MentionCount: m.MentionCount, MentionCountRoot: m.MentionCountRoot, MsgCountRoot: m.MsgCountRoot,
		NotifyProps: m.NotifyProps, LastUpdateAt: m.LastUpdateAt, SchemeGuest: m.SchemeGuest, SchemeUser: m.SchemeUser,
		SchemeAdmin: m.SchemeAdmin, ExplicitRoles: m.ExplicitRoles,
	}
}

func convertTeam(t *model.Team, level apps.ExpandLevel) *apps.Team {
	if level != apps.ExpandAll {
		return &apps.Team{ID: t.Id, DisplayName: t.DisplayName, Name: t.Name, Description: t.Description, Email: t.Email, Type: t.Type}
	}
	return &apps.Team{
		ID: t.Id, CreateAt: t.CreateAt, UpdateAt: t.UpdateAt, DeleteAt: t.DeleteAt, DisplayName: t.DisplayName,
		Name: t.Name, Description: t.Description, Email: t.Email, Type: t.Type, CompanyName: t.CompanyName,
		AllowedDomains: t.AllowedDomains, InviteID: t.InviteId, AllowOpenInvite: t.AllowOpenInvite,
		LastTeamIconUpdate: t.LastTeamIconUpdate, SchemeID: t.SchemeId, GroupConstrained: t.GroupConstrained,
		PolicyID: t.PolicyID, CloudLimitsArchived: t.CloudLimitsArchived,
	}
}

func convertTeamMember(m *model.TeamMember) *apps.TeamMember {
	return &apps.TeamMember{
		TeamID: m.TeamId, UserID: m.UserId, Roles: m.Roles, DeleteAt: m.DeleteAt, SchemeGuest: m.SchemeGuest,
		SchemeUser: m.SchemeUser, SchemeAdmin: m.SchemeAdmin, ExplicitRoles: m.ExplicitRoles,
	}
}

func convertPost(p *model.Post, level apps.ExpandLevel) *apps.Post {
	if level != apps.ExpandAll {
		return &apps.Post{ID: p.Id, Type: p.Type, UserID: p.UserId, ChannelID: p.ChannelId, RootID: p.RootId, Message: p.Message}
	}
	return &apps.Post{
		ID: p.Id, CreateAt: p.CreateAt, UpdateAt: p.UpdateAt, EditAt: p.EditAt, DeleteAt: p.DeleteAt,
		IsPinned: p.IsPinned, UserID: p.UserId, ChannelID: p.ChannelId, RootID: p.RootId, OriginalID: p.OriginalId,
		Message: p.Message, MessageSource: p.MessageSource, Type: p.Type, Props: p.Props, Hashtags: p.Hashtags,
		FileIDs: p.FileIds, PendingPostID: p.PendingPostId, HasReactions: p.HasReactions, RemoteID: p.RemoteId,
		ReplyCount: p.ReplyCount, LastReplyAt: p.LastReplyAt, IsFollowing: p.IsFollowing,
	}
}

// readableChannel loads the context's channel once the principal the app
// expands as (what names the expansion, for errors) may read it.
func (x *expander) readableChannel(what string) (*model.Channel, error) {
	principal, err := x.principal(what)
	if err != nil {
		return nil, err
	}
	ch, err := x.p.loadChannel(x.ua)
	if err != nil {
		return nil, err
	}
	if err := x.canReadChannel(principal, ch); err != nil {
		return nil, err
	}
	return ch, nil
}

// checkTeam checks that the principal the app expands as may see teamID.
func (x *expander) checkTeam(what, teamID string) error {
	principal, err := x.principal(what)
	if err != nil {
		return err
	}
	return x.canViewTeam(principal, teamID)
}
