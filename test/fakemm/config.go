package fakemm

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// PluginManifest is what the server knows of a plugin's manifest.
type PluginManifest struct {
	Id      string
	Name    string
	Version string
	// SettingsDefaults are the manifest's settings_schema defaults; they seed
	// LoadPluginConfiguration (keys lower-cased).
	SettingsDefaults map[string]any
}

func defaultConfig(siteURL string) *model.Config {
	return &model.Config{
		ServiceSettings: model.ServiceSettings{
			SiteURL:                             model.NewString(siteURL),
			EnableOAuthServiceProvider:          model.NewBool(true),
			EnableUserAccessTokens:              model.NewBool(true),
			EnableBotAccountCreation:            model.NewBool(true),
			EnableDeveloper:                     model.NewBool(false),
			EnableTesting:                       model.NewBool(false),
			AllowedUntrustedInternalConnections: model.NewString(""),
		},
		TeamSettings: model.TeamSettings{SiteName: model.NewString("Mattermost")},
		PluginSettings: model.PluginSettings{
			Enable:          model.NewBool(true),
			Directory:       model.NewString("./plugins"),
			ClientDirectory: model.NewString("./client/plugins"),
			Plugins:         map[string]map[string]any{},
			PluginStates:    map[string]*model.PluginState{},
		},
		FileSettings: model.FileSettings{MaxFileSize: model.NewInt64(100 * 1024 * 1024)},
		FeatureFlags: &model.FeatureFlags{AppsEnabled: true},
	}
}

// Config returns a copy of the current configuration.
func (s *Server) Config() *model.Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return copyConfig(s.config)
}

// UpdateConfig changes the configuration: fn gets a copy to edit, which then
// replaces the configuration, and the ConfigListener (if any) is told. fn runs
// without the server lock held but must not call UpdateConfig,
// SetPluginSetting, SetSiteURL or SavePluginConfig (they serialise with it).
func (s *Server) UpdateConfig(fn func(*model.Config)) {
	s.cfgMu.Lock()
	cfg := s.Config()
	fn(cfg)
	normalizeConfig(cfg)
	s.mu.Lock()
	s.config = cfg
	s.mu.Unlock()
	s.cfgMu.Unlock()
	s.configChanged()
}

// SetSiteURL sets ServiceSettings.SiteURL.
func (s *Server) SetSiteURL(siteURL string) {
	s.UpdateConfig(func(c *model.Config) { c.ServiceSettings.SiteURL = model.NewString(siteURL) })
}

// SiteURL returns ServiceSettings.SiteURL.
func (s *Server) SiteURL() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return model.String(s.config.ServiceSettings.SiteURL)
}

// SetPluginSetting sets one key (lower-cased) of PluginSettings.Plugins[pluginID].
func (s *Server) SetPluginSetting(pluginID, key string, value any) {
	s.cfgMu.Lock()
	s.mu.Lock()
	cfg := copyConfig(s.config)
	m := cfg.PluginSettings.Plugins[pluginID]
	if m == nil {
		m = map[string]any{}
	}
	m[strings.ToLower(key)] = copyAny(value)
	cfg.PluginSettings.Plugins[pluginID] = m
	s.config = cfg
	s.mu.Unlock()
	s.cfgMu.Unlock()
	s.configChanged()
}

// PluginConfigMap returns a copy of PluginSettings.Plugins[pluginID] (nil if unset).
func (s *Server) PluginConfigMap(pluginID string) map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return copyAnyMap(s.config.PluginSettings.Plugins[pluginID])
}

func normalizeConfig(cfg *model.Config) {
	if cfg.PluginSettings.Plugins == nil {
		cfg.PluginSettings.Plugins = map[string]map[string]any{}
	}
	if cfg.PluginSettings.PluginStates == nil {
		cfg.PluginSettings.PluginStates = map[string]*model.PluginState{}
	}
}

func (s *Server) configChanged() {
	l := s.getListener()
	if cl, ok := l.(ConfigListener); ok {
		cl.ConfigurationChanged()
	}
}

func lowerKeys(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[strings.ToLower(k)] = copyAny(v)
	}
	return c
}

// Plugin API: configuration and the plugin itself.

func (p *pluginAPI) LoadPluginConfiguration(dest any) error {
	s := p.s
	s.mu.RLock()
	final := make(map[string]any, len(p.manifest.SettingsDefaults))
	for k, v := range p.manifest.SettingsDefaults {
		final[strings.ToLower(k)] = copyAny(v)
	}
	for k, v := range s.config.PluginSettings.Plugins[p.id] {
		final[strings.ToLower(k)] = copyAny(v)
	}
	s.mu.RUnlock()
	// Like the server: failures are logged and not returned.
	b, err := json.Marshal(final)
	if err != nil {
		p.log("error", "Error marshaling config for plugin", "error", err.Error())
		return nil
	}
	if err := json.Unmarshal(b, dest); err != nil {
		p.log("error", "Error unmarshaling config for plugin", "error", err.Error())
	}
	return nil
}

func (p *pluginAPI) GetConfig() *model.Config { return p.s.Config() }

func (p *pluginAPI) GetUnsanitizedConfig() *model.Config { return p.s.Config() }

func (p *pluginAPI) GetPluginConfig() map[string]any {
	if m := p.s.PluginConfigMap(p.id); m != nil {
		return m
	}
	return map[string]any{}
}

func (p *pluginAPI) SavePluginConfig(config map[string]any) *model.AppError {
	s := p.s
	s.cfgMu.Lock()
	s.mu.Lock()
	cfg := copyConfig(s.config)
	cfg.PluginSettings.Plugins[p.id] = lowerKeys(config)
	s.config = cfg
	s.mu.Unlock()
	s.cfgMu.Unlock()
	s.configChanged()
	return nil
}

func (p *pluginAPI) GetBundlePath() (string, error) { return p.bundlePath, nil }

func (p *pluginAPI) GetServerVersion() string { return p.s.serverVersion }

func (p *pluginAPI) GetPluginStatus(id string) (*model.PluginStatus, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, ok := s.statuses[id]
	if !ok {
		return nil, appErr("GetPluginStatus", "app.plugin.not_installed.app_error", "Plugin is not installed.", http.StatusNotFound)
	}
	return copyPtr(st), nil
}

func (p *pluginAPI) GetPlugins() ([]*model.Manifest, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*model.Manifest, 0, len(s.manifestOrder))
	for _, id := range s.manifestOrder {
		m := s.manifests[id]
		out = append(out, &model.Manifest{Id: m.Id, Name: m.Name, Version: m.Version})
	}
	return out, nil
}

// SetPluginStatus sets what GetPluginStatus reports for st.PluginId.
func (s *Server) SetPluginStatus(st model.PluginStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses[st.PluginId] = &st
}

// PluginStatus returns what GetPluginStatus reports for id.
func (s *Server) PluginStatus(id string) (model.PluginStatus, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, ok := s.statuses[id]
	if !ok {
		return model.PluginStatus{}, false
	}
	return *st, true
}

// RegisterPlugin makes a manifest known to GetPlugins and, unless a status is
// already set, reports the plugin as running. ForPlugin calls it.
func (s *Server) RegisterPlugin(m PluginManifest, bundlePath string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registerPluginLocked(m, "", bundlePath)
}

func (s *Server) registerPluginLocked(m PluginManifest, node, bundlePath string) {
	if _, ok := s.manifests[m.Id]; !ok {
		s.manifestOrder = append(s.manifestOrder, m.Id)
	}
	defaults := make(map[string]any, len(m.SettingsDefaults))
	for k, v := range m.SettingsDefaults {
		defaults[k] = copyAny(v)
	}
	m.SettingsDefaults = defaults
	s.manifests[m.Id] = m
	if _, ok := s.statuses[m.Id]; !ok {
		name := m.Name
		if name == "" {
			name = m.Id
		}
		s.statuses[m.Id] = &model.PluginStatus{
			PluginId: m.Id, ClusterId: node, PluginPath: bundlePath,
			State: model.PluginStateRunning, Name: name, Version: m.Version,
		}
	}
}
