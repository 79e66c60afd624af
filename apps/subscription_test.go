package apps_test

import (
	"encoding/json"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

func TestEventValidate(t *testing.T) {
	for _, tc := range []struct {
		e    apps.Event
		want string
	}{
		{apps.Event{Subject: "user_created"}, ""},
		{apps.Event{Subject: "user_created", TeamID: "t"}, "team_id must be empty"},
		{apps.Event{Subject: "user_created", ChannelID: "c"}, "channel_id must be empty"},
		{apps.Event{Subject: "bot_joined_channel"}, ""},
		{apps.Event{Subject: "bot_left_team", TeamID: "t"}, "team_id must be empty"},
		{apps.Event{Subject: "user_joined_channel"}, ""},
		{apps.Event{Subject: "user_joined_channel", ChannelID: "c"}, ""},
		{apps.Event{Subject: "user_left_channel", TeamID: "t"}, "team_id must be empty"},
		{apps.Event{Subject: "user_joined_team", TeamID: "t"}, ""},
		{apps.Event{Subject: "user_left_team", ChannelID: "c"}, "channel_id must be empty"},
		{apps.Event{Subject: "channel_created", TeamID: "t"}, ""},
		{apps.Event{Subject: "channel_created"}, "team_id is required"},
		{apps.Event{Subject: "post_created", ChannelID: "c"}, `unknown subject "post_created"`},
		{apps.Event{}, "subject must not be empty"},
	} {
		checkErr(t, tc.e.Validate(), tc.want)
	}
	for _, s := range apps.KnownSubjects() {
		e := apps.Event{Subject: s}
		if s == apps.SubjectChannelCreated {
			e.TeamID = "t"
		}
		checkErr(t, e.Validate(), "")
	}
	checkErr(t, apps.Subscription{Event: apps.Event{Subject: "user_created"}}.Validate(), "call path must not be empty")
}

func TestSubscriptionJSON(t *testing.T) {
	s := apps.Subscription{Event: apps.Event{Subject: "channel_created", TeamID: "t"}, Call: apps.Call{Path: "/notify"}}
	data, _ := json.Marshal(s)
	if string(data) != `{"subject":"channel_created","team_id":"t","call":{"path":"/notify"}}` {
		t.Errorf("JSON: %s", data)
	}
	// v1.0 and v0.x wrote the call as "Call".
	var old apps.Subscription
	if err := json.Unmarshal([]byte(`{"subject":"user_created","Call":{"path":"/old"}}`), &old); err != nil || old.Call.Path != "/old" {
		t.Errorf("old form: %+v %v", old, err)
	}
}
