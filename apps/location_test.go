package apps_test

import (
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

func TestLocationIn(t *testing.T) {
	for _, tc := range []struct {
		l, other apps.Location
		want     bool
	}{
		{"/command", "/command", true},
		{"/command/app/send", "/command", true},
		{"/command/app/send", "/command/app", true},
		{"/command/app/send", "/command/app/", true},
		{"/command/apptrigger", "/command/app", false},
		{"/commandX", "/command", false},
		{"/channel_header/btn", "/command", false},
		{"/command", "/command/app", false},
		{"/command", "", false},
		{"", "/command", false},
	} {
		if got := tc.l.In(tc.other); got != tc.want {
			t.Errorf("%q.In(%q) = %v", tc.l, tc.other, got)
		}
	}
	granted := apps.Locations{"/channel_header", "/command/app"}
	for l, want := range map[apps.Location]bool{
		"/channel_header/send": true, "/command/app/x": true, "/command/other": false, "/post_menu/x": false,
	} {
		if got := granted.Includes(l); got != want {
			t.Errorf("Includes(%q) = %v", l, got)
		}
	}
	if got := apps.LocationCommand.Sub("app").Sub("/send"); got != "/command/app/send" {
		t.Errorf("Sub: %q", got)
	}
}

func TestLocationValidate(t *testing.T) {
	for l, want := range map[apps.Location]string{
		"/post_menu":         "",
		"/channel_header/x":  "",
		"/command/app/send":  "",
		"/in_post":           "",
		"/command/":          "empty segment",
		"/command//x":        "empty segment",
		"/unknown":           `unknown location "/unknown"`,
		"command":            `unknown location "command"`,
		"":                   `unknown location ""`,
		"/post_menu_special": `"/post_menu_special"`,
	} {
		checkErr(t, l.Validate(), want)
	}
	for l, want := range map[apps.Location]string{
		"/post_menu":      "Post Menu items",
		"/channel_header": "Channel Header buttons",
		"/command":        "Slash commands",
		"/command/app/do": "`/app do` command",
		"":                "",
		"x":               "x",
		"/something/else": "/something/else",
	} {
		if got := l.Markdown(); got != want {
			t.Errorf("%q.Markdown() = %q", l, got)
		}
	}
	if !apps.LocationCommand.IsTop() || apps.LocationInPost.IsTop() || apps.Location("/command/x").IsTop() {
		t.Error("IsTop")
	}
}
