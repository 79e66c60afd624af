package builtin

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// Debug call paths that write test data or show an app's OAuth config
// (developer mode, system admins).
const (
	PathDebugKVCreate        = "/debug/kv/create"
	PathDebugKVEdit          = "/debug/kv/edit"
	PathDebugKVEditModal     = "/debug/kv/edit-modal"
	PathDebugStorePollute    = "/debug/store/pollute"
	PathDebugOAuthConfigView = "/debug/oauth/config/view"
)

// Values of the debug KV and pollute commands.
const (
	fieldUser   = "user"
	fieldPrefix = "prefix"
	fieldKey    = "key"
	fieldValue  = "value"
	fieldCount  = "count"
)

// PolluteKeyPrefix starts the junk keys /debug/store/pollute writes.
const PolluteKeyPrefix = ".debug."

// maxPollute bounds one /debug/store/pollute.
const maxPollute = 10000

// debugKVTarget reads the app, user (default: the app's bot), prefix and key
// of /debug/kv/{create,edit}: the app must be installed.
func (a *App) debugKVTarget(creq apps.CallRequest) (appservices.Caller, string, string, error) {
	id, err := debugAppID(creq)
	if err != nil {
		return appservices.Caller{}, "", "", err
	}
	app, err := a.proxy.GetInstalledApp(id)
	if err != nil {
		return appservices.Caller{}, "", "", err
	}
	userID := strings.TrimSpace(creq.GetValue(fieldUser, ""))
	if userID == "" {
		userID = app.BotUserID
	}
	if userID == "" {
		return appservices.Caller{}, "", "", fmt.Errorf("%w: app %s has no bot: give a user", proxy.ErrInvalid, id)
	}
	key := creq.GetValue(fieldKey, "")
	if key == "" {
		return appservices.Caller{}, "", "", fmt.Errorf("%w: which key? (value %q)", proxy.ErrInvalid, fieldKey)
	}
	return appservices.Caller{App: app, UserID: userID}, strings.TrimSpace(creq.GetValue(fieldPrefix, "")), key, nil
}

// debugKVWrite stores a value as the app would; with mustExist, only over
// an existing one.
func (a *App) debugKVWrite(in proxy.Incoming, creq apps.CallRequest, mustExist bool) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	c, prefix, key, err := a.debugKVTarget(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	value := []byte(strings.TrimSpace(creq.GetValue(fieldValue, "")))
	kv := appservices.NewKV(a.api)
	old, err := kv.Get(c, prefix, key)
	if err != nil {
		return apps.CallResponse{}, err
	}
	switch {
	case mustExist && old == nil:
		return apps.CallResponse{}, fmt.Errorf("%w: app %s has no key %q for user %s (use /apps debug kv create)", proxy.ErrNotFound, c.AppID(), key, c.UserID)
	case !mustExist && old != nil:
		return apps.CallResponse{}, fmt.Errorf("%w: app %s already has key %q for user %s (use /apps debug kv edit)", proxy.ErrInvalid, c.AppID(), key, c.UserID)
	}
	if _, err := kv.Set(c, prefix, key, value); err != nil {
		return apps.CallResponse{}, err
	}
	verb := "Created"
	if mustExist {
		verb = "Updated"
	}
	return apps.NewTextResponse("%s key %q of app %s (user %s): `%s`", verb, key, c.AppID(), c.UserID, value), nil
}

func (a *App) debugKVCreate(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	return a.debugKVWrite(in, creq, false)
}

func (a *App) debugKVEdit(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	return a.debugKVWrite(in, creq, true)
}

// debugKVEditModal is the form of /debug/kv/edit.
func (a *App) debugKVEditModal(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	return apps.NewFormResponse(kvEditForm(creq.GetValue(fieldApp, ""), creq.GetValue(fieldKey, ""))), nil
}

// kvEditForm asks for the app, key and new value of /debug/kv/edit.
func kvEditForm(appID, key string) apps.Form {
	app := appField(StateInstalled, "The app")
	if appID != "" {
		app.Value = apps.SelectOption{Label: appID, Value: appID}
	}
	return apps.Form{
		Title: "Edit an app's KV value", Submit: userCall(PathDebugKVEdit),
		Fields: []apps.Field{
			app,
			{Name: fieldKey, Type: apps.FieldTypeText, Label: fieldKey, Position: 2, IsRequired: true, Description: "The key (it must exist)", Value: key},
			{Name: fieldValue, Type: apps.FieldTypeText, Subtype: apps.TextFieldSubtypeTextarea, Label: fieldValue, Position: 3, IsRequired: true, Description: "The new value (JSON)"},
			{Name: fieldUser, Type: apps.FieldTypeText, Label: fieldUser, Description: "The user id (default: the app's bot)"},
			{Name: fieldPrefix, Type: apps.FieldTypeText, Label: fieldPrefix, Description: "The key's prefix (default: none)"},
		},
	}
}

// debugStorePollute writes junk keys under PolluteKeyPrefix, for testing
// listing and cleaning.
func (a *App) debugStorePollute(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	count := 100
	s := strings.TrimSpace(creq.GetValue(fieldCount, ""))
	if f, ok := creq.Values[fieldCount].(float64); ok {
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	if s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPollute {
			return apps.CallResponse{}, fmt.Errorf("%w: count must be 1 to %d, not %q", proxy.ErrInvalid, maxPollute, s)
		}
		count = n
	}
	for i := range count {
		k := fmt.Sprintf("%s%06d", PolluteKeyPrefix, i)
		if appErr := a.api.KVSet(k, []byte(`"junk"`)); appErr != nil {
			return apps.CallResponse{}, fmt.Errorf("write %s: %w", k, appErr)
		}
	}
	return apps.NewTextResponse("Wrote %d junk keys `%s…` (/apps debug clean removes them).", count, PolluteKeyPrefix), nil
}

// debugOAuthConfigView shows an app's Mattermost OAuth app and remote OAuth2
// configuration, secrets shortened.
func (a *App) debugOAuthConfigView(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	id, err := debugAppID(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	app, err := a.proxy.GetInstalledApp(id)
	if err != nil {
		return apps.CallResponse{}, err
	}
	view := map[string]any{}
	if o := app.MattermostOAuth2; o != nil {
		view["mattermost_oauth2"] = map[string]any{
			"id": o.ID, "client_secret": redact(o.ClientSecret), "callback_urls": o.CallbackUrls, "is_trusted": o.IsTrusted,
		}
	} else {
		view["mattermost_oauth2"] = nil
	}
	r := app.RemoteOAuth2
	remote := map[string]any{"remote_root_url": r.RemoteRootURL, "client_id": r.ClientID, "client_secret": redact(r.ClientSecret)}
	if r.Data != nil {
		remote["data"] = "(set)"
	}
	view["remote_oauth2"] = remote
	return codeBlock(fmt.Sprintf("OAuth configuration of app %s:", id), view)
}
