package apps

import (
	"errors"
	"strings"
)

// ExpandLevel says how much of an entity to add to a call's context. A
// leading "+" makes the expansion required: the call fails if it cannot be
// done. Known levels: "" (none), "id", "summary", "all".
type ExpandLevel string

const (
	ExpandNone    ExpandLevel = ""
	ExpandID      ExpandLevel = "id"
	ExpandSummary ExpandLevel = "summary"
	ExpandAll     ExpandLevel = "all"

	expandRequiredPrefix = "+"
)

// ParseExpandLevel splits raw into its required flag and level. Any level
// other than "", "id", "summary" and "all" (including v0.x "none") is an error.
func ParseExpandLevel(raw ExpandLevel) (required bool, level ExpandLevel, err error) {
	level = raw
	if strings.HasPrefix(string(raw), expandRequiredPrefix) {
		required = true
		level = raw[len(expandRequiredPrefix):]
	}
	switch level {
	case ExpandNone, ExpandID, ExpandSummary, ExpandAll:
		return required, level, nil
	}
	return false, "", NewInvalidError("%q is not a known expand level", string(level))
}

// Required returns l marked as required.
func (l ExpandLevel) Required() ExpandLevel {
	if strings.HasPrefix(string(l), expandRequiredPrefix) {
		return l
	}
	return expandRequiredPrefix + l
}

// IsRequired reports whether l is marked as required.
func (l ExpandLevel) IsRequired() bool {
	return strings.HasPrefix(string(l), expandRequiredPrefix)
}

// Level returns l without the required marker.
func (l ExpandLevel) Level() ExpandLevel {
	return ExpandLevel(strings.TrimPrefix(string(l), expandRequiredPrefix))
}

// Expand lists what to add to a call's context. Tokens and OAuth2 data are
// only added at level "all". Summary field sets: user {id, delete_at,
// username, email, first_name, last_name, nickname, position, roles, locale,
// timezone, is_bot, bot_description}; channel {id, delete_at, team_id, type,
// display_name, name}; team {id, display_name, name, description, email,
// type}; post {id, type, user_id, channel_id, root_id, message}; app {app_id,
// version, bot_user_id, bot_username}. For channel_member and team_member,
// summary is the same as all.
type Expand struct {
	App                   ExpandLevel `json:"app,omitempty"`
	ActingUser            ExpandLevel `json:"acting_user,omitempty"`
	ActingUserAccessToken ExpandLevel `json:"acting_user_access_token,omitempty"`
	Locale                ExpandLevel `json:"locale,omitempty"`
	Channel               ExpandLevel `json:"channel,omitempty"`
	ChannelMember         ExpandLevel `json:"channel_member,omitempty"`
	Team                  ExpandLevel `json:"team,omitempty"`
	TeamMember            ExpandLevel `json:"team_member,omitempty"`
	Post                  ExpandLevel `json:"post,omitempty"`
	RootPost              ExpandLevel `json:"root_post,omitempty"`
	User                  ExpandLevel `json:"user,omitempty"`
	OAuth2App             ExpandLevel `json:"oauth2_app,omitempty"`
	OAuth2User            ExpandLevel `json:"oauth2_user,omitempty"`
}

func (e Expand) fields() []struct {
	name  string
	level ExpandLevel
} {
	return []struct {
		name  string
		level ExpandLevel
	}{
		{"app", e.App},
		{"acting_user", e.ActingUser},
		{"acting_user_access_token", e.ActingUserAccessToken},
		{"locale", e.Locale},
		{"channel", e.Channel},
		{"channel_member", e.ChannelMember},
		{"team", e.Team},
		{"team_member", e.TeamMember},
		{"post", e.Post},
		{"root_post", e.RootPost},
		{"user", e.User},
		{"oauth2_app", e.OAuth2App},
		{"oauth2_user", e.OAuth2User},
	}
}

// levelPtrs returns pointers to every level of e.
func (e *Expand) levelPtrs() []*ExpandLevel {
	return []*ExpandLevel{&e.App, &e.ActingUser, &e.ActingUserAccessToken, &e.Locale, &e.Channel,
		&e.ChannelMember, &e.Team, &e.TeamMember, &e.Post, &e.RootPost, &e.User, &e.OAuth2App, &e.OAuth2User}
}

// Validate checks every level.
func (e Expand) Validate() error {
	var errs []error
	for _, f := range e.fields() {
		if _, _, err := ParseExpandLevel(f.level); err != nil {
			errs = append(errs, NewInvalidError("expand.%s: %w", f.name, err))
		}
	}
	return errors.Join(errs...)
}

// String lists the non-empty levels, e.g. "acting_user:summary,app:all".
func (e Expand) String() string {
	var ss []string
	for _, f := range e.fields() {
		if f.level != "" {
			ss = append(ss, f.name+":"+string(f.level))
		}
	}
	return strings.Join(ss, ",")
}
