package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appcommand"
	"github.com/mattermost-community/apps-plugin/server/builtin"
	"github.com/mattermost-community/apps-plugin/server/command"
	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/httpin"
	"github.com/mattermost-community/apps-plugin/server/migrate"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
	"github.com/mattermost-community/apps-plugin/server/registry"
	"github.com/mattermost-community/apps-plugin/server/session"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/upstream"
	"github.com/mattermost-community/apps-plugin/upstream/uphttp"
	"github.com/mattermost-community/apps-plugin/upstream/upplugin"
)

// services are the plugin's parts for one activation.
type services struct {
	api       mmplugin.API
	conf      *config.Service
	installed *store.InstalledApps
	registry  *registry.Registry
	proxy     *proxy.Proxy
	builtin   *builtin.App
	commands  *command.Service
	appCmds   *appcommand.Service
	appSvc    *httpin.AppServices // see appservices.go
	httpUp    *uphttp.Upstream
	aws       *awsParts
	// migrator brings stored data to the current schema (migrate.go).
	migrator      *migrate.Migrator
	stopMigration func()
}

// maxConnsPerApp caps the open connections to one HTTP app host, so the
// number of sockets stays bounded however many calls are in flight.
const maxConnsPerApp = 64

// envBindingsTimeout overrides the per-app bindings timeout (a Go duration,
// e.g. "500ms"); default proxy.DefaultBindingsTimeout.
const envBindingsTimeout = "MM_APPS_BINDINGS_TIMEOUT"

// registrySyncTimeout bounds the first listing sync during activation; what
// is not fetched by then is retried in the background.
const registrySyncTimeout = 10 * time.Second

// newServices builds and starts the parts. It fails only for problems an
// administrator must fix; an unreachable S3 is retried in the background.
func newServices(api mmplugin.API, conf *config.Service, getenv func(string) string) (*services, error) {
	s := &services{api: api, conf: conf}
	s.httpUp = uphttp.New(uphttp.Options{MaxConnsPerHost: maxConnsPerApp, Policy: func() uphttp.Policy {
		c := conf.Get()
		return uphttp.Policy{AllowInternal: uphttp.ParseAllowList(c.AllowedInternalConnections), DeveloperMode: c.DeveloperMode}
	}})
	pluginUp := upplugin.New(api.PluginHTTP) // apps inside other plugins: always available
	upstreams := map[apps.DeployType]upstream.Upstream{apps.DeployHTTP: s.httpUp, apps.DeployPlugin: pluginUp}

	aws, err := newAWSParts(getenv)
	if err != nil {
		api.LogError("AWS Lambda apps are unavailable: the AWS settings are wrong", "error", err)
	}
	s.aws = aws
	var manifests registry.ManifestSource
	isNotFound := func(error) bool { return false }
	if aws != nil {
		upstreams[apps.DeployAWSLambda] = aws.upstream
		manifests, isNotFound = aws.manifests, aws.isNotFound
	}

	migrationBusy := s.migrateStorage(getenv) // before any store loads
	s.installed = store.NewInstalledApps(api)
	if err := s.installed.Load(); err != nil {
		// Keep going with the apps that loaded; the log names the others.
		api.LogError("Some installed apps could not be loaded", "error", err)
	}
	bundlePath, err := api.GetBundlePath()
	if err != nil {
		return nil, fmt.Errorf("find the plugin bundle: %w", err)
	}
	s.registry = registry.New(registry.Options{
		API: api, BundlePath: bundlePath, S3: manifests, IsNotFound: isNotFound,
		Locals: store.NewLocalManifests(api),
	})
	ctx, cancel := context.WithTimeout(context.Background(), registrySyncTimeout)
	defer cancel()
	if err := s.registry.Start(ctx); err != nil {
		api.LogError("The app listing could not be read", "error", err)
	}

	var bindingsTimeout time.Duration
	if v := getenv(envBindingsTimeout); v != "" {
		if bindingsTimeout, err = time.ParseDuration(v); err != nil || bindingsTimeout <= 0 {
			api.LogWarn("Ignored a bad "+envBindingsTimeout, "value", v)
			bindingsTimeout = 0
		}
	}
	sessions := session.New(api, nil)
	s.proxy = proxy.New(proxy.Options{
		API: api, Config: conf, Apps: s.installed, Registry: s.registry, Upstreams: upstreams,
		Sessions:              sessions,
		NotifyCluster:         func() { s.notifyCluster() },
		NotifyClusterBindings: s.notifyClusterBindings,
		BindingsTimeout:       bindingsTimeout,
	})
	fetchers := proxy.Fetchers{URL: s.httpUp.Fetch, Plugin: pluginUp.Fetch}
	if aws != nil {
		fetchers.S3 = aws.manifests.GetManifest
	}
	s.proxy.SetFetchers(fetchers)
	s.startAppServices(sessions)
	s.builtin = builtin.New(api, conf, s.proxy, s.registry)
	s.proxy.SetBuiltin(func() apps.App { return builtin.Record(conf.Get()) }, s.builtin)
	s.builtin.SetDebug(s.reload, debugSessions(sessions))
	s.builtin.SetDebugRevoke(sessions.Revoke)
	s.builtin.SetMigration(migrationCommands{s})
	s.commands = command.NewService(api, s.builtin)
	if err := s.commands.Register(); err != nil {
		s.stop()
		return nil, err
	}
	s.appCmds = appcommand.New(api, conf, s.proxy)
	s.appCmds.Start()
	s.proxy.SyncInstalledAppsAsync() // installed apps listed at a newer version
	if migrationBusy {
		s.migrateLater()
	}
	return s, nil
}

func (s *services) router() http.Handler {
	return httpin.NewRouter(s.api, s.conf, s.proxy, s.appCmds, httpin.WithAppServices(s.appSvc))
}

// notifyClusterBindings tells the other nodes that an app asked to refresh
// a user's bindings.
func (s *services) notifyClusterBindings(appID apps.AppID, userID string) {
	data, _ := json.Marshal(proxy.BindingsChange{AppID: appID, UserID: userID})
	err := s.api.PublishPluginClusterEvent(
		model.PluginClusterEvent{Id: proxy.ClusterEventBindings, Data: data},
		model.PluginClusterEventSendOptions{SendType: model.PluginClusterEventSendTypeBestEffort},
	)
	if err != nil {
		s.api.LogWarn("Could not tell the other cluster nodes about a bindings refresh", "error", err)
	}
}

// bindingsChangedElsewhere applies another node's bindings refresh.
func (s *services) bindingsChangedElsewhere(data []byte) {
	var ch proxy.BindingsChange
	if err := json.Unmarshal(data, &ch); err != nil || ch.AppID == "" {
		return
	}
	s.proxy.InvalidateUserBindings(ch.AppID, ch.UserID)
	s.appCmds.SyncAppAsync(ch.AppID)
}

// notifyCluster asks the other nodes to reload apps and listings.
func (s *services) notifyCluster() {
	err := s.api.PublishPluginClusterEvent(
		model.PluginClusterEvent{Id: config.ClusterEventReload},
		model.PluginClusterEventSendOptions{SendType: model.PluginClusterEventSendTypeReliable},
	)
	if err != nil {
		s.api.LogWarn("Could not tell the other cluster nodes about a change", "error", err)
	}
}

// configChanged applies a configuration reload: pooled connections were
// checked against the old outgoing-request policy, so drop the idle ones;
// cached bindings hold URLs built from the site URL.
func (s *services) configChanged() {
	s.httpUp.CloseIdleConnections()
	s.proxy.InvalidateCaches()
}

// reload re-reads what another node changed.
func (s *services) reload() error {
	if err := s.conf.Reload(); err != nil {
		return err
	}
	if err := s.installed.Load(); err != nil {
		return fmt.Errorf("reload installed apps: %w", err)
	}
	if err := s.registry.ReloadLocal(); err != nil {
		return fmt.Errorf("reload local listings: %w", err)
	}
	s.proxy.InvalidateCaches()
	s.appCmds.SyncAllAsync()
	return nil
}

func (s *services) stop() {
	if s.stopMigration != nil {
		s.stopMigration()
	}
	s.stopAppServices()
	if s.proxy != nil {
		s.proxy.StopBackground()
	}
	if s.appCmds != nil {
		s.appCmds.Stop()
	}
	s.registry.Stop()
	s.httpUp.Close()
}

// debugSessions lists an app's sessions for /apps debug session list.
func debugSessions(sessions *session.Service) func(apps.AppID) ([]builtin.SessionInfo, error) {
	return func(appID apps.AppID) ([]builtin.SessionInfo, error) {
		list, err := sessions.List(appID)
		if err != nil {
			return nil, err
		}
		out := make([]builtin.SessionInfo, 0, len(list))
		for _, s := range list {
			out = append(out, builtin.SessionInfo{ID: s.Id, UserID: s.UserId, ExpiresAt: time.UnixMilli(s.ExpiresAt), Session: s})
		}
		return out, nil
	}
}
