// Package config keeps the plugin's view of its settings and of the server
// configuration it depends on, reloaded on every configuration change.
package config

import (
	"fmt"
	"strings"
	"sync"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// The plugin's own bot, as upstream named it.
const (
	BotUsername    = "appsbot"
	BotDisplayName = "Mattermost Apps"
	BotDescription = "Mattermost Apps Registry and API proxy."
)

// ClusterEventReload asks the other nodes to reload configuration and state.
const ClusterEventReload = "apps_reload"

// BuildInfo is what the build stamped into the binary.
type BuildInfo struct {
	PluginID  string
	Version   string
	BuildHash string
	BuildDate string
}

// Settings are the plugin's own settings (PluginSettings.Plugins[<id>]);
// the JSON keys are the ones upstream stored.
type Settings struct {
	DeveloperMode *bool `json:"developer_mode"`
	AllowHTTPApps *bool `json:"allow_http_apps"`
}

// Config is one consistent snapshot of everything the plugin reads from the
// server's configuration.
type Config struct {
	BuildInfo
	Settings

	ServerVersion string
	SiteURL       string
	// PluginURL is SiteURL + "/plugins/" + plugin id: the base of every URL
	// the plugin hands out.
	PluginURL string
	BotUserID string

	// DeveloperMode is the effective value: the setting, else
	// ServiceSettings.EnableDeveloper && EnableTesting.
	DeveloperMode              bool
	EnableOAuthServiceProvider bool
	EnableBotAccountCreation   bool
	// AllowHTTPApps is the setting, else true (HTTP apps are allowed on
	// self-hosted servers, as upstream).
	AllowHTTPApps bool
	// AllowedInternalConnections is ServiceSettings.AllowedUntrustedInternalConnections.
	AllowedInternalConnections string
	// MaxFileSize is FileSettings.MaxFileSize (0: unset).
	MaxFileSize int64
}

// Service holds the current Config.
type Service struct {
	api   mmplugin.API
	build BuildInfo

	mu        sync.RWMutex
	cur       Config
	botUserID string
}

// NewService returns a Service with nothing loaded yet; call Reload.
func NewService(api mmplugin.API, build BuildInfo) *Service {
	return &Service{api: api, build: build}
}

// Get returns the current snapshot.
func (s *Service) Get() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur
}

// SetBotUserID records the plugin bot's id.
func (s *Service) SetBotUserID(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botUserID = id
	s.cur.BotUserID = id
}

// Reload reads the plugin settings and the server configuration again.
func (s *Service) Reload() error {
	var settings Settings
	if err := s.api.LoadPluginConfiguration(&settings); err != nil {
		return fmt.Errorf("load plugin settings: %w", err)
	}
	mmconf := s.api.GetConfig()
	if mmconf == nil {
		return fmt.Errorf("read the server configuration: the server returned none")
	}
	siteURL := strings.TrimRight(model.String(mmconf.ServiceSettings.SiteURL), "/")
	devMode := model.Bool(mmconf.ServiceSettings.EnableDeveloper) && model.Bool(mmconf.ServiceSettings.EnableTesting)
	if settings.DeveloperMode != nil {
		devMode = *settings.DeveloperMode
	}
	c := Config{
		BuildInfo:                  s.build,
		Settings:                   settings,
		ServerVersion:              s.api.GetServerVersion(),
		SiteURL:                    siteURL,
		PluginURL:                  siteURL + "/plugins/" + s.build.PluginID,
		DeveloperMode:              devMode,
		EnableOAuthServiceProvider: model.Bool(mmconf.ServiceSettings.EnableOAuthServiceProvider),
		EnableBotAccountCreation:   model.Bool(mmconf.ServiceSettings.EnableBotAccountCreation),
		AllowHTTPApps:              settings.AllowHTTPApps == nil || *settings.AllowHTTPApps,
		AllowedInternalConnections: model.String(mmconf.ServiceSettings.AllowedUntrustedInternalConnections),
	}
	if mmconf.FileSettings.MaxFileSize != nil {
		c.MaxFileSize = *mmconf.FileSettings.MaxFileSize
	}
	s.mu.Lock()
	c.BotUserID = s.botUserID
	s.cur = c
	s.mu.Unlock()
	return nil
}
