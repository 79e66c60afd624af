package proxy

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// ErrUpstream marks calls that failed on the app's side of the plugin: the
// app could not be reached, or answered something other than a call
// response. The error's text names the app and says why.
var ErrUpstream = errors.New("the app failed")

type upstreamError struct{ err error }

func (e *upstreamError) Error() string   { return e.err.Error() }
func (e *upstreamError) Unwrap() []error { return []error{e.err, ErrUpstream} }

// userCallTimeout bounds a call made for a user.
const userCallTimeout = 30 * time.Second

// InvokeCall makes a user's call to an app: the REST route, app slash
// commands and dialogs all come here.
//
// The app (context.app_id) must be installed and enabled; the path must not
// be one the plugin reserves for its own calls (ping, lifecycle, OAuth2,
// webhooks); the acting user must be a member of the context's channel (or
// team). The context is then rebuilt from the client's IDs and the call's
// expand (see expand), the call is sent, and the answer is checked: forms are
// cleaned, and refresh_bindings invalidates the user's cached bindings and
// tells their clients.
//
// Errors are the plugin's (not installed, forbidden, invalid, or ErrUpstream
// when the app could not be reached); an app's own error answer is a
// response of type error, not an error.
func (p *Proxy) InvokeCall(ctx context.Context, in Incoming, creq apps.CallRequest) (apps.ProxyCallResponse, error) {
	if in.ActingUserID == "" {
		return apps.ProxyCallResponse{}, fmt.Errorf("%w: log in to Mattermost first", apps.ErrUnauthorized)
	}
	app, err := p.enabledApp(creq.Context.AppID)
	if err != nil {
		return apps.ProxyCallResponse{}, err
	}
	call, err := checkCallPath(app, creq.Call)
	if err != nil {
		return apps.ProxyCallResponse{}, err
	}
	creq.Call = call
	ua, err := p.userAgentContext(in.ActingUserID, creq.Context)
	if err != nil {
		return apps.ProxyCallResponse{}, err
	}
	resp, err := p.invoke(ctx, in, app, creq, ua, true)
	if err != nil {
		return apps.ProxyCallResponse{}, err
	}
	return apps.ProxyCallResponse{
		CallResponse: resp,
		AppMetadata:  &apps.AppMetadataForClient{BotUserID: app.BotUserID, BotUsername: app.BotUsername},
	}, nil
}

// enabledApp returns an installed, enabled app.
func (p *Proxy) enabledApp(id apps.AppID) (apps.App, error) {
	if id == "" {
		return apps.App{}, fmt.Errorf("%w: the call's context has no app_id", ErrInvalid)
	}
	app, err := p.installed(id)
	if err != nil {
		return apps.App{}, err
	}
	if app.Disabled {
		return apps.App{}, fmt.Errorf("%w: app %s is disabled", ErrForbidden, id)
	}
	return app, nil
}

// checkCallPath validates and cleans a user's call path. The plugin's own
// calls (ping, lifecycle callbacks, OAuth2, webhooks) cannot be made by users.
func checkCallPath(app apps.App, call apps.Call) (apps.Call, error) {
	if call.Path == "" {
		return call, fmt.Errorf("%w: the call has no path", ErrInvalid)
	}
	if err := call.Validate(); err != nil {
		return call, err
	}
	call.Path = path.Clean(call.Path)
	reserved := []string{apps.DefaultPingPath}
	for _, c := range []*apps.Call{app.OnInstall, app.OnUninstall, app.OnVersionChanged, app.OnEnable, app.OnDisable} {
		if c != nil && c.Path != "" {
			reserved = append(reserved, path.Clean(c.Path))
		}
	}
	reserved = append(reserved,
		path.Clean(app.GetOAuth2ConnectURL.WithDefault(apps.DefaultGetOAuth2ConnectURLCall()).Path),
		path.Clean(app.OnOAuth2Complete.WithDefault(apps.DefaultOnOAuth2CompleteCall()).Path),
	)
	webhook := path.Clean(app.OnRemoteWebhook.WithDefault(apps.DefaultOnRemoteWebhookCall()).Path)
	for _, r := range reserved {
		if call.Path == r {
			return call, fmt.Errorf("%w: %s is reserved for the plugin's own calls to app %s", ErrForbidden, call.Path, app.AppID)
		}
	}
	if call.Path == webhook || (webhook != "/" && strings.HasPrefix(call.Path, webhook+"/")) {
		return call, fmt.Errorf("%w: %s is reserved for webhooks of app %s", ErrForbidden, call.Path, app.AppID)
	}
	return call, nil
}

// invoke expands the context, sends the call and checks the answer.
func (p *Proxy) invoke(ctx context.Context, in Incoming, app apps.App, creq apps.CallRequest, ua *userAgent, userCall bool) (apps.CallResponse, error) {
	cc, err := p.expand(in, app, ua, creq.Expand)
	if err != nil {
		return apps.CallResponse{}, err
	}
	creq.Context = cc
	up, err := p.upstreamFor(app)
	if err != nil {
		return apps.CallResponse{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, userCallTimeout)
	defer cancel()
	resp, err := upstream.Call(ctx, up, app, creq)
	if err != nil {
		return apps.CallResponse{}, &upstreamError{err: err}
	}
	resp = p.checkResponse(app, creq.Path, resp)
	if userCall && resp.RefreshBindings && resp.Type != apps.CallResponseTypeError {
		p.InvalidateUserBindings(app.AppID, in.ActingUserID)
		p.notifyBindings(app.AppID, in.ActingUserID)
		p.refreshBindings(in.ActingUserID)
		p.bindingsChanged(BindingsChange{AppID: app.AppID, UserID: in.ActingUserID})
	}
	return resp, nil
}

// checkResponse turns answers a client cannot use into errors that say what
// the app did wrong; forms are cleaned.
func (p *Proxy) checkResponse(app apps.App, callPath string, resp apps.CallResponse) apps.CallResponse {
	bad := func(format string, args ...any) apps.CallResponse {
		return apps.CallResponse{Type: apps.CallResponseTypeError, Text: fmt.Sprintf("app %s, call %s: ", app.AppID, callPath) + fmt.Sprintf(format, args...)}
	}
	if err := resp.Type.Validate(); err != nil {
		return bad("%v", err)
	}
	switch resp.Type {
	case apps.CallResponseTypeForm:
		if resp.Form == nil {
			return bad("a form response without a form")
		}
		form, _, err := cleanForm(*resp.Form, p.conf.Get().PluginURL, app.AppID)
		if err != nil {
			return bad("the form is not valid: %v", err)
		}
		resp.Form = &form
	case apps.CallResponseTypeCall:
		if resp.Call == nil {
			return bad("a call response without a call")
		}
		if err := resp.Call.Validate(); err != nil {
			return bad("%v", err)
		}
	case apps.CallResponseTypeNavigate:
		if resp.NavigateToURL == "" {
			return bad("a navigate response without navigate_to_url")
		}
	}
	return resp
}
