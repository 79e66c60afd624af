package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

func weatherBindings(extra ...apps.Binding) []apps.Binding {
	now := &apps.Form{Title: "Weather now", Submit: apps.NewCall("/now"), Fields: []apps.Field{
		{Name: "city", Type: apps.FieldTypeText, Position: 1, IsRequired: true, Description: "The city"},
		{Name: "units", Type: apps.FieldTypeStaticSelect, Description: "Units", Options: []apps.SelectOption{{Label: "Metric", Value: "metric"}, {Label: "Imperial", Value: "imperial"}}},
		{Name: "verbose", Type: apps.FieldTypeBool},
		{Name: "friend", Type: apps.FieldTypeUser},
		{Name: "where", Label: "channel", Type: apps.FieldTypeChannel},
		{Name: "note", Type: apps.FieldTypeText, Position: -1},
	}}
	subs := []apps.Binding{
		{Label: "now", Description: "Current weather", Form: now},
		{Label: "ask", Form: &apps.Form{Source: apps.NewCall("/ask/form")}},
		{Label: "ping", Submit: apps.NewCall("/pong")},
		{Label: "survey", Submit: apps.NewCall("/survey")},
		{Label: "picky", Form: &apps.Form{Submit: apps.NewCall("/picky"), Fields: []apps.Field{
			{Name: "tags", Type: apps.FieldTypeDynamicSelect, Lookup: apps.NewCall("/lookup"), IsRequired: true},
		}}},
	}
	subs = append(subs, extra...)
	return []apps.Binding{{Location: apps.LocationCommand, Bindings: []apps.Binding{{Label: "weather", Description: "Weather", Bindings: subs}}}}
}

func weatherApp(bindings *atomic.Pointer[[]apps.Binding]) testapp.Options {
	return testapp.Options{
		AppID: "weather", Secret: "sunny", Locations: apps.Locations{apps.LocationCommand},
		Handle: func(creq apps.CallRequest) apps.CallResponse {
			switch creq.Path {
			case "/bindings":
				return apps.NewDataResponse(*bindings.Load())
			case "/now":
				if creq.GetValue("city", "") == "error" {
					return apps.CallResponse{Type: apps.CallResponseTypeError, Text: "no weather for error"}
				}
				return apps.NewTextResponse("sunny in %s", creq.GetValue("city", "?"))
			case "/ask/form":
				return apps.NewFormResponse(apps.Form{Title: "Ask", Submit: apps.NewCall("/answer"), Fields: []apps.Field{
					{Name: "q", Type: apps.FieldTypeText, Position: 1, IsRequired: true}}})
			case "/answer":
				return apps.NewTextResponse("answer to %s", creq.GetValue("q", ""))
			case "/pong":
				return apps.CallResponse{Type: apps.CallResponseTypeOK, Text: "pong", RefreshBindings: true}
			case "/survey":
				return apps.NewFormResponse(apps.Form{Title: "A survey", Submit: apps.NewCall("/survey/submit"), Fields: []apps.Field{
					{Name: "happy", Type: apps.FieldTypeBool}}})
			}
			return apps.NewTextResponse("ok %s", creq.Path)
		},
	}
}

func commandByTrigger(h *mmhost.Host, trigger string) *model.Command {
	for _, c := range h.MM.Commands(pluginID) {
		if c.Trigger == trigger {
			return c
		}
	}
	return nil
}

func subcommand(ad *model.AutocompleteData, trigger string) *model.AutocompleteData {
	for _, s := range ad.SubCommands {
		if s.Trigger == trigger {
			return s
		}
	}
	return nil
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAppSlashCommands(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	var bindings atomic.Pointer[[]apps.Binding]
	bb := weatherBindings()
	bindings.Store(&bb)
	app := installHTTPApp(t, w, weatherApp(&bindings))

	// Registered with autocomplete: subcommands, positional and --flag arguments.
	cmd := commandByTrigger(w.host, "weather")
	if cmd == nil || cmd.AutocompleteData == nil {
		t.Fatalf("/weather is not registered: %+v", w.host.MM.Commands(pluginID))
	}
	now := subcommand(cmd.AutocompleteData, "now")
	if now == nil || len(subcommand(cmd.AutocompleteData, "ask").Arguments) != 0 || subcommand(cmd.AutocompleteData, "ping") == nil {
		t.Fatalf("subcommands: %+v", cmd.AutocompleteData.SubCommands)
	}
	var args []string
	for _, a := range now.Arguments {
		args = append(args, a.Name+":"+a.Type)
	}
	if got := strings.Join(args, " "); got != ":TextInput units:StaticList verbose:StaticList friend:TextInput channel:TextInput note:TextInput" {
		t.Errorf("/weather now arguments = %q", got)
	}

	// Flags, quoted values and positionals reach the app as typed values.
	out := w.run(t, w.user, `/weather now "San Francisco" --units Metric --verbose --friend @admin --channel apps-e2e it is "quite" nice`)
	if out != "sunny in San Francisco" {
		t.Fatalf("/weather now = %q", out)
	}
	got := lastCall(t, app, "/now")
	v := got.Request.Values
	opt := func(name string) map[string]any { m, _ := v[name].(map[string]any); return m }
	switch {
	case v["city"] != "San Francisco":
		t.Errorf("city = %#v", v["city"])
	case opt("units")["value"] != "metric" || opt("units")["label"] != "Metric":
		t.Errorf("units = %#v", v["units"])
	case v["verbose"] != true:
		t.Errorf("verbose = %#v", v["verbose"])
	case opt("friend")["value"] != w.admin:
		t.Errorf("friend = %#v", v["friend"])
	case opt("where")["value"] != w.channelID:
		t.Errorf("where = %#v", v["where"])
	case v["note"] != "it is quite nice":
		t.Errorf("note = %#v", v["note"])
	case got.ActingUserID != w.user || !strings.HasPrefix(got.Request.RawCommand, "/weather now"):
		t.Errorf("JWT user %q, raw command %q", got.ActingUserID, got.Request.RawCommand)
	}

	// --flag=value, a bool set to false, the app's error text.
	w.run(t, w.user, `/weather now Oslo --units=imperial --verbose false`)
	if v := lastCall(t, app, "/now").Request.Values; v["verbose"] != false || v["city"] != "Oslo" {
		t.Errorf("values = %#v", v)
	}
	if out := w.run(t, w.user, "/weather now error"); out != "no weather for error" {
		t.Errorf("app error = %q", out)
	}
	for cmdline, want := range map[string]string{
		"/weather":                       "Usage: `/weather <ask|now|picky|ping|survey>`",
		"/weather nope":                  "Unknown subcommand `nope`",
		"/weather now Oslo --units k":    "`k` is not an option of `--units`",
		"/weather now Oslo --bogus 1":    "unknown flag `--bogus`",
		"/weather now Oslo --friend @no": "no user @no",
		"/weather ping extra":            "takes no arguments",
		`/weather now "Oslo`:             "quote is not closed",
	} {
		mustContain(t, cmdline, w.run(t, w.user, cmdline), want)
	}

	// Missing required values open the form as a dialog; submitting it makes the call.
	dialogs := len(w.host.MM.OpenedDialogs())
	if out := w.run(t, w.user, "/weather now --units metric"); out != "" {
		t.Errorf("a dialog should open, got %q", out)
	}
	opened := w.host.MM.OpenedDialogs()
	if len(opened) != dialogs+1 {
		t.Fatalf("no dialog opened")
	}
	d := opened[len(opened)-1]
	if d.URL != "/plugins/"+pluginID+"/api/v1/dialog" || d.Dialog.Title != "Weather now" || len(d.Dialog.Elements) != 6 {
		t.Fatalf("dialog = %+v", d)
	}
	sub, _ := json.Marshal(model.SubmitDialogRequest{State: d.Dialog.State, ChannelId: w.channelID, Submission: map[string]any{
		"city": "Bergen", "units": "imperial", "verbose": true, "friend": w.admin,
	}})
	status, _, body, err := w.host.Fetch(w.userToken, http.MethodPost, pluginPath("/api/v1/dialog"), string(sub))
	if err != nil || status != http.StatusOK {
		t.Fatalf("submit the dialog: %d %s %v", status, body, err)
	}
	v = lastCall(t, app, "/now").Request.Values
	if v["city"] != "Bergen" || opt("units")["label"] != "Imperial" || v["verbose"] != true || opt("friend")["value"] != w.admin {
		t.Errorf("dialog values = %#v", v)
	}
	eph := w.host.MM.EphemeralPosts(w.user)
	if len(eph) == 0 || eph[len(eph)-1].Message != "sunny in Bergen" {
		t.Errorf("the dialog's answer was not posted to the user: %+v", eph)
	}
	// Where no dialog can open (no trigger id), the answer is usage text.
	resp, err := w.host.ExecuteSlashCommand(&model.CommandArgs{UserId: w.user, ChannelId: w.channelID, TeamId: w.teamID, Command: "/weather now"})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "no trigger id", resp.Text, "Missing required `--city`", "Usage: `/weather now <city>", "--units metric|imperial")
	// A form a dialog cannot show (dynamic select) gets usage text too.
	mustContain(t, "picky", w.run(t, w.user, "/weather picky"), "Missing required `--tags`", "Usage: `/weather picky")

	// A form fetched from its source; a form answer opens a dialog.
	if out := w.run(t, w.user, `/weather ask "will it rain"`); out != "answer to will it rain" {
		t.Errorf("/weather ask = %q", out)
	}
	dialogs = len(w.host.MM.OpenedDialogs())
	if out := w.run(t, w.user, "/weather survey"); out != "" || len(w.host.MM.OpenedDialogs()) != dialogs+1 {
		t.Errorf("form answer: %q, dialogs %d → %d", out, dialogs, len(w.host.MM.OpenedDialogs()))
	}

	// refresh_bindings re-registers the command when its bindings changed.
	bb2 := weatherBindings(apps.Binding{Label: "later", Submit: apps.NewCall("/later")})
	bindings.Store(&bb2)
	if out := w.run(t, w.user, "/weather ping"); out != "pong" {
		t.Fatalf("/weather ping = %q", out)
	}
	waitFor(t, "/weather later to be registered", func() bool {
		c := commandByTrigger(w.host, "weather")
		return c != nil && subcommand(c.AutocompleteData, "later") != nil
	})
	if out := w.run(t, w.user, "/weather later"); out != "ok /later" {
		t.Errorf("/weather later = %q", out)
	}

	// Disable, enable, restart, uninstall.
	w.run(t, w.admin, "/apps disable weather")
	if commandByTrigger(w.host, "weather") != nil {
		t.Error("/weather is still registered after disable")
	}
	w.run(t, w.admin, "/apps enable weather")
	if commandByTrigger(w.host, "weather") == nil {
		t.Error("/weather is not registered after enable")
	}
	if err := w.host.RestartPlugin(pluginID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "/weather to be registered after a restart", func() bool { return commandByTrigger(w.host, "weather") != nil })
	w.run(t, w.admin, "/apps uninstall weather")
	if commandByTrigger(w.host, "weather") != nil {
		t.Error("/weather is still registered after uninstall")
	}
	if app.Rejected() != 0 {
		t.Errorf("the app rejected %d calls for their JWT", app.Rejected())
	}
}

// TestAppCommandTriggerCollision: a second app cannot take a trigger
// another app (or /apps) has.
func TestAppCommandTriggerCollision(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	one := []apps.Binding{{Location: apps.LocationCommand, Bindings: []apps.Binding{{Label: "shared", Submit: apps.NewCall("/one")}}}}
	two := []apps.Binding{{Location: apps.LocationCommand, Bindings: []apps.Binding{
		{Label: "shared", Submit: apps.NewCall("/two")}, {Label: "apps", Submit: apps.NewCall("/two")}, {Label: "second", Submit: apps.NewCall("/two")},
	}}}
	installHTTPApp(t, w, testapp.Options{AppID: "first", Locations: apps.Locations{apps.LocationCommand}, Bindings: one})
	installHTTPApp(t, w, testapp.Options{AppID: "second", Locations: apps.Locations{apps.LocationCommand}, Bindings: two})
	if out := w.run(t, w.user, "/shared"); out != "ok /one" {
		t.Errorf("/shared = %q, want the first app's", out)
	}
	if out := w.run(t, w.user, "/second"); out != "ok /two" {
		t.Errorf("/second = %q", out)
	}
	mustContain(t, "/apps", w.run(t, w.admin, "/apps info"), "Mattermost Apps plugin")
}
