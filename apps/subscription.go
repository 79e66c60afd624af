package apps

import "errors"

// Subject is the kind of event a subscription is for.
type Subject string

const (
	// SubjectUserCreated: a user was created. Global (no team or channel).
	SubjectUserCreated Subject = "user_created"
	// SubjectUserJoinedChannel, SubjectUserLeftChannel: optional channel_id;
	// without it the subscription is about the subscriber joining any
	// channel.
	SubjectUserJoinedChannel Subject = "user_joined_channel"
	SubjectUserLeftChannel   Subject = "user_left_channel"
	// SubjectUserJoinedTeam, SubjectUserLeftTeam: optional team_id.
	SubjectUserJoinedTeam Subject = "user_joined_team"
	SubjectUserLeftTeam   Subject = "user_left_team"
	// SubjectBotJoinedChannel, SubjectBotLeftChannel, SubjectBotJoinedTeam,
	// SubjectBotLeftTeam: the app's bot joined or left. Global; deprecated.
	SubjectBotJoinedChannel Subject = "bot_joined_channel"
	SubjectBotLeftChannel   Subject = "bot_left_channel"
	SubjectBotJoinedTeam    Subject = "bot_joined_team"
	SubjectBotLeftTeam      Subject = "bot_left_team"
	// SubjectChannelCreated: a channel was created in team_id (required).
	SubjectChannelCreated Subject = "channel_created"
)

// KnownSubjects lists every subject.
func KnownSubjects() []Subject {
	return []Subject{SubjectUserCreated, SubjectUserJoinedChannel, SubjectUserLeftChannel,
		SubjectUserJoinedTeam, SubjectUserLeftTeam, SubjectBotJoinedChannel, SubjectBotLeftChannel,
		SubjectBotJoinedTeam, SubjectBotLeftTeam, SubjectChannelCreated}
}

// Event is a subject and its scope.
type Event struct {
	Subject   Subject `json:"subject"`
	ChannelID string  `json:"channel_id,omitempty"`
	TeamID    string  `json:"team_id,omitempty"`
}

// Subscription asks for Call to be made when Event happens.
type Subscription struct {
	Event
	Call Call `json:"call"`
}

// Validate checks the subject and its scope.
func (e Event) Validate() error {
	var errs []error
	noTeam := func() {
		if e.TeamID != "" {
			errs = append(errs, NewInvalidError("subject %q: team_id must be empty", string(e.Subject)))
		}
	}
	noChannel := func() {
		if e.ChannelID != "" {
			errs = append(errs, NewInvalidError("subject %q: channel_id must be empty", string(e.Subject)))
		}
	}
	switch e.Subject {
	case SubjectUserCreated, SubjectBotJoinedChannel, SubjectBotLeftChannel, SubjectBotJoinedTeam, SubjectBotLeftTeam:
		noTeam()
		noChannel()
	case SubjectUserJoinedChannel, SubjectUserLeftChannel:
		noTeam()
	case SubjectUserJoinedTeam, SubjectUserLeftTeam:
		noChannel()
	case SubjectChannelCreated:
		if e.TeamID == "" {
			errs = append(errs, NewInvalidError("subject %q: team_id is required", string(e.Subject)))
		}
		noChannel()
	case "":
		errs = append(errs, NewInvalidError("subject must not be empty"))
	default:
		errs = append(errs, NewInvalidError("unknown subject %q", string(e.Subject)))
	}
	return errors.Join(errs...)
}

// Validate checks the event and that the call has a path.
func (s Subscription) Validate() error {
	var errs []error
	if err := s.Event.Validate(); err != nil {
		errs = append(errs, err)
	}
	if s.Call.Path == "" {
		errs = append(errs, NewInvalidError("subscription to %q: call path must not be empty", string(s.Subject)))
	}
	return errors.Join(errs...)
}

// String is for logs.
func (e Event) String() string {
	s := "subject: " + string(e.Subject)
	if e.ChannelID != "" {
		s += ", channel_id: " + e.ChannelID
	}
	if e.TeamID != "" {
		s += ", team_id: " + e.TeamID
	}
	return s
}
