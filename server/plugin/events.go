package plugin

import (
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// The hooks behind the apps' subscriptions. Each only queues a job for the
// notifier (bounded queue, fixed workers): a hook never waits for an app.

var (
	_ mmplugin.UserHasBeenCreatedHook    = (*Plugin)(nil)
	_ mmplugin.UserHasJoinedChannelHook  = (*Plugin)(nil)
	_ mmplugin.UserHasLeftChannelHook    = (*Plugin)(nil)
	_ mmplugin.UserHasJoinedTeamHook     = (*Plugin)(nil)
	_ mmplugin.UserHasLeftTeamHook       = (*Plugin)(nil)
	_ mmplugin.ChannelHasBeenCreatedHook = (*Plugin)(nil)
)

func (p *Plugin) notifier() *proxy.Notifier {
	svc := p.current()
	if svc == nil || svc.appSvc == nil {
		return nil
	}
	return svc.appSvc.Notifier
}

// UserHasBeenCreated notifies user_created subscribers.
func (p *Plugin) UserHasBeenCreated(_ *mmplugin.Context, user *model.User) {
	if n := p.notifier(); n != nil {
		n.UserHasBeenCreated(user)
	}
}

// UserHasJoinedChannel notifies user_joined_channel (and bot_joined_channel) subscribers.
func (p *Plugin) UserHasJoinedChannel(_ *mmplugin.Context, m *model.ChannelMember, _ *model.User) {
	if n := p.notifier(); n != nil {
		n.UserHasJoinedChannel(m)
	}
}

// UserHasLeftChannel notifies user_left_channel (and bot_left_channel) subscribers.
func (p *Plugin) UserHasLeftChannel(_ *mmplugin.Context, m *model.ChannelMember, _ *model.User) {
	p.membershipChanged(m.UserId)
	if n := p.notifier(); n != nil {
		n.UserHasLeftChannel(m)
	}
}

// UserHasJoinedTeam notifies user_joined_team (and bot_joined_team) subscribers.
func (p *Plugin) UserHasJoinedTeam(_ *mmplugin.Context, m *model.TeamMember, _ *model.User) {
	if n := p.notifier(); n != nil {
		n.UserHasJoinedTeam(m)
	}
}

// UserHasLeftTeam notifies user_left_team (and bot_left_team) subscribers.
func (p *Plugin) UserHasLeftTeam(_ *mmplugin.Context, m *model.TeamMember, _ *model.User) {
	p.membershipChanged(m.UserId)
	if n := p.notifier(); n != nil {
		n.UserHasLeftTeam(m)
	}
}

// ChannelHasBeenCreated notifies channel_created subscribers.
func (p *Plugin) ChannelHasBeenCreated(_ *mmplugin.Context, ch *model.Channel) {
	if n := p.notifier(); n != nil {
		n.ChannelHasBeenCreated(ch)
	}
}
