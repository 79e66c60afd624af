package model

// Config is the subset of model.Config the plugin reads. It travels as a gob
// struct; leaf settings are pointers on the server, which gob flattens, so we
// keep them as pointers too to tell "unset" from false/"".
type Config struct {
	ServiceSettings ServiceSettings
	TeamSettings    TeamSettings
	PluginSettings  PluginSettings
	FileSettings    FileSettings
	FeatureFlags    *FeatureFlags
}

// ServiceSettings is the subset of the server's ServiceSettings we use.
type ServiceSettings struct {
	SiteURL                             *string
	EnableOAuthServiceProvider          *bool
	EnableUserAccessTokens              *bool
	EnableBotAccountCreation            *bool
	EnableDeveloper                     *bool
	EnableTesting                       *bool
	AllowedUntrustedInternalConnections *string
}

// TeamSettings is the subset of the server's TeamSettings we use.
type TeamSettings struct {
	SiteName *string
}

// PluginSettings is the subset of the server's PluginSettings we use.
type PluginSettings struct {
	Enable          *bool
	Directory       *string
	ClientDirectory *string
	Plugins         map[string]map[string]any
	PluginStates    map[string]*PluginState
}

// PluginState is one entry of PluginSettings.PluginStates.
type PluginState struct {
	Enable bool
}

// FileSettings is the subset of the server's FileSettings we use.
type FileSettings struct {
	MaxFileSize *int64
}

// FeatureFlags is the subset of the server's feature flags we read.
type FeatureFlags struct {
	AppsEnabled bool
}

// String returns *p or "".
func String(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Bool returns *p or false.
func Bool(p *bool) bool { return p != nil && *p }

// NewString returns a pointer to s.
func NewString(s string) *string { return &s }

// NewBool returns a pointer to b.
func NewBool(b bool) *bool { return &b }

// NewInt64 returns a pointer to n.
func NewInt64(n int64) *int64 { return &n }
