package mmplugin

// Every Z_ wire struct against the server's declared signatures.
//
// serverMethods is the expected server side, written as data from
// PLUGIN_PROTOCOL.md §2.4/§4.2 and the server's plugin.API / plugin.Hooks
// interfaces: parameter and result types exactly as the server declares them.
// The tests check that
//   - zTable lists every Z_ type the package declares (parsed from source), so a
//     new Z_ type cannot slip in untested;
//   - each Z_ struct has the field names the server uses (A, B, C… or the
//     documented special names) and types matching the server's declaration;
//   - each Z_ struct round-trips through gob with a struct built from the
//     server's types (wire_server_shapes_test.go), both ways, field by field;
//   - api.go's API and hooks.go's hookTable declare the server's signatures.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// zTable lists every Z_ type of the package (wire.go and zz_rpc_gen.go).
var zTable = []any{
	Z_OnActivateArgs{}, Z_OnActivateReturns{}, Z_ServeHTTPArgs{}, Z_LoadPluginConfigurationArgs{},
	Z_LoadPluginConfigurationReturns{}, Z_EnsureBotUserArgs{}, Z_EnsureBotUserReturns{}, Z_LogArgs{}, Z_LogReturns{},
	Z_PluginHTTPStreamArgs{}, Z_PluginHTTPStreamReturns{}, Z_PluginHTTPArgs{}, Z_PluginHTTPReturns{}, Z_GetConfigArgs{},
	Z_GetConfigReturns{}, Z_GetUnsanitizedConfigArgs{}, Z_GetUnsanitizedConfigReturns{}, Z_GetPluginConfigArgs{},
	Z_GetPluginConfigReturns{}, Z_SavePluginConfigArgs{}, Z_SavePluginConfigReturns{}, Z_GetBundlePathArgs{},
	Z_GetBundlePathReturns{}, Z_GetServerVersionArgs{}, Z_GetServerVersionReturns{}, Z_GetPluginStatusArgs{},
	Z_GetPluginStatusReturns{}, Z_GetPluginsArgs{}, Z_GetPluginsReturns{}, Z_KVSetArgs{}, Z_KVSetReturns{}, Z_KVSetWithOptionsArgs{},
	Z_KVSetWithOptionsReturns{}, Z_KVSetWithExpiryArgs{}, Z_KVSetWithExpiryReturns{}, Z_KVCompareAndSetArgs{},
	Z_KVCompareAndSetReturns{}, Z_KVCompareAndDeleteArgs{}, Z_KVCompareAndDeleteReturns{}, Z_KVGetArgs{}, Z_KVGetReturns{},
	Z_KVDeleteArgs{}, Z_KVDeleteReturns{}, Z_KVDeleteAllArgs{}, Z_KVDeleteAllReturns{}, Z_KVListArgs{}, Z_KVListReturns{},
	Z_CreateBotArgs{}, Z_CreateBotReturns{}, Z_GetBotArgs{}, Z_GetBotReturns{}, Z_GetBotsArgs{}, Z_GetBotsReturns{},
	Z_PatchBotArgs{}, Z_PatchBotReturns{}, Z_UpdateBotActiveArgs{}, Z_UpdateBotActiveReturns{}, Z_PermanentDeleteBotArgs{},
	Z_PermanentDeleteBotReturns{}, Z_SetBotIconImageArgs{}, Z_SetBotIconImageReturns{}, Z_GetUserArgs{}, Z_GetUserReturns{},
	Z_GetUserByUsernameArgs{}, Z_GetUserByUsernameReturns{}, Z_GetUserByEmailArgs{}, Z_GetUserByEmailReturns{},
	Z_GetUsersInChannelArgs{}, Z_GetUsersInChannelReturns{}, Z_UpdateUserActiveArgs{}, Z_UpdateUserActiveReturns{},
	Z_SetProfileImageArgs{}, Z_SetProfileImageReturns{}, Z_CreateUserAccessTokenArgs{}, Z_CreateUserAccessTokenReturns{},
	Z_RevokeUserAccessTokenArgs{}, Z_RevokeUserAccessTokenReturns{}, Z_GetSessionArgs{}, Z_GetSessionReturns{},
	Z_CreateSessionArgs{}, Z_CreateSessionReturns{}, Z_ExtendSessionExpiryArgs{}, Z_ExtendSessionExpiryReturns{},
	Z_RevokeSessionArgs{}, Z_RevokeSessionReturns{}, Z_GetTeamArgs{}, Z_GetTeamReturns{}, Z_GetTeamByNameArgs{},
	Z_GetTeamByNameReturns{}, Z_GetTeamsArgs{}, Z_GetTeamsReturns{}, Z_GetTeamMemberArgs{}, Z_GetTeamMemberReturns{},
	Z_GetTeamMembersArgs{}, Z_GetTeamMembersReturns{}, Z_CreateTeamMemberArgs{}, Z_CreateTeamMemberReturns{}, Z_GetChannelArgs{},
	Z_GetChannelReturns{}, Z_GetChannelByNameArgs{}, Z_GetChannelByNameReturns{}, Z_CreateChannelArgs{}, Z_CreateChannelReturns{},
	Z_GetDirectChannelArgs{}, Z_GetDirectChannelReturns{}, Z_GetChannelMemberArgs{}, Z_GetChannelMemberReturns{},
	Z_GetChannelMembersArgs{}, Z_GetChannelMembersReturns{}, Z_AddChannelMemberArgs{}, Z_AddChannelMemberReturns{}, Z_GetPostArgs{},
	Z_GetPostReturns{}, Z_CreatePostArgs{}, Z_CreatePostReturns{}, Z_UpdatePostArgs{}, Z_UpdatePostReturns{}, Z_DeletePostArgs{},
	Z_DeletePostReturns{}, Z_SendEphemeralPostArgs{}, Z_SendEphemeralPostReturns{}, Z_UpdateEphemeralPostArgs{},
	Z_UpdateEphemeralPostReturns{}, Z_DeleteEphemeralPostArgs{}, Z_DeleteEphemeralPostReturns{}, Z_RegisterCommandArgs{},
	Z_RegisterCommandReturns{}, Z_UnregisterCommandArgs{}, Z_UnregisterCommandReturns{}, Z_ExecuteSlashCommandArgs{},
	Z_ExecuteSlashCommandReturns{}, Z_OpenInteractiveDialogArgs{}, Z_OpenInteractiveDialogReturns{}, Z_CreateOAuthAppArgs{},
	Z_CreateOAuthAppReturns{}, Z_GetOAuthAppArgs{}, Z_GetOAuthAppReturns{}, Z_UpdateOAuthAppArgs{}, Z_UpdateOAuthAppReturns{},
	Z_DeleteOAuthAppArgs{}, Z_DeleteOAuthAppReturns{}, Z_HasPermissionToArgs{}, Z_HasPermissionToReturns{},
	Z_HasPermissionToTeamArgs{}, Z_HasPermissionToTeamReturns{}, Z_HasPermissionToChannelArgs{}, Z_HasPermissionToChannelReturns{},
	Z_PublishWebSocketEventArgs{}, Z_PublishWebSocketEventReturns{}, Z_PublishPluginClusterEventArgs{},
	Z_PublishPluginClusterEventReturns{}, Z_OnDeactivateArgs{}, Z_OnDeactivateReturns{}, Z_OnConfigurationChangeArgs{},
	Z_OnConfigurationChangeReturns{}, Z_ExecuteCommandArgs{}, Z_ExecuteCommandReturns{}, Z_OnPluginClusterEventArgs{},
	Z_OnPluginClusterEventReturns{}, Z_MessageHasBeenPostedArgs{}, Z_MessageHasBeenPostedReturns{}, Z_UserHasJoinedChannelArgs{},
	Z_UserHasJoinedChannelReturns{}, Z_UserHasLeftChannelArgs{}, Z_UserHasLeftChannelReturns{}, Z_UserHasJoinedTeamArgs{},
	Z_UserHasJoinedTeamReturns{}, Z_UserHasLeftTeamArgs{}, Z_UserHasLeftTeamReturns{}, Z_ChannelHasBeenCreatedArgs{},
	Z_ChannelHasBeenCreatedReturns{}, Z_UserHasBeenCreatedArgs{}, Z_UserHasBeenCreatedReturns{}, Z_OnInstallArgs{},
	Z_OnInstallReturns{},
}

type wireField struct {
	name string
	typ  string // the server's type; "a|b" lists the types of different server versions
}

// wireShape is a hand-written wire form (not the A, B, C… rule).
type wireShape struct {
	args      []wireField
	returns   []wireField
	noReturns bool // the reply is not a Z_ struct (ServeHTTP: struct{})
}

type serverMethod struct {
	name    string
	hook    bool
	params  []string // Go signature as the server declares it (variadic as a slice)
	results []string
	since   string
	zStem   string     // Z_<stem>Args/Returns when not the method name
	wire    *wireShape // hand-written wire form
	notInGo bool       // wire-only: not a method of our API / hookTable (handled by hand)
}

func (m serverMethod) stem() string {
	if m.zStem != "" {
		return m.zStem
	}
	return m.name
}

// argsShape and returnsShape give the expected wire fields.
func (m serverMethod) argsShape() []wireField {
	if m.wire != nil {
		return m.wire.args
	}
	return lettered(m.params)
}

func (m serverMethod) returnsShape() []wireField {
	if m.wire != nil {
		return m.wire.returns
	}
	return lettered(m.results)
}

func lettered(types []string) []wireField {
	out := make([]wireField, len(types))
	for i, t := range types {
		out[i] = wireField{string(rune('A' + i)), t}
	}
	return out
}

var (
	str        = "string"
	appErr     = "*model.AppError"
	requestAlt = "*http.Request|*plugin.HTTPRequestSubset"
)

func s(v ...string) []string { return v }

// serverMethods: the server's API methods we declare (plus the wire-only
// PluginHTTPStream) and the hooks we serve.
var serverMethods = []serverMethod{
	// Configuration and the plugin itself.
	{name: "LoadPluginConfiguration", params: s("any"), results: s("error"), since: "5.2",
		wire: &wireShape{args: nil, returns: []wireField{{"A", "[]byte"}}}},
	{name: "GetConfig", results: s("*model.Config"), since: "5.2"},
	{name: "GetUnsanitizedConfig", results: s("*model.Config"), since: "5.16"},
	{name: "GetPluginConfig", results: s("map[string]any"), since: "5.6"},
	{name: "SavePluginConfig", params: s("map[string]any"), results: s(appErr), since: "5.6"},
	{name: "GetBundlePath", results: s(str, "error"), since: "5.10"},
	{name: "GetServerVersion", results: s(str), since: "5.4"},
	{name: "GetPluginStatus", params: s(str), results: s("*model.PluginStatus", appErr), since: "5.6"},
	{name: "GetPlugins", results: s("[]*model.Manifest", appErr), since: "5.6"},

	// KV store.
	{name: "KVSet", params: s(str, "[]byte"), results: s(appErr), since: "5.2"},
	{name: "KVSetWithOptions", params: s(str, "[]byte", "model.PluginKVSetOptions"), results: s("bool", appErr), since: "5.20"},
	{name: "KVSetWithExpiry", params: s(str, "[]byte", "int64"), results: s(appErr), since: "5.6"},
	{name: "KVCompareAndSet", params: s(str, "[]byte", "[]byte"), results: s("bool", appErr), since: "5.12"},
	{name: "KVCompareAndDelete", params: s(str, "[]byte"), results: s("bool", appErr), since: "5.16"},
	{name: "KVGet", params: s(str), results: s("[]byte", appErr), since: "5.2"},
	{name: "KVDelete", params: s(str), results: s(appErr), since: "5.2"},
	{name: "KVDeleteAll", results: s(appErr), since: "5.6"},
	{name: "KVList", params: s("int", "int"), results: s("[]string", appErr), since: "5.6"},

	// Bots.
	{name: "CreateBot", params: s("*model.Bot"), results: s("*model.Bot", appErr), since: "5.10"},
	{name: "GetBot", params: s(str, "bool"), results: s("*model.Bot", appErr), since: "5.10"},
	{name: "GetBots", params: s("*model.BotGetOptions"), results: s("[]*model.Bot", appErr), since: "5.10"},
	{name: "PatchBot", params: s(str, "*model.BotPatch"), results: s("*model.Bot", appErr), since: "5.10"},
	{name: "UpdateBotActive", params: s(str, "bool"), results: s("*model.Bot", appErr), since: "5.10"},
	{name: "PermanentDeleteBot", params: s(str), results: s(appErr), since: "5.10"},
	{name: "SetBotIconImage", params: s(str, "[]byte"), results: s(appErr), since: "5.14"},
	{name: "EnsureBotUser", params: s("*model.Bot"), results: s(str, "error"), since: "7.1"},

	// Users, tokens, sessions.
	{name: "GetUser", params: s(str), results: s("*model.User", appErr), since: "5.2"},
	{name: "GetUserByUsername", params: s(str), results: s("*model.User", appErr), since: "5.2"},
	{name: "GetUserByEmail", params: s(str), results: s("*model.User", appErr), since: "5.2"},
	{name: "GetUsersInChannel", params: s(str, str, "int", "int"), results: s("[]*model.User", appErr), since: "5.6"},
	{name: "UpdateUserActive", params: s(str, "bool"), results: s(appErr), since: "5.8"},
	{name: "SetProfileImage", params: s(str, "[]byte"), results: s(appErr), since: "5.6"},
	{name: "CreateUserAccessToken", params: s("*model.UserAccessToken"), results: s("*model.UserAccessToken", appErr), since: "5.38"},
	{name: "RevokeUserAccessToken", params: s(str), results: s(appErr), since: "5.38"},
	{name: "GetSession", params: s(str), results: s("*model.Session", appErr), since: "5.2"},
	{name: "CreateSession", params: s("*model.Session"), results: s("*model.Session", appErr), since: "6.2"},
	{name: "ExtendSessionExpiry", params: s(str, "int64"), results: s(appErr), since: "6.2"},
	{name: "RevokeSession", params: s(str), results: s(appErr), since: "6.2"},

	// Teams and channels.
	{name: "GetTeam", params: s(str), results: s("*model.Team", appErr), since: "5.2"},
	{name: "GetTeamByName", params: s(str), results: s("*model.Team", appErr), since: "5.2"},
	{name: "GetTeams", results: s("[]*model.Team", appErr), since: "5.2"},
	{name: "GetTeamMember", params: s(str, str), results: s("*model.TeamMember", appErr), since: "5.2"},
	{name: "GetTeamMembers", params: s(str, "int", "int"), results: s("[]*model.TeamMember", appErr), since: "5.2"},
	{name: "CreateTeamMember", params: s(str, str), results: s("*model.TeamMember", appErr), since: "5.2"},
	{name: "GetChannel", params: s(str), results: s("*model.Channel", appErr), since: "5.2"},
	{name: "GetChannelByName", params: s(str, str, "bool"), results: s("*model.Channel", appErr), since: "5.2"},
	{name: "CreateChannel", params: s("*model.Channel"), results: s("*model.Channel", appErr), since: "5.2"},
	{name: "GetDirectChannel", params: s(str, str), results: s("*model.Channel", appErr), since: "5.2"},
	{name: "GetChannelMember", params: s(str, str), results: s("*model.ChannelMember", appErr), since: "5.2"},
	{name: "GetChannelMembers", params: s(str, "int", "int"), results: s("model.ChannelMembers", appErr), since: "5.6"},
	{name: "AddChannelMember", params: s(str, str), results: s("*model.ChannelMember", appErr), since: "5.2"},

	// Posts.
	{name: "GetPost", params: s(str), results: s("*model.Post", appErr), since: "5.2"},
	{name: "CreatePost", params: s("*model.Post"), results: s("*model.Post", appErr), since: "5.2"},
	{name: "UpdatePost", params: s("*model.Post"), results: s("*model.Post", appErr), since: "5.2"},
	{name: "DeletePost", params: s(str), results: s(appErr), since: "5.2"},
	{name: "SendEphemeralPost", params: s(str, "*model.Post"), results: s("*model.Post"), since: "5.2"},
	{name: "UpdateEphemeralPost", params: s(str, "*model.Post"), results: s("*model.Post"), since: "5.2"},
	{name: "DeleteEphemeralPost", params: s(str, str), since: "5.2"},

	// Commands and dialogs.
	{name: "RegisterCommand", params: s("*model.Command"), results: s("error"), since: "5.2"},
	{name: "UnregisterCommand", params: s(str, str), results: s("error"), since: "5.2"},
	{name: "ExecuteSlashCommand", params: s("*model.CommandArgs"), results: s("*model.CommandResponse", "error"), since: "5.26"},
	{name: "OpenInteractiveDialog", params: s("model.OpenDialogRequest"), results: s(appErr), since: "5.6"},

	// OAuth apps.
	{name: "CreateOAuthApp", params: s("*model.OAuthApp"), results: s("*model.OAuthApp", appErr), since: "5.38"},
	{name: "GetOAuthApp", params: s(str), results: s("*model.OAuthApp", appErr), since: "5.38"},
	{name: "UpdateOAuthApp", params: s("*model.OAuthApp"), results: s("*model.OAuthApp", appErr), since: "5.38"},
	{name: "DeleteOAuthApp", params: s(str), results: s(appErr), since: "5.38"},

	// Permissions.
	{name: "HasPermissionTo", params: s(str, "*model.Permission"), results: s("bool"), since: "5.3"},
	{name: "HasPermissionToTeam", params: s(str, str, "*model.Permission"), results: s("bool"), since: "5.3"},
	{name: "HasPermissionToChannel", params: s(str, str, "*model.Permission"), results: s("bool"), since: "5.3"},

	// Events.
	{name: "PublishWebSocketEvent", params: s(str, "map[string]any", "*model.WebsocketBroadcast"), since: "5.2"},
	{name: "PublishPluginClusterEvent", params: s("model.PluginClusterEvent", "model.PluginClusterEventSendOptions"), results: s("error"), since: "5.36"},

	// Logging: one wire struct for the four methods.
	{name: "LogDebug", params: s(str, "[]any"), since: "5.2", zStem: "Log"},
	{name: "LogInfo", params: s(str, "[]any"), since: "5.2", zStem: "Log"},
	{name: "LogWarn", params: s(str, "[]any"), since: "5.2", zStem: "Log"},
	{name: "LogError", params: s(str, "[]any"), since: "5.2", zStem: "Log"},

	// Inter-plugin HTTP.
	{name: "PluginHTTP", params: s("*http.Request"), results: s("*http.Response"), since: "5.18",
		wire: &wireShape{
			args:    []wireField{{"Request", requestAlt}, {"RequestBody", "[]byte"}},
			returns: []wireField{{"Response", "*http.Response"}, {"ResponseBody", "[]byte"}},
		}},
	{name: "PluginHTTPStream", since: "9.x", notInGo: true,
		wire: &wireShape{
			args:    []wireField{{"ResponseBodyStream", "uint32"}, {"Request", requestAlt}, {"RequestBodyStream", "uint32"}},
			returns: []wireField{{"StatusCode", "int"}, {"Header", "http.Header"}},
		}},

	// Hooks (server → plugin).
	{name: "OnActivate", hook: true, results: s("error"), since: "5.2", notInGo: true,
		wire: &wireShape{args: []wireField{{"APIMuxId", "uint32"}, {"DriverMuxId", "uint32"}}, returns: []wireField{{"A", "error"}}}},
	{name: "ServeHTTP", hook: true, params: s("*plugin.Context", "http.ResponseWriter", "*http.Request"), since: "5.2", notInGo: true,
		wire: &wireShape{args: []wireField{
			{"ResponseWriterStream", "uint32"}, {"Request", requestAlt}, {"Context", "*plugin.Context"}, {"RequestBodyStream", "uint32"},
		}, noReturns: true}},
	{name: "OnDeactivate", hook: true, results: s("error"), since: "5.2"},
	{name: "OnConfigurationChange", hook: true, results: s("error"), since: "5.2"},
	{name: "ExecuteCommand", hook: true, params: s("*plugin.Context", "*model.CommandArgs"), results: s("*model.CommandResponse", appErr), since: "5.2"},
	{name: "OnPluginClusterEvent", hook: true, params: s("*plugin.Context", "model.PluginClusterEvent"), since: "5.36"},
	{name: "MessageHasBeenPosted", hook: true, params: s("*plugin.Context", "*model.Post"), since: "5.2"},
	{name: "UserHasJoinedChannel", hook: true, params: s("*plugin.Context", "*model.ChannelMember", "*model.User"), since: "5.2"},
	{name: "UserHasLeftChannel", hook: true, params: s("*plugin.Context", "*model.ChannelMember", "*model.User"), since: "5.2"},
	{name: "UserHasJoinedTeam", hook: true, params: s("*plugin.Context", "*model.TeamMember", "*model.User"), since: "5.2"},
	{name: "UserHasLeftTeam", hook: true, params: s("*plugin.Context", "*model.TeamMember", "*model.User"), since: "5.2"},
	{name: "ChannelHasBeenCreated", hook: true, params: s("*plugin.Context", "*model.Channel"), since: "5.2"},
	{name: "UserHasBeenCreated", hook: true, params: s("*plugin.Context", "*model.User"), since: "5.10"},
	{name: "OnInstall", hook: true, params: s("*plugin.Context", "model.OnInstallEvent"), results: s("error"), since: "6.5"},
}

// normType spells a type the way serverMethods does: our package stands for
// the server's plugin package, any for interface{}, []byte for []uint8.
func normType(t string) string {
	t = strings.ReplaceAll(t, "interface {}", "any")
	t = strings.ReplaceAll(t, "interface{}", "any")
	t = strings.ReplaceAll(t, "[]uint8", "[]byte")
	return strings.ReplaceAll(t, "mmplugin.", "plugin.")
}

// declaredSubsets are our types that stand for a server type of another name:
// declared subsets, wire-compatible by field name (the round trip proves it).
var declaredSubsets = map[string][]string{
	"*plugin.HTTPRequestSubset":  {"*http.Request"},
	"*plugin.HTTPResponseSubset": {"*http.Response"},
}

func typeMatches(ours, server string) bool {
	for _, alt := range strings.Split(server, "|") {
		if ours == alt || slices.Contains(declaredSubsets[ours], alt) {
			return true
		}
	}
	return false
}

// zParts splits "Z_KVGetArgs" into ("KVGet", "Args").
func zParts(name string) (stem, kind string) {
	name = strings.TrimPrefix(name, "Z_")
	for _, k := range []string{"Args", "Returns"} {
		if strings.HasSuffix(name, k) {
			return strings.TrimSuffix(name, k), k
		}
	}
	return name, ""
}

func methodsByStem() map[string][]serverMethod {
	out := map[string][]serverMethod{}
	for _, m := range serverMethods {
		out[m.stem()] = append(out[m.stem()], m)
	}
	return out
}

// parsePackage parses the package's non-test Go files.
func parsePackage(t *testing.T) map[string]*ast.File {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = f
	}
	return files
}

// TestZTableComplete fails when a Z_ type is declared but not in zTable (or
// listed but gone), so every wire struct goes through the checks below.
func TestZTableComplete(t *testing.T) {
	declared := map[string]string{}
	for path, f := range parsePackage(t) {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				if ts := sp.(*ast.TypeSpec); strings.HasPrefix(ts.Name.Name, "Z_") {
					declared[ts.Name.Name] = path
				}
			}
		}
	}
	listed := map[string]bool{}
	for _, v := range zTable {
		listed[reflect.TypeOf(v).Name()] = true
	}
	for name, path := range declared {
		if !listed[name] {
			t.Errorf("%s (%s) is not in zTable", name, path)
		}
	}
	for name := range listed {
		if _, ok := declared[name]; !ok {
			t.Errorf("zTable lists %s, which the package does not declare", name)
		}
	}
	if len(declared) < 170 {
		t.Errorf("found only %d Z_ types: parsing went wrong?", len(declared))
	}
}

// TestZTableCoversServerMethods: every method of serverMethods has its wire
// structs, and every Z_ type belongs to a known method.
func TestZTableCoversServerMethods(t *testing.T) {
	listed := map[string]bool{}
	for _, v := range zTable {
		listed[reflect.TypeOf(v).Name()] = true
	}
	byStem := methodsByStem()
	for _, m := range serverMethods {
		if !listed["Z_"+m.stem()+"Args"] {
			t.Errorf("%s: no Z_%sArgs", m.name, m.stem())
		}
		if (m.wire == nil || !m.wire.noReturns) && !listed["Z_"+m.stem()+"Returns"] {
			t.Errorf("%s: no Z_%sReturns", m.name, m.stem())
		}
	}
	for name := range listed {
		stem, kind := zParts(name)
		if kind == "" || len(byStem[stem]) == 0 {
			t.Errorf("%s matches no server method", name)
		}
	}
}

// expectedShape returns the server's fields for a Z_ type; methods sharing a
// stem (the Log* methods) must agree.
func expectedShape(t *testing.T, name string) []wireField {
	t.Helper()
	stem, kind := zParts(name)
	ms := methodsByStem()[stem]
	if len(ms) == 0 {
		t.Fatalf("%s: no server method", name)
	}
	shape := func(m serverMethod) []wireField {
		if kind == "Args" {
			return m.argsShape()
		}
		return m.returnsShape()
	}
	want := shape(ms[0])
	for _, m := range ms[1:] {
		if !reflect.DeepEqual(shape(m), want) {
			t.Fatalf("%s: %s and %s share the struct but not the shape", name, ms[0].name, m.name)
		}
	}
	return want
}

// TestZFieldNamesAndTypes: field names exactly A, B, C… (or the documented
// special names) in order, types as the server declares them.
func TestZFieldNamesAndTypes(t *testing.T) {
	for _, v := range zTable {
		typ := reflect.TypeOf(v)
		t.Run(typ.Name(), func(t *testing.T) {
			want := expectedShape(t, typ.Name())
			if typ.NumField() != len(want) {
				t.Fatalf("%d fields, the server has %d (%v)", typ.NumField(), len(want), want)
			}
			for i, w := range want {
				f := typ.Field(i)
				if f.Name != w.name {
					t.Errorf("field %d is %s, the server's is %s", i, f.Name, w.name)
				}
				if got := normType(f.Type.String()); !typeMatches(got, w.typ) {
					t.Errorf("field %s has type %s, the server's is %s", f.Name, got, w.typ)
				}
			}
		})
	}
}

// serverStructs builds the server's Args/Returns struct for a shape, one per
// server version where a field's type differs between versions.
func serverStructs(t *testing.T, shape []wireField) []reflect.Type {
	t.Helper()
	variants := 1
	for _, f := range shape {
		variants = max(variants, len(strings.Split(f.typ, "|")))
	}
	var out []reflect.Type
	for v := 0; v < variants; v++ {
		fields := make([]reflect.StructField, 0, len(shape))
		for _, f := range shape {
			alts := strings.Split(f.typ, "|")
			name := alts[min(v, len(alts)-1)]
			st, ok := serverTypes[name]
			if !ok {
				t.Fatalf("no server shape for type %s", name)
			}
			fields = append(fields, reflect.StructField{Name: f.name, Type: st})
		}
		out = append(out, reflect.StructOf(fields))
	}
	return out
}

// TestZGobRoundTrip: each Z_ struct against a struct of the server's field
// names and server-shaped types: fully populated both ways, and zero values.
func TestZGobRoundTrip(t *testing.T) {
	for _, v := range zTable {
		ours := reflect.TypeOf(v)
		t.Run(ours.Name(), func(t *testing.T) {
			for _, srv := range serverStructs(t, expectedShape(t, ours.Name())) {
				t.Run(srv.String(), func(t *testing.T) {
					sv := fillValue(reflect.New(srv).Interface())
					compareCommon(t, "server→ours", reflect.ValueOf(sv), gobCross(t, sv, ours))

					ov := fillValue(reflect.New(ours).Interface())
					compareCommon(t, "ours→server", reflect.ValueOf(ov), gobCross(t, ov, srv))

					if got := gobCross(t, reflect.New(srv).Interface(), ours); !got.Elem().IsZero() {
						t.Errorf("zero server value decoded as %+v", got.Elem().Interface())
					}
					if got := gobCross(t, reflect.New(ours).Interface(), srv); !got.Elem().IsZero() {
						t.Errorf("zero value of ours decoded on the server as %+v", got.Elem().Interface())
					}
				})
			}
		})
	}
}

// interfaceMethods reads the methods of interface name in file, with their
// parameter and result types spelt as in serverMethods.
func interfaceMethods(t *testing.T, files map[string]*ast.File, file, name string) map[string][2][]string {
	t.Helper()
	f := files[file]
	if f == nil {
		t.Fatalf("%s not parsed", file)
	}
	out := map[string][2][]string{}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != name {
			return true
		}
		found = true
		for _, m := range ts.Type.(*ast.InterfaceType).Methods.List {
			ft, ok := m.Type.(*ast.FuncType)
			if !ok {
				continue
			}
			out[m.Names[0].Name] = [2][]string{goTypes(ft.Params), goTypes(ft.Results)}
		}
		return false
	})
	if !found {
		t.Fatalf("interface %s not found in %s", name, file)
	}
	return out
}

func goTypes(fl *ast.FieldList) []string {
	if fl == nil {
		return nil
	}
	var out []string
	for _, f := range fl.List {
		typ := types.ExprString(f.Type)
		if strings.HasPrefix(typ, "...") {
			typ = "[]" + typ[3:]
		}
		// Unqualified names are our package's, which plays the server's plugin package.
		if base := strings.TrimLeft(typ, "*[]"); base != "" && !strings.Contains(base, ".") && base[0] >= 'A' && base[0] <= 'Z' {
			typ = typ[:len(typ)-len(base)] + "plugin." + base
		}
		typ = normType(typ)
		for range max(1, len(f.Names)) {
			out = append(out, typ)
		}
	}
	return out
}

// TestGoSignaturesMatchServer: api.go's API and hooks.go's hookTable declare
// exactly the server's signatures (the generator derives the wire from them).
func TestGoSignaturesMatchServer(t *testing.T) {
	files := parsePackage(t)
	check := func(t *testing.T, declared map[string][2][]string, hook bool) {
		want := map[string]serverMethod{}
		for _, m := range serverMethods {
			if m.hook == hook && !m.notInGo {
				want[m.name] = m
			}
		}
		var names []string
		for n := range declared {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			m, ok := want[n]
			if !ok {
				t.Errorf("%s is not in serverMethods: add the server's signature", n)
				continue
			}
			sig := declared[n]
			if !slices.Equal(sig[0], m.params) || !slices.Equal(sig[1], m.results) {
				t.Errorf("%s%v %v, the server declares %v %v", n, sig[0], sig[1], m.params, m.results)
			}
		}
		for n := range want {
			if _, ok := declared[n]; !ok {
				t.Errorf("serverMethods has %s, which is not declared", n)
			}
		}
	}
	t.Run("API", func(t *testing.T) { check(t, interfaceMethods(t, files, "api.go", "API"), false) })
	t.Run("hookTable", func(t *testing.T) { check(t, interfaceMethods(t, files, "hooks.go", "hookTable"), true) })
}
