package apps

import (
	"bytes"
	"encoding/json"
	"errors"
)

// App is an installed app: the manifest it was installed with, plus the
// installation's own data. Its JSON is the manifest's fields plus the ones
// below.
type App struct {
	Manifest

	// DeployType is how the plugin reaches this installation.
	DeployType DeployType `json:"deploy_type"`

	// Disabled apps keep their data but receive no calls.
	Disabled bool `json:"disabled,omitempty"`

	// Secret signs the JWTs sent to HTTP apps.
	Secret string `json:"secret,omitempty"`

	// WebhookSecret authenticates incoming remote webhooks.
	WebhookSecret string `json:"webhook_secret,omitempty"`

	BotUserID   string `json:"bot_user_id,omitempty"`
	BotUsername string `json:"bot_username,omitempty"`

	// MattermostOAuth2 is the Mattermost OAuth2 app created for the app.
	MattermostOAuth2 *OAuthApp `json:"mattermost_oauth2,omitempty"`

	// RemoteOAuth2 is the app's remote (3rd party) OAuth2 configuration.
	RemoteOAuth2 OAuth2App `json:"remote_oauth2,omitempty"`

	// GrantedPermissions and GrantedLocations are what the administrator
	// consented to (copied from the manifest's requests at install).
	GrantedPermissions Permissions `json:"granted_permissions,omitempty"`
	GrantedLocations   Locations   `json:"granted_locations,omitempty"`
}

// appFields has App's own fields (not the manifest's).
type appFields struct {
	DeployType         DeployType  `json:"deploy_type"`
	Disabled           bool        `json:"disabled,omitempty"`
	Secret             string      `json:"secret,omitempty"`
	WebhookSecret      string      `json:"webhook_secret,omitempty"`
	BotUserID          string      `json:"bot_user_id,omitempty"`
	BotUsername        string      `json:"bot_username,omitempty"`
	MattermostOAuth2   *OAuthApp   `json:"mattermost_oauth2,omitempty"`
	RemoteOAuth2       OAuth2App   `json:"remote_oauth2,omitempty"`
	GrantedPermissions Permissions `json:"granted_permissions,omitempty"`
	GrantedLocations   Locations   `json:"granted_locations,omitempty"`
}

// UnmarshalJSON decodes the manifest part (v1 or v0.x form) and the app's
// own fields. A v0.x record without deploy_type gets the type its app_type
// selected.
func (a *App) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var m Manifest
	if err := m.UnmarshalJSON(data); err != nil {
		return err
	}
	var f appFields
	if err := json.Unmarshal(data, &f); err != nil {
		return NewInvalidError("app: %v", err)
	}
	if f.DeployType == "" {
		if dt := m.DeployTypes(); len(dt) == 1 {
			f.DeployType = dt[0]
		}
	}
	*a = App{
		Manifest:           m,
		DeployType:         f.DeployType,
		Disabled:           f.Disabled,
		Secret:             f.Secret,
		WebhookSecret:      f.WebhookSecret,
		BotUserID:          f.BotUserID,
		BotUsername:        f.BotUsername,
		MattermostOAuth2:   f.MattermostOAuth2,
		RemoteOAuth2:       f.RemoteOAuth2,
		GrantedPermissions: f.GrantedPermissions,
		GrantedLocations:   f.GrantedLocations,
	}
	return nil
}

// Validate checks the manifest, that DeployType is one the manifest
// supports, and the grants.
func (a App) Validate() error {
	var errs []error
	if err := a.Manifest.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := a.DeployType.Validate(); err != nil {
		errs = append(errs, err)
	} else if !a.Manifest.SupportsDeploy(a.DeployType) {
		errs = append(errs, NewInvalidError("app %q: deploy_type %q is not supported by its manifest", string(a.AppID), string(a.DeployType)))
	}
	if err := a.GrantedPermissions.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := a.GrantedLocations.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
