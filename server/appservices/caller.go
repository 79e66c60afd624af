// Package appservices holds the services apps call back into the plugin
// for: their KV store, remote OAuth2 data and state, and subscriptions. Apps
// authenticate with the app-specific session token they got in a call's
// context; Auth turns the request's session into a Caller.
package appservices

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/session"
)

// Errors the HTTP layer maps to 403 and 404 (invalid input matches
// apps.ErrInvalid, oversized input apps.ErrTooLarge, a missing or foreign
// session apps.ErrUnauthorized).
var (
	ErrForbidden = errors.New("forbidden")
	ErrNotFound  = errors.New("not found")
)

// taggedErr matches two sentinels: the cause and a status class.
type taggedErr struct {
	msg  string
	tags []error
}

func (e *taggedErr) Error() string   { return e.msg }
func (e *taggedErr) Unwrap() []error { return e.tags }

func forbidden(format string, args ...any) error {
	return &taggedErr{msg: "forbidden: " + fmt.Sprintf(format, args...), tags: []error{ErrForbidden}}
}

func notFound(format string, args ...any) error {
	return &taggedErr{msg: fmt.Sprintf(format, args...), tags: []error{ErrNotFound}}
}

func unauthorized(cause error, format string, args ...any) error {
	tags := []error{apps.ErrUnauthorized}
	if cause != nil {
		tags = append(tags, cause)
	}
	return &taggedErr{msg: fmt.Sprintf(format, args...), tags: tags}
}

// Caller is an app calling the plugin through one of its sessions.
type Caller struct {
	App apps.App
	// UserID is the session's user: the app's bot (bot_access_token) or the
	// acting user (acting_user_access_token).
	UserID string
}

// AppID is the calling app.
func (c Caller) AppID() apps.AppID { return c.App.AppID }

// IsBot reports whether the app calls as its bot.
func (c Caller) IsBot() bool { return c.UserID != "" && c.UserID == c.App.BotUserID }

// SessionResolver tells which app a session belongs to (session.Service).
type SessionResolver interface {
	AppOf(sessionID string) (apps.AppID, *model.Session, error)
}

// AppGetter returns installed apps (store.InstalledApps).
type AppGetter interface {
	Get(id string) (apps.App, bool)
	List() []apps.App
}

// Auth identifies calling apps. Which app a session belongs to never changes
// and the server only passes the id of a valid (unexpired, unrevoked)
// session, so the answer is cached until the session's expiry (at most
// authCacheTTL): most requests cost no call to the server.
type Auth struct {
	sessions SessionResolver
	apps     AppGetter
	now      func() time.Time

	mu    sync.Mutex
	cache map[string]cachedSession
}

type cachedSession struct {
	appID  apps.AppID
	userID string
	until  time.Time
}

const (
	authCacheTTL  = 2 * time.Minute
	authCacheSize = 10000
)

// NewAuth returns the caller identification.
func NewAuth(sessions SessionResolver, installed AppGetter, now func() time.Time) *Auth {
	if now == nil {
		now = time.Now
	}
	return &Auth{sessions: sessions, apps: installed, now: now, cache: map[string]cachedSession{}}
}

// Caller returns the app that made a request as actingUserID with the
// session sessionID. Users' own sessions and tokens are refused: these APIs
// are for apps only.
func (a *Auth) Caller(actingUserID, sessionID string) (Caller, error) {
	if actingUserID == "" {
		return Caller{}, unauthorized(session.ErrNotAppSession, "%v: the request has no Mattermost session; this API is for apps: call it with the token the app received in its call context", session.ErrNotAppSession)
	}
	now := a.now()
	a.mu.Lock()
	c, ok := a.cache[sessionID]
	a.mu.Unlock()
	if !ok || !now.Before(c.until) {
		appID, sess, err := a.sessions.AppOf(sessionID)
		if err != nil {
			return Caller{}, unauthorized(session.ErrNotAppSession, "%v: this API is for apps: call it with the token the app received in its call context", session.ErrNotAppSession)
		}
		until := now.Add(authCacheTTL)
		if exp := time.UnixMilli(sess.ExpiresAt); sess.ExpiresAt > 0 && exp.Before(until) {
			until = exp
		}
		c = cachedSession{appID: appID, userID: sess.UserId, until: until}
		a.mu.Lock()
		if len(a.cache) >= authCacheSize {
			a.cache = map[string]cachedSession{}
		}
		a.cache[sessionID] = c
		a.mu.Unlock()
	}
	if c.userID != actingUserID {
		return Caller{}, unauthorized(session.ErrNotAppSession, "%v: the session is not the caller's", session.ErrNotAppSession)
	}
	app, ok := a.apps.Get(string(c.appID))
	if !ok {
		return Caller{}, forbidden("app %s is not installed", c.appID)
	}
	if app.Disabled {
		return Caller{}, forbidden("app %s is disabled", c.appID)
	}
	return Caller{App: app, UserID: c.userID}, nil
}

// Forget drops the cached sessions (e.g. when apps are disabled: their
// sessions are revoked, and the server stops passing them anyway).
func (a *Auth) Forget() {
	a.mu.Lock()
	a.cache = map[string]cachedSession{}
	a.mu.Unlock()
}
