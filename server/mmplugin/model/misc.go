package model

// OAuthApp is model.OAuthApp.
type OAuthApp struct {
	Id              string   `json:"id"`
	CreatorId       string   `json:"creator_id"`
	CreateAt        int64    `json:"create_at"`
	UpdateAt        int64    `json:"update_at"`
	ClientSecret    string   `json:"client_secret"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	IconURL         string   `json:"icon_url"`
	CallbackUrls    []string `json:"callback_urls"`
	Homepage        string   `json:"homepage"`
	IsTrusted       bool     `json:"is_trusted"`
	MattermostAppID string   `json:"mattermost_app_id"`
}

// PluginKVSetOptions is model.PluginKVSetOptions.
type PluginKVSetOptions struct {
	Atomic          bool
	OldValue        []byte
	ExpireInSeconds int64
}

// PluginClusterEvent is model.PluginClusterEvent.
type PluginClusterEvent struct {
	Id   string
	Data []byte
}

// Cluster event send types.
const (
	PluginClusterEventSendTypeReliable   = "reliable"
	PluginClusterEventSendTypeBestEffort = "best_effort"
)

// PluginClusterEventSendOptions is model.PluginClusterEventSendOptions.
type PluginClusterEventSendOptions struct {
	SendType string
	TargetId string
}

// WebsocketBroadcast is model.WebsocketBroadcast: who gets an event. All empty
// means every connected user.
type WebsocketBroadcast struct {
	OmitUsers        map[string]bool `json:"omit_users"`
	UserId           string          `json:"user_id"`
	ChannelId        string          `json:"channel_id"`
	TeamId           string          `json:"team_id"`
	ConnectionId     string          `json:"connection_id"`
	OmitConnectionId string          `json:"omit_connection_id"`
}

// Permission is model.Permission; only Id matters for checks.
type Permission struct {
	Id          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Scope       string `json:"scope"`
}

// Permissions the Apps plugin checks.
var (
	PermissionManageSystem       = &Permission{Id: "manage_system", Scope: "system_scope"}
	PermissionViewMembers        = &Permission{Id: "view_members", Scope: "system_scope"}
	PermissionReadChannel        = &Permission{Id: "read_channel", Scope: "channel_scope"}
	PermissionViewTeam           = &Permission{Id: "view_team", Scope: "team_scope"}
	PermissionListTeamChannels   = &Permission{Id: "list_team_channels", Scope: "team_scope"}
	PermissionCreatePost         = &Permission{Id: "create_post", Scope: "channel_scope"}
	PermissionManageOAuth        = &Permission{Id: "manage_oauth", Scope: "system_scope"}
	PermissionCreateUserAccessTk = &Permission{Id: "create_user_access_token", Scope: "system_scope"}
)

// Plugin states of PluginStatus.State.
const (
	PluginStateNotRunning     = 0
	PluginStateStarting       = 1
	PluginStateRunning        = 2
	PluginStateFailedToStart  = 3
	PluginStateFailedToStayUp = 4
	PluginStateStopping       = 5
)

// PluginStatus is model.PluginStatus.
type PluginStatus struct {
	PluginId    string `json:"plugin_id"`
	ClusterId   string `json:"cluster_id"`
	PluginPath  string `json:"plugin_path"`
	State       int    `json:"state"`
	Error       string `json:"error"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Version     string `json:"version"`
}

// Manifest is the subset of a plugin manifest (model.Manifest) that GetPlugins returns and we read.
//
// SettingsSchema and RequiredConfig are declared although we hardly read them:
// they hold interface values (setting defaults, plugin settings) that may
// themselves hold lists and maps, and gob fails on such nested interface
// values in a field the receiver does not declare (golang/go#34879: "bad data:
// field numbers out of bounds"), after which the connection's decoder also
// rejects later values of the types it skipped. Declared, they are decoded
// normally.
type Manifest struct {
	Id               string                `json:"id"`
	Name             string                `json:"name"`
	Description      string                `json:"description,omitempty"`
	HomepageURL      string                `json:"homepage_url,omitempty"`
	Version          string                `json:"version"`
	MinServerVersion string                `json:"min_server_version,omitempty"`
	SettingsSchema   *PluginSettingsSchema `json:"settings_schema,omitempty"`
	Props            map[string]any        `json:"props,omitempty"`
	RequiredConfig   *Config               `json:"required_configuration,omitempty"`
}

// PluginSettingsSchema is model.PluginSettingsSchema (Sections: newer servers).
type PluginSettingsSchema struct {
	Header   string                   `json:"header"`
	Footer   string                   `json:"footer"`
	Settings []*PluginSetting         `json:"settings"`
	Sections []*PluginSettingsSection `json:"sections,omitempty"`
}

// PluginSettingsSection is model.PluginSettingsSection.
type PluginSettingsSection struct {
	Key      string           `json:"key"`
	Title    string           `json:"title,omitempty"`
	Subtitle string           `json:"subtitle,omitempty"`
	Settings []*PluginSetting `json:"settings"`
	Header   string           `json:"header,omitempty"`
	Footer   string           `json:"footer,omitempty"`
	Custom   bool             `json:"custom,omitempty"`
	Fallback bool             `json:"fallback,omitempty"`
}

// PluginSetting is model.PluginSetting (the subset we declare; Default holds
// any JSON value).
type PluginSetting struct {
	Key         string `json:"key"`
	DisplayName string `json:"display_name"`
	Type        string `json:"type"`
	HelpText    string `json:"help_text"`
	Placeholder string `json:"placeholder"`
	Default     any    `json:"default"`
}

// OnInstallEvent is model.OnInstallEvent.
type OnInstallEvent struct {
	UserId string
}

// OpenDialogRequest is model.OpenDialogRequest.
type OpenDialogRequest struct {
	TriggerId string `json:"trigger_id"`
	URL       string `json:"url"`
	Dialog    Dialog `json:"dialog"`
}

// Dialog is model.Dialog (an interactive dialog).
type Dialog struct {
	CallbackId       string          `json:"callback_id"`
	Title            string          `json:"title"`
	IntroductionText string          `json:"introduction_text"`
	IconURL          string          `json:"icon_url"`
	Elements         []DialogElement `json:"elements"`
	SubmitLabel      string          `json:"submit_label"`
	NotifyOnCancel   bool            `json:"notify_on_cancel"`
	State            string          `json:"state"`
}

// DialogElement is one field of an interactive dialog.
type DialogElement struct {
	DisplayName string               `json:"display_name"`
	Name        string               `json:"name"`
	Type        string               `json:"type"`
	SubType     string               `json:"subtype"`
	Default     string               `json:"default"`
	Placeholder string               `json:"placeholder"`
	HelpText    string               `json:"help_text"`
	Optional    bool                 `json:"optional"`
	MinLength   int                  `json:"min_length"`
	MaxLength   int                  `json:"max_length"`
	DataSource  string               `json:"data_source"`
	Options     []*PostActionOptions `json:"options"`
}

// SubmitDialogRequest is what the server POSTs to a dialog's URL.
type SubmitDialogRequest struct {
	Type       string         `json:"type"`
	URL        string         `json:"url,omitempty"`
	CallbackId string         `json:"callback_id"`
	State      string         `json:"state"`
	UserId     string         `json:"user_id"`
	ChannelId  string         `json:"channel_id"`
	TeamId     string         `json:"team_id"`
	Submission map[string]any `json:"submission"`
	Cancelled  bool           `json:"cancelled"`
}

// SubmitDialogResponse is the answer to a dialog submission.
type SubmitDialogResponse struct {
	Error  string            `json:"error,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
}
