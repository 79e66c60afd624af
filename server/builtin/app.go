// Package builtin is the app "apps" that is part of the plugin: its calls do
// the administrative work (/apps info, list, install, uninstall, enable,
// disable, refresh) and its bindings give the /apps command tree to clients
// that render app bindings. The server-registered /apps slash command calls
// the same handlers, so both entry points answer the same.
package builtin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/proxy"
	"github.com/mattermost-community/apps-plugin/server/registry"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// Call paths of the built-in app.
const (
	PathBindings           = "/bindings"
	PathInfo               = "/info"
	PathList               = "/list"
	PathInstallListed      = "/install-listed"
	PathInstallHTTP        = "/install-http"
	PathInstallPlugin      = "/install-plugin"
	PathInstallAWS         = "/install-aws"
	PathInstallConsent     = "/install-consent"
	PathInstallConsentForm = "/install-consent/form"
	PathUninstall          = "/uninstall"
	PathEnable             = "/enable"
	PathDisable            = "/disable"
	PathRefresh            = "/refresh"
	PathLookupAppID        = "/q/app_id"
)

// Value names of the built-in app's forms.
const (
	fieldApp        = "app"
	fieldURL        = "url"
	fieldVersion    = "version"
	fieldConsent    = "consent"
	fieldDeployType = "deploy_type"
	fieldSecret     = "secret"
	fieldForce      = "force"
	fieldDeleteData = "delete_data"
)

// Lookup states of the app id field: which apps to offer.
const (
	StateNotInstalled = "not_installed"
	StateInstalled    = "installed"
	StateEnabled      = "enabled"
	StateDisabled     = "disabled"
)

// App is the built-in app.
type App struct {
	api      mmplugin.API
	conf     *config.Service
	proxy    *proxy.Proxy
	registry *registry.Registry
	debug    debugDeps
	// migration is the storage migration (debug.go), for info and debug migrate.
	migration Migration
}

// New returns the built-in app.
func New(api mmplugin.API, conf *config.Service, p *proxy.Proxy, r *registry.Registry) *App {
	return &App{api: api, conf: conf, proxy: p, registry: r}
}

// Manifest is the built-in app's manifest.
func Manifest(version string) apps.Manifest {
	return apps.Manifest{
		AppID: apps.BuiltinAppID, Version: apps.AppVersion(version), DisplayName: "Apps",
		Description:        "Install and manage Mattermost Apps",
		HomepageURL:        "https://github.com/mattermost-community/apps-plugin",
		Builtin:            &apps.Builtin{},
		RequestedLocations: apps.Locations{apps.LocationCommand},
		Bindings:           userCall(PathBindings),
	}
}

// Record is the built-in app as an installed app: always installed and
// enabled, with the plugin's own bot.
func Record(c config.Config) apps.App {
	return apps.App{
		Manifest: Manifest(c.Version), DeployType: apps.DeployBuiltin,
		BotUserID: c.BotUserID, BotUsername: config.BotUsername,
		GrantedLocations: apps.Locations{apps.LocationCommand},
	}
}

// userCall is a call that needs the acting user and its locale, as all the
// built-in app's calls do.
func userCall(path string) *apps.Call {
	return &apps.Call{Path: path, Expand: &apps.Expand{ActingUser: apps.ExpandSummary, Locale: apps.ExpandAll}}
}

// Handle runs one call of the built-in app for the caller in.
func (a *App) Handle(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) apps.CallResponse {
	h, ok := a.handlers()[creq.Path]
	if !ok {
		return apps.NewErrorResponse(fmt.Errorf("%w: the Apps app has no call %s", proxy.ErrNotFound, creq.Path))
	}
	resp, err := h(ctx, in, creq)
	if err != nil {
		return apps.NewErrorResponse(err)
	}
	return resp
}

type handler func(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error)

func (a *App) handlers() map[string]handler {
	return map[string]handler{
		PathBindings:             a.bindings,
		PathInfo:                 a.info,
		PathList:                 a.list,
		PathInstallListed:        a.installListed,
		PathInstallHTTP:          a.installHTTP,
		PathInstallPlugin:        a.installPlugin,
		PathInstallAWS:           a.installAWS,
		PathInstallConsentForm:   a.consentForm,
		PathInstallConsent:       a.installConsent,
		PathUninstall:            a.uninstall,
		PathEnable:               a.enable,
		PathDisable:              a.disable,
		PathRefresh:              a.refresh,
		PathLookupAppID:          a.lookupAppID,
		PathSettingsForm:         a.settingsForm,
		PathSettingsSave:         a.settingsSave,
		PathDebugClean:           a.debugClean,
		PathDebugKVList:          a.debugKVList,
		PathDebugSessionList:     a.debugSessionList,
		PathDebugMigrate:         a.debugMigrate,
		PathDebugBindings:        a.debugBindings,
		PathDebugKVInfo:          a.debugKVInfo,
		PathDebugKVClean:         a.debugKVClean,
		PathDebugSessionView:     a.debugSessionView,
		PathDebugSessionDelete:   a.debugSessionDelete,
		PathDebugStoreList:       a.debugStoreList,
		PathDebugKVCreate:        a.debugKVCreate,
		PathDebugKVEdit:          a.debugKVEdit,
		PathDebugKVEditModal:     a.debugKVEditModal,
		PathDebugStorePollute:    a.debugStorePollute,
		PathDebugOAuthConfigView: a.debugOAuthConfigView,
	}
}

// Roundtrip makes the built-in app an upstream: the proxy calls it like any
// app. The acting user is the one the proxy put in the context.
func (a *App) Roundtrip(ctx context.Context, _ apps.App, creq apps.CallRequest, async bool) (io.ReadCloser, error) {
	in := proxy.Incoming{ActingUserID: creq.Context.ActingUserID}
	if in.ActingUserID == "" && creq.Context.ActingUser != nil {
		in.ActingUserID = creq.Context.ActingUser.ID
	}
	resp := a.Handle(ctx, in, creq)
	if async {
		return nil, nil
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// GetStatic serves nothing: the built-in app has no static files.
func (a *App) GetStatic(context.Context, apps.App, string) (io.ReadCloser, string, error) {
	return nil, "", fmt.Errorf("the Apps app has no static files: %w", upstream.ErrNotFound)
}

var _ upstream.Upstream = (*App)(nil)

// appIDValue reads the app id from a form value (a string or a select option).
func appIDValue(creq apps.CallRequest) (apps.AppID, error) {
	id := strings.TrimSpace(creq.GetValue(fieldApp, ""))
	if id == "" {
		if s, ok := creq.State.(string); ok {
			id = s
		}
	}
	if id == "" {
		return "", fmt.Errorf("%w: which app? (value %q)", proxy.ErrInvalid, fieldApp)
	}
	return apps.AppID(id), nil
}
