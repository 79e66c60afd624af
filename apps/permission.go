package apps

import "errors"

// Permission is something an app asks the administrator for at install.
type Permission string

const (
	// PermissionUserJoinedChannelNotification: receive user_joined_channel
	// notifications. Requires act_as_bot.
	PermissionUserJoinedChannelNotification Permission = "user_joined_channel_notification"
	// PermissionActAsBot: a bot account is created; calls can get its token.
	PermissionActAsBot Permission = "act_as_bot"
	// PermissionActAsUser: calls can get the acting user's token.
	PermissionActAsUser Permission = "act_as_user"
	// PermissionRemoteOAuth2: the app uses a remote (3rd party) OAuth2 and
	// stores its secrets. Requires act_as_user.
	PermissionRemoteOAuth2 Permission = "remote_oauth2"
	// PermissionRemoteWebhooks: the app receives webhooks from a remote
	// system. Requires act_as_bot.
	PermissionRemoteWebhooks Permission = "remote_webhooks"
)

// KnownPermissions lists every permission.
func KnownPermissions() Permissions {
	return Permissions{
		PermissionUserJoinedChannelNotification,
		PermissionActAsBot,
		PermissionActAsUser,
		PermissionRemoteOAuth2,
		PermissionRemoteWebhooks,
	}
}

// PermissionDependencies returns, for each permission that depends on others,
// the permissions it requires.
func PermissionDependencies() map[Permission]Permissions {
	return map[Permission]Permissions{
		PermissionRemoteWebhooks:                {PermissionActAsBot},
		PermissionRemoteOAuth2:                  {PermissionActAsUser},
		PermissionUserJoinedChannelNotification: {PermissionActAsBot},
	}
}

// Validate checks that p is known.
func (p Permission) Validate() error {
	if KnownPermissions().Contains(p) {
		return nil
	}
	return NewInvalidError("unknown permission %q", string(p))
}

// String describes the permission for a consent screen.
func (p Permission) String() string {
	switch p {
	case PermissionUserJoinedChannelNotification:
		return "be notified when users join channels"
	case PermissionActAsUser:
		return "use Mattermost REST API as connected users"
	case PermissionActAsBot:
		return "use Mattermost REST API as the app's bot user"
	case PermissionRemoteOAuth2:
		return "use a remote (3rd party) OAuth2 and store secrets"
	case PermissionRemoteWebhooks:
		return "receive webhook messages from a remote (3rd party) system"
	}
	return "unknown permission: " + string(p)
}

// Permissions is a list of permissions.
type Permissions []Permission

// Contains reports whether p is in the list.
func (pp Permissions) Contains(p Permission) bool {
	for _, x := range pp {
		if x == p {
			return true
		}
	}
	return false
}

// Validate checks that every permission is known and that its dependencies
// are present.
func (pp Permissions) Validate() error {
	var errs []error
	deps := PermissionDependencies()
	for _, p := range pp {
		if err := p.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, d := range deps[p] {
			if !pp.Contains(d) {
				errs = append(errs, NewInvalidError("permission %q requires %q", string(p), string(d)))
			}
		}
	}
	return errors.Join(errs...)
}
