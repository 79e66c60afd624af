package proxy

import (
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// ClusterEventMembership tells the other nodes that a user left a channel or
// a team (data: the user id), so they forget the user's cached memberships.
const ClusterEventMembership = "apps_membership"

// Membership checks run on every call and bindings request; each is a round
// trip to the server. Positive answers are kept for membershipTTL and
// forgotten as soon as the user leaves a channel or a team (the plugin's
// UserHasLeftChannel and UserHasLeftTeam hooks call MembershipChanged, on
// every node).
const (
	membershipTTL = 30 * time.Second
	membershipMax = 50000
)

type memberKey struct{ user, id string }

type memberEntry[T any] struct {
	member  T
	expires time.Time
}

type membershipCache struct {
	mu       sync.Mutex
	channels map[memberKey]memberEntry[*model.ChannelMember]
	teams    map[memberKey]memberEntry[*model.TeamMember]
}

func newMembershipCache() *membershipCache {
	c := &membershipCache{}
	c.clear()
	return c
}

func (c *membershipCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.channels = map[memberKey]memberEntry[*model.ChannelMember]{}
	c.teams = map[memberKey]memberEntry[*model.TeamMember]{}
}

func (c *membershipCache) forgetUser(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.channels {
		if k.user == userID {
			delete(c.channels, k)
		}
	}
	for k := range c.teams {
		if k.user == userID {
			delete(c.teams, k)
		}
	}
}

// MembershipChanged forgets what is cached about a user's channel and team
// memberships. The plugin calls it when the user leaves a channel or a team.
func (p *Proxy) MembershipChanged(userID string) { p.members.forgetUser(userID) }

// channelMember returns the user's membership of a channel (cached). The
// member is for checks: its counters may be up to membershipTTL old.
func (p *Proxy) channelMember(channelID, userID string) (*model.ChannelMember, *model.AppError) {
	k, now := memberKey{userID, channelID}, p.now()
	c := p.members
	c.mu.Lock()
	e, ok := c.channels[k]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.member, nil
	}
	m, appErr := p.api.GetChannelMember(channelID, userID)
	if appErr != nil {
		return nil, appErr
	}
	c.mu.Lock()
	if len(c.channels) >= membershipMax {
		c.channels = map[memberKey]memberEntry[*model.ChannelMember]{}
	}
	c.channels[k] = memberEntry[*model.ChannelMember]{member: m, expires: now.Add(membershipTTL)}
	c.mu.Unlock()
	return m, nil
}

// teamMember returns the user's active membership of a team (cached).
func (p *Proxy) teamMember(teamID, userID string) (*model.TeamMember, *model.AppError) {
	k, now := memberKey{userID, teamID}, p.now()
	c := p.members
	c.mu.Lock()
	e, ok := c.teams[k]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.member, nil
	}
	m, appErr := p.api.GetTeamMember(teamID, userID)
	if appErr != nil {
		return nil, appErr
	}
	if m.DeleteAt != 0 {
		return m, nil // not cached: not a member
	}
	c.mu.Lock()
	if len(c.teams) >= membershipMax {
		c.teams = map[memberKey]memberEntry[*model.TeamMember]{}
	}
	c.teams[k] = memberEntry[*model.TeamMember]{member: m, expires: now.Add(membershipTTL)}
	c.mu.Unlock()
	return m, nil
}
