package builtin

import (
	"context"
	"fmt"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// Settings call paths.
const (
	PathSettingsForm = "/settings/form"
	PathSettingsSave = "/settings/save"
)

// Override choices: follow the server, or force on or off.
const (
	overrideServer = "server"
	overrideOn     = "on"
	overrideOff    = "off"
)

// settingKeys are the plugin settings the form edits (upstream's keys).
var settingKeys = []struct{ key, label, help string }{
	{"developer_mode", "Developer mode", "Debug commands and relaxed checks. By default on when ServiceSettings.EnableDeveloper and EnableTesting are."},
	{"allow_http_apps", "Allow HTTP apps", "Whether apps reached over HTTP may be installed. By default allowed."},
}

func (a *App) settingsForm(_ context.Context, in proxy.Incoming, _ apps.CallRequest) (apps.CallResponse, error) {
	if _, err := a.proxy.RequireAdmin(in, "change the Apps settings"); err != nil {
		return apps.CallResponse{}, err
	}
	current := a.api.GetPluginConfig()
	form := apps.Form{Title: "Apps settings", Submit: userCall(PathSettingsSave)}
	options := []apps.SelectOption{
		{Label: "Follow the server configuration", Value: overrideServer},
		{Label: "On", Value: overrideOn},
		{Label: "Off", Value: overrideOff},
	}
	for _, s := range settingKeys {
		value := options[0]
		if b, ok := current[s.key].(bool); ok {
			value = options[2]
			if b {
				value = options[1]
			}
		}
		form.Fields = append(form.Fields, apps.Field{
			Name: s.key, Type: apps.FieldTypeStaticSelect, Label: s.key, ModalLabel: s.label,
			Description: s.help, Options: options, Value: value,
		})
	}
	return apps.NewFormResponse(form), nil
}

func (a *App) settingsSave(_ context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if _, err := a.proxy.RequireAdmin(in, "change the Apps settings"); err != nil {
		return apps.CallResponse{}, err
	}
	conf := a.api.GetPluginConfig()
	if conf == nil {
		conf = map[string]any{}
	}
	for _, s := range settingKeys {
		switch v := creq.GetValue(s.key, ""); v {
		case "":
		case overrideServer:
			delete(conf, s.key)
		case overrideOn, overrideOff:
			conf[s.key] = v == overrideOn
		default:
			return apps.CallResponse{}, fmt.Errorf("%w: %s must be %s, %s or %s, not %q", proxy.ErrInvalid, s.key, overrideServer, overrideOn, overrideOff, v)
		}
	}
	// Saving makes the server call OnConfigurationChange on every node.
	if appErr := a.api.SavePluginConfig(conf); appErr != nil {
		return apps.CallResponse{}, fmt.Errorf("save the Apps settings: %w", appErr)
	}
	resp := apps.NewTextResponse("Saved the Apps settings.")
	resp.RefreshBindings = true
	return resp, nil
}
