package mmplugin

import (
	"net/http"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// API is what a plugin can ask of the Mattermost server. Method names and
// signatures are the server's own (plugin.API), because each method's name and
// parameter/result order define its wire form: parameters travel as fields A, B,
// C… of the Args struct and results as fields A, B… of the Returns struct.
//
// The plugin gets an implementation that talks to the server over RPC; tests
// may pass any other implementation (for example an in-memory Mattermost).
//
// Methods marked "rpc:manual" are not generated because their client side does
// more than one call (feature detection, fallbacks, encoding).
type API interface {
	// Configuration and the plugin itself.

	// LoadPluginConfiguration decodes the plugin's settings into dest (JSON).
	// rpc:manual
	LoadPluginConfiguration(dest any) error
	GetConfig() *model.Config
	GetUnsanitizedConfig() *model.Config
	GetPluginConfig() map[string]any
	SavePluginConfig(config map[string]any) *model.AppError
	GetBundlePath() (string, error)
	GetServerVersion() string
	GetPluginStatus(id string) (*model.PluginStatus, *model.AppError)
	GetPlugins() ([]*model.Manifest, *model.AppError)

	// Plugin KV store, namespaced by plugin id.

	KVSet(key string, value []byte) *model.AppError
	KVSetWithOptions(key string, value []byte, options model.PluginKVSetOptions) (bool, *model.AppError)
	KVSetWithExpiry(key string, value []byte, expireInSeconds int64) *model.AppError
	KVCompareAndSet(key string, oldValue, newValue []byte) (bool, *model.AppError)
	KVCompareAndDelete(key string, oldValue []byte) (bool, *model.AppError)
	KVGet(key string) ([]byte, *model.AppError)
	KVDelete(key string) *model.AppError
	KVDeleteAll() *model.AppError
	KVList(page, perPage int) ([]string, *model.AppError)

	// Bots.

	CreateBot(bot *model.Bot) (*model.Bot, *model.AppError)
	GetBot(botUserId string, includeDeleted bool) (*model.Bot, *model.AppError)
	GetBots(options *model.BotGetOptions) ([]*model.Bot, *model.AppError)
	PatchBot(botUserId string, botPatch *model.BotPatch) (*model.Bot, *model.AppError)
	UpdateBotActive(botUserId string, active bool) (*model.Bot, *model.AppError)
	PermanentDeleteBot(botUserId string) *model.AppError
	SetBotIconImage(botUserId string, data []byte) *model.AppError
	// EnsureBotUser returns the id of the plugin's bot, creating or updating it.
	// Servers older than 7.1 lack the method; the client then runs the same logic itself.
	// rpc:manual
	EnsureBotUser(bot *model.Bot) (string, error)

	// Users, tokens and sessions.

	GetUser(userID string) (*model.User, *model.AppError)
	GetUserByUsername(name string) (*model.User, *model.AppError)
	GetUserByEmail(email string) (*model.User, *model.AppError)
	GetUsersInChannel(channelID, sortBy string, page, perPage int) ([]*model.User, *model.AppError)
	UpdateUserActive(userID string, active bool) *model.AppError
	SetProfileImage(userID string, data []byte) *model.AppError
	CreateUserAccessToken(token *model.UserAccessToken) (*model.UserAccessToken, *model.AppError)
	RevokeUserAccessToken(tokenID string) *model.AppError
	GetSession(sessionID string) (*model.Session, *model.AppError)
	CreateSession(session *model.Session) (*model.Session, *model.AppError)
	ExtendSessionExpiry(sessionID string, newExpiry int64) *model.AppError
	RevokeSession(sessionID string) *model.AppError

	// Teams and channels.

	GetTeam(teamID string) (*model.Team, *model.AppError)
	GetTeamByName(name string) (*model.Team, *model.AppError)
	GetTeams() ([]*model.Team, *model.AppError)
	GetTeamMember(teamID, userID string) (*model.TeamMember, *model.AppError)
	GetTeamMembers(teamID string, page, perPage int) ([]*model.TeamMember, *model.AppError)
	CreateTeamMember(teamID, userID string) (*model.TeamMember, *model.AppError)
	GetChannel(channelId string) (*model.Channel, *model.AppError)
	GetChannelByName(teamID, name string, includeDeleted bool) (*model.Channel, *model.AppError)
	CreateChannel(channel *model.Channel) (*model.Channel, *model.AppError)
	GetDirectChannel(userId1, userId2 string) (*model.Channel, *model.AppError)
	GetChannelMember(channelId, userID string) (*model.ChannelMember, *model.AppError)
	GetChannelMembers(channelId string, page, perPage int) (model.ChannelMembers, *model.AppError)
	AddChannelMember(channelId, userID string) (*model.ChannelMember, *model.AppError)

	// Posts.

	GetPost(postId string) (*model.Post, *model.AppError)
	CreatePost(post *model.Post) (*model.Post, *model.AppError)
	UpdatePost(post *model.Post) (*model.Post, *model.AppError)
	DeletePost(postId string) *model.AppError
	SendEphemeralPost(userID string, post *model.Post) *model.Post
	UpdateEphemeralPost(userID string, post *model.Post) *model.Post
	DeleteEphemeralPost(userID, postId string)

	// Slash commands and interactive dialogs.

	RegisterCommand(command *model.Command) error
	UnregisterCommand(teamID, trigger string) error
	ExecuteSlashCommand(commandArgs *model.CommandArgs) (*model.CommandResponse, error)
	OpenInteractiveDialog(dialog model.OpenDialogRequest) *model.AppError

	// OAuth apps.

	CreateOAuthApp(app *model.OAuthApp) (*model.OAuthApp, *model.AppError)
	GetOAuthApp(appID string) (*model.OAuthApp, *model.AppError)
	UpdateOAuthApp(app *model.OAuthApp) (*model.OAuthApp, *model.AppError)
	DeleteOAuthApp(appID string) *model.AppError

	// Permissions.

	HasPermissionTo(userID string, permission *model.Permission) bool
	HasPermissionToTeam(userID, teamID string, permission *model.Permission) bool
	HasPermissionToChannel(userID, channelId string, permission *model.Permission) bool

	// Events.

	PublishWebSocketEvent(event string, payload map[string]any, broadcast *model.WebsocketBroadcast)
	PublishPluginClusterEvent(ev model.PluginClusterEvent, opts model.PluginClusterEventSendOptions) error

	// Logging. keyValuePairs alternate key, value; values are sent as strings.

	// rpc:manual
	LogDebug(msg string, keyValuePairs ...any)
	// rpc:manual
	LogInfo(msg string, keyValuePairs ...any)
	// rpc:manual
	LogWarn(msg string, keyValuePairs ...any)
	// rpc:manual
	LogError(msg string, keyValuePairs ...any)

	// Inter-plugin HTTP: the request path must start with /<target-plugin-id>/.
	// The client streams the bodies where the server supports it (PluginHTTPStream)
	// and falls back to the buffered PluginHTTP otherwise.
	// rpc:manual
	PluginHTTP(request *http.Request) *http.Response
}
