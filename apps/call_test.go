package apps_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestCallUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    apps.Call
		wantErr bool
	}{
		{in: `"/some-path"`, want: apps.Call{Path: "/some-path"}},
		{in: `""`, want: apps.Call{}},
		{in: `{"path":"/p"}`, want: apps.Call{Path: "/p"}},
		{in: `{"path":"/p","expand":{"app":"all","acting_user":"+summary"},"state":{"k":"v"}}`,
			want: apps.Call{Path: "/p", Expand: &apps.Expand{App: "all", ActingUser: "+summary"}, State: map[string]any{"k": "v"}}},
		{in: `5`, wantErr: true},
		{in: `["/p"]`, wantErr: true},
	} {
		var c apps.Call
		err := json.Unmarshal([]byte(tc.in), &c)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: error %v, wantErr %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && !reflect.DeepEqual(c, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.in, c, tc.want)
		}
	}

	// As a field: a manifest callback, a binding submit, a form source.
	var b apps.Binding
	if err := json.Unmarshal([]byte(`{"location":"send","submit":"/send","form":"/form-source"}`), &b); err != nil {
		t.Fatal(err)
	}
	if b.Submit == nil || b.Submit.Path != "/send" || b.Form == nil || b.Form.Source == nil || b.Form.Source.Path != "/form-source" {
		t.Errorf("binding: %+v", b)
	}
}

func TestCallHelpers(t *testing.T) {
	var nilCall *apps.Call
	if got := nilCall.WithDefault(apps.DefaultBindingsCall()); got.Path != "/bindings" {
		t.Errorf("nil WithDefault: %+v", got)
	}
	c := &apps.Call{State: map[string]any{"a": 1}, Expand: &apps.Expand{App: "all"}}
	d := c.WithDefault(apps.DefaultOnOAuth2CompleteCall())
	if d.Path != "/oauth2/complete" || d.Expand.App != "all" {
		t.Errorf("WithDefault: %+v", d)
	}
	cl := c.Clone()
	cl.Expand.App = "id"
	cl.State.(map[string]any)["a"] = 2
	if c.Expand.App != "all" || c.State.(map[string]any)["a"] != 1 {
		t.Error("Clone shares data")
	}
	if s := nilCall.WithState("x"); s.State != "x" {
		t.Error("WithState")
	}
	for path, want := range map[string]string{"/ok": "", "/a/b": "", "nope": "must start with '/'", "/a/../b": "'..'", "": "must start"} {
		checkErr(t, apps.Call{Path: path}.Validate(), want)
	}
	checkErr(t, apps.Call{Path: "/x", Expand: &apps.Expand{Channel: "none"}}.Validate(), `expand.channel: "none" is not a known expand level`)
	if got := (apps.Call{Path: "/p", Expand: &apps.Expand{App: "all", Locale: "+all"}}).String(); got != "/p, expand: app:all,locale:+all" {
		t.Errorf("String() = %q", got)
	}
}

func TestCallRequestDecode(t *testing.T) {
	r, err := apps.DecodeCallRequest([]byte(`{
		"path": "/submit",
		"expand": {"acting_user": "summary"},
		"state": "s",
		"values": {"name": "n", "opt": {"label": "L", "value": "V"}, "b1": true, "b2": "true", "b3": {"label":"x","value":"false"}},
		"context": {"app_id": "app", "channel_id": "c", "acting_user": {"id": "u", "username": "user", "roles": "system_user system_admin"}},
		"raw_command": "/app submit",
		"selected_field": "f",
		"query": "q"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != "/submit" || r.Expand.ActingUser != apps.ExpandSummary || r.State != "s" ||
		r.Context.AppID != "app" || r.Context.ChannelID != "c" || r.RawCommand != "/app submit" ||
		r.SelectedField != "f" || r.Query != "q" || !r.Context.ActingUser.IsSystemAdmin() {
		t.Errorf("decoded %+v", r)
	}
	for name, want := range map[string]string{"name": "n", "opt": "V", "missing": "def", "b1": "def"} {
		if got := r.GetValue(name, "def"); got != want {
			t.Errorf("GetValue(%q) = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]bool{"b1": true, "b2": true, "b3": false, "name": false, "missing": false} {
		if got := r.BoolValue(name); got != want {
			t.Errorf("BoolValue(%q) = %v", name, got)
		}
	}
	if _, err := apps.DecodeCallRequest([]byte(`"/path"`)); err == nil {
		t.Error("a bare string is not a CallRequest")
	}
	if _, err := apps.ReadCallRequest(bytes.NewReader([]byte(`{"path":"/x"}`))); err != nil {
		t.Error(err)
	}
}

func TestCallResponseDecode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want apps.CallResponse
	}{
		{`{"type":"ok","text":"hi","refresh_bindings":true}`, apps.CallResponse{Type: "ok", Text: "hi", RefreshBindings: true}},
		// v0.x fields.
		{`{"type":"ok","markdown":"**hi**"}`, apps.CallResponse{Type: "ok", Text: "**hi**"}},
		{`{"type":"error","error":"boom","data":{"errors":{"f":"bad"}}}`,
			apps.CallResponse{Type: "error", Text: "boom", Data: map[string]any{"errors": map[string]any{"f": "bad"}}}},
		{`{"type":"form","form":{"title":"T","submit":"/s","fields":[{"name":"a","type":"text","subtype":"textarea"}]}}`,
			apps.CallResponse{Type: "form", Form: &apps.Form{Title: "T", Submit: &apps.Call{Path: "/s"},
				Fields: []apps.Field{{Name: "a", Type: apps.FieldTypeText, Subtype: apps.TextFieldSubtypeTextarea}}}}},
		{`{"type":"navigate","navigate_to_url":"https://x","use_external_browser":true}`, apps.NewNavigateResponse("https://x", true)},
		{`{"type":"call","call":"/next"}`, apps.CallResponse{Type: "call", Call: &apps.Call{Path: "/next"}}},
	} {
		var got apps.CallResponse
		if err := json.Unmarshal([]byte(tc.in), &got); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
		out, _ := json.Marshal(got)
		if bytes.Contains(out, []byte(`"markdown"`)) || bytes.Contains(out, []byte(`"error"`)) && !bytes.Contains(out, []byte(`"type":"error"`)) {
			t.Errorf("encoded v0.x field: %s", out)
		}
	}
	checkErr(t, apps.CallResponseType("modal").Validate(), `"modal"`)

	var p apps.ProxyCallResponse
	if err := json.Unmarshal([]byte(`{"type":"ok","text":"t","app_metadata":{"bot_user_id":"b","bot_username":"bot"}}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Text != "t" || p.AppMetadata == nil || p.AppMetadata.BotUsername != "bot" {
		t.Errorf("proxy response: %+v", p)
	}
	if got, _ := json.Marshal(apps.NewLookupResponse(nil)); string(got) != `{"type":"ok","data":{"items":[]}}` {
		t.Errorf("lookup: %s", got)
	}
}

func goldenContext() apps.Context {
	return apps.Context{
		Subject:      apps.SubjectUserJoinedChannel,
		ActingUserID: "actinguserid00000000000000",
		UserAgentContext: apps.UserAgentContext{
			ChannelID:     "channelid00000000000000000",
			TeamID:        "teamid00000000000000000000",
			AppID:         "hello",
			Location:      "/command/hello/send",
			UserAgent:     "webapp",
			TrackAsSubmit: true,
		},
		ExpandedContext: apps.ExpandedContext{
			MattermostSiteURL: "https://mm.example.com",
			AppPath:           "/plugins/com.mattermost.apps/apps/hello",
			BotUserID:         "botuserid00000000000000000",
			BotAccessToken:    "bottoken",
			App: &apps.App{
				Manifest:    apps.Manifest{AppID: "hello", Version: "v1.0.0"},
				BotUserID:   "botuserid00000000000000000",
				BotUsername: "hello",
			},
			ActingUser: &apps.User{ID: "actinguserid00000000000000", Username: "alice", Email: "alice@example.com",
				FirstName: "Alice", Roles: "system_user", Locale: "en", Timezone: map[string]string{"useAutomaticTimezone": "true"}},
			ActingUserAccessToken: "usertoken",
			Locale:                "en",
			Channel:               &apps.Channel{ID: "channelid00000000000000000", TeamID: "teamid00000000000000000000", Type: "O", DisplayName: "Town Square", Name: "town-square"},
			ChannelMember:         &apps.ChannelMember{ChannelID: "channelid00000000000000000", UserID: "actinguserid00000000000000", Roles: "channel_user", SchemeUser: true},
			Team:                  &apps.Team{ID: "teamid00000000000000000000", DisplayName: "Team", Name: "team", Type: "O"},
			TeamMember:            &apps.TeamMember{TeamID: "teamid00000000000000000000", UserID: "actinguserid00000000000000", Roles: "team_user", SchemeUser: true},
			Post:                  &apps.Post{ID: "postid00000000000000000000", UserID: "actinguserid00000000000000", ChannelID: "channelid00000000000000000", Message: "hello"},
			OAuth2: apps.OAuth2Context{
				OAuth2App:   apps.OAuth2App{RemoteRootURL: "https://remote.example.com", ClientID: "cid", ClientSecret: "csecret"},
				ConnectURL:  "https://mm.example.com/plugins/com.mattermost.apps/apps/hello/oauth2/remote/connect",
				CompleteURL: "https://mm.example.com/plugins/com.mattermost.apps/apps/hello/oauth2/remote/complete",
				User:        map[string]any{"token": "t"},
			},
		},
	}
}

func goldenObjects() map[string]any {
	return map[string]any{
		"context.json": goldenContext(),
		"call_request.json": apps.CallRequest{
			Call: apps.Call{
				Path:   "/send/submit",
				Expand: &apps.Expand{ActingUser: apps.ExpandSummary.Required(), Locale: apps.ExpandAll, OAuth2App: apps.ExpandAll},
				State:  map[string]any{"n": 1.0},
			},
			Values:     map[string]any{"message": "hi", "user": map[string]any{"label": "Alice", "value": "alice"}},
			Context:    goldenContext(),
			RawCommand: "/hello send --message hi",
		},
		"call_response.json": apps.CallResponse{
			Type:            apps.CallResponseTypeForm,
			RefreshBindings: true,
			Form: &apps.Form{
				Title:  "Send",
				Icon:   "icon.png",
				Submit: &apps.Call{Path: "/send"},
				Fields: []apps.Field{
					{Name: "message", Type: apps.FieldTypeText, Subtype: apps.TextFieldSubtypeTextarea, IsRequired: true, Label: "message", MaxLength: 100},
					{Name: "user", Type: apps.FieldTypeDynamicSelect, Lookup: &apps.Call{Path: "/lookup"}, SelectIsMulti: true, Position: 1},
					{Name: "color", Type: apps.FieldTypeStaticSelect, Options: []apps.SelectOption{{Label: "Red", Value: "red"}}, SelectRefresh: true},
				},
			},
		},
	}
}

// TestGoldenJSON pins the JSON of CallRequest, CallResponse and Context (run
// with -update to rewrite testdata/golden/*.json).
func TestGoldenJSON(t *testing.T) {
	for name, obj := range goldenObjects() {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(obj, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			file := filepath.Join("testdata", "golden", name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := readFile(t, file)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s differs from the golden file:\n%s", name, got)
			}
			// Decoding the golden JSON gives the same value back.
			back := reflect.New(reflect.TypeOf(obj))
			if err := json.Unmarshal(want, back.Interface()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Elem().Interface(), obj) {
				t.Errorf("decoding %s does not give the original value:\n%+v\n%+v", name, back.Elem().Interface(), obj)
			}
		})
	}
}
