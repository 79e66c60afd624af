// Package session gives apps their tokens: short-lived Mattermost sessions
// tied to one app and one user (the app's bot, or the acting user), created
// through the plugin API and cached in the KV store. No long-lived personal
// access tokens are handed to apps.
package session

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Session props, as Mattermost names them for OAuth sessions.
const (
	PropMattermostAppID = "mattermost_app_id"
	PropOAuthAppID      = "oauth_app_id"
	PropPlatform        = "platform"
	PropOS              = "os"
	PropBrowser         = "browser"
	PropCSRF            = "csrf"
)

// Lifetime is how long an app session lives; it is extended by Lifetime
// when less than RefreshUnder remains at use.
const (
	Lifetime     = 10 * time.Minute
	RefreshUnder = 5 * time.Minute
)

// ErrNotAppSession says a token belongs to no app: a user's own browser
// session or personal token cannot use the app-only APIs.
var ErrNotAppSession = errors.New("not an app session")

// Service creates, refreshes and revokes app sessions.
type Service struct {
	api mmplugin.API
	now func() time.Time
}

// New returns the session service.
func New(api mmplugin.API, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{api: api, now: now}
}

// key is where a session is cached. Mattermost 6.2 limits KV keys to 50
// characters, so the app id is hashed: ".s" + 10 + "_" + 26 = 39. (The
// original plugin's ".t_<app>_<user>" could reach 62; those caches are not
// migrated: they expire within minutes and new sessions are made on demand.)
func key(appID apps.AppID, userID string) string { return ".s" + appHash(appID) + "_" + userID }

func indexKey(appID apps.AppID) string { return ".si" + appHash(appID) }

// appHash is a short, stable, key-safe digest of an app id.
func appHash(appID apps.AppID) string {
	sum := sha256.Sum256([]byte(appID))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])[:10]
}

// GetOrCreate returns a valid session of app for userID, reusing the cached
// one (extended when it is about to expire) or creating a new one.
func (s *Service) GetOrCreate(app apps.App, userID string) (*model.Session, error) {
	now := s.now()
	if cached, err := s.cached(app.AppID, userID); err == nil && cached != nil {
		fresh, appErr := s.api.GetSession(cached.Id)
		if appErr == nil && fresh != nil && !fresh.IsExpired(now.UnixMilli()) && fresh.Props[PropMattermostAppID] == string(app.AppID) {
			if time.UnixMilli(fresh.ExpiresAt).Sub(now) < RefreshUnder {
				expires := now.Add(Lifetime).UnixMilli()
				if appErr := s.api.ExtendSessionExpiry(fresh.Id, expires); appErr != nil {
					return nil, fmt.Errorf("extend the session of app %s for user %s: %w", app.AppID, userID, appErr)
				}
				fresh.ExpiresAt = expires
				_ = s.store(app.AppID, userID, fresh)
			}
			return fresh, nil
		}
	}
	return s.create(app, userID)
}

func (s *Service) create(app apps.App, userID string) (*model.Session, error) {
	user, appErr := s.api.GetUser(userID)
	if appErr != nil {
		return nil, fmt.Errorf("session of app %s: user %s: %w", app.AppID, userID, appErr)
	}
	props := map[string]string{
		PropMattermostAppID: string(app.AppID),
		PropOS:              "OAuth2",
		PropBrowser:         "OAuth2",
		PropCSRF:            model.NewId(),
	}
	if app.MattermostOAuth2 != nil {
		props[PropOAuthAppID] = app.MattermostOAuth2.ID
		props[PropPlatform] = app.MattermostOAuth2.Name
	}
	created, appErr := s.api.CreateSession(&model.Session{
		UserId:    userID,
		Roles:     user.Roles,
		IsOAuth:   true,
		ExpiresAt: s.now().Add(Lifetime).UnixMilli(),
		Props:     props,
	})
	if appErr != nil {
		return nil, fmt.Errorf("create a session of app %s for user %s: %w", app.AppID, userID, appErr)
	}
	if err := s.store(app.AppID, userID, created); err != nil {
		return nil, err
	}
	return created, nil
}

func (s *Service) cached(appID apps.AppID, userID string) (*model.Session, error) {
	raw, appErr := s.api.KVGet(key(appID, userID))
	if appErr != nil || raw == nil {
		return nil, model.AsError(appErr)
	}
	var sess model.Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, err
	}
	return &sess, nil
}

func (s *Service) store(appID apps.AppID, userID string, sess *model.Session) error {
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	if appErr := s.api.KVSet(key(appID, userID), raw); appErr != nil {
		return fmt.Errorf("cache the session of app %s: %w", appID, appErr)
	}
	return s.updateIndex(appID, func(users []string) []string {
		if slices.Contains(users, userID) {
			return nil
		}
		return append(users, userID)
	})
}

// RevokeApp revokes every session of app (on disable and uninstall).
func (s *Service) RevokeApp(appID apps.AppID) error {
	raw, appErr := s.api.KVGet(indexKey(appID))
	if appErr != nil {
		return fmt.Errorf("list the sessions of app %s: %w", appID, appErr)
	}
	var users []string
	if raw != nil {
		if err := json.Unmarshal(raw, &users); err != nil {
			return fmt.Errorf("decode the sessions of app %s: %w", appID, err)
		}
	}
	var errs []error
	for _, userID := range users {
		if sess, err := s.cached(appID, userID); err == nil && sess != nil {
			if appErr := s.api.RevokeSession(sess.Id); appErr != nil && s.exists(sess.Id) {
				errs = append(errs, fmt.Errorf("revoke session %s: %w", sess.Id, appErr))
				continue
			}
		}
		if appErr := s.api.KVDelete(key(appID, userID)); appErr != nil {
			errs = append(errs, appErr)
		}
	}
	if len(errs) == 0 {
		if appErr := s.api.KVDelete(indexKey(appID)); appErr != nil {
			errs = append(errs, appErr)
		}
	}
	return errors.Join(errs...)
}

// exists reports whether the server still has the session. (Mattermost
// answers 400, not 404, for a session it no longer has: a failed revoke of
// such a session is not an error.)
func (s *Service) exists(sessionID string) bool {
	sess, appErr := s.api.GetSession(sessionID)
	return appErr == nil && sess != nil
}

// AppOf tells which app a session belongs to; ErrNotAppSession for a
// session no app owns, or an expired one.
func (s *Service) AppOf(sessionID string) (apps.AppID, *model.Session, error) {
	if sessionID == "" {
		return "", nil, ErrNotAppSession
	}
	sess, appErr := s.api.GetSession(sessionID)
	if appErr != nil || sess == nil {
		return "", nil, fmt.Errorf("%w: %v", ErrNotAppSession, appErr)
	}
	id := sess.Props[PropMattermostAppID]
	if id == "" || sess.IsExpired(s.now().UnixMilli()) {
		return "", nil, ErrNotAppSession
	}
	return apps.AppID(id), sess, nil
}

func (s *Service) updateIndex(appID apps.AppID, change func([]string) []string) error {
	for attempt := 0; attempt < 20; attempt++ {
		old, appErr := s.api.KVGet(indexKey(appID))
		if appErr != nil {
			return appErr
		}
		var users []string
		if old != nil {
			_ = json.Unmarshal(old, &users)
		}
		next := change(users)
		if next == nil {
			return nil
		}
		raw, _ := json.Marshal(next)
		ok, appErr := s.api.KVSetWithOptions(indexKey(appID), raw, model.PluginKVSetOptions{Atomic: true, OldValue: old})
		if appErr != nil {
			return appErr
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("index the sessions of app %s: too many concurrent changes", appID)
}

// List returns the cached sessions of app (for /apps debug session list).
func (s *Service) List(appID apps.AppID) ([]*model.Session, error) {
	raw, appErr := s.api.KVGet(indexKey(appID))
	if appErr != nil {
		return nil, fmt.Errorf("list the sessions of app %s: %w", appID, appErr)
	}
	var users []string
	if raw != nil {
		if err := json.Unmarshal(raw, &users); err != nil {
			return nil, fmt.Errorf("decode the sessions of app %s: %w", appID, err)
		}
	}
	var out []*model.Session
	for _, userID := range users {
		if sess, err := s.cached(appID, userID); err == nil && sess != nil {
			out = append(out, sess)
		}
	}
	return out, nil
}

// Revoke revokes the cached session of (app, user) and forgets it (for
// /apps debug session delete); a missing session is not an error.
func (s *Service) Revoke(appID apps.AppID, userID string) error {
	sess, err := s.cached(appID, userID)
	if err != nil {
		return fmt.Errorf("read the session of app %s: %w", appID, err)
	}
	if sess != nil {
		if appErr := s.api.RevokeSession(sess.Id); appErr != nil && s.exists(sess.Id) {
			return fmt.Errorf("revoke session %s: %w", sess.Id, appErr)
		}
	}
	if appErr := s.api.KVDelete(key(appID, userID)); appErr != nil {
		return fmt.Errorf("forget the session of app %s: %w", appID, appErr)
	}
	return s.updateIndex(appID, func(users []string) []string {
		i := slices.Index(users, userID)
		if i < 0 {
			return nil
		}
		return slices.Delete(users, i, i+1)
	})
}
