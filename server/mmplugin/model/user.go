package model

import "strings"

// System role names, as the server writes them in User.Roles.
const (
	SystemUserRoleId  = "system_user"
	SystemAdminRoleId = "system_admin"
	SystemGuestRoleId = "system_guest"
)

// User is model.User (all fields the server sends that the plugin may read).
type User struct {
	Id                     string            `json:"id"`
	CreateAt               int64             `json:"create_at,omitempty"`
	UpdateAt               int64             `json:"update_at,omitempty"`
	DeleteAt               int64             `json:"delete_at"`
	Username               string            `json:"username"`
	Password               string            `json:"password,omitempty"`
	AuthData               *string           `json:"auth_data,omitempty"`
	AuthService            string            `json:"auth_service"`
	Email                  string            `json:"email"`
	EmailVerified          bool              `json:"email_verified,omitempty"`
	Nickname               string            `json:"nickname"`
	FirstName              string            `json:"first_name"`
	LastName               string            `json:"last_name"`
	Position               string            `json:"position"`
	Roles                  string            `json:"roles"`
	AllowMarketing         bool              `json:"allow_marketing,omitempty"`
	Props                  map[string]string `json:"props,omitempty"`
	NotifyProps            map[string]string `json:"notify_props,omitempty"`
	LastPasswordUpdate     int64             `json:"last_password_update,omitempty"`
	LastPictureUpdate      int64             `json:"last_picture_update,omitempty"`
	FailedAttempts         int               `json:"failed_attempts,omitempty"`
	Locale                 string            `json:"locale"`
	Timezone               map[string]string `json:"timezone"`
	MfaActive              bool              `json:"mfa_active,omitempty"`
	MfaSecret              string            `json:"mfa_secret,omitempty"`
	RemoteId               *string           `json:"remote_id,omitempty"`
	LastActivityAt         int64             `json:"last_activity_at,omitempty"`
	IsBot                  bool              `json:"is_bot,omitempty"`
	BotDescription         string            `json:"bot_description,omitempty"`
	BotLastIconUpdate      int64             `json:"bot_last_icon_update,omitempty"`
	TermsOfServiceId       string            `json:"terms_of_service_id,omitempty"`
	TermsOfServiceCreateAt int64             `json:"terms_of_service_create_at,omitempty"`
	DisableWelcomeEmail    bool              `json:"disable_welcome_email"`
	LastLogin              int64             `json:"last_login,omitempty"`
}

// IsInRole reports whether the space-separated Roles contain role.
func (u *User) IsInRole(role string) bool {
	if u == nil {
		return false
	}
	for _, r := range strings.Fields(u.Roles) {
		if r == role {
			return true
		}
	}
	return false
}

// IsSystemAdmin reports whether the user has the system_admin role.
func (u *User) IsSystemAdmin() bool { return u.IsInRole(SystemAdminRoleId) }

// GetDisplayName returns the full name, else the username.
func (u *User) GetDisplayName() string {
	if u == nil {
		return ""
	}
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return u.Username
}

// UserAccessToken is model.UserAccessToken.
type UserAccessToken struct {
	Id          string `json:"id"`
	Token       string `json:"token,omitempty"`
	UserId      string `json:"user_id"`
	Description string `json:"description"`
	IsActive    bool   `json:"is_active"`
	ExpiresAt   int64  `json:"expires_at,omitempty"`
}

// Session is model.Session.
type Session struct {
	Id             string            `json:"id"`
	Token          string            `json:"token"`
	CreateAt       int64             `json:"create_at"`
	ExpiresAt      int64             `json:"expires_at"`
	LastActivityAt int64             `json:"last_activity_at"`
	UserId         string            `json:"user_id"`
	DeviceId       string            `json:"device_id"`
	Roles          string            `json:"roles"`
	IsOAuth        bool              `json:"is_oauth"`
	ExpiredNotify  bool              `json:"expired_notify"`
	Props          map[string]string `json:"props"`
	TeamMembers    []*TeamMember     `json:"team_members,omitempty"`
	Local          bool              `json:"local,omitempty"`
}

// IsExpired reports whether the session has expired at nowMillis.
func (s *Session) IsExpired(nowMillis int64) bool {
	return s.ExpiresAt > 0 && nowMillis > s.ExpiresAt
}

// Bot is model.Bot.
type Bot struct {
	UserId         string `json:"user_id"`
	Username       string `json:"username"`
	DisplayName    string `json:"display_name,omitempty"`
	Description    string `json:"description,omitempty"`
	OwnerId        string `json:"owner_id"`
	LastIconUpdate int64  `json:"last_icon_update,omitempty"`
	CreateAt       int64  `json:"create_at"`
	UpdateAt       int64  `json:"update_at"`
	DeleteAt       int64  `json:"delete_at"`
}

// BotPatch is model.BotPatch.
type BotPatch struct {
	Username    *string `json:"username"`
	DisplayName *string `json:"display_name"`
	Description *string `json:"description"`
}

// BotGetOptions is model.BotGetOptions.
type BotGetOptions struct {
	OwnerId        string
	IncludeDeleted bool
	OnlyOrphaned   bool
	Page           int
	PerPage        int
}
