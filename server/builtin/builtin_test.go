package builtin

import (
	"context"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/proxy"
	"github.com/mattermost-community/apps-plugin/server/registry"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

type fixture struct {
	mm    *fakemm.Server
	api   mmplugin.API
	app   *App
	admin string
	user  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	mm := fakemm.New(fakemm.Options{SiteURL: "http://mm.test"})
	api := mm.ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps", Version: "1.3.0"}, "node1", t.TempDir())
	conf := config.NewService(api, config.BuildInfo{PluginID: "com.mattermost.apps", Version: "1.3.0"})
	if err := conf.Reload(); err != nil {
		t.Fatal(err)
	}
	reg := registry.New(registry.Options{API: api, BundlePath: t.TempDir(), Locals: store.NewLocalManifests(api)})
	t.Cleanup(reg.Stop)
	if err := reg.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := proxy.New(proxy.Options{API: api, Config: conf, Apps: store.NewInstalledApps(api), Registry: reg})
	return &fixture{mm: mm, api: api, app: New(api, conf, p, reg), admin: mm.CreateAdmin("admin").Id, user: mm.CreateUser("bob").Id}
}

func (f *fixture) call(userID, path string, values map[string]any) apps.CallResponse {
	return f.app.Handle(context.Background(), proxy.Incoming{ActingUserID: userID}, apps.CallRequest{Call: apps.Call{Path: path}, Values: values})
}

func commandLabels(resp apps.CallResponse) []string {
	var out []string
	top, _ := resp.Data.([]apps.Binding)
	for _, b := range top {
		for _, apps := range b.Bindings {
			for _, c := range apps.Bindings {
				out = append(out, c.Label)
			}
		}
	}
	return out
}

func TestBindingsHideAdminVerbsFromUsers(t *testing.T) {
	f := newFixture(t)
	admin := strings.Join(commandLabels(f.call(f.admin, PathBindings, nil)), " ")
	user := strings.Join(commandLabels(f.call(f.user, PathBindings, nil)), " ")
	if admin != "info list install uninstall enable disable refresh settings" {
		t.Errorf("admin commands = %q", admin)
	}
	if user != "info list" {
		t.Errorf("user commands = %q, want only info and list", user)
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	f := newFixture(t)
	if resp := f.call(f.user, PathSettingsSave, map[string]any{"developer_mode": "on"}); resp.Type != apps.CallResponseTypeError {
		t.Fatalf("a user saved settings: %+v", resp)
	}
	resp := f.call(f.admin, PathSettingsSave, map[string]any{"developer_mode": map[string]any{"label": "On", "value": "on"}, "allow_http_apps": "off"})
	if resp.Type != apps.CallResponseTypeOK || !resp.RefreshBindings {
		t.Fatalf("save: %+v", resp)
	}
	conf := f.mm.PluginConfigMap("com.mattermost.apps")
	if conf["developer_mode"] != true || conf["allow_http_apps"] != false {
		t.Fatalf("saved config = %v", conf)
	}
	form := f.call(f.admin, PathSettingsForm, nil)
	if form.Form == nil || form.Form.Fields[0].Value.(apps.SelectOption).Value != "on" || form.Form.Fields[1].Value.(apps.SelectOption).Value != "off" {
		t.Fatalf("form after save: %+v", form.Form)
	}
	f.call(f.admin, PathSettingsSave, map[string]any{"developer_mode": "server"})
	if _, ok := f.mm.PluginConfigMap("com.mattermost.apps")["developer_mode"]; ok {
		t.Fatal("developer_mode still overridden after choosing the server setting")
	}
	if resp := f.call(f.admin, PathSettingsSave, map[string]any{"developer_mode": "maybe"}); resp.Type != apps.CallResponseTypeError {
		t.Fatal("an invalid choice was saved")
	}
}

func TestConsentForm(t *testing.T) {
	f := newFixture(t)
	m := apps.Manifest{AppID: "hello", Version: "1.0.0", DisplayName: "Hello", HomepageURL: "https://example.com", Icon: "icon.png",
		HTTP:                 &apps.HTTP{RootURL: "https://example.com/app", UseJWT: true},
		RequestedPermissions: apps.Permissions{apps.PermissionActAsBot},
		RequestedLocations:   apps.Locations{apps.LocationChannelHeader}}
	// Without an HTTP upstream the deploy type has no options; with one it is preselected.
	form := f.app.newConsentForm(m, apps.DeployHTTP)
	names := []string{}
	for _, fl := range form.Fields {
		names = append(names, fl.Name)
	}
	if strings.Join(names, ",") != "consent,deploy_type,secret" || form.Submit.State != "hello" || form.Source.Path != PathInstallConsentForm {
		t.Fatalf("consent form fields %v, submit %+v", names, form.Submit)
	}
	if form.Icon != "http://mm.test/plugins/com.mattermost.apps/apps/hello/static/icon.png" {
		t.Errorf("consent form icon = %q, want the app's own static URL", form.Icon)
	}
	if !strings.Contains(form.Header, "use Mattermost REST API as the app's bot user") || !strings.Contains(form.Header, "Channel Header buttons") {
		t.Fatalf("header = %q", form.Header)
	}
	resp := f.call(f.admin, PathInstallConsent, map[string]any{"consent": false})
	if resp.Type != apps.CallResponseTypeError {
		t.Fatalf("install without an app: %+v", resp)
	}
}
