// Package original writes data into the in-memory Mattermost exactly as the
// original Apps plugin (mattermost-plugin-apps v1.2.2, and the older forms
// it left behind) stored it, for the tests of the migration that takes
// that data over. It implements the original's layout on its own (nothing
// from server/), so the tests check the migration against the format, not
// against the migration's own idea of it.
//
// v1.2.2 layout: plugin config installed_apps / local_manifests = {app id:
// sha1 hex of the record's JSON}; KV "app.<sha1>" / "man.<sha1>" = the App
// / Manifest JSON; KV ".k" + app id padded to 32 + user id (26) + prefix
// padded to 2 + ascii85(SHAKE128(key)[:16]) = an app's value; ".u" + the
// same with key "oauth2_user" = remote OAuth2 user data; "sub.<subject>[.<id>]"
// = {"Event", "Subscriptions": [{"Call", "app_id", "user_id"}]};
// ".t_<app id>_<user id>" = a cached session.
package original

import (
	"crypto/sha1" //nolint:gosec // the original named records by SHA-1
	"crypto/sha3"
	"encoding/ascii85"
	"encoding/hex"
	"fmt"
	"maps"
	"strings"

	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

// Writer writes the original's records for one plugin id.
type Writer struct {
	MM       *fakemm.Server
	PluginID string
}

// SHA1 is the original's record name: the hex SHA-1 of the JSON.
func SHA1(data string) string {
	sum := sha1.Sum([]byte(data)) //nolint:gosec
	return hex.EncodeToString(sum[:])
}

// InstallApp stores an App record (its JSON as the original wrote it) and
// lists it in the plugin config, as the original's app store did. It
// returns the record's KV key.
func (w Writer) InstallApp(appID, appJSON string) string {
	sha := SHA1(appJSON)
	w.MM.SetKV(w.PluginID, "app."+sha, []byte(appJSON))
	w.setConfigEntry("installed_apps", appID, sha)
	return "app." + sha
}

// ListManifest stores a local manifest (its JSON) and lists it in the
// plugin config. It returns the record's KV key.
func (w Writer) ListManifest(appID, manifestJSON string) string {
	sha := SHA1(manifestJSON)
	w.MM.SetKV(w.PluginID, "man."+sha, []byte(manifestJSON))
	w.setConfigEntry("local_manifests", appID, sha)
	return "man." + sha
}

func (w Writer) setConfigEntry(mapKey, appID, sha string) {
	m := map[string]any{}
	if cur, ok := w.MM.PluginConfigMap(w.PluginID)[mapKey].(map[string]any); ok {
		m = maps.Clone(cur)
	}
	m[appID] = sha
	w.MM.SetPluginSetting(w.PluginID, mapKey, m)
}

// Hashkey is the original v1.x KV key.
func Hashkey(namespace, appID, userID, prefix, key string) string {
	digest := sha3.SumSHAKE128([]byte(key), 16)
	enc := make([]byte, ascii85.MaxEncodedLen(len(digest)))
	ascii85.Encode(enc, digest)
	return namespace + fmt.Sprintf("%-32s", appID) + userID + fmt.Sprintf("%-2s", prefix) + string(enc)
}

// BotHashkey is the v0.5 to v0.7 KV key of a value an app's bot stored.
func BotHashkey(botUserID, prefix, key string) string {
	digest := sha3.SumSHAKE128([]byte(key), 16)
	enc := make([]byte, ascii85.MaxEncodedLen(len(digest)))
	ascii85.Encode(enc, digest)
	return ".k" + botUserID + fmt.Sprintf("%-2s", prefix) + string(enc)
}

// SetValue stores an app's KV value for a user (the app's bot or a user it
// acts for) and returns its key.
func (w Writer) SetValue(appID, userID, prefix, key, value string) string {
	k := Hashkey(".k", appID, userID, prefix, key)
	w.MM.SetKV(w.PluginID, k, []byte(value))
	return k
}

// SetOAuth2User stores an app's remote OAuth2 data for a user.
func (w Writer) SetOAuth2User(appID, userID, value string) string {
	k := Hashkey(".u", appID, userID, "", "oauth2_user")
	w.MM.SetKV(w.PluginID, k, []byte(value))
	return k
}

// Subscribe stores one subscription record under key (v1.2.2:
// "sub.<subject>" or "sub.<subject>.<channel or team id>").
func (w Writer) Subscribe(key, subject, channelID, teamID, appID, ownerUserID, callPath string) {
	ids := ""
	if channelID != "" {
		ids += fmt.Sprintf(`,"channel_id":%q`, channelID)
	}
	if teamID != "" {
		ids += fmt.Sprintf(`,"team_id":%q`, teamID)
	}
	rec := fmt.Sprintf(`{"Event":{"subject":%q%s},"Subscriptions":[{"Call":{"path":%q,"expand":{"user":"summary"}},"app_id":%q,"user_id":%q}]}`,
		subject, ids, callPath, appID, ownerUserID)
	w.MM.SetKV(w.PluginID, key, []byte(rec))
}

// CacheSession stores a cached app session as the original did.
func (w Writer) CacheSession(appID, userID, sessionJSON string) string {
	k := ".t_" + appID + "_" + userID
	w.MM.SetKV(w.PluginID, k, []byte(sessionJSON))
	return k
}

// HTTPApp is a v1.2.2 App record of an HTTP app, in the field order the
// original's JSON had.
func HTTPApp(appID, rootURL, secret, botUserID, botUsername, oauthAppID string, disabled bool) string {
	return fmt.Sprintf(`{"app_id":%q,"version":"1.2.0","homepage_url":"https://example.com/%s","display_name":"Legacy %s",`+
		`"description":"An app installed by the original plugin","icon":"icon.png","on_install":{"path":"/install"},`+
		`"requested_permissions":["act_as_bot","act_as_user","remote_oauth2","remote_webhooks"],"requested_locations":["/command","/channel_header"],`+
		`"http":{"root_url":%q,"use_jwt":true},"schema_version":"v1.2.2","deploy_type":"http","disabled":%t,"secret":%q,`+
		`"webhook_secret":"wh-%s","bot_user_id":%q,"bot_username":%q,`+
		`"mattermost_oauth2":{"id":%q,"create_at":1680000000000,"update_at":1680000000000,"client_secret":"oauth-secret","name":"Legacy %s","description":"","icon_url":"","callback_urls":["http://localhost/plugins/com.mattermost.apps/apps/%s/oauth2/mattermost/complete"],"homepage":"https://example.com","is_trusted":true,"mattermost_app_id":%q},`+
		`"remote_oauth2":{},"granted_permissions":["act_as_bot","act_as_user","remote_oauth2","remote_webhooks"],"granted_locations":["/command","/channel_header"]}`,
		appID, appID, appID, rootURL, disabled, secret, appID, botUserID, botUsername, oauthAppID, appID, appID, appID)
}

// LambdaManifest is a v1.2.2 manifest of an AWS Lambda app with one function.
func LambdaManifest(appID, version, functionName string) string {
	return fmt.Sprintf(`{"app_id":%q,"version":%q,"homepage_url":"https://example.com/%s","display_name":"Legacy %s",`+
		`"requested_permissions":["act_as_bot"],"requested_locations":["/command"],`+
		`"aws_lambda":{"functions":[{"path":"/","name":%q,"handler":"bootstrap","runtime":"provided.al2023"}]}}`,
		appID, version, appID, appID, functionName)
}

// LambdaApp is a v1.2.2 App record of an AWS Lambda app: its manifest's
// fields followed by the installation's.
func LambdaApp(manifestJSON, botUserID, botUsername string, disabled bool) string {
	m := strings.TrimSpace(manifestJSON)
	m = m[:strings.LastIndex(m, "}")]
	return m + fmt.Sprintf(`,"schema_version":"v1.2.2","deploy_type":"aws_lambda","disabled":%t,"bot_user_id":%q,"bot_username":%q,`+
		`"remote_oauth2":{},"granted_permissions":["act_as_bot"],"granted_locations":["/command"]}`, disabled, botUserID, botUsername)
}

// Manifest is a v1.2.2 manifest of an HTTP app (a local listing).
func Manifest(appID, rootURL string) string {
	return fmt.Sprintf(`{"app_id":%q,"version":"1.2.0","homepage_url":"https://example.com/%s","display_name":"Legacy %s",`+
		`"icon":"icon.png","requested_permissions":["act_as_bot","act_as_user","remote_oauth2","remote_webhooks"],"requested_locations":["/command","/channel_header"],`+
		`"http":{"root_url":%q,"use_jwt":true}}`, appID, appID, appID, rootURL)
}
