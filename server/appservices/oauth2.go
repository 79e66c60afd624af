package appservices

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// OAuth2StatePrefix is the KV prefix of OAuth2 states (the original's).
const OAuth2StatePrefix = ".o"

// OAuth2StateTTL is how long a remote OAuth2 connect may take.
const OAuth2StateTTL = 15 * time.Minute

// OAuth2 keeps the apps' remote OAuth2 per-user data and the states of
// connect flows in progress.
type OAuth2 struct {
	api mmplugin.API
}

// NewOAuth2 returns the OAuth2 store.
func NewOAuth2(api mmplugin.API) *OAuth2 { return &OAuth2{api: api} }

// RequireRemoteOAuth2 checks that the app was granted remote_oauth2.
func RequireRemoteOAuth2(app apps.App) error {
	if !app.GrantedPermissions.Contains(apps.PermissionRemoteOAuth2) {
		return forbidden("app %s was not granted the %s permission", app.AppID, apps.PermissionRemoteOAuth2)
	}
	return nil
}

// SaveUser stores the caller's OAuth2 data for the acting user (not the
// app's bot): JSON of at most apps.MaxOAuth2DataSize bytes.
func (s *OAuth2) SaveUser(c Caller, data []byte) error {
	if err := RequireRemoteOAuth2(c.App); err != nil {
		return err
	}
	if c.IsBot() {
		return forbidden("OAuth2 user data is stored for users: call with the acting user's token, not the bot's")
	}
	if err := CheckValue(data, apps.MaxOAuth2DataSize); err != nil {
		return err
	}
	if appErr := s.api.KVSet(OAuth2UserKey(c.AppID(), c.UserID), data); appErr != nil {
		return fmt.Errorf("store the OAuth2 user data: %w", appErr)
	}
	return nil
}

// GetUser returns what appID stored for userID, or nil.
func (s *OAuth2) GetUser(appID apps.AppID, userID string) ([]byte, error) {
	v, appErr := s.api.KVGet(OAuth2UserKey(appID, userID))
	if appErr != nil {
		return nil, fmt.Errorf("read the OAuth2 user data: %w", appErr)
	}
	return v, nil
}

// oauth2State is what a state stands for.
type oauth2State struct {
	AppID  apps.AppID `json:"app_id"`
	UserID string     `json:"user_id"`
}

// CreateState starts a connect flow of userID with appID: the state (random,
// with the user id after a '.', as upstream) is kept OAuth2StateTTL.
func (s *OAuth2) CreateState(appID apps.AppID, userID string) (string, error) {
	var b [15]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	state := base64.RawURLEncoding.EncodeToString(b[:]) + "." + userID
	raw, _ := json.Marshal(oauth2State{AppID: appID, UserID: userID})
	ok, appErr := s.api.KVSetWithOptions(OAuth2StatePrefix+state, raw, model.PluginKVSetOptions{
		Atomic: true, ExpireInSeconds: int64(OAuth2StateTTL / time.Second),
	})
	if appErr != nil {
		return "", fmt.Errorf("store the OAuth2 state: %w", appErr)
	}
	if !ok {
		return "", fmt.Errorf("store the OAuth2 state: it already exists")
	}
	return state, nil
}

// ConsumeState checks a state returned to the complete URL: it must have
// been created for this app and this user, not have expired, and not have
// been used (it is deleted, atomically, so a replay fails).
func (s *OAuth2) ConsumeState(appID apps.AppID, userID, state string) error {
	rest, owner, ok := strings.Cut(state, ".")
	if !ok || rest == "" || strings.Contains(owner, ".") {
		return forbidden("invalid OAuth2 state")
	}
	if owner != userID {
		return forbidden("the OAuth2 state was issued to another user")
	}
	key := OAuth2StatePrefix + state
	if len(key) > 50 {
		return forbidden("invalid OAuth2 state")
	}
	raw, appErr := s.api.KVGet(key)
	if appErr != nil {
		return fmt.Errorf("read the OAuth2 state: %w", appErr)
	}
	if raw == nil {
		return forbidden("unknown, expired or already used OAuth2 state")
	}
	var st oauth2State
	if err := json.Unmarshal(raw, &st); err != nil || st.UserID != userID || st.AppID != appID {
		return forbidden("the OAuth2 state was issued for another app or user")
	}
	deleted, appErr := s.api.KVCompareAndDelete(key, raw)
	if appErr != nil {
		return fmt.Errorf("use the OAuth2 state: %w", appErr)
	}
	if !deleted {
		return forbidden("unknown, expired or already used OAuth2 state")
	}
	return nil
}
