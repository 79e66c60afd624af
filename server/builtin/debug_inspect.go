package builtin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// More debug call paths (developer mode, system admins).
const (
	PathDebugBindings      = "/debug/bindings"
	PathDebugKVInfo        = "/debug/kv/info"
	PathDebugKVClean       = "/debug/kv/clean"
	PathDebugSessionView   = "/debug/session/view"
	PathDebugSessionDelete = "/debug/session/delete"
	PathDebugStoreList     = "/debug/store/list"
)

// fieldSession is the session id value of /debug/session/{view,delete}.
const fieldSession = "session"

// SetDebugRevoke gives /apps debug session delete how to revoke and forget
// the app session of (app, user).
func (a *App) SetDebugRevoke(revoke func(appID apps.AppID, userID string) error) {
	a.debug.revoke = revoke
}

// codeBlock wraps v, as indented JSON, in a Markdown code block.
func codeBlock(title string, v any) (apps.CallResponse, error) {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return apps.CallResponse{}, err
	}
	return apps.NewTextResponse("%s\n```json\n%s\n```", title, raw), nil
}

// debugBindings shows the acting user's bindings in the call's channel, as
// the Apps UI gets them.
func (a *App) debugBindings(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	uac := apps.Context{UserAgentContext: apps.UserAgentContext{ChannelID: creq.Context.ChannelID, TeamID: creq.Context.TeamID}}
	bb, omitted, err := a.proxy.GetBindings(ctx, in, uac)
	if err != nil {
		return apps.CallResponse{}, err
	}
	title := fmt.Sprintf("Bindings in channel %s (team %s):", uac.ChannelID, uac.TeamID)
	for _, o := range omitted {
		title += fmt.Sprintf("\nLeft out: %+v", o)
	}
	if bb == nil {
		bb = []apps.Binding{}
	}
	return codeBlock(title, bb)
}

// debugAppID reads the app value; the app need not be installed (its data
// may outlive it).
func debugAppID(creq apps.CallRequest) (apps.AppID, error) {
	id, err := appIDValue(creq)
	if err != nil {
		return "", err
	}
	if err := id.Validate(); err != nil {
		return "", fmt.Errorf("%w: %v", proxy.ErrInvalid, err)
	}
	return id, nil
}

// debugKVInfo counts one app's keys by namespace.
func (a *App) debugKVInfo(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	id, err := debugAppID(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	counts, total, err := appservices.CountAppData(a.api, id)
	if err != nil {
		return apps.CallResponse{}, err
	}
	sessions := 0
	if a.debug.sessions != nil {
		list, err := a.debug.sessions(id)
		if err != nil {
			return apps.CallResponse{}, err
		}
		sessions = len(list)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Data of app %s (the plugin's KV store holds %d keys in all).\n\n| Namespace | What | Keys |\n|:--|:--|--:|\n", id, total)
	fmt.Fprintf(&b, "| `%s` | KV values | %d |\n", appservices.NamespaceKV, counts[appservices.NamespaceKV])
	fmt.Fprintf(&b, "| `%s` | KV key lists (per user and prefix) | %d |\n", appservices.NamespaceKVIndex, counts[appservices.NamespaceKVIndex])
	fmt.Fprintf(&b, "| `%s` | remote OAuth2 user data | %d |\n", appservices.NamespaceOAuth2User, counts[appservices.NamespaceOAuth2User])
	fmt.Fprintf(&b, "| `.s` | app sessions | %d |\n", sessions)
	return apps.NewTextResponse("%s", b.String()), nil
}

// debugKVClean deletes one app's KV values, key lists and OAuth2 user data
// (what uninstall --delete-data deletes); its record, sessions and
// subscriptions stay.
func (a *App) debugKVClean(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	id, err := debugAppID(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	n, err := appservices.DeleteAppData(a.api, id)
	if err != nil {
		return apps.CallResponse{}, err
	}
	return apps.NewTextResponse("Deleted %d keys of app %s (KV values, key lists, OAuth2 user data).", n, id), nil
}

// findSession finds an app session by id among the installed apps' ones.
func (a *App) findSession(creq apps.CallRequest) (apps.AppID, SessionInfo, error) {
	id := strings.TrimSpace(creq.GetValue(fieldSession, ""))
	if id == "" {
		return "", SessionInfo{}, fmt.Errorf("%w: which session? (value %q; see /apps debug session list)", proxy.ErrInvalid, fieldSession)
	}
	if a.debug.sessions == nil {
		return "", SessionInfo{}, fmt.Errorf("sessions are not available")
	}
	for _, app := range a.proxy.InstalledApps() {
		list, err := a.debug.sessions(app.AppID)
		if err != nil {
			return "", SessionInfo{}, err
		}
		for _, s := range list {
			if s.ID == id {
				return app.AppID, s, nil
			}
		}
	}
	return "", SessionInfo{}, fmt.Errorf("%w: no app session %s (see /apps debug session list)", proxy.ErrNotFound, id)
}

// debugSessionView shows one app session (its token shortened).
func (a *App) debugSessionView(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	appID, s, err := a.findSession(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	view := map[string]any{"app_id": appID, "id": s.ID, "user_id": s.UserID, "expires_at": s.ExpiresAt.UTC()}
	if s.Session != nil {
		sess := *s.Session
		sess.Token = redact(sess.Token)
		view["session"] = sess
	}
	return codeBlock(fmt.Sprintf("Session %s of app %s:", s.ID, appID), view)
}

// debugSessionDelete revokes one app session; the app gets a new one with
// its next call.
func (a *App) debugSessionDelete(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	appID, s, err := a.findSession(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	if a.debug.revoke == nil {
		return apps.CallResponse{}, fmt.Errorf("revoking sessions is not available")
	}
	if err := a.debug.revoke(appID, s.UserID); err != nil {
		return apps.CallResponse{}, err
	}
	a.proxy.InvalidateCaches() // tokens kept in memory
	return apps.NewTextResponse("Revoked session %s of app %s (user %s).", s.ID, appID, s.UserID), nil
}

// debugStoreList shows the installed app records and the local listings,
// secrets shortened.
func (a *App) debugStoreList(_ context.Context, in proxy.Incoming, _ apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	installed := a.proxy.InstalledApps()
	for i := range installed {
		app := &installed[i]
		app.Secret, app.WebhookSecret = redact(app.Secret), redact(app.WebhookSecret)
		if app.MattermostOAuth2 != nil {
			o := *app.MattermostOAuth2
			o.ClientSecret = redact(o.ClientSecret)
			app.MattermostOAuth2 = &o
		}
		app.RemoteOAuth2.ClientSecret = redact(app.RemoteOAuth2.ClientSecret)
	}
	locals := a.registry.Locals()
	return codeBlock(fmt.Sprintf("%d installed apps, %d local listings:", len(installed), len(locals)),
		map[string]any{"installed_apps": installed, "local_manifests": locals})
}

// redact keeps the last 4 characters of a secret.
func redact(s string) string {
	if s == "" {
		return ""
	}
	if len(s) <= 8 {
		return "***"
	}
	return "***" + s[len(s)-4:]
}
