package appservices

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Subscription records use the original plugin's keys and JSON, so its
// subscriptions keep being delivered: "sub.<subject>[.<channel or team id>]"
// -> {"Event": {...}, "Subscriptions": [{"Call", "app_id", "user_id"}]}, one
// entry per (app, owner) and event. SubscriptionIndexKey lists the records,
// for listing and uninstall (the original scanned the whole KV store).
const (
	SubscriptionPrefix   = "sub."
	SubscriptionIndexKey = "idx.subs"

	// SubscriptionSchema is the version of the subscription records this
	// code writes (the original's had none: 0). The field is added to the
	// original's JSON, which the original ignores.
	SubscriptionSchema = 1
)

// StoredSubscription is one app's subscription in a record.
type StoredSubscription struct {
	Call  apps.Call  `json:"Call"`
	AppID apps.AppID `json:"app_id"`
	// OwnerUserID subscribed (the app's bot or a user it acts for); calls
	// are made as this user.
	OwnerUserID string `json:"user_id"`
}

// SubscriptionRecord is the stored JSON of one subscription key.
type SubscriptionRecord struct {
	Event         apps.Event
	Subscriptions []StoredSubscription
	Schema        int `json:"schema,omitempty"`
}

// SubscriptionKey is where the subscriptions to e are stored.
func SubscriptionKey(e apps.Event) (string, error) { return subsKey(e) }

// subsKey is where the subscriptions to e are stored (the original's rules).
func subsKey(e apps.Event) (string, error) {
	if err := e.Validate(); err != nil {
		return "", err
	}
	suffix := ""
	switch e.Subject {
	case apps.SubjectUserJoinedChannel, apps.SubjectUserLeftChannel:
		if e.ChannelID != "" {
			suffix = "." + e.ChannelID
		}
	case apps.SubjectUserJoinedTeam, apps.SubjectUserLeftTeam, apps.SubjectChannelCreated:
		if e.TeamID != "" {
			suffix = "." + e.TeamID
		}
	}
	return SubscriptionPrefix + string(e.Subject) + suffix, nil
}

// Subscriptions stores the apps' event subscriptions and finds those an
// event reaches.
type Subscriptions struct {
	api  mmplugin.API
	apps AppGetter
}

// NewSubscriptions returns the subscription store.
func NewSubscriptions(api mmplugin.API, installed AppGetter) *Subscriptions {
	return &Subscriptions{api: api, apps: installed}
}

// Subscribe saves sub for the caller (the owner is the session's user). A
// previous subscription of the same app and owner to the same event is
// replaced.
func (s *Subscriptions) Subscribe(c Caller, sub apps.Subscription) error {
	if err := sub.Validate(); err != nil {
		return err
	}
	if err := sub.Call.Validate(); err != nil {
		return err
	}
	if err := s.checkPermission(c, sub.Event); err != nil {
		return err
	}
	entry := StoredSubscription{Call: sub.Call, AppID: c.AppID(), OwnerUserID: c.UserID}
	_, err := s.update(sub.Event, func(subs []StoredSubscription) ([]StoredSubscription, bool) {
		i := slices.IndexFunc(subs, func(x StoredSubscription) bool { return x.AppID == entry.AppID && x.OwnerUserID == entry.OwnerUserID })
		if i >= 0 {
			subs[i] = entry
		} else {
			subs = append(subs, entry)
		}
		return subs, true
	})
	return err
}

// Unsubscribe removes the caller's subscription to e.
func (s *Subscriptions) Unsubscribe(c Caller, e apps.Event) error {
	found, err := s.update(e, func(subs []StoredSubscription) ([]StoredSubscription, bool) {
		n := len(subs)
		subs = slices.DeleteFunc(subs, func(x StoredSubscription) bool { return x.AppID == c.AppID() && x.OwnerUserID == c.UserID })
		return subs, len(subs) != n
	})
	if err != nil {
		return err
	}
	if !found {
		return notFound("not subscribed to %s", e)
	}
	return nil
}

// List returns the caller's subscriptions.
func (s *Subscriptions) List(c Caller) ([]apps.Subscription, error) {
	keys, _, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	out := []apps.Subscription{}
	for _, key := range keys {
		rec, _, err := s.read(key)
		if err != nil {
			return nil, err
		}
		for _, x := range rec.Subscriptions {
			if x.AppID == c.AppID() && x.OwnerUserID == c.UserID {
				out = append(out, apps.Subscription{Event: rec.Event, Call: x.Call})
			}
		}
	}
	return out, nil
}

// RemoveApp removes every subscription of appID (on uninstall).
func (s *Subscriptions) RemoveApp(appID apps.AppID) error {
	keys, _, err := s.readIndex()
	if err != nil {
		return err
	}
	for _, key := range keys {
		rec, _, err := s.read(key)
		if err != nil {
			return err
		}
		if rec.Event.Subject == "" {
			continue
		}
		if _, err := s.update(rec.Event, func(subs []StoredSubscription) ([]StoredSubscription, bool) {
			n := len(subs)
			subs = slices.DeleteFunc(subs, func(x StoredSubscription) bool { return x.AppID == appID })
			return subs, len(subs) != n
		}); err != nil {
			return err
		}
	}
	return nil
}

// checkPermission applies upstream's rules: the owner must be able to see
// what the event is about; bot_* subjects are for the app's bot only.
func (s *Subscriptions) checkPermission(c Caller, e apps.Event) error {
	api, userID := s.api, c.UserID
	switch e.Subject {
	case apps.SubjectUserCreated:
		if !api.HasPermissionTo(userID, model.PermissionViewMembers) {
			return forbidden("no permission to view users (view_members)")
		}
	case apps.SubjectUserJoinedChannel, apps.SubjectUserLeftChannel:
		if e.ChannelID != "" && !api.HasPermissionToChannel(userID, e.ChannelID, model.PermissionReadChannel) {
			return forbidden("no permission to read channel %s", e.ChannelID)
		}
	case apps.SubjectUserJoinedTeam, apps.SubjectUserLeftTeam:
		if e.TeamID != "" && !api.HasPermissionToTeam(userID, e.TeamID, model.PermissionViewTeam) {
			return forbidden("no permission to view team %s", e.TeamID)
		}
	case apps.SubjectChannelCreated:
		if !api.HasPermissionToTeam(userID, e.TeamID, model.PermissionListTeamChannels) {
			return forbidden("no permission to list the channels of team %s", e.TeamID)
		}
	case apps.SubjectBotJoinedChannel, apps.SubjectBotLeftChannel, apps.SubjectBotJoinedTeam, apps.SubjectBotLeftTeam:
		if !c.IsBot() {
			return forbidden("%s can only be subscribed to by the app's bot (use the bot_access_token)", e.Subject)
		}
	}
	return nil
}

func (s *Subscriptions) read(key string) (SubscriptionRecord, []byte, error) {
	raw, appErr := s.api.KVGet(key)
	if appErr != nil {
		return SubscriptionRecord{}, nil, fmt.Errorf("read subscriptions %s: %w", key, appErr)
	}
	var rec SubscriptionRecord
	if raw != nil {
		if err := json.Unmarshal(raw, &rec); err != nil {
			return SubscriptionRecord{}, nil, fmt.Errorf("decode subscriptions %s: %w", key, err)
		}
	}
	return rec, raw, nil
}

// update changes the subscriptions to e with compare-and-set; change says
// whether it changed anything. An emptied record is deleted. The index is
// updated when a record appears or goes.
func (s *Subscriptions) update(e apps.Event, change func([]StoredSubscription) ([]StoredSubscription, bool)) (bool, error) {
	key, err := subsKey(e)
	if err != nil {
		return false, err
	}
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		rec, old, err := s.read(key)
		if err != nil {
			return false, err
		}
		subs, changed := change(slices.Clone(rec.Subscriptions))
		if !changed {
			return false, nil
		}
		var ok bool
		var appErr *model.AppError
		if len(subs) == 0 {
			ok, appErr = s.api.KVCompareAndDelete(key, old)
		} else {
			raw, err := json.Marshal(SubscriptionRecord{Event: e, Subscriptions: subs, Schema: SubscriptionSchema})
			if err != nil {
				return false, err
			}
			ok, appErr = s.api.KVSetWithOptions(key, raw, model.PluginKVSetOptions{Atomic: true, OldValue: old})
		}
		if appErr != nil {
			return false, fmt.Errorf("save subscriptions %s: %w", key, appErr)
		}
		if !ok {
			continue
		}
		switch {
		case old == nil && len(subs) > 0:
			err = s.updateIndex(key, true)
		case old != nil && len(subs) == 0:
			err = s.updateIndex(key, false)
		}
		return true, err
	}
	return false, fmt.Errorf("save subscriptions %s: too many concurrent changes, try again", key)
}

func (s *Subscriptions) readIndex() ([]string, []byte, error) {
	raw, appErr := s.api.KVGet(SubscriptionIndexKey)
	if appErr != nil {
		return nil, nil, fmt.Errorf("read the subscription index: %w", appErr)
	}
	var keys []string
	if raw != nil {
		if err := json.Unmarshal(raw, &keys); err != nil {
			return nil, nil, fmt.Errorf("decode the subscription index: %w", err)
		}
	}
	sort.Strings(keys)
	return keys, raw, nil
}

func (s *Subscriptions) updateIndex(key string, add bool) error {
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		keys, old, err := s.readIndex()
		if err != nil {
			return err
		}
		i, found := slices.BinarySearch(keys, key)
		switch {
		case add && !found:
			keys = slices.Insert(keys, i, key)
		case !add && found:
			keys = slices.Delete(keys, i, i+1)
		default:
			return nil
		}
		raw, _ := json.Marshal(keys)
		ok, appErr := s.api.KVSetWithOptions(SubscriptionIndexKey, raw, model.PluginKVSetOptions{Atomic: true, OldValue: old})
		if appErr != nil {
			return fmt.Errorf("update the subscription index: %w", appErr)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("update the subscription index: too many concurrent changes")
}

// Delivery is a call an event causes: the subscription's call, made as its
// owner, with the event's subject and IDs in the context.
type Delivery struct {
	AppID       apps.AppID
	OwnerUserID string
	Call        apps.Call
	Subject     apps.Subject
	// UserID is the user the event is about; ChannelID and TeamID where.
	UserID    string
	ChannelID string
	TeamID    string
}

// Occurrence is something that happened, as the hooks report it.
type Occurrence struct {
	Subject apps.Subject
	// UserID: who joined, left or was created; ChannelID, TeamID: where.
	UserID    string
	ChannelID string
	TeamID    string
	// ChannelType is set for channel_created.
	ChannelType model.ChannelType
}

// botSubject is the bot_* variant of a join/leave subject.
func botSubject(s apps.Subject) apps.Subject {
	switch s {
	case apps.SubjectUserJoinedChannel:
		return apps.SubjectBotJoinedChannel
	case apps.SubjectUserLeftChannel:
		return apps.SubjectBotLeftChannel
	case apps.SubjectUserJoinedTeam:
		return apps.SubjectBotJoinedTeam
	case apps.SubjectUserLeftTeam:
		return apps.SubjectBotLeftTeam
	}
	return ""
}

// Match returns the deliveries an occurrence causes. For join/leave
// subjects: subscriptions to that channel or team (owner may see it),
// subject-only subscriptions of the user concerned ("self"), and the bot_*
// subscriptions of the app whose bot it is. channel_created reaches the
// team's subscribers who may read the new channel; direct and group
// channels are not reported. Disabled and uninstalled apps get nothing.
func (s *Subscriptions) Match(o Occurrence) ([]Delivery, error) {
	var out []Delivery
	add := func(e apps.Event, keep func(StoredSubscription) bool) error {
		key, err := subsKey(e)
		if err != nil {
			return err
		}
		rec, _, err := s.read(key)
		if err != nil {
			return err
		}
		for _, x := range rec.Subscriptions {
			if app, ok := s.apps.Get(string(x.AppID)); !ok || app.Disabled || !keep(x) {
				continue
			}
			out = append(out, Delivery{
				AppID: x.AppID, OwnerUserID: x.OwnerUserID, Call: x.Call, Subject: e.Subject,
				UserID: o.UserID, ChannelID: o.ChannelID, TeamID: o.TeamID,
			})
		}
		return nil
	}
	api := s.api
	self := func(x StoredSubscription) bool { return x.OwnerUserID == o.UserID }
	var err error
	switch o.Subject {
	case apps.SubjectUserCreated:
		err = add(apps.Event{Subject: o.Subject}, func(x StoredSubscription) bool {
			return api.HasPermissionTo(x.OwnerUserID, model.PermissionViewMembers)
		})
	case apps.SubjectUserJoinedChannel, apps.SubjectUserLeftChannel:
		err = add(apps.Event{Subject: o.Subject, ChannelID: o.ChannelID}, func(x StoredSubscription) bool {
			return x.OwnerUserID == o.UserID || api.HasPermissionToChannel(x.OwnerUserID, o.ChannelID, model.PermissionReadChannel)
		})
		if err == nil {
			err = add(apps.Event{Subject: o.Subject}, self)
		}
	case apps.SubjectUserJoinedTeam, apps.SubjectUserLeftTeam:
		err = add(apps.Event{Subject: o.Subject, TeamID: o.TeamID}, func(x StoredSubscription) bool {
			return x.OwnerUserID == o.UserID || api.HasPermissionToTeam(x.OwnerUserID, o.TeamID, model.PermissionViewTeam)
		})
		if err == nil {
			err = add(apps.Event{Subject: o.Subject}, self)
		}
	case apps.SubjectChannelCreated:
		if o.TeamID == "" || o.ChannelType == model.ChannelTypeDirect || o.ChannelType == model.ChannelTypeGroup {
			return nil, nil
		}
		err = add(apps.Event{Subject: o.Subject, TeamID: o.TeamID}, func(x StoredSubscription) bool {
			if !api.HasPermissionToTeam(x.OwnerUserID, o.TeamID, model.PermissionListTeamChannels) {
				return false
			}
			return o.ChannelType != model.ChannelTypePrivate || api.HasPermissionToChannel(x.OwnerUserID, o.ChannelID, model.PermissionReadChannel)
		})
	default:
		return nil, fmt.Errorf("no deliveries for subject %q", o.Subject)
	}
	if err != nil {
		return nil, err
	}
	if bs := botSubject(o.Subject); bs != "" && s.isAppBot(o.UserID) {
		err = add(apps.Event{Subject: bs}, func(x StoredSubscription) bool {
			app, _ := s.apps.Get(string(x.AppID))
			return app.BotUserID == o.UserID && x.OwnerUserID == o.UserID
		})
	}
	return out, err
}

// isAppBot reports whether userID is some installed app's bot.
func (s *Subscriptions) isAppBot(userID string) bool {
	for _, a := range s.apps.List() {
		if a.BotUserID == userID {
			return true
		}
	}
	return false
}
