package fakemm

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"unicode/utf8"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func oauthInvalid(field, message, appID string) *model.AppError {
	return appErrDetails("OAuthApp.IsValid", "model.oauth.is_valid."+field+".app_error", message, "app_id="+appID, http.StatusBadRequest)
}

func isValidHTTPURL(s string) bool {
	u, err := url.ParseRequestURI(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validateOAuthApp is the server's OAuthApp.IsValid (after PreSave filled the
// id, secret and timestamps). CreatorId must look like an id; the server does
// not check that the user exists.
func validateOAuthApp(a *model.OAuthApp) *model.AppError {
	if !model.IsValidId(a.CreatorId) {
		return oauthInvalid("creator_id", "Invalid creator id.", a.Id)
	}
	if a.ClientSecret == "" || len(a.ClientSecret) > 128 {
		return oauthInvalid("client_secret", "Invalid client secret.", a.Id)
	}
	if a.Name == "" || len(a.Name) > 64 {
		return oauthInvalid("name", "Invalid name.", a.Id)
	}
	if len(a.CallbackUrls) == 0 || len(fmt.Sprintf("%s", a.CallbackUrls)) > 1024 {
		return oauthInvalid("callback", "Callback URL must be a valid URL and start with http:// or https://.", a.Id)
	}
	for _, cb := range a.CallbackUrls {
		if !isValidHTTPURL(cb) {
			return oauthInvalid("callback", "Callback URL must be a valid URL and start with http:// or https://.", a.Id)
		}
	}
	if a.Homepage == "" || len(a.Homepage) > 256 || !isValidHTTPURL(a.Homepage) {
		return oauthInvalid("homepage", "Homepage must be a valid URL and start with http:// or https://.", a.Id)
	}
	if utf8.RuneCountInString(a.Description) > 512 {
		return oauthInvalid("description", "Invalid description.", a.Id)
	}
	if a.IconURL != "" && (len(a.IconURL) > 512 || !isValidHTTPURL(a.IconURL)) {
		return oauthInvalid("icon_url", "Icon URL must be a valid URL and start with http:// or https://.", a.Id)
	}
	if len(a.MattermostAppID) > 32 {
		return oauthInvalid("mattermost_app_id", "Invalid Mattermost app id.", a.Id)
	}
	return nil
}

func (s *Server) oauthEnabledLocked() bool {
	return model.Bool(s.config.ServiceSettings.EnableOAuthServiceProvider)
}

// OAuthApps returns every OAuth app, oldest first.
func (s *Server) OAuthApps() []*model.OAuthApp {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*model.OAuthApp, 0, len(s.oauthApps))
	for _, a := range s.oauthApps {
		out = append(out, copyOAuthApp(a))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreateAt != out[j].CreateAt {
			return out[i].CreateAt < out[j].CreateAt
		}
		return out[i].Id < out[j].Id
	})
	return out
}

// Plugin API: OAuth apps. All require ServiceSettings.EnableOAuthServiceProvider.

func (p *pluginAPI) CreateOAuthApp(app *model.OAuthApp) (*model.OAuthApp, *model.AppError) {
	const where = "CreateOAuthApp"
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.oauthEnabledLocked() {
		return nil, errOAuthDisabled(where, "api.oauth.register_oauth_app.turn_off.app_error")
	}
	if app == nil {
		return nil, oauthInvalid("app_id", "Invalid app id.", "")
	}
	if app.Id != "" {
		return nil, appErr("SqlOAuthStore.SaveApp", "store.sql_oauth.save_app.existing.app_error", "Must call update for existing app.", http.StatusBadRequest)
	}
	a := copyOAuthApp(app)
	now := s.nowMillis()
	a.Id = model.NewId()
	a.ClientSecret = model.NewId()
	a.CreateAt, a.UpdateAt = now, now
	if err := validateOAuthApp(a); err != nil {
		return nil, err
	}
	s.oauthApps[a.Id] = a
	return copyOAuthApp(a), nil
}

func (p *pluginAPI) GetOAuthApp(appID string) (*model.OAuthApp, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.getOAuthAppLocked(appID)
}

func (s *Server) getOAuthAppLocked(appID string) (*model.OAuthApp, *model.AppError) {
	if !s.oauthEnabledLocked() {
		return nil, errOAuthDisabled("GetOAuthApp", "api.oauth.allow_oauth.turn_off.app_error")
	}
	a, ok := s.oauthApps[appID]
	if !ok {
		return nil, appErrDetails("GetOAuthApp", "app.oauth.get_app.find.app_error", "Unable to find the requested app.", "app_id="+appID, http.StatusNotFound)
	}
	return copyOAuthApp(a), nil
}

// UpdateOAuthApp changes the updatable fields: name, description, icon,
// callbacks, homepage, trusted flag and Mattermost app id.
func (p *pluginAPI) UpdateOAuthApp(app *model.OAuthApp) (*model.OAuthApp, *model.AppError) {
	if app == nil {
		return nil, oauthInvalid("app_id", "Invalid app id.", "")
	}
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.getOAuthAppLocked(app.Id)
	if err != nil {
		return nil, err
	}
	old.Name = app.Name
	old.Description = app.Description
	old.IconURL = app.IconURL
	old.CallbackUrls = copyStrings(app.CallbackUrls)
	old.Homepage = app.Homepage
	old.IsTrusted = app.IsTrusted
	old.MattermostAppID = app.MattermostAppID
	old.UpdateAt = s.nowMillis()
	if err := validateOAuthApp(old); err != nil {
		return nil, err
	}
	s.oauthApps[old.Id] = old
	return copyOAuthApp(old), nil
}

// DeleteOAuthApp deletes an app; deleting an unknown id succeeds, as on the
// server. The server also deletes the sessions created by the app's OAuth
// token exchanges; fakemm has no token exchange, so sessions the plugin made
// with CreateSession (even with IsOAuth) stay, as they do on the server.
func (p *pluginAPI) DeleteOAuthApp(appID string) *model.AppError {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.oauthEnabledLocked() {
		return errOAuthDisabled("DeleteOAuthApp", "api.oauth.allow_oauth.turn_off.app_error")
	}
	delete(s.oauthApps, appID)
	return nil
}
