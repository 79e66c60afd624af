package builtin

import (
	"context"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// bindings is the /apps command tree for the acting user: everyone gets info
// and list, system admins also the verbs that change things.
func (a *App) bindings(_ context.Context, in proxy.Incoming, _ apps.CallRequest) (apps.CallResponse, error) {
	commands := []apps.Binding{
		{Label: "info", Location: "info", Description: "Show the Apps plugin version, the server and the app listing", Submit: userCall(PathInfo)},
		{Label: "list", Location: "list", Description: "List installed and listed apps", Submit: userCall(PathList)},
	}
	if _, err := a.proxy.RequireAdmin(in, ""); err == nil {
		commands = append(commands,
			apps.Binding{Label: "install", Location: "install", Description: "Install an app", Bindings: []apps.Binding{
				{Label: "listed", Location: "listed", Description: "Install an app from the listing", Form: &apps.Form{
					Submit: userCall(PathInstallListed),
					Fields: []apps.Field{appField(StateNotInstalled, "The app to install")},
				}},
				{Label: "http", Location: "http", Description: "List and install an HTTP app from its manifest URL", Form: &apps.Form{
					Submit: userCall(PathInstallHTTP),
					Fields: []apps.Field{{Name: fieldURL, Type: apps.FieldTypeText, Label: fieldURL, Position: 1, IsRequired: true, Description: "URL of the app's manifest.json"}},
				}},
				{Label: "plugin", Location: "plugin", Description: "List and install an app served by another Mattermost plugin", Form: &apps.Form{
					Submit: userCall(PathInstallPlugin),
					Fields: []apps.Field{{Name: fieldPluginID, Type: apps.FieldTypeText, Label: "plugin_id", Position: 1, IsRequired: true, Description: "The id of the plugin that serves the app"}},
				}},
				{Label: "aws", Location: "aws", Description: "List and install an app provisioned to AWS with appsctl", Form: &apps.Form{
					Submit: userCall(PathInstallAWS),
					Fields: []apps.Field{
						{Name: fieldApp, Type: apps.FieldTypeText, Label: fieldApp, Position: 1, IsRequired: true, Description: "The app id"},
						{Name: fieldVersion, Type: apps.FieldTypeText, Label: fieldVersion, Position: 2, IsRequired: true, Description: "The app version"},
					},
				}},
			}},
			apps.Binding{Label: "uninstall", Location: "uninstall", Description: "Uninstall an app", Form: &apps.Form{
				Submit: userCall(PathUninstall),
				Fields: []apps.Field{
					appField(StateInstalled, "The app to uninstall"),
					{Name: fieldForce, Type: apps.FieldTypeBool, Label: fieldForce, Description: "Uninstall even if the app's on_uninstall fails"},
					{Name: fieldDeleteData, Type: apps.FieldTypeBool, Label: "delete-data", Description: "Also delete the app's stored data"},
				},
			}},
			apps.Binding{Label: "enable", Location: "enable", Description: "Enable a disabled app", Form: &apps.Form{
				Submit: userCall(PathEnable), Fields: []apps.Field{appField(StateDisabled, "The app to enable")},
			}},
			apps.Binding{Label: "disable", Location: "disable", Description: "Disable an app (it keeps its data)", Form: &apps.Form{
				Submit: userCall(PathDisable), Fields: []apps.Field{appField(StateEnabled, "The app to disable")},
			}},
			apps.Binding{Label: "refresh", Location: "refresh", Description: "Fetch the app listing again", Submit: userCall(PathRefresh)},
			apps.Binding{Label: "settings", Location: "settings", Description: "Developer mode and HTTP apps", Form: &apps.Form{Source: userCall(PathSettingsForm)}},
		)
		if a.conf.Get().DeveloperMode {
			commands = append(commands, apps.Binding{Label: "debug", Location: "debug", Description: "Inspect and reset the plugin's data (developer mode)", Bindings: []apps.Binding{
				{Label: "bindings", Location: "bindings", Description: "Show your bindings in this channel as JSON", Submit: userCall(PathDebugBindings)},
				{Label: "clean", Location: "clean", Description: "Delete all stored data: installed apps, listings, app data, sessions", Submit: userCall(PathDebugClean)},
				{Label: "kv", Location: "kv", Description: "The plugin's KV store", Bindings: []apps.Binding{
					{Label: "list", Location: "list", Description: "Count keys by prefix", Submit: userCall(PathDebugKVList)},
					{Label: "info", Location: "info", Description: "Count an app's keys", Form: &apps.Form{
						Submit: userCall(PathDebugKVInfo), Fields: []apps.Field{appField(StateInstalled, "The app")},
					}},
					{Label: "clean", Location: "clean", Description: "Delete an app's KV data", Form: &apps.Form{
						Submit: userCall(PathDebugKVClean), Fields: []apps.Field{appField(StateInstalled, "The app")},
					}},
					{Label: "create", Location: "create", Description: "Store a new KV value as an app would", Form: kvWriteForm(PathDebugKVCreate)},
					{Label: "edit", Location: "edit", Description: "Change an existing KV value of an app", Form: kvWriteForm(PathDebugKVEdit)},
					{Label: "edit-modal", Location: "edit-modal", Description: "Change an app's KV value in a form", Submit: userCall(PathDebugKVEditModal)},
				}},
				{Label: "session", Location: "session", Description: "App sessions", Bindings: []apps.Binding{
					{Label: "list", Location: "list", Description: "List app sessions", Submit: userCall(PathDebugSessionList)},
					{Label: "view", Location: "view", Description: "Show an app session", Form: &apps.Form{
						Submit: userCall(PathDebugSessionView), Fields: []apps.Field{sessionField()},
					}},
					{Label: "delete", Location: "delete", Description: "Revoke an app session", Form: &apps.Form{
						Submit: userCall(PathDebugSessionDelete), Fields: []apps.Field{sessionField()},
					}},
				}},
				{Label: "store", Location: "store", Description: "Installed apps and local listings", Bindings: []apps.Binding{
					{Label: "list", Location: "list", Description: "Show the installed app records and local listings as JSON", Submit: userCall(PathDebugStoreList)},
					{Label: "pollute", Location: "pollute", Description: "Write junk keys (.debug.…) to test listing and cleaning", Form: &apps.Form{
						Submit: userCall(PathDebugStorePollute), Fields: []apps.Field{
							{Name: fieldCount, Type: apps.FieldTypeText, Subtype: apps.TextFieldSubtypeNumber, Label: fieldCount, Position: 1, Description: "How many keys (default 100)"},
						},
					}},
				}},
				{Label: "oauth", Location: "oauth", Description: "OAuth configuration of apps", Bindings: []apps.Binding{
					{Label: "config", Location: "config", Description: "OAuth configuration", Bindings: []apps.Binding{
						{Label: "view", Location: "view", Description: "Show an app's Mattermost and remote OAuth2 configuration", Form: &apps.Form{
							Submit: userCall(PathDebugOAuthConfigView), Fields: []apps.Field{appField(StateInstalled, "The app")},
						}},
					}},
				}},
				{Label: "migrate", Location: "migrate", Description: "Migrate the stored data now (the original plugin's too)", Form: &apps.Form{
					Submit: userCall(PathDebugMigrate), Fields: []apps.Field{
						{Name: fieldDryRun, Type: apps.FieldTypeBool, Label: "dry-run", Description: "Only list what would change"},
						{Name: fieldRollback, Type: apps.FieldTypeBool, Label: "rollback", Description: "Give the original plugin its data back"},
					},
				}},
			}})
		}
	}
	return apps.NewDataResponse([]apps.Binding{{
		Location: apps.LocationCommand,
		Bindings: []apps.Binding{{
			Label: "apps", Location: "apps", Description: "Manage Mattermost Apps", Hint: "[command]", Bindings: commands,
		}},
	}}), nil
}

// appField is the positional app id field, offering apps in state.
func appField(state, description string) apps.Field {
	lookup := &apps.Call{Path: PathLookupAppID, State: state}
	return apps.Field{
		Name: fieldApp, Type: apps.FieldTypeDynamicSelect, Label: fieldApp, Position: 1, IsRequired: true,
		Description: description, Lookup: lookup,
	}
}

// sessionField is the positional session id field of the debug commands.
func sessionField() apps.Field {
	return apps.Field{Name: fieldSession, Type: apps.FieldTypeText, Label: fieldSession, Position: 1, IsRequired: true,
		Description: "The session id (see /apps debug session list)"}
}

// kvWriteForm is the form of /apps debug kv create|edit.
func kvWriteForm(path string) *apps.Form {
	f := kvEditForm("", "")
	f.Title, f.Submit = "", userCall(path)
	return &f
}
