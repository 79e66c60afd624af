package mmplugin

// Gob streams written by another process (testdata/serverstreams: packages
// named model, plugin and opengraph with the server's shapes, registered with
// plain gob.Register as the server does). They prove what an in-process test
// cannot: that the names gob derives on the server side are the names our
// package registers, that server-shaped structs under those names decode into
// our types, and that interface values under names we never register
// (*opengraph.OpenGraph) are skipped in fields we do not declare.

import (
	"bytes"
	"database/sql"
	"encoding/gob"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func goldenDecoder(t *testing.T, name string) *gob.Decoder {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "serverstreams", name))
	if err != nil {
		t.Fatal(err)
	}
	return gob.NewDecoder(bytes.NewReader(b))
}

func decodeGolden(t *testing.T, dec *gob.Decoder, into any) {
	t.Helper()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("decode into %T: %v", into, err)
	}
}

func TestGoldenServerStreams(t *testing.T) {
	t.Run("AppError in an error field", func(t *testing.T) {
		var ret Z_GetBundlePathReturns
		decodeGolden(t, goldenDecoder(t, "getbundlepath_apperror.gob"), &ret)
		want := &model.AppError{Id: "app.plugin.bundle.app_error", Message: "app.plugin.bundle.app_error", DetailedError: "detail", StatusCode: 500, Where: "GetBundlePath"}
		if got, ok := ret.B.(*model.AppError); !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("B = %#v", ret.B)
		}
	})

	t.Run("ErrorString in an error field", func(t *testing.T) {
		var ret Z_EnsureBotUserReturns
		decodeGolden(t, goldenDecoder(t, "ensurebotuser_errorstring.gob"), &ret)
		if es, ok := ret.B.(*ErrorString); !ok || es.Code != 2 || !errors.Is(ret.B, sql.ErrNoRows) {
			t.Errorf("B = %#v", ret.B)
		}
	})

	t.Run("MessageHasBeenPosted, three calls on one connection", func(t *testing.T) {
		dec := goldenDecoder(t, "messagehasbeenposted.gob")
		var first, second, third Z_MessageHasBeenPostedArgs
		decodeGolden(t, dec, &first)
		decodeGolden(t, dec, &second)
		decodeGolden(t, dec, &third)
		if first.A.RequestId != "r1" || first.A.IPAddress != "10.0.0.1" || first.B.Id != "p1" || first.B.Props["from_bot"] != "true" ||
			first.B.RemoteId != nil || first.B.IsFollowing == nil || !*first.B.IsFollowing || first.B.ReplyCount != 2 || first.B.FileIds[0] != "f1" {
			t.Errorf("first = %+v %+v", first.A, first.B)
		}
		att, ok := second.B.Props["attachments"].([]*model.SlackAttachment)
		if !ok || len(att) != 1 || att[0].Timestamp != float64(1700000000) || att[0].Fields[0].Value != "v" || !att[0].Fields[0].Short ||
			att[0].Actions[0].Cookie != "c" || att[0].Actions[0].Integration.Context["k"] != "v" {
			t.Errorf("attachments = %#v", second.B.Props["attachments"])
		}
		if !reflect.DeepEqual(second.B.Props["nested"], []any{"x", map[string]any{"b": 1.5}}) {
			t.Errorf("nested = %#v", second.B.Props["nested"])
		}
		if !reflect.DeepEqual(third.B.Props, map[string]any{"again": []any{"y"}}) || third.A.RequestId != "r3" {
			t.Errorf("third = %#v", third.B.Props)
		}
	})

	t.Run("ExecuteCommand", func(t *testing.T) {
		var args Z_ExecuteCommandArgs
		decodeGolden(t, goldenDecoder(t, "executecommand.gob"), &args)
		if *args.A != (Context{SessionId: "s", RequestId: "r", IPAddress: "::1", AcceptLanguage: "en", UserAgent: "ua", ConnectionId: "c"}) {
			t.Errorf("context = %+v", args.A)
		}
		want := &model.CommandArgs{UserId: "u", ChannelId: "ch", TeamId: "t", TriggerId: "trig", Command: "/apps info", SiteURL: "https://mm", UserMentions: map[string]string{"bob": "bobid"}}
		if !reflect.DeepEqual(args.B, want) {
			t.Errorf("args = %+v", args.B)
		}
	})

	t.Run("GetPlugins with nested setting defaults", func(t *testing.T) {
		var ret Z_GetPluginsReturns
		decodeGolden(t, goldenDecoder(t, "getplugins.gob"), &ret)
		if ret.B != nil || len(ret.A) != 1 {
			t.Fatalf("ret = %+v", ret)
		}
		m := ret.A[0]
		if m.Id != "com.example.x" || m.Version != "1.2.3" || !reflect.DeepEqual(m.Props, map[string]any{"list": []any{"z"}}) ||
			m.SettingsSchema == nil || len(m.SettingsSchema.Settings) != 2 ||
			!reflect.DeepEqual(m.SettingsSchema.Settings[1].Default, map[string]any{"services": []any{map[string]any{"name": "a"}}}) {
			t.Errorf("manifest = %+v", m)
		}
	})

	t.Run("GetConfig", func(t *testing.T) {
		var ret Z_GetConfigReturns
		decodeGolden(t, goldenDecoder(t, "getconfig.gob"), &ret)
		c := ret.A
		if c == nil || model.String(c.ServiceSettings.SiteURL) != "https://mm.example.com" || !model.Bool(c.ServiceSettings.EnableOAuthServiceProvider) ||
			c.ServiceSettings.EnableDeveloper != nil || model.String(c.PluginSettings.Directory) != "./plugins" ||
			!c.PluginSettings.PluginStates["com.example.x"].Enable || c.FeatureFlags == nil || !c.FeatureFlags.AppsEnabled ||
			!reflect.DeepEqual(c.PluginSettings.Plugins["com.example.x"]["key"], []any{"a", map[string]any{"b": true}}) {
			t.Errorf("config = %+v", c)
		}
	})

	t.Run("ServeHTTP", func(t *testing.T) {
		var args Z_ServeHTTPArgs
		decodeGolden(t, goldenDecoder(t, "servehttp.gob"), &args)
		r := args.Request
		if args.ResponseWriterStream != 4 || args.RequestBodyStream != 6 || r.Method != "POST" || r.URL.String() != "/api/v1/x?a=1" ||
			r.Header.Get("Mattermost-User-Id") != "uid" || r.RequestURI != "/plugins/com.example.x/api/v1/x?a=1&access_token=t" ||
			args.Context.SessionId != "sess" || args.Context.IPAddress != "1.2.3.4" {
			t.Errorf("args = %+v %+v %+v", args, r, args.Context)
		}
	})

	t.Run("autocomplete argument types by name", func(t *testing.T) {
		var args Z_PublishWebSocketEventArgs
		decodeGolden(t, goldenDecoder(t, "websocketpayload_autocomplete.gob"), &args)
		want := map[string]any{
			"text":    &model.AutocompleteTextArg{Hint: "h", Pattern: "p"},
			"static":  &model.AutocompleteStaticListArg{PossibleArguments: []model.AutocompleteListItem{{Item: "i", Hint: "h", HelpText: "ht"}}},
			"dynamic": &model.AutocompleteDynamicListArg{FetchURL: "/f"},
		}
		if args.A != "ev" || !reflect.DeepEqual(args.B, want) {
			t.Errorf("payload = %#v", args.B)
		}
	})
}
