package fakemm

import (
	"net/http"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func TestOAuthApps(t *testing.T) {
	s, api, _ := newTestServer(t)
	admin := s.CreateAdmin("admin")
	valid := func() *model.OAuthApp {
		return &model.OAuthApp{
			CreatorId: admin.Id, Name: "App", Description: "d", Homepage: "https://example.com",
			CallbackUrls: []string{"http://127.0.0.1:8065/plugins/x/complete"}, MattermostAppID: "app1",
		}
	}
	tests := []struct {
		name   string
		mutate func(a *model.OAuthApp)
		field  string // "" = valid
	}{
		{"valid", func(*model.OAuthApp) {}, ""},
		{"creator not an id", func(a *model.OAuthApp) { a.CreatorId = "nope" }, "creator_id"},
		{"no name", func(a *model.OAuthApp) { a.Name = "" }, "name"},
		{"no callbacks", func(a *model.OAuthApp) { a.CallbackUrls = nil }, "callback"},
		{"ftp callback", func(a *model.OAuthApp) { a.CallbackUrls = []string{"ftp://x/y"} }, "callback"},
		{"relative callback", func(a *model.OAuthApp) { a.CallbackUrls = []string{"/complete"} }, "callback"},
		{"no homepage", func(a *model.OAuthApp) { a.Homepage = "" }, "homepage"},
		{"bad homepage", func(a *model.OAuthApp) { a.Homepage = "example.com" }, "homepage"},
		{"bad icon", func(a *model.OAuthApp) { a.IconURL = "icon.png" }, "icon_url"},
		{"long app id", func(a *model.OAuthApp) { a.MattermostAppID = "123456789012345678901234567890123" }, "mattermost_app_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			tc.mutate(in)
			app, err := api.CreateOAuthApp(in)
			if tc.field != "" {
				wantAppErr(t, err, http.StatusBadRequest, "model.oauth.is_valid."+tc.field+".app_error")
				return
			}
			noAppErr(t, err)
			if !model.IsValidId(app.Id) || app.ClientSecret == "" || app.CreateAt == 0 || in.Id != "" {
				t.Fatalf("app = %+v", app)
			}
		})
	}

	app, err := api.CreateOAuthApp(valid())
	noAppErr(t, err)
	_, err = api.CreateOAuthApp(&model.OAuthApp{Id: app.Id})
	wantAppErr(t, err, http.StatusBadRequest, "store.sql_oauth.save_app.existing.app_error")

	got, err := api.GetOAuthApp(app.Id)
	noAppErr(t, err)
	if got.ClientSecret != app.ClientSecret {
		t.Fatal("secret changed")
	}
	_, err = api.GetOAuthApp(model.NewId())
	wantAppErr(t, err, http.StatusNotFound, "app.oauth.get_app.find.app_error")

	upd := *got
	upd.Name = "Renamed"
	upd.IsTrusted = true
	upd.ClientSecret = "ignored"
	upd.CreatorId = model.NewId()
	res, err := api.UpdateOAuthApp(&upd)
	noAppErr(t, err)
	if res.Name != "Renamed" || !res.IsTrusted || res.ClientSecret != app.ClientSecret || res.CreatorId != admin.Id {
		t.Fatalf("updated = %+v", res)
	}
	upd.Homepage = ""
	_, err = api.UpdateOAuthApp(&upd)
	wantAppErr(t, err, http.StatusBadRequest, "model.oauth.is_valid.homepage.app_error")
	if got, _ := api.GetOAuthApp(app.Id); got.Homepage == "" {
		t.Fatal("a failed update changed the app")
	}

	noAppErr(t, api.DeleteOAuthApp(app.Id))
	noAppErr(t, api.DeleteOAuthApp(app.Id)) // unknown id: no error, as on the server
	_, err = api.GetOAuthApp(app.Id)
	wantAppErr(t, err, http.StatusNotFound, "")
}

func TestOAuthDisabled(t *testing.T) {
	s, api, _ := newTestServer(t)
	admin := s.CreateAdmin("admin")
	app, err := api.CreateOAuthApp(&model.OAuthApp{
		CreatorId: admin.Id, Name: "App", Homepage: "https://example.com", CallbackUrls: []string{"https://example.com/cb"},
	})
	noAppErr(t, err)
	s.UpdateConfig(func(c *model.Config) { c.ServiceSettings.EnableOAuthServiceProvider = model.NewBool(false) })

	_, err = api.CreateOAuthApp(&model.OAuthApp{CreatorId: admin.Id, Name: "X"})
	wantAppErr(t, err, http.StatusNotImplemented, "api.oauth.register_oauth_app.turn_off.app_error")
	_, err = api.GetOAuthApp(app.Id)
	wantAppErr(t, err, http.StatusNotImplemented, "api.oauth.allow_oauth.turn_off.app_error")
	_, err = api.UpdateOAuthApp(app)
	wantAppErr(t, err, http.StatusNotImplemented, "api.oauth.allow_oauth.turn_off.app_error")
	wantAppErr(t, api.DeleteOAuthApp(app.Id), http.StatusNotImplemented, "api.oauth.allow_oauth.turn_off.app_error")
	if len(s.OAuthApps()) != 1 {
		t.Fatal("app lost while disabled")
	}
}
