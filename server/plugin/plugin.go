// Package plugin wires the Apps plugin's parts to the Mattermost hooks: it
// owns activation, configuration reloads and deactivation, and hands HTTP
// requests and slash commands to their packages.
package plugin

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/mattermost-community/apps-plugin/server/command"
	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/httpin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// BuildInfo is what the build stamped into the binary.
type BuildInfo = config.BuildInfo

// Plugin is the Apps plugin as the Mattermost server sees it.
type Plugin struct {
	build  BuildInfo
	getenv func(string) string

	mu       sync.RWMutex
	api      mmplugin.API
	conf     *config.Service
	router   http.Handler
	services *services
}

// New returns the plugin for the given build.
func New(build BuildInfo) *Plugin {
	return &Plugin{build: build, getenv: os.Getenv}
}

var (
	_ mmplugin.Plugin                    = (*Plugin)(nil)
	_ mmplugin.HTTPHandler               = (*Plugin)(nil)
	_ mmplugin.ExecuteCommandHook        = (*Plugin)(nil)
	_ mmplugin.OnConfigurationChangeHook = (*Plugin)(nil)
	_ mmplugin.OnDeactivateHook          = (*Plugin)(nil)
	_ mmplugin.OnPluginClusterEventHook  = (*Plugin)(nil)
)

// OnActivate loads the configuration, ensures the plugin's bot and registers
// /apps. Activation runs again after every restart, so each step is idempotent.
func (p *Plugin) OnActivate(api mmplugin.API) error {
	conf := config.NewService(api, p.build)
	if err := conf.Reload(); err != nil {
		return fmt.Errorf("activate %s: %w", p.build.PluginID, err)
	}
	botID, err := api.EnsureBotUser(&model.Bot{
		Username:    config.BotUsername,
		DisplayName: config.BotDisplayName,
		Description: config.BotDescription,
	})
	if err != nil {
		return fmt.Errorf("activate %s: ensure the @%s bot: %w", p.build.PluginID, config.BotUsername, err)
	}
	conf.SetBotUserID(botID)

	svc, err := newServices(api, conf, p.getenv)
	if err != nil {
		return fmt.Errorf("activate %s: %w", p.build.PluginID, err)
	}
	p.mu.Lock()
	old := p.services
	p.api, p.conf, p.services, p.router = api, conf, svc, svc.router()
	p.mu.Unlock()
	if old != nil {
		old.stop()
	}

	api.LogInfo("Apps plugin activated", "version", p.build.Version, "build", p.build.BuildHash, "server_version", api.GetServerVersion())
	return nil
}

// OnConfigurationChange reloads the settings; the server calls it on every
// config change, sometimes before activation has finished.
func (p *Plugin) OnConfigurationChange() error {
	conf := p.config()
	if conf == nil {
		return nil
	}
	if err := conf.Reload(); err != nil {
		return fmt.Errorf("reload configuration: %w", err)
	}
	if svc := p.current(); svc != nil {
		svc.configChanged()
	}
	return nil
}

// OnDeactivate unregisters /apps and stops background work.
func (p *Plugin) OnDeactivate() error {
	svc := p.current()
	if svc == nil {
		return nil
	}
	err := svc.commands.Unregister()
	svc.stop()
	svc.api.LogInfo("Apps plugin deactivated")
	return err
}

// OnPluginClusterEvent reloads state when another node changed it.
func (p *Plugin) OnPluginClusterEvent(c *mmplugin.Context, ev model.PluginClusterEvent) {
	svc := p.current()
	if svc == nil {
		return
	}
	switch ev.Id {
	case proxy.ClusterEventBindings:
		svc.bindingsChangedElsewhere(ev.Data)
	case proxy.ClusterEventMembership:
		svc.proxy.MembershipChanged(string(ev.Data))
	case config.ClusterEventReload:
		svc.api.LogDebug("Reloading after a change on another cluster node", "event", ev.Id)
		if err := svc.reload(); err != nil {
			svc.api.LogError("Reload after a cluster event failed", "error", err)
		}
	default:
		svc.api.LogWarn("Ignored an unknown cluster event", "event", ev.Id)
	}
}

// current returns the parts of the running activation (nil before it).
func (p *Plugin) current() *services {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.services
}

// ExecuteCommand runs /apps and the apps' own commands.
func (p *Plugin) ExecuteCommand(c *mmplugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	svc := p.current()
	if svc == nil || args == nil {
		return nil, model.NewAppError("ExecuteCommand", "apps.command.not_ready", "The Apps plugin is still starting; try again in a moment.", "", http.StatusServiceUnavailable)
	}
	trigger, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(args.Command), "/"), " ")
	trigger = strings.ToLower(trigger)
	switch {
	case trigger == command.Trigger:
		return svc.commands.Execute(c, args), nil
	case svc.appCmds != nil && svc.appCmds.Handles(trigger):
		return svc.appCmds.Execute(c, args), nil
	}
	return nil, model.NewAppError("ExecuteCommand", "apps.command.unknown", "Unknown command "+args.Command, "", http.StatusNotFound)
}

// ServeHTTP serves the plugin's REST routes.
func (p *Plugin) ServeHTTP(c *mmplugin.Context, w http.ResponseWriter, r *http.Request) {
	p.mu.RLock()
	router := p.router
	p.mu.RUnlock()
	if router == nil {
		http.Error(w, "the Apps plugin is still starting", http.StatusServiceUnavailable)
		return
	}
	httpin.ServeWithContext(router, c, w, r)
}

func (p *Plugin) config() *config.Service {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.conf
}
