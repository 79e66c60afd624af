package fakemm

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // decodable profile image formats
	_ "image/jpeg" // decodable profile image formats
	_ "image/png"  // decodable profile image formats
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Session lengths the server uses.
const (
	sessionLengthWebMillis         = int64(30 * 24 * 60 * 60 * 1000)        // SessionLengthWebInHours default (720 h)
	sessionUserAccessTokenExpiryMs = int64(100 * 365 * 24 * 60 * 60 * 1000) // SessionUserAccessTokenExpiryHours
)

// Session props the server writes.
const (
	SessionPropUserAccessTokenID = "user_access_token_id"
	SessionPropType              = "type"
	SessionPropIsBot             = "is_bot"
	SessionPropIsGuest           = "is_guest"
	SessionTypeUserAccessToken   = "UserAccessToken"
)

var (
	validUsername       = regexp.MustCompile(`^[a-z][a-z0-9.\-_]*$`)
	restrictedUsernames = map[string]bool{"all": true, "channel": true, "matterbot": true, "system": true}
)

// IsValidUsername reports whether the server accepts name as a username:
// 3–64 characters of [a-z0-9.-_], starting with a letter, not reserved.
func IsValidUsername(name string) bool {
	return len(name) >= 3 && len(name) <= 64 && validUsername.MatchString(name) && !restrictedUsernames[name]
}

func (s *Server) userByUsernameLocked(name string) *model.User {
	name = strings.ToLower(name)
	for _, u := range s.users {
		if u.Username == name {
			return u
		}
	}
	return nil
}

func (s *Server) userByEmailLocked(email string) *model.User {
	email = strings.ToLower(email)
	for _, u := range s.users {
		if strings.ToLower(u.Email) == email {
			return u
		}
	}
	return nil
}

// saveUserLocked validates and stores a new user (the store's User().Save).
func (s *Server) saveUserLocked(where string, u *model.User) (*model.User, *model.AppError) {
	if u.Id != "" {
		return nil, appErr(where, "store.sql_user.save.existing.app_error", "Must call update for existing user.", http.StatusBadRequest)
	}
	u.Username = strings.ToLower(u.Username)
	if !IsValidUsername(u.Username) {
		return nil, appErrDetails(where, "model.user.is_valid.username.app_error", "Username must begin with a letter, and contain between 3 to 64 lowercase characters made up of numbers, letters, and the symbols '.', '-', and '_'.", "user_id=", http.StatusBadRequest)
	}
	u.Email = strings.ToLower(u.Email)
	if s.userByUsernameLocked(u.Username) != nil {
		return nil, appErr(where, "app.user.save.username_exists.app_error", "An account with that username already exists.", http.StatusBadRequest)
	}
	if u.Email != "" && s.userByEmailLocked(u.Email) != nil {
		return nil, appErr(where, "app.user.save.email_exists.app_error", "An account with that email already exists.", http.StatusBadRequest)
	}
	now := s.nowMillis()
	u.Id = model.NewId()
	u.CreateAt, u.UpdateAt = now, now
	if u.Roles == "" {
		u.Roles = model.SystemUserRoleId
	}
	if u.Locale == "" {
		u.Locale = "en"
	}
	if u.NotifyProps == nil {
		u.NotifyProps = map[string]string{
			"channel": "true", "comments": "never", "desktop": "mention", "desktop_sound": "true",
			"email": "true", "first_name": "false", "mention_keys": "", "push": "mention", "push_status": "online",
		}
	}
	if u.Timezone == nil {
		u.Timezone = map[string]string{"automaticTimezone": "", "manualTimezone": "", "useAutomaticTimezone": "true"}
	}
	stored := copyUser(u)
	s.users[stored.Id] = stored
	return copyUser(stored), nil
}

// CreateUser creates an active user (email <username>@example.com) and emits
// UserHasBeenCreated. roles default to "system_user"; "system_admin" gives
// "system_user system_admin". It panics on an invalid or taken username: it is
// a fixture for tests.
func (s *Server) CreateUser(username string, roles ...string) *model.User {
	var list []string
	for _, r := range roles {
		list = append(list, strings.Fields(r)...)
	}
	if len(list) == 0 {
		list = []string{model.SystemUserRoleId}
	}
	has := func(r string) bool {
		for _, x := range list {
			if x == r {
				return true
			}
		}
		return false
	}
	if has(model.SystemAdminRoleId) && !has(model.SystemUserRoleId) {
		list = append([]string{model.SystemUserRoleId}, list...)
	}
	u, err := s.CreateUserFrom(&model.User{
		Username: username,
		Email:    strings.ToLower(username) + "@example.com",
		Roles:    strings.Join(list, " "),
	})
	if err != nil {
		panic(fmt.Sprintf("fakemm.CreateUser(%q): %v", username, err))
	}
	return u
}

// CreateAdmin creates a system admin ("system_user system_admin").
func (s *Server) CreateAdmin(username string) *model.User {
	return s.CreateUser(username, model.SystemAdminRoleId)
}

// CreateUserFrom creates a user from a template (Id must be empty) with the
// server's validation and emits UserHasBeenCreated.
func (s *Server) CreateUserFrom(tmpl *model.User) (*model.User, error) {
	u := copyUser(tmpl)
	var ev events
	s.mu.Lock()
	created, err := s.saveUserLocked("CreateUser", u)
	if err == nil {
		ev.add(func(l Listener) { l.UserHasBeenCreated(copyUser(created)) })
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.fire(ev)
	return created, nil
}

// User returns a copy of a user.
func (s *Server) User(userID string) (*model.User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[userID]
	return copyUser(u), ok
}

// Users returns every user (bots included), sorted by username.
func (s *Server) Users() []*model.User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*model.User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, copyUser(u))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}

// ProfileImage returns the bytes last set with SetProfileImage (nil if none).
func (s *Server) ProfileImage(userID string) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return copyBytes(s.profileImages[userID])
}

// setActiveLocked is the server's UpdateActive: deactivation revokes the
// user's sessions and disables the bots the user owns.
func (s *Server) setActiveLocked(u *model.User, active bool) {
	now := s.nowMillis()
	u.UpdateAt = now
	if active {
		u.DeleteAt = 0
		return
	}
	u.DeleteAt = now
	s.revokeAllSessionsLocked(u.Id)
	for _, b := range s.bots {
		if b.OwnerId == u.Id && b.DeleteAt == 0 {
			b.DeleteAt = now
			b.UpdateAt = now
			if bu := s.users[b.UserId]; bu != nil && bu.DeleteAt == 0 {
				bu.DeleteAt, bu.UpdateAt = now, now
				s.revokeAllSessionsLocked(bu.Id)
			}
		}
	}
}

// SetUserActive (de)activates a user as an admin would.
func (s *Server) SetUserActive(userID string, active bool) error {
	return model.AsError((&pluginAPI{s: s}).UpdateUserActive(userID, active))
}

func (s *Server) revokeAllSessionsLocked(userID string) {
	for id, sess := range s.sessions {
		if sess.UserId == userID {
			delete(s.sessions, id)
		}
	}
}

// Plugin API: users.

func (p *pluginAPI) GetUser(userID string) (*model.User, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[userID]
	if !ok {
		return nil, errUserMissing("GetUser")
	}
	return copyUser(u), nil
}

func (p *pluginAPI) GetUserByUsername(name string) (*model.User, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.userByUsernameLocked(name)
	if u == nil {
		return nil, appErr("GetUserByUsername", "app.user.get_by_username.app_error",
			"Unable to find an existing account matching your username for this team. This team may require an invite from the team owner to join.", http.StatusNotFound)
	}
	return copyUser(u), nil
}

func (p *pluginAPI) GetUserByEmail(email string) (*model.User, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.userByEmailLocked(email)
	if u == nil {
		return nil, errUserMissing("GetUserByEmail")
	}
	return copyUser(u), nil
}

func (p *pluginAPI) GetUsersInChannel(channelID, sortBy string, pg, perPage int) ([]*model.User, *model.AppError) {
	if sortBy != "username" && sortBy != "status" {
		return nil, appErrDetails("GetUsersInChannel", "plugin.api.get_users_in_channel", "Unable to get the users, invalid sorting criteria.", "invalid sort option", http.StatusBadRequest)
	}
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	var users []*model.User
	for uid := range s.channelMembers[channelID] {
		if u, ok := s.users[uid]; ok {
			users = append(users, u)
		}
	}
	// Nobody has a status here, so "status" order falls back to usernames.
	sort.Slice(users, func(i, j int) bool { return users[i].Username < users[j].Username })
	start, end := page(len(users), pg, perPage)
	out := make([]*model.User, 0, end-start)
	for _, u := range users[start:end] {
		out = append(out, copyUser(u))
	}
	return out, nil
}

func (p *pluginAPI) UpdateUserActive(userID string, active bool) *model.AppError {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok {
		return errUserMissing("UpdateUserActive")
	}
	if (u.DeleteAt == 0) == active {
		return nil
	}
	s.setActiveLocked(u, active)
	return nil
}

func (p *pluginAPI) SetProfileImage(userID string, data []byte) *model.AppError {
	s := p.s
	if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
		return appErrDetails("SetProfileImage", "api.user.upload_profile_user.decode.app_error", "Could not decode profile image.", err.Error(), http.StatusBadRequest)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok {
		return errUserMissing("SetProfileImage")
	}
	s.profileImages[userID] = copyBytes(data)
	u.LastPictureUpdate = s.nowMillis()
	return nil
}

// Plugin API: personal access tokens.

func (p *pluginAPI) CreateUserAccessToken(token *model.UserAccessToken) (*model.UserAccessToken, *model.AppError) {
	const where = "CreateUserAccessToken"
	if token == nil {
		return nil, appErr(where, "api.context.invalid_body_param.app_error", "Invalid or missing token in request body.", http.StatusBadRequest)
	}
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[token.UserId]
	if !ok {
		return nil, errUserMissing(where)
	}
	if !model.Bool(s.config.ServiceSettings.EnableUserAccessTokens) && !u.IsBot {
		return nil, appErr(where, "app.user_access_token.disabled",
			"Personal access tokens are disabled on this server. Please contact your system administrator for details.", http.StatusNotImplemented)
	}
	now := s.nowMillis()
	if token.ExpiresAt != 0 && token.ExpiresAt <= now {
		return nil, appErr(where, "app.user_access_token.expires_at_in_past.app_error", "The expiry date must be in the future.", http.StatusBadRequest)
	}
	if len(token.Description) > 255 {
		return nil, appErr(where, "model.user_access_token.is_valid.description.app_error", "Invalid description, must be 255 or less characters.", http.StatusBadRequest)
	}
	t := &model.UserAccessToken{
		Id: model.NewId(), Token: model.NewId(), UserId: token.UserId,
		Description: token.Description, IsActive: true, ExpiresAt: token.ExpiresAt,
	}
	s.tokens[t.Id] = t
	return copyToken(t), nil
}

func (p *pluginAPI) RevokeUserAccessToken(tokenID string) *model.AppError {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok {
		return appErr("RevokeUserAccessToken", "app.user_access_token.get_by_token.app_error", "Unable to get personal access token.", http.StatusNotFound)
	}
	delete(s.tokens, tokenID)
	s.deleteSessionsWithTokenLocked(t.Token)
	return nil
}

func (s *Server) deleteSessionsWithTokenLocked(token string) {
	for id, sess := range s.sessions {
		if sess.Token == token {
			delete(s.sessions, id)
		}
	}
}

// UserAccessTokens returns a user's personal access tokens, token strings
// included (the server itself never shows them again after creation).
func (s *Server) UserAccessTokens(userID string) []*model.UserAccessToken {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*model.UserAccessToken
	for _, t := range s.tokens {
		if t.UserId == userID {
			out = append(out, copyToken(t))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return out
}

// Plugin API: sessions.

func (p *pluginAPI) GetSession(sessionID string) (*model.Session, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	sess, ok := s.sessions[sessionID]
	if !ok {
		return nil, appErr("GetSessionById", "app.session.get.app_error", "We encountered an error finding the session.", http.StatusBadRequest)
	}
	return copySession(sess), nil
}

func (p *pluginAPI) CreateSession(session *model.Session) (*model.Session, *model.AppError) {
	if session == nil {
		return nil, appErr("CreateSession", "app.session.save.app_error", "Unable to save the session.", http.StatusBadRequest)
	}
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createSessionLocked(copySession(session))
}

func (s *Server) createSessionLocked(sess *model.Session) (*model.Session, *model.AppError) {
	if _, ok := s.users[sess.UserId]; !ok {
		return nil, errUserMissing("CreateSession")
	}
	if sess.Id != "" {
		return nil, appErr("CreateSession", "app.session.save.existing.app_error", "Unable to update existing session.", http.StatusBadRequest)
	}
	now := s.nowMillis()
	sess.Id = model.NewId()
	if sess.Token == "" {
		sess.Token = model.NewId()
	}
	sess.CreateAt = now
	if sess.LastActivityAt == 0 {
		sess.LastActivityAt = now
	}
	if sess.Props == nil {
		sess.Props = map[string]string{}
	}
	s.sessions[sess.Id] = sess
	return copySession(sess), nil
}

func (p *pluginAPI) ExtendSessionExpiry(sessionID string, newExpiry int64) *model.AppError {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[sessionID]
	if !ok {
		return appErr("extendSessionExpiry", "app.session.get_sessions.app_error", "We encountered an error while finding user sessions.", http.StatusInternalServerError)
	}
	sess.ExpiresAt = newExpiry
	return nil
}

func (p *pluginAPI) RevokeSession(sessionID string) *model.AppError {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[sessionID]; !ok {
		return appErr("RevokeSessionById", "app.session.get.app_error", "We encountered an error finding the session.", http.StatusBadRequest)
	}
	delete(s.sessions, sessionID)
	return nil
}

// LoginUser creates a normal web session (30-day expiry) for an active user,
// as a password login would, and returns its token; "" for an unknown or
// deactivated user.
func (s *Server) LoginUser(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok || u.DeleteAt != 0 {
		return ""
	}
	now := s.nowMillis()
	isGuest := "false"
	if hasWord(u.Roles, model.SystemGuestRoleId) {
		isGuest = "true"
	}
	sess, err := s.createSessionLocked(&model.Session{
		UserId:    userID,
		Roles:     u.Roles,
		ExpiresAt: now + sessionLengthWebMillis,
		Props: map[string]string{
			"platform": "Linux", "os": "Linux", "browser": "Chrome/120.0",
			"csrf": model.NewId(), SessionPropIsGuest: isGuest,
		},
	})
	if err != nil {
		return ""
	}
	u.LastLogin = now
	return sess.Token
}

// Session returns a copy of a session by id.
func (s *Server) Session(sessionID string) (*model.Session, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sess, ok := s.sessions[sessionID]
	return copySession(sess), ok
}

// Sessions returns a user's sessions, oldest first.
func (s *Server) Sessions(userID string) []*model.Session {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*model.Session
	for _, sess := range s.sessions {
		if sess.UserId == userID {
			out = append(out, copySession(sess))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreateAt != out[j].CreateAt {
			return out[i].CreateAt < out[j].CreateAt
		}
		return out[i].Id < out[j].Id
	})
	return out
}

// Authenticate resolves a token as the server does for a request: a session
// token, or else a personal access token, for which it creates (once) or
// finds the implicit session (IsOAuth false, props type=UserAccessToken).
// Expired sessions, revoked or expired tokens, tokens of deactivated users and,
// with EnableUserAccessTokens off, tokens of non-bot users yield false.
func (s *Server) Authenticate(token string) (*model.Session, bool) {
	sess, err := s.AuthenticateErr(token)
	if err != nil {
		return nil, false
	}
	return sess, true
}

// AuthenticateErr is Authenticate with the server's 401 error.
func (s *Server) AuthenticateErr(token string) (*model.Session, error) {
	invalid := func(details string) error {
		return appErrDetails("GetSession", "api.context.invalid_token.error", "Invalid session token="+token+", err=", details, http.StatusUnauthorized)
	}
	if token == "" {
		return nil, invalid("empty token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowMillis()
	for id, sess := range s.sessions {
		if sess.Token != token {
			continue
		}
		if sess.IsExpired(now) {
			delete(s.sessions, id)
			return nil, invalid("session is either nil or expired")
		}
		return copySession(sess), nil
	}
	var tok *model.UserAccessToken
	for _, t := range s.tokens {
		if t.Token == token {
			tok = t
			break
		}
	}
	if tok == nil || !tok.IsActive {
		return nil, invalid("app.user_access_token.invalid_or_missing")
	}
	u, ok := s.users[tok.UserId]
	if !ok {
		return nil, invalid("app.user.missing_account.const")
	}
	if !model.Bool(s.config.ServiceSettings.EnableUserAccessTokens) && !u.IsBot {
		return nil, invalid("EnableUserAccessTokens=false")
	}
	if tok.ExpiresAt > 0 && now > tok.ExpiresAt {
		return nil, invalid("expired_token")
	}
	if u.DeleteAt != 0 {
		return nil, invalid("inactive_user_id=" + u.Id)
	}
	isGuest := "false"
	if hasWord(u.Roles, model.SystemGuestRoleId) {
		isGuest = "true"
	}
	props := map[string]string{
		SessionPropUserAccessTokenID: tok.Id,
		SessionPropType:              SessionTypeUserAccessToken,
		SessionPropIsGuest:           isGuest,
	}
	if u.IsBot {
		props[SessionPropIsBot] = "true"
	}
	expires := now + sessionUserAccessTokenExpiryMs
	if tok.ExpiresAt > 0 && tok.ExpiresAt < expires {
		expires = tok.ExpiresAt
	}
	sess, aerr := s.createSessionLocked(&model.Session{
		Token: tok.Token, UserId: u.Id, Roles: u.Roles, IsOAuth: false, ExpiresAt: expires, Props: props,
	})
	if aerr != nil {
		return nil, errors.Join(invalid(""), aerr)
	}
	return sess, nil
}
