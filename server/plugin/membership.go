package plugin

import (
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// membershipChanged forgets a user's cached channel and team memberships,
// here and on the other nodes (the server runs a hook on one node only).
func (p *Plugin) membershipChanged(userID string) {
	svc := p.current()
	if svc == nil || userID == "" {
		return
	}
	svc.proxy.MembershipChanged(userID)
	err := svc.api.PublishPluginClusterEvent(
		model.PluginClusterEvent{Id: proxy.ClusterEventMembership, Data: []byte(userID)},
		model.PluginClusterEventSendOptions{SendType: model.PluginClusterEventSendTypeReliable},
	)
	if err != nil {
		svc.api.LogWarn("Could not tell the other cluster nodes about a membership change", "error", err)
	}
}
