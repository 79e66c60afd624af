package apps

// Context is sent with every CallRequest. Its JSON is flat: the user-agent
// part (IDs the client sends) and the expanded part (data the plugin adds as
// the call's Expand asks) share one object.
//
// Before a request reaches an app the plugin clears the user-agent part, so
// IDs reach apps only through expansion (level "id" or more).
type Context struct {
	// Subject is set for calls made for a subscription event.
	Subject Subject `json:"subject,omitempty"`

	// ActingUserID is the user on whose behalf the call is made. Used inside
	// the plugin; v0.x apps also received it.
	ActingUserID string `json:"acting_user_id,omitempty"`

	// UserID is the user the call is about (e.g. the user who joined a
	// channel).
	UserID string `json:"user_id,omitempty"`

	UserAgentContext
	ExpandedContext
}

// UserAgentContext is the part of Context a client (webapp, mobile) sends.
type UserAgentContext struct {
	ChannelID  string `json:"channel_id,omitempty"`
	TeamID     string `json:"team_id,omitempty"`
	PostID     string `json:"post_id,omitempty"`
	RootPostID string `json:"root_post_id,omitempty"`

	// AppID is the app the call is for.
	AppID AppID `json:"app_id"`

	// Location is the full location of the binding the user acted on, e.g.
	// "/command/helloworld/send".
	Location Location `json:"location,omitempty"`

	// UserAgent is "webapp" or "mobile"; empty for calls not made by a user.
	UserAgent string `json:"user_agent,omitempty"`

	// TrackAsSubmit marks a call caused by a user's submit action.
	TrackAsSubmit bool `json:"track_as_submit,omitempty"`
}

// ExpandedContext is the part of Context the plugin fills.
type ExpandedContext struct {
	MattermostSiteURL string `json:"mattermost_site_url"`
	DeveloperMode     bool   `json:"developer_mode,omitempty"`
	// AppPath is the app's path on the Mattermost server,
	// "/plugins/com.mattermost.apps/apps/<app_id>".
	AppPath   string `json:"app_path"`
	BotUserID string `json:"bot_user_id"`
	// BotAccessToken is set when the app has the act_as_bot permission.
	BotAccessToken string `json:"bot_access_token,omitempty"`
	App            *App   `json:"app,omitempty"`

	ActingUser            *User          `json:"acting_user,omitempty"`
	ActingUserAccessToken string         `json:"acting_user_access_token,omitempty"`
	Locale                string         `json:"locale,omitempty"`
	Channel               *Channel       `json:"channel,omitempty"`
	ChannelMember         *ChannelMember `json:"channel_member,omitempty"`
	Team                  *Team          `json:"team,omitempty"`
	TeamMember            *TeamMember    `json:"team_member,omitempty"`
	Post                  *Post          `json:"post,omitempty"`
	RootPost              *Post          `json:"root_post,omitempty"`
	User                  *User          `json:"user,omitempty"`
	Mentioned             []*User        `json:"mentioned,omitempty"`

	// OAuth2 is always present (possibly empty) so that apps can read
	// context.oauth2.* without checks.
	OAuth2 OAuth2Context `json:"oauth2"`
}

// OAuth2App is an app's remote (3rd party) OAuth2 configuration, stored by
// the app (as admin) and expanded with oauth2_app.
type OAuth2App struct {
	RemoteRootURL string `json:"remote_root_url,omitempty"`
	ClientID      string `json:"client_id,omitempty"`
	ClientSecret  string `json:"client_secret,omitempty"`
	// Data is custom app data, e.g. service account credentials.
	Data any `json:"data,omitempty"`
}

// OAuth2Context is the OAuth2 part of an expanded context.
type OAuth2Context struct {
	OAuth2App
	ConnectURL  string `json:"connect_url,omitempty"`
	CompleteURL string `json:"complete_url,omitempty"`
	// User is the per-user data the app stored, expanded with oauth2_user.
	User any `json:"user,omitempty"`
}
