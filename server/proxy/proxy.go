// Package proxy is the plugin's logic for apps: installing, uninstalling,
// enabling, disabling and listing them, and calling them. The /apps command,
// the REST routes and (later) the built-in app all call it, so every entry
// point runs the same code and the same permission checks.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/registry"
	"github.com/mattermost-community/apps-plugin/server/session"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// Errors the entry points map to answers (403, 404, 400, 409).
var (
	ErrForbidden = errors.New("forbidden")
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = apps.ErrInvalid
	ErrConflict  = errors.New("conflict")
)

// Options wire a Proxy.
type Options struct {
	API       mmplugin.API
	Config    *config.Service
	Apps      *store.InstalledApps
	Registry  *registry.Registry
	Upstreams map[apps.DeployType]upstream.Upstream
	Sessions  *session.Service
	// NotifyCluster tells the other nodes that installed apps or listings changed.
	NotifyCluster func()
	// NotifyClusterBindings tells the other nodes that an app asked to refresh
	// a user's bindings (see ClusterEventBindings and InvalidateUserBindings).
	NotifyClusterBindings func(appID apps.AppID, userID string)
	// BindingsTimeout bounds one app's bindings call (default
	// DefaultBindingsTimeout).
	BindingsTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Proxy runs app operations.
type Proxy struct {
	api       mmplugin.API
	conf      *config.Service
	store     *store.InstalledApps
	registry  *registry.Registry
	upstreams map[apps.DeployType]upstream.Upstream
	sessions  *session.Service
	notify    func()
	now       func() time.Time
	fetch     Fetchers
	// builtin returns the plugin's own app "apps", when set.
	builtin func() apps.App

	notifyBindings  func(appID apps.AppID, userID string)
	bindingsTimeout time.Duration
	bindings        *bindingsCache
	bindingsStats   bindingsCounters
	tokens          tokenCache
	static          *staticCache
	members         *membershipCache

	observersMu sync.RWMutex
	observers   []func(BindingsChange)

	services appServices   // see appservices.go
	upgrades upgradeRunner // see upgrade.go
}

// New returns a Proxy.
func New(opts Options) *Proxy {
	if opts.NotifyCluster == nil {
		opts.NotifyCluster = func() {}
	}
	if opts.NotifyClusterBindings == nil {
		opts.NotifyClusterBindings = func(apps.AppID, string) {}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BindingsTimeout <= 0 {
		opts.BindingsTimeout = DefaultBindingsTimeout
	}
	return &Proxy{
		api: opts.API, conf: opts.Config, store: opts.Apps, registry: opts.Registry,
		upstreams: opts.Upstreams, sessions: opts.Sessions, notify: opts.NotifyCluster, now: opts.Now,
		notifyBindings:  opts.NotifyClusterBindings,
		bindingsTimeout: opts.BindingsTimeout,
		bindings:        newBindingsCache(bindingsCacheSize, bindingsCacheTTL),
		tokens:          tokenCache{items: map[tokenKey]cachedToken{}},
		static:          newStaticCache(staticCacheBytes, staticCacheTTL),
		members:         newMembershipCache(),
	}
}

// InvalidateCaches forgets what the proxy keeps in memory about apps
// (bindings, app tokens, static assets): after a reload caused by another
// node, or a configuration change (URLs in bindings depend on it).
func (p *Proxy) InvalidateCaches() {
	p.bindings.clear()
	p.tokens.clear()
	p.static.clear()
	p.members.clear()
}

// Incoming is who asks for an operation.
type Incoming struct {
	// ActingUserID is the Mattermost user; "" for anonymous requests.
	ActingUserID string
	// SessionID is the user's session, when the request came with one.
	SessionID string
	// PluginID is set for inter-plugin requests (trusted like an admin).
	PluginID string
}

// actingUser loads the acting user; anonymous callers are refused.
func (p *Proxy) actingUser(in Incoming) (*model.User, error) {
	if in.ActingUserID == "" {
		return nil, fmt.Errorf("%w: log in to Mattermost first", apps.ErrUnauthorized)
	}
	u, appErr := p.api.GetUser(in.ActingUserID)
	if appErr != nil {
		return nil, fmt.Errorf("%w: unknown user %s: %v", apps.ErrUnauthorized, in.ActingUserID, appErr)
	}
	return u, nil
}

// RequireAdmin allows system admins (manage_system) and other plugins.
func (p *Proxy) RequireAdmin(in Incoming, what string) (*model.User, error) {
	if in.PluginID != "" {
		return nil, nil
	}
	u, err := p.actingUser(in)
	if err != nil {
		return nil, err
	}
	if !p.api.HasPermissionTo(u.Id, model.PermissionManageSystem) {
		return nil, fmt.Errorf("%w: only system administrators can %s", ErrForbidden, what)
	}
	return u, nil
}

// installed returns an installed app.
func (p *Proxy) installed(id apps.AppID) (apps.App, error) {
	if id == apps.BuiltinAppID && p.builtin != nil {
		return p.builtin(), nil
	}
	app, ok := p.store.Get(string(id))
	if !ok {
		return apps.App{}, fmt.Errorf("%w: app %q is not installed (see /apps list)", ErrNotFound, id)
	}
	return app, nil
}

// GetInstalledApp returns an installed app.
func (p *Proxy) GetInstalledApp(id apps.AppID) (apps.App, error) { return p.installed(id) }

// InstalledApps lists the installed apps, sorted by id.
func (p *Proxy) InstalledApps() []apps.App { return p.store.List() }

// upstreamFor returns the upstream that reaches app, or says why none does.
func (p *Proxy) upstreamFor(app apps.App) (upstream.Upstream, error) {
	up := p.upstreams[app.DeployType]
	if up == nil {
		return nil, fmt.Errorf("%w: app %s is deployed as %s, which this server cannot reach%s", ErrInvalid, app.AppID, app.DeployType, deployHint(app.DeployType))
	}
	return up, nil
}

func deployHint(t apps.DeployType) string {
	switch t {
	case apps.DeployAWSLambda:
		return ": set MM_APPS_AWS_ACCESS_KEY, MM_APPS_AWS_SECRET_KEY (and MM_APPS_AWS_REGION) in the Mattermost server's environment and restart it"
	case apps.DeployHTTP:
		return ": HTTP apps are not allowed here (plugin setting allow_http_apps)"
	}
	return ""
}

// refreshBindings tells a user's clients to fetch bindings again.
func (p *Proxy) refreshBindings(userID string) {
	if userID == "" {
		return
	}
	p.api.PublishWebSocketEvent("refresh_bindings", map[string]any{}, &model.WebsocketBroadcast{UserId: userID})
}

// callTimeout bounds lifecycle and ping calls: Lambda cold starts are slow.
func callTimeout(app apps.App) time.Duration {
	if app.DeployType == apps.DeployAWSLambda {
		return 5 * time.Second
	}
	return 2 * time.Second
}

// lifecycleContext is the context of calls the plugin itself makes to an
// app (on_install, on_uninstall, on_enable, on_disable, ping): the acting
// user, and the tokens the app's granted permissions allow.
func (p *Proxy) lifecycleContext(app apps.App, actingUser *model.User) apps.Context {
	c := p.conf.Get()
	ctx := apps.Context{
		UserAgentContext: apps.UserAgentContext{AppID: app.AppID},
		ExpandedContext: apps.ExpandedContext{
			MattermostSiteURL: c.SiteURL,
			DeveloperMode:     c.DeveloperMode,
			AppPath:           "/plugins/" + c.PluginID + "/apps/" + string(app.AppID),
			BotUserID:         app.BotUserID,
			App:               appSummary(app),
		},
	}
	if actingUser != nil {
		ctx.ActingUserID = actingUser.Id
		ctx.ActingUser = userSummary(actingUser)
		ctx.Locale = actingUser.Locale
	}
	ctx.BotAccessToken = p.appToken(app, app.BotUserID, apps.PermissionActAsBot)
	if actingUser != nil {
		ctx.ActingUserAccessToken = p.appToken(app, actingUser.Id, apps.PermissionActAsUser)
	}
	return ctx
}

// appToken is an app-specific session token for userID when the app was
// granted perm; "" otherwise (or when the session cannot be made, which is
// logged: the call goes on without the token). Tokens are kept in memory for
// a short while (tokenCacheTTL), never past the point where the session
// service would extend them, so calls do not read the KV store each time.
func (p *Proxy) appToken(app apps.App, userID string, perm apps.Permission) string {
	if p.sessions == nil || userID == "" || !app.GrantedPermissions.Contains(perm) {
		return ""
	}
	now := p.now()
	if tok, ok := p.tokens.get(app.AppID, userID, now); ok {
		return tok
	}
	sess, err := p.sessions.GetOrCreate(app, userID)
	if err != nil {
		p.api.LogWarn("Could not give the app a token", "app", string(app.AppID), "error", err)
		return ""
	}
	until := time.UnixMilli(sess.ExpiresAt).Add(-session.RefreshUnder)
	if limit := now.Add(tokenCacheTTL); until.After(limit) {
		until = limit
	}
	p.tokens.put(app.AppID, userID, sess.Token, until)
	return sess.Token
}

// revokeSessions ends the app's sessions; failures are reported, not fatal.
func (p *Proxy) revokeSessions(app apps.App) string {
	p.tokens.dropApp(app.AppID)
	if p.sessions == nil {
		return ""
	}
	if err := p.sessions.RevokeApp(app.AppID); err != nil {
		return fmt.Sprintf("revoke the app's sessions: %v", err)
	}
	return ""
}

// callApp makes a lifecycle call and decodes the answer. A 404 from the app
// (it has no such path) is reported as upstream.ErrNotFound.
func (p *Proxy) callApp(ctx context.Context, app apps.App, call *apps.Call, actingUser *model.User, values map[string]any) (apps.CallResponse, error) {
	up, err := p.upstreamFor(app)
	if err != nil {
		return apps.CallResponse{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	creq := apps.CallRequest{Call: *call, Values: values, Context: p.lifecycleContext(app, actingUser)}
	resp, err := upstream.Call(ctx, up, app, creq)
	if err != nil {
		return resp, fmt.Errorf("app %s, call %s: %w", app.AppID, call.Path, err)
	}
	return resp, nil
}

func appSummary(app apps.App) *apps.App {
	return &apps.App{
		Manifest:    apps.Manifest{AppID: app.AppID, Version: app.Version},
		BotUserID:   app.BotUserID,
		BotUsername: app.BotUsername,
	}
}

func userSummary(u *model.User) *apps.User {
	return &apps.User{
		ID: u.Id, Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Nickname: u.Nickname, Position: u.Position, Roles: u.Roles, Locale: u.Locale, IsBot: u.IsBot,
		BotDescription: u.BotDescription, DeleteAt: u.DeleteAt, Timezone: u.Timezone,
	}
}

// DeployableTypes are the deploy types of m this server can reach.
func (p *Proxy) DeployableTypes(m apps.Manifest) []apps.DeployType {
	var out []apps.DeployType
	for _, t := range m.DeployTypes() {
		if p.upstreams[t] != nil {
			out = append(out, t)
		}
	}
	return out
}

// SetBuiltin registers the plugin's own app: always installed and enabled,
// reached in-process through up. record is read at each use (its bot id
// comes from the configuration). Call before serving requests.
func (p *Proxy) SetBuiltin(record func() apps.App, up upstream.Upstream) {
	p.builtin = record
	p.upstreams[apps.DeployBuiltin] = up
}

// bindingsTargets are the apps asked for bindings: enabled ones with granted
// locations that this server can reach, the built-in app first.
func (p *Proxy) bindingsTargets() []apps.App {
	var targets []apps.App
	if p.builtin != nil {
		targets = append(targets, p.builtin())
	}
	for _, app := range p.store.List() {
		if !app.Disabled && len(app.GrantedLocations) > 0 && p.upstreams[app.DeployType] != nil {
			targets = append(targets, app)
		}
	}
	return targets
}
