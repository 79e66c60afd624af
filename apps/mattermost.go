package apps

import "strings"

// The Mattermost objects that can appear in an expanded Context. They mirror
// the Mattermost server's model types with identical JSON field names (and
// omitempty where Mattermost has it), so apps see the same JSON as before.
// Only commonly used fields are declared; unknown fields are dropped.

// User mirrors Mattermost's model.User.
type User struct {
	ID                     string            `json:"id"`
	CreateAt               int64             `json:"create_at,omitempty"`
	UpdateAt               int64             `json:"update_at,omitempty"`
	DeleteAt               int64             `json:"delete_at"`
	Username               string            `json:"username"`
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
	RemoteID               *string           `json:"remote_id,omitempty"`
	LastActivityAt         int64             `json:"last_activity_at,omitempty"`
	IsBot                  bool              `json:"is_bot,omitempty"`
	BotDescription         string            `json:"bot_description,omitempty"`
	BotLastIconUpdate      int64             `json:"bot_last_icon_update,omitempty"`
	TermsOfServiceID       string            `json:"terms_of_service_id,omitempty"`
	TermsOfServiceCreateAt int64             `json:"terms_of_service_create_at,omitempty"`
	DisableWelcomeEmail    bool              `json:"disable_welcome_email"`
}

// IsSystemAdmin reports whether the user has the system_admin role.
func (u *User) IsSystemAdmin() bool {
	if u == nil {
		return false
	}
	for _, r := range strings.Fields(u.Roles) {
		if r == "system_admin" {
			return true
		}
	}
	return false
}

// Channel mirrors Mattermost's model.Channel.
type Channel struct {
	ID                string         `json:"id"`
	CreateAt          int64          `json:"create_at"`
	UpdateAt          int64          `json:"update_at"`
	DeleteAt          int64          `json:"delete_at"`
	TeamID            string         `json:"team_id"`
	Type              string         `json:"type"`
	DisplayName       string         `json:"display_name"`
	Name              string         `json:"name"`
	Header            string         `json:"header"`
	Purpose           string         `json:"purpose"`
	LastPostAt        int64          `json:"last_post_at"`
	TotalMsgCount     int64          `json:"total_msg_count"`
	ExtraUpdateAt     int64          `json:"extra_update_at"`
	CreatorID         string         `json:"creator_id"`
	SchemeID          *string        `json:"scheme_id"`
	Props             map[string]any `json:"props"`
	GroupConstrained  *bool          `json:"group_constrained"`
	Shared            *bool          `json:"shared"`
	TotalMsgCountRoot int64          `json:"total_msg_count_root"`
	PolicyID          *string        `json:"policy_id"`
	LastRootPostAt    int64          `json:"last_root_post_at"`
}

// ChannelMember mirrors Mattermost's model.ChannelMember.
type ChannelMember struct {
	ChannelID        string            `json:"channel_id"`
	UserID           string            `json:"user_id"`
	Roles            string            `json:"roles"`
	LastViewedAt     int64             `json:"last_viewed_at"`
	MsgCount         int64             `json:"msg_count"`
	MentionCount     int64             `json:"mention_count"`
	MentionCountRoot int64             `json:"mention_count_root"`
	MsgCountRoot     int64             `json:"msg_count_root"`
	NotifyProps      map[string]string `json:"notify_props"`
	LastUpdateAt     int64             `json:"last_update_at"`
	SchemeGuest      bool              `json:"scheme_guest"`
	SchemeUser       bool              `json:"scheme_user"`
	SchemeAdmin      bool              `json:"scheme_admin"`
	ExplicitRoles    string            `json:"explicit_roles"`
}

// Team mirrors Mattermost's model.Team.
type Team struct {
	ID                  string  `json:"id"`
	CreateAt            int64   `json:"create_at"`
	UpdateAt            int64   `json:"update_at"`
	DeleteAt            int64   `json:"delete_at"`
	DisplayName         string  `json:"display_name"`
	Name                string  `json:"name"`
	Description         string  `json:"description"`
	Email               string  `json:"email"`
	Type                string  `json:"type"`
	CompanyName         string  `json:"company_name"`
	AllowedDomains      string  `json:"allowed_domains"`
	InviteID            string  `json:"invite_id"`
	AllowOpenInvite     bool    `json:"allow_open_invite"`
	LastTeamIconUpdate  int64   `json:"last_team_icon_update,omitempty"`
	SchemeID            *string `json:"scheme_id"`
	GroupConstrained    *bool   `json:"group_constrained"`
	PolicyID            *string `json:"policy_id"`
	CloudLimitsArchived bool    `json:"cloud_limits_archived"`
}

// TeamMember mirrors Mattermost's model.TeamMember.
type TeamMember struct {
	TeamID        string `json:"team_id"`
	UserID        string `json:"user_id"`
	Roles         string `json:"roles"`
	DeleteAt      int64  `json:"delete_at"`
	SchemeGuest   bool   `json:"scheme_guest"`
	SchemeUser    bool   `json:"scheme_user"`
	SchemeAdmin   bool   `json:"scheme_admin"`
	ExplicitRoles string `json:"explicit_roles"`
}

// Post mirrors Mattermost's model.Post (without metadata).
type Post struct {
	ID            string         `json:"id"`
	CreateAt      int64          `json:"create_at"`
	UpdateAt      int64          `json:"update_at"`
	EditAt        int64          `json:"edit_at"`
	DeleteAt      int64          `json:"delete_at"`
	IsPinned      bool           `json:"is_pinned"`
	UserID        string         `json:"user_id"`
	ChannelID     string         `json:"channel_id"`
	RootID        string         `json:"root_id"`
	OriginalID    string         `json:"original_id"`
	Message       string         `json:"message"`
	MessageSource string         `json:"message_source,omitempty"`
	Type          string         `json:"type"`
	Props         map[string]any `json:"props"`
	Hashtags      string         `json:"hashtags"`
	FileIDs       []string       `json:"file_ids,omitempty"`
	PendingPostID string         `json:"pending_post_id"`
	HasReactions  bool           `json:"has_reactions,omitempty"`
	RemoteID      *string        `json:"remote_id,omitempty"`
	ReplyCount    int64          `json:"reply_count"`
	LastReplyAt   int64          `json:"last_reply_at"`
	IsFollowing   *bool          `json:"is_following,omitempty"`
}

// OAuthApp mirrors Mattermost's model.OAuthApp: the Mattermost OAuth2 app
// created for an installed app.
type OAuthApp struct {
	ID              string   `json:"id"`
	CreatorID       string   `json:"creator_id"`
	CreateAt        int64    `json:"create_at"`
	UpdateAt        int64    `json:"update_at"`
	ClientSecret    string   `json:"client_secret"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	IconURL         string   `json:"icon_url"`
	CallbackUrls    []string `json:"callback_urls"`
	Homepage        string   `json:"homepage"`
	IsTrusted       bool     `json:"is_trusted"`
	MattermostAppID string   `json:"mattermost_app_id"`
}

// MarketplaceLabel mirrors Mattermost's model.MarketplaceLabel.
type MarketplaceLabel struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	URL         string `json:"url"`
	Color       string `json:"color"`
}
