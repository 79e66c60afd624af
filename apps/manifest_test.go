package apps_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

func TestAppIDValidate(t *testing.T) {
	// Upstream vectors (apps/manifest_test.go@v1.2.2) plus a few more.
	for id, valid := range map[string]bool{
		"":                                  false,
		"a":                                 false,
		"ab":                                false,
		"abc":                               true,
		"abcdefghijklmnopqrstuvwxyzabcdef":  true,
		"abcdefghijklmnopqrstuvwxyzabcdefg": false,
		"../path":                           false,
		"/etc/passwd":                       false,
		"com.mattermost.app-0.9":            true,
		"CAPS-ARE-FINE":                     true,
		"....DOTS.ALSO.......":              true,
		"----SLASHES-ALSO----":              true,
		"___AND_UNDERSCORES____":            true,
		"ünïcödé":                           true,
		"with space":                        false,
		"bad\xffutf8":                       false,
	} {
		err := apps.AppID(id).Validate()
		if valid != (err == nil) {
			t.Errorf("AppID(%q).Validate() = %v, want valid=%v", id, err, valid)
		}
		if err != nil && (!errors.Is(err, apps.ErrInvalid) || !strings.Contains(err.Error(), "app_id")) {
			t.Errorf("AppID(%q): bad error %v", id, err)
		}
	}
}

func TestAppVersionValidate(t *testing.T) {
	for v, valid := range map[string]bool{
		"":            true,
		"v1.0.0":      true,
		"1.0.0":       true,
		"v1.0.0-rc1":  true,
		"1.0.0-rc1":   true,
		"CAPS-OK":     true,
		".DOTS.":      true,
		"-SLASHES-":   true,
		"_OK_":        true,
		"v00_00_000":  true,
		"v00_00_0000": false,
		"/":           false,
		"1.0+build":   false,
	} {
		err := apps.AppVersion(v).Validate()
		if valid != (err == nil) {
			t.Errorf("AppVersion(%q).Validate() = %v, want valid=%v", v, err, valid)
		}
	}
}

func validHTTPManifest() apps.Manifest {
	return apps.Manifest{
		AppID:       "abc",
		Version:     "1.0.0",
		DisplayName: "ABC",
		HomepageURL: "https://example.org",
		HTTP:        &apps.HTTP{RootURL: "https://example.org/root"},
	}
}

func lambdaFn(path, name, handler, runtime string) apps.AWSLambdaFunction {
	return apps.AWSLambdaFunction{Path: path, Name: name, Handler: handler, Runtime: runtime}
}

func TestManifestValidate(t *testing.T) {
	for name, tc := range map[string]struct {
		mod     func(m *apps.Manifest)
		wantErr string
	}{
		"minimal valid HTTP app":  {func(m *apps.Manifest) {}, ""},
		"empty manifest":          {func(m *apps.Manifest) { *m = apps.Manifest{} }, "app_id"},
		"no deploy section":       {func(m *apps.Manifest) { m.HTTP = nil }, "no deploy section"},
		"display_name empty":      {func(m *apps.Manifest) { m.DisplayName = " " }, "display_name"},
		"homepage_url empty":      {func(m *apps.Manifest) { m.HomepageURL = "" }, "homepage_url must not be empty"},
		"homepage_url invalid":    {func(m *apps.Manifest) { m.HomepageURL = ":invalid" }, `":invalid"`},
		"homepage_url ftp":        {func(m *apps.Manifest) { m.HomepageURL = "ftp://example.org" }, "scheme must be http or https"},
		"homepage_url no host":    {func(m *apps.Manifest) { m.HomepageURL = "https:///path" }, "no host"},
		"homepage_url relative":   {func(m *apps.Manifest) { m.HomepageURL = "example.org" }, `"example.org"`},
		"icon ok":                 {func(m *apps.Manifest) { m.Icon = "img/icon.png" }, ""},
		"icon traversal":          {func(m *apps.Manifest) { m.Icon = "../.." }, "icon"},
		"icon escaped traversal":  {func(m *apps.Manifest) { m.Icon = "%252e%252e/x" }, "'..'"},
		"icon absolute":           {func(m *apps.Manifest) { m.Icon = "/etc/passwd" }, "relative"},
		"HTTP root_url empty":     {func(m *apps.Manifest) { m.HTTP.RootURL = "" }, "root_url must be set"},
		"HTTP root_url invalid":   {func(m *apps.Manifest) { m.HTTP.RootURL = ":invalid" }, "root_url"},
		"bad app_id":              {func(m *apps.Manifest) { m.AppID = "a/b" }, `"a/b"`},
		"bad version":             {func(m *apps.Manifest) { m.Version = "v00_00_0000" }, `"v00_00_0000"`},
		"unknown permission":      {func(m *apps.Manifest) { m.RequestedPermissions = apps.Permissions{"act_as_admin"} }, `unknown permission "act_as_admin"`},
		"remote_webhooks no bot":  {func(m *apps.Manifest) { m.RequestedPermissions = apps.Permissions{"remote_webhooks"} }, `"remote_webhooks" requires "act_as_bot"`},
		"remote_oauth2 no user":   {func(m *apps.Manifest) { m.RequestedPermissions = apps.Permissions{"remote_oauth2", "act_as_bot"} }, `"remote_oauth2" requires "act_as_user"`},
		"user_joined no bot":      {func(m *apps.Manifest) { m.RequestedPermissions = apps.Permissions{"user_joined_channel_notification"} }, `requires "act_as_bot"`},
		"permission dependencies": {func(m *apps.Manifest) { m.RequestedPermissions = apps.KnownPermissions() }, ""},
		"locations ok": {func(m *apps.Manifest) {
			m.RequestedLocations = apps.Locations{"/post_menu", "/channel_header", "/command/abc", "/in_post"}
		}, ""},
		"unknown location":     {func(m *apps.Manifest) { m.RequestedLocations = apps.Locations{"/commandX"} }, `unknown location "/commandX"`},
		"relative location":    {func(m *apps.Manifest) { m.RequestedLocations = apps.Locations{"command"} }, `"command"`},
		"webhook auth unknown": {func(m *apps.Manifest) { m.RemoteWebhookAuthType = "basic" }, `"basic"`},
		"webhook auth none":    {func(m *apps.Manifest) { m.RemoteWebhookAuthType = "none" }, ""},
		"no lambda functions":  {func(m *apps.Manifest) { m.AWSLambda = &apps.AWSLambda{} }, "at least one function"},
		"lambda missing path": {func(m *apps.Manifest) {
			m.AWSLambda = &apps.AWSLambda{Functions: []apps.AWSLambdaFunction{lambdaFn("", "go-function", "h", "go1.x")}}
		}, "path must not be empty"},
		"lambda missing name": {func(m *apps.Manifest) {
			m.AWSLambda = &apps.AWSLambda{Functions: []apps.AWSLambdaFunction{lambdaFn("/", "", "h", "go1.x")}}
		}, "name must not be empty"},
		"lambda missing handler": {func(m *apps.Manifest) {
			m.AWSLambda = &apps.AWSLambda{Functions: []apps.AWSLambdaFunction{lambdaFn("/", "f", "", "go1.x")}}
		}, "handler must not be empty"},
		"lambda missing runtime": {func(m *apps.Manifest) {
			m.AWSLambda = &apps.AWSLambda{Functions: []apps.AWSLambdaFunction{lambdaFn("/", "f", "h", "")}}
		}, "runtime must not be empty"},
		"lambda duplicate name": {func(m *apps.Manifest) {
			m.AWSLambda = &apps.AWSLambda{Functions: []apps.AWSLambdaFunction{lambdaFn("/", "f", "h", "go1.x"), lambdaFn("/x", "f", "h", "go1.x")}}
		}, `"f" is used twice`},
		"valid AWS app": {func(m *apps.Manifest) {
			m.HTTP = nil
			m.AWSLambda = &apps.AWSLambda{Functions: []apps.AWSLambdaFunction{lambdaFn("/", "go-function", "hello-lambda", "go1.x")}}
		}, ""},
		"open_faas empty":    {func(m *apps.Manifest) { m.OpenFaaS = &apps.OpenFaaS{} }, "open_faas must list"},
		"open_faas no name":  {func(m *apps.Manifest) { m.OpenFaaS = &apps.OpenFaaS{Functions: []apps.OpenFaaSFunction{{Path: "/"}}} }, "name must not be empty"},
		"plugin no id":       {func(m *apps.Manifest) { m.Plugin = &apps.Plugin{} }, "plugin_id must be set"},
		"plugin ok":          {func(m *apps.Manifest) { m.HTTP = nil; m.Plugin = &apps.Plugin{PluginID: "com.x"} }, ""},
		"builtin for others": {func(m *apps.Manifest) { m.Builtin = &apps.Builtin{} }, "reserved"},
		"builtin for apps":   {func(m *apps.Manifest) { m.AppID = apps.BuiltinAppID; m.HTTP = nil; m.Builtin = &apps.Builtin{} }, ""},
	} {
		t.Run(name, func(t *testing.T) {
			m := validHTTPManifest()
			tc.mod(&m)
			checkErr(t, m.Validate(), tc.wantErr)
		})
	}
}

func TestManifestValidateReportsAll(t *testing.T) {
	m := apps.Manifest{AppID: "x", Version: "toolongversion", HomepageURL: "nope"}
	err := m.Validate()
	for _, want := range []string{`app_id "x"`, `version "toolongversion"`, "display_name", `"nope"`, "no deploy section"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not report %q", err, want)
		}
	}
}

func TestDecodeManifestV0(t *testing.T) {
	base := `"app_id":"hello","version":"1.0","display_name":"Hello","homepage_url":"https://example.com"`
	for name, tc := range map[string]struct {
		json    string
		want    func(m *apps.Manifest) bool
		wantErr string
	}{
		"http": {json: `{` + base + `,"app_type":"http","root_url":"http://localhost:8080"}`,
			want: func(m *apps.Manifest) bool {
				return reflect.DeepEqual(m.HTTP, &apps.HTTP{RootURL: "http://localhost:8080", UseJWT: true}) &&
					reflect.DeepEqual(m.DeployTypes(), []apps.DeployType{apps.DeployHTTP})
			}},
		"aws_lambda": {json: `{` + base + `,"app_type":"aws_lambda","aws_lambda":[{"path":"/","name":"f","handler":"h","runtime":"go1.x"}]}`,
			want: func(m *apps.Manifest) bool {
				return m.HTTP == nil && reflect.DeepEqual(m.AWSLambda, &apps.AWSLambda{Functions: []apps.AWSLambdaFunction{lambdaFn("/", "f", "h", "go1.x")}})
			}},
		"plugin": {json: `{` + base + `,"app_type":"plugin","plugin_id":"com.example.p"}`,
			want: func(m *apps.Manifest) bool { return m.Plugin != nil && m.Plugin.PluginID == "com.example.p" }},
		"builtin apps": {json: `{"app_id":"apps","display_name":"Apps","homepage_url":"https://example.com","app_type":"builtin"}`,
			want: func(m *apps.Manifest) bool { return m.Builtin != nil }},
		"act_as_admin dropped": {json: `{` + base + `,"app_type":"http","root_url":"http://x","requested_permissions":["act_as_admin","act_as_user","remote_oauth2"]}`,
			want: func(m *apps.Manifest) bool {
				return reflect.DeepEqual(m.RequestedPermissions, apps.Permissions{"act_as_user", "remote_oauth2"})
			}},
		"v0 expand none": {json: `{` + base + `,"app_type":"http","root_url":"http://x","on_install":{"path":"/i","expand":{"app":"all","channel":"none"}}}`,
			want: func(m *apps.Manifest) bool {
				return *m.OnInstall.Expand == apps.Expand{App: "all"} && m.OnInstall.Validate() == nil
			}},
		"builtin other":          {json: `{` + base + `,"app_type":"builtin"}`, wantErr: "reserved"},
		"http without root_url":  {json: `{` + base + `,"app_type":"http"}`, wantErr: `app_type "http" requires a top-level "root_url"`},
		"http empty root_url":    {json: `{` + base + `,"app_type":"http","root_url":""}`, wantErr: `requires a top-level "root_url"`},
		"aws without functions":  {json: `{` + base + `,"app_type":"aws_lambda"}`, wantErr: `app_type "aws_lambda" requires`},
		"aws empty functions":    {json: `{` + base + `,"app_type":"aws_lambda","aws_lambda":[]}`, wantErr: `app_type "aws_lambda" requires`},
		"plugin without id":      {json: `{` + base + `,"app_type":"plugin"}`, wantErr: `requires a top-level "plugin_id"`},
		"unknown app_type":       {json: `{` + base + `,"app_type":"kubeless"}`, wantErr: `unknown app_type "kubeless"`},
		"empty app_type":         {json: `{` + base + `,"app_type":""}`, wantErr: `unknown app_type ""`},
		"app_type with v1 http":  {json: `{` + base + `,"app_type":"http","root_url":"http://x","http":{"root_url":"http://y"}}`, wantErr: `deploy section "http"`},
		"app_type with v1 aws":   {json: `{` + base + `,"app_type":"http","root_url":"http://x","aws_lambda":{"functions":[]}}`, wantErr: `deploy section "aws_lambda"`},
		"http with lambda array": {json: `{` + base + `,"app_type":"http","root_url":"http://x","aws_lambda":[{"path":"/","name":"f","handler":"h","runtime":"r"}]}`, wantErr: `conflicts with the top-level "aws_lambda"`},
		"aws with root_url":      {json: `{` + base + `,"app_type":"aws_lambda","root_url":"http://x","aws_lambda":[{"path":"/","name":"f","handler":"h","runtime":"r"}]}`, wantErr: `conflicts with the top-level "root_url"`},
		"root_url only":          {json: `{` + base + `,"root_url":"http://x"}`, wantErr: `"root_url" is a v0.x field`},
		"plugin_id only":         {json: `{` + base + `,"plugin_id":"x"}`, wantErr: `"plugin_id" is a v0.x field`},
		"lambda array only":      {json: `{` + base + `,"aws_lambda":[]}`, wantErr: `needs "app_type": "aws_lambda"`},
		"aws_lambda string":      {json: `{` + base + `,"aws_lambda":"x"}`, wantErr: "must be an object"},
		"not JSON":               {json: `{`, wantErr: "not valid JSON"},
		"wrong type":             {json: `{"app_id":5}`, wantErr: `field "app_id"`},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := apps.DecodeManifest([]byte(tc.json))
			checkErr(t, err, tc.wantErr)
			if err == nil && !tc.want(m) {
				t.Errorf("unexpected manifest %+v", m)
			}
		})
	}
}

// TestManifestRoundTrip: v0.x → model → v1 JSON → model.
func TestManifestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		file         string
		wantSections []string
	}{
		{"testdata/manifest_v0_http.json", []string{"http"}},
		{"testdata/manifest_v0_aws_lambda.json", []string{"aws_lambda"}},
		{"testdata/manifest_v1.json", []string{"aws_lambda", "http", "open_faas", "plugin"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			m1, err := apps.DecodeManifest(readFile(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			v1, err := json.Marshal(m1)
			if err != nil {
				t.Fatal(err)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(v1, &raw); err != nil {
				t.Fatal(err)
			}
			for _, v0 := range []string{"app_type", "root_url", "plugin_id"} {
				if _, ok := raw[v0]; ok {
					t.Errorf("v1 JSON has the v0.x field %q: %s", v0, v1)
				}
			}
			for _, s := range tc.wantSections {
				if sec := raw[s]; len(sec) == 0 || sec[0] != '{' {
					t.Errorf("v1 JSON has no %q object: %s", s, v1)
				}
			}
			m2, err := apps.DecodeManifest(v1)
			if err != nil {
				t.Fatalf("re-decoding v1 JSON: %v\n%s", err, v1)
			}
			if !reflect.DeepEqual(m1, m2) {
				t.Errorf("round trip changed the manifest:\n%+v\n%+v", m1, m2)
			}
		})
	}

	m, err := apps.DecodeManifest(readFile(t, "testdata/manifest_v0_http.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m.HTTP == nil || m.HTTP.RootURL != "http://localhost:8080" || !m.HTTP.UseJWT {
		t.Errorf("http section: %+v", m.HTTP)
	}
	if m.Bindings == nil || m.Bindings.Path != "/bindings" {
		t.Errorf("bindings given as a string: %+v", m.Bindings)
	}
	if m.OnInstall == nil || m.OnInstall.Expand == nil || m.OnInstall.Expand.App != apps.ExpandAll {
		t.Errorf("on_install: %+v", m.OnInstall)
	}
}

func TestDecodeManifestSize(t *testing.T) {
	m := validHTTPManifest()
	m.Description = strings.Repeat("x", apps.MaxManifestSize)
	data, _ := json.Marshal(m)
	_, err := apps.DecodeManifest(data)
	if !errors.Is(err, apps.ErrTooLarge) || !errors.Is(err, apps.ErrInvalid) {
		t.Errorf("oversized manifest: %v", err)
	}
	_, err = apps.ReadManifest(bytes.NewReader(data))
	if !errors.Is(err, apps.ErrTooLarge) {
		t.Errorf("ReadManifest oversized: %v", err)
	}
	m.Description = strings.Repeat("x", apps.MaxManifestSize-1000)
	data, _ = json.Marshal(m)
	if _, err := apps.ReadManifest(bytes.NewReader(data)); err != nil {
		t.Errorf("manifest under the limit: %v", err)
	}
}

func TestManifestDeployTypes(t *testing.T) {
	m, err := apps.DecodeManifest(readFile(t, "testdata/manifest_v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []apps.DeployType{apps.DeployAWSLambda, apps.DeployHTTP, apps.DeployOpenFaaS, apps.DeployPlugin}
	if got := m.DeployTypes(); !reflect.DeepEqual(got, want) {
		t.Errorf("DeployTypes() = %v, want %v", got, want)
	}
	for _, dt := range want {
		if !m.SupportsDeploy(dt) {
			t.Errorf("SupportsDeploy(%s) = false", dt)
		}
	}
	if m.SupportsDeploy(apps.DeployBuiltin) || m.SupportsDeploy("kubeless") {
		t.Error("supports builtin/kubeless")
	}
	checkErr(t, apps.DeployType("kubeless").Validate(), `"kubeless"`)
	for _, dt := range apps.KnownDeployTypes() {
		checkErr(t, dt.Validate(), "")
	}
}
