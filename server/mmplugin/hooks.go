package mmplugin

import (
	"net/http"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Plugin is the one interface a plugin must implement. Every hook in
// hookTable is optional: a plugin implements the ones it wants with exactly
// the signature listed there, and the server is told (Implemented) about those
// only, so it never calls the others.
type Plugin interface {
	// OnActivate runs when the server starts the plugin, with the API already
	// connected. Returning an error refuses activation; the server shows the
	// error text as the plugin's start failure.
	OnActivate(api API) error
}

// HTTPHandler is the optional ServeHTTP hook. The request path arrives with
// /plugins/<id> stripped; the calling user, when authenticated, is in header
// Mattermost-User-Id.
type HTTPHandler interface {
	ServeHTTP(c *Context, w http.ResponseWriter, r *http.Request)
}

// Context is the server's plugin.Context: who and what triggered a hook.
type Context struct {
	SessionId      string
	RequestId      string
	IPAddress      string
	IpAddress      string // v5.x spelling, kept so those servers' values are not lost
	AcceptLanguage string
	UserAgent      string
	ConnectionId   string
}

// hookTable lists the optional hooks with the server's signatures, which
// define their wire form (see API). The generator derives, for each, a
// one-method interface named <Hook>Hook, the wire structs, the plugin-side
// dispatcher and the server-side client.
type hookTable interface {
	OnDeactivate() error
	OnConfigurationChange() error
	ExecuteCommand(c *Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError)
	OnPluginClusterEvent(c *Context, ev model.PluginClusterEvent)
	MessageHasBeenPosted(c *Context, post *model.Post)
	UserHasJoinedChannel(c *Context, channelMember *model.ChannelMember, actor *model.User)
	UserHasLeftChannel(c *Context, channelMember *model.ChannelMember, actor *model.User)
	UserHasJoinedTeam(c *Context, teamMember *model.TeamMember, actor *model.User)
	UserHasLeftTeam(c *Context, teamMember *model.TeamMember, actor *model.User)
	ChannelHasBeenCreated(c *Context, channel *model.Channel)
	UserHasBeenCreated(c *Context, user *model.User)
	OnInstall(c *Context, event model.OnInstallEvent) error
}

// Every plugin-side hook dispatcher must exist for the table's hooks.
var _ hookTable = allHooks(nil)

// allHooks is a plugin implementing every optional hook, used to check the
// table against the generated interfaces at compile time.
type allHooks interface {
	OnDeactivateHook
	OnConfigurationChangeHook
	ExecuteCommandHook
	OnPluginClusterEventHook
	MessageHasBeenPostedHook
	UserHasJoinedChannelHook
	UserHasLeftChannelHook
	UserHasJoinedTeamHook
	UserHasLeftTeamHook
	ChannelHasBeenCreatedHook
	UserHasBeenCreatedHook
	OnInstallHook
}
