package apps_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

func TestAppJSON(t *testing.T) {
	app := apps.App{
		Manifest:           validHTTPManifest(),
		DeployType:         apps.DeployHTTP,
		Disabled:           true,
		Secret:             "s",
		WebhookSecret:      "ws",
		BotUserID:          "bot",
		BotUsername:        "abc",
		MattermostOAuth2:   &apps.OAuthApp{ID: "oauth", ClientSecret: "cs", CallbackUrls: []string{"https://x/complete"}, IsTrusted: true, MattermostAppID: "abc"},
		RemoteOAuth2:       apps.OAuth2App{ClientID: "rc", Data: map[string]any{"k": "v"}},
		GrantedPermissions: apps.Permissions{apps.PermissionActAsBot},
		GrantedLocations:   apps.Locations{apps.LocationCommand},
	}
	app.SchemaVersion = "v1.2.2"
	data, err := json.Marshal(app)
	if err != nil {
		t.Fatal(err)
	}
	// Flat: manifest fields and app fields side by side.
	for _, key := range []string{`"SchemaVersion":"v1.2.2"`, `"app_id":"abc"`, `"http":{"root_url":"https://example.org/root"}`,
		`"deploy_type":"http"`, `"disabled":true`, `"secret":"s"`, `"webhook_secret":"ws"`, `"bot_user_id":"bot"`,
		`"bot_username":"abc"`, `"mattermost_oauth2":{"id":"oauth","creator_id":""`, `"is_trusted":true`,
		`"mattermost_app_id":"abc"`, `"remote_oauth2":{"client_id":"rc","data":{"k":"v"}}`,
		`"granted_permissions":["act_as_bot"]`, `"granted_locations":["/command"]`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("App JSON lacks %s: %s", key, data)
		}
	}
	var back apps.App
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, app) {
		t.Errorf("round trip:\n%+v\n%+v", back, app)
	}
	checkErr(t, back.Validate(), "")

	back.DeployType = apps.DeployAWSLambda
	checkErr(t, back.Validate(), `deploy_type "aws_lambda" is not supported`)
	back.DeployType = "kubeless"
	checkErr(t, back.Validate(), `unknown deploy type "kubeless"`)
}

func TestAppV0Record(t *testing.T) {
	var a apps.App
	err := json.Unmarshal([]byte(`{"app_id":"hello","app_type":"http","root_url":"http://h","homepage_url":"https://h",
		"display_name":"Hello","bot_user_id":"b","granted_permissions":["act_as_bot"]}`), &a)
	if err != nil {
		t.Fatal(err)
	}
	if a.DeployType != apps.DeployHTTP || a.HTTP == nil || !a.HTTP.UseJWT || a.BotUserID != "b" {
		t.Errorf("v0 app: %+v", a)
	}
	checkErr(t, a.Validate(), "")
}

func TestListedAppJSON(t *testing.T) {
	l := apps.ListedApp{Manifest: validHTTPManifest(), Installed: true, IconURL: "https://x/icon.png",
		Labels: []apps.MarketplaceLabel{{Name: "Disabled", Description: "d"}}}
	data, _ := json.Marshal(l)
	var back apps.ListedApp
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, l) {
		t.Errorf("round trip %s", data)
	}
	for _, key := range []string{`"manifest":{`, `"installed":true`, `"enabled":false`, `"icon_url"`, `"labels":[{"name":"Disabled","description":"d","url":"","color":""}]`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("ListedApp JSON lacks %s: %s", key, data)
		}
	}
}

func TestPermissionStrings(t *testing.T) {
	for _, p := range apps.KnownPermissions() {
		if strings.HasPrefix(p.String(), "unknown") {
			t.Errorf("%s has no description", p)
		}
	}
	if s := apps.Permission("x").String(); s != "unknown permission: x" {
		t.Error(s)
	}
}
