package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// appServices connects the proxy to the services apps call back into (KV,
// OAuth2, subscriptions, timers): set once at wiring, before requests.
type appServices struct {
	oauth2 *appservices.OAuth2
	// uninstalled run after an app's record is deleted; deleteData also
	// removes the app's stored data.
	uninstalled []func(appID apps.AppID, deleteData bool) error
}

// SetAppServices gives the proxy the OAuth2 store (for expand oauth2_user
// and the remote OAuth2 flow) and what must be cleaned up when an app is
// uninstalled. Call it before serving.
func (p *Proxy) SetAppServices(oauth2 *appservices.OAuth2, onUninstall ...func(appID apps.AppID, deleteData bool) error) {
	p.services = appServices{oauth2: oauth2, uninstalled: onUninstall}
}

// appUninstalled runs the cleanups of an uninstalled app and returns what
// failed, for the administrator.
func (p *Proxy) appUninstalled(appID apps.AppID, deleteData bool) []string {
	var failures []string
	for _, f := range p.services.uninstalled {
		if err := f(appID, deleteData); err != nil {
			failures = append(failures, err.Error())
		}
	}
	return failures
}

// OAuth2UserData is what app stored for userID with /api/v1/oauth2/user
// (decoded JSON), or nil: the value of expand oauth2_user.
func (p *Proxy) OAuth2UserData(app apps.App, userID string) (any, error) {
	if p.services.oauth2 == nil || userID == "" {
		return nil, nil
	}
	raw, err := p.services.oauth2.GetUser(app.AppID, userID)
	if err != nil || raw == nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("decode the OAuth2 user data of app %s: %w", app.AppID, err)
	}
	return v, nil
}

// appServiceCall makes one of the plugin's own calls to app for the acting
// user (remote OAuth2 connect and complete): the context is expanded as the
// call asks (oauth2_app and oauth2_user included).
func (p *Proxy) appServiceCall(ctx context.Context, in Incoming, app apps.App, call apps.Call, values map[string]any) (apps.CallResponse, error) {
	up, err := p.upstreamFor(app)
	if err != nil {
		return apps.CallResponse{}, err
	}
	ua := &userAgent{UserAgentContext: apps.UserAgentContext{AppID: app.AppID}, actingUserID: in.ActingUserID}
	cc, err := p.expand(in, app, ua, call.Expand)
	if err != nil {
		return apps.CallResponse{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, userCallTimeout)
	defer cancel()
	resp, err := upstream.Call(ctx, up, app, apps.CallRequest{Call: call, Values: values, Context: cc})
	if err != nil {
		return apps.CallResponse{}, &upstreamError{err: err}
	}
	return resp, nil
}

// remoteOAuth2App returns the enabled app of a remote OAuth2 flow.
func (p *Proxy) remoteOAuth2App(in Incoming, appID apps.AppID) (apps.App, error) {
	if in.ActingUserID == "" {
		return apps.App{}, fmt.Errorf("%w: log in to Mattermost first", apps.ErrUnauthorized)
	}
	if p.services.oauth2 == nil {
		return apps.App{}, fmt.Errorf("%w: remote OAuth2 is not available", ErrNotFound)
	}
	app, err := p.enabledApp(appID)
	if err != nil {
		return apps.App{}, err
	}
	if err := appservices.RequireRemoteOAuth2(app); err != nil {
		return apps.App{}, fmt.Errorf("%w: %v", ErrForbidden, err)
	}
	return app, nil
}

// RemoteOAuth2Connect starts the acting user's connect flow with an app: it
// keeps a state (OAuth2StateTTL, single use, bound to the user and the app)
// and asks the app (get_oauth2_connect_url, value "state") for the remote
// URL to send the user to.
func (p *Proxy) RemoteOAuth2Connect(ctx context.Context, in Incoming, appID apps.AppID) (string, error) {
	app, err := p.remoteOAuth2App(in, appID)
	if err != nil {
		return "", err
	}
	state, err := p.services.oauth2.CreateState(app.AppID, in.ActingUserID)
	if err != nil {
		return "", err
	}
	call := app.GetOAuth2ConnectURL.WithDefault(apps.DefaultGetOAuth2ConnectURLCall())
	resp, err := p.appServiceCall(ctx, in, app, call, map[string]any{"state": state})
	if err != nil {
		return "", err
	}
	if resp.Type == apps.CallResponseTypeError {
		return "", fmt.Errorf("%w: app %s: %s", ErrUpstream, app.AppID, resp.Text)
	}
	target, _ := resp.Data.(string)
	if u, err := url.Parse(target); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%w: app %s: get_oauth2_connect_url must answer {\"type\":\"ok\",\"data\":\"<http(s) URL>\"}, got %q", ErrUpstream, app.AppID, target)
	}
	return target, nil
}

// RemoteOAuth2Complete ends a connect flow: the state must be one this user
// started with this app, unexpired and unused; the app's on_oauth2_complete
// gets every query parameter as a value.
func (p *Proxy) RemoteOAuth2Complete(ctx context.Context, in Incoming, appID apps.AppID, query url.Values) error {
	app, err := p.remoteOAuth2App(in, appID)
	if err != nil {
		return err
	}
	if err := p.services.oauth2.ConsumeState(app.AppID, in.ActingUserID, query.Get("state")); err != nil {
		return fmt.Errorf("%w: %v", ErrForbidden, strings.TrimPrefix(err.Error(), "forbidden: "))
	}
	values := make(map[string]any, len(query))
	for k, v := range query {
		if len(v) > 0 {
			values[k] = v[0]
		}
	}
	call := app.OnOAuth2Complete.WithDefault(apps.DefaultOnOAuth2CompleteCall())
	resp, err := p.appServiceCall(ctx, in, app, call, values)
	if err != nil {
		return err
	}
	if resp.Type == apps.CallResponseTypeError {
		return fmt.Errorf("%w: app %s: %s", ErrUpstream, app.AppID, resp.Text)
	}
	p.refreshBindings(in.ActingUserID)
	return nil
}

// StoreRemoteOAuth2App saves an app's remote OAuth2 configuration (client
// id and secret...) in its record; only system administrators may, through
// the app's session.
func (p *Proxy) StoreRemoteOAuth2App(ctx context.Context, in Incoming, appID apps.AppID, oapp apps.OAuth2App) error {
	if _, err := p.RequireAdmin(in, "store an app's OAuth2 configuration"); err != nil {
		return err
	}
	app, err := p.enabledApp(appID)
	if err != nil {
		return err
	}
	if err := appservices.RequireRemoteOAuth2(app); err != nil {
		return fmt.Errorf("%w: %v", ErrForbidden, err)
	}
	// Installs rewrite the record: take their lock.
	lock := store.NewLock(p.api, "install."+string(appID))
	lockCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := lock.Acquire(lockCtx, installLockTTL); err != nil {
		return fmt.Errorf("%w: app %s is being installed: %v", ErrConflict, appID, err)
	}
	defer lock.Release()
	stored, err := p.store.Stored(string(appID))
	if err != nil {
		return err
	}
	stored.RemoteOAuth2 = oapp
	if err := p.store.Save(string(appID), stored); err != nil {
		return err
	}
	p.notify()
	p.api.PublishWebSocketEvent("refresh_bindings", map[string]any{}, &model.WebsocketBroadcast{})
	return nil
}

// CheckTimerCall checks, when a timer is created, what InvokeCall will
// check when it fires: the app is enabled and users may call the path.
func (p *Proxy) CheckTimerCall(appID apps.AppID, call apps.Call) error {
	app, err := p.enabledApp(appID)
	if err != nil {
		return err
	}
	_, err = checkCallPath(app, call)
	return err
}

// InvokeTimer makes a timer's call as the user who created it, like a call
// of that user in the timer's channel or team.
func (p *Proxy) InvokeTimer(ctx context.Context, appID apps.AppID, userID string, call apps.Call, channelID, teamID string) error {
	resp, err := p.InvokeCall(ctx, Incoming{ActingUserID: userID}, apps.CallRequest{
		Call:    call,
		Context: apps.Context{UserAgentContext: apps.UserAgentContext{AppID: appID, ChannelID: channelID, TeamID: teamID}},
	})
	if err != nil {
		return err
	}
	if resp.Type == apps.CallResponseTypeError {
		return fmt.Errorf("app %s answered an error: %s", appID, resp.Text)
	}
	return nil
}
