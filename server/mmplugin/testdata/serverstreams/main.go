// Command serverstreams writes gob streams the way a Mattermost server would:
// server-shaped types in packages named model, plugin and opengraph, registered
// with plain gob.Register. The mmplugin tests decode them with our types.
package main

import (
	"bytes"
	"encoding/gob"
	"errors"
	"log"
	"net/http"
	"net/url"
	"os"

	"serverstreams/model"
	"serverstreams/opengraph"
	"serverstreams/plugin"
)

func str(s string) *string { return &s }
func boolp(b bool) *bool   { return &b }

func post(id string, props model.StringInterface, withEmbed bool) *model.Post {
	p := &model.Post{
		Id: id, CreateAt: 1700000000000, UserId: "user1", ChannelId: "chan1", Message: "hello " + id, Type: "",
		Props: props, FileIds: model.StringArray{"f1"}, RemoteId: str(""), IsFollowing: boolp(true), ReplyCount: 2,
	}
	if withEmbed {
		// An OpenGraph embed (no nested interfaces): skipped by a plugin that
		// does not declare Metadata.
		p.Metadata = &model.PostMetadata{
			Embeds: []*model.PostEmbed{{Type: "opengraph", URL: "https://example.com", Data: &opengraph.OpenGraph{
				Type: "website", URL: "https://example.com", Title: "Example", Images: []*opengraph.Image{{URL: "https://example.com/i.png", Width: 10}},
			}}},
			Images: map[string]*model.PostImage{"https://example.com/i.png": {Width: 10, Height: 20, Format: "png"}},
		}
	}
	p.Lock()
	return p
}

func attachments() []*model.SlackAttachment {
	return []*model.SlackAttachment{{
		Id: 1, Fallback: "fb", Color: "#00ff00", Title: "T", Text: "text", Timestamp: float64(1700000000),
		Fields: []*model.SlackAttachmentField{{Title: "f", Value: "v", Short: true}},
		Actions: []*model.PostAction{{Id: "a1", Type: "button", Name: "Go", Cookie: "c",
			Integration: &model.PostActionIntegration{URL: "/plugins/x/y", Context: model.StringInterface{"k": "v"}}}},
	}}
}

func main() {
	streams := map[string][]any{
		"getbundlepath_apperror.gob": {&plugin.Z_GetBundlePathReturns{
			B: model.NewAppError("GetBundlePath", "app.plugin.bundle.app_error", map[string]interface{}{"Id": "x"}, "detail", 500, errors.New("cause")),
		}},
		"ensurebotuser_errorstring.gob": {&plugin.Z_EnsureBotUserReturns{B: &plugin.ErrorString{Code: 2, Err: "sql: no rows in result set"}}},
		// One hooks connection, three messages on one encoder: types defined
		// in the first are reused by the later ones.
		"messagehasbeenposted.gob": {
			&plugin.Z_MessageHasBeenPostedArgs{A: &plugin.Context{RequestId: "r1", IPAddress: "10.0.0.1"}, B: post("p1", model.StringInterface{"from_bot": "true"}, true)},
			&plugin.Z_MessageHasBeenPostedArgs{A: &plugin.Context{RequestId: "r2"}, B: post("p2", model.StringInterface{
				"attachments": attachments(), "nested": []interface{}{"x", map[string]interface{}{"b": 1.5}},
			}, true)},
			&plugin.Z_MessageHasBeenPostedArgs{A: &plugin.Context{RequestId: "r3"}, B: post("p3", model.StringInterface{"again": []interface{}{"y"}}, false)},
		},
		"executecommand.gob": {&plugin.Z_ExecuteCommandArgs{
			A: &plugin.Context{SessionId: "s", RequestId: "r", IPAddress: "::1", AcceptLanguage: "en", UserAgent: "ua", ConnectionId: "c"},
			B: &model.CommandArgs{UserId: "u", ChannelId: "ch", TeamId: "t", TriggerId: "trig", Command: "/apps info", SiteURL: "https://mm",
				T:            func(id string, _ ...interface{}) string { return id },
				UserMentions: model.UserMentionMap{"bob": "bobid"}},
		}},
		"getplugins.gob": {&plugin.Z_GetPluginsReturns{A: []*model.Manifest{{
			Id: "com.example.x", Name: "X", Version: "1.2.3", Server: &model.ManifestServer{Executables: map[string]string{"linux-amd64": "server/x"}},
			SettingsSchema: &model.PluginSettingsSchema{Settings: []*model.PluginSetting{
				{Key: "Plain", Type: "text", Default: "d"},
				{Key: "Custom", Type: "custom", Default: map[string]interface{}{"services": []interface{}{map[string]interface{}{"name": "a"}}}},
			}},
			Props: map[string]interface{}{"list": []interface{}{"z"}},
		}}}},
		"getconfig.gob": {&plugin.Z_GetConfigReturns{A: &model.Config{
			ServiceSettings: model.ServiceSettings{SiteURL: str("https://mm.example.com"), EnableOAuthServiceProvider: boolp(true), EnableDeveloper: boolp(false)},
			PluginSettings: model.PluginSettings{Enable: boolp(true), Directory: str("./plugins"),
				Plugins:      map[string]map[string]interface{}{"com.example.x": {"key": []interface{}{"a", map[string]interface{}{"b": true}}}},
				PluginStates: map[string]*model.PluginState{"com.example.x": {Enable: true}}},
			FeatureFlags: &model.FeatureFlags{AppsEnabled: true, TestFeature: "off"},
		}}},
		"servehttp.gob": {&plugin.Z_ServeHTTPArgs{
			ResponseWriterStream: 4, RequestBodyStream: 6,
			Request: &plugin.HTTPRequestSubset{Method: "POST", URL: &url.URL{Path: "/api/v1/x", RawQuery: "a=1"}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Mattermost-User-Id": {"uid"}}, Host: "mm.example.com", RemoteAddr: "1.2.3.4:5", RequestURI: "/plugins/com.example.x/api/v1/x?a=1&access_token=t"},
			Context: &plugin.Context{RequestId: "r", IPAddress: "1.2.3.4", SessionId: "sess"},
		}},
		"websocketpayload_autocomplete.gob": {&plugin.Z_PublishWebSocketEventArgs{A: "ev", B: map[string]interface{}{
			"text":    &model.AutocompleteTextArg{Hint: "h", Pattern: "p"},
			"static":  &model.AutocompleteStaticListArg{PossibleArguments: []model.AutocompleteListItem{{Item: "i", Hint: "h", HelpText: "ht"}}},
			"dynamic": &model.AutocompleteDynamicListArg{FetchURL: "/f"},
		}}},
	}
	for name, values := range streams {
		var buf bytes.Buffer
		enc := gob.NewEncoder(&buf)
		for _, v := range values {
			if err := enc.Encode(v); err != nil {
				log.Fatalf("%s: %v", name, err)
			}
		}
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
