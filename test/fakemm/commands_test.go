package fakemm

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func TestRegisterCommandValidation(t *testing.T) {
	sub := func(trigger string) *model.AutocompleteData { return model.NewAutocompleteData(trigger, "", "") }
	tests := []struct {
		name    string
		cmd     func() *model.Command
		wantErr string // substring; "" = success
	}{
		{"simple", func() *model.Command { return &model.Command{Trigger: "apps"} }, ""},
		{"upper case trigger lowered", func() *model.Command { return &model.Command{Trigger: "Apps"} }, ""},
		{"empty trigger", func() *model.Command { return &model.Command{} }, "invalid command"},
		{"leading slash", func() *model.Command { return &model.Command{Trigger: "/apps"} }, "invalid command"},
		{"space", func() *model.Command { return &model.Command{Trigger: "my apps"} }, "invalid command"},
		{"too long", func() *model.Command { return &model.Command{Trigger: strings.Repeat("a", 129)} }, "invalid command"},
		{"max length", func() *model.Command { return &model.Command{Trigger: strings.Repeat("a", 128)} }, ""},
		{"autocomplete upper case", func() *model.Command {
			return &model.Command{Trigger: "apps", AutocompleteData: sub("Apps")}
		}, "lowercase"},
		{"autocomplete bad role", func() *model.Command {
			ad := sub("apps")
			ad.RoleID = "team_admin"
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, "role"},
		{"autocomplete admin role", func() *model.Command {
			ad := sub("apps")
			ad.RoleID = model.SystemAdminRoleId
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, ""},
		{"args and subcommands", func() *model.Command {
			ad := sub("apps")
			ad.AddCommand(sub("list"))
			ad.AddTextArgument("help", "hint", "")
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, "arguments and subcommands"},
		{"bad subcommand", func() *model.Command {
			ad := sub("apps")
			ad.AddCommand(sub(""))
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, "empty command name"},
		{"text arg with wrong data", func() *model.Command {
			ad := sub("apps")
			ad.Arguments = append(ad.Arguments, &model.AutocompleteArg{Type: model.AutocompleteArgTypeText, Required: true, Data: &model.AutocompleteStaticListArg{}})
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, "TextInput"},
		{"static list with wrong data", func() *model.Command {
			ad := sub("apps")
			ad.Arguments = append(ad.Arguments, &model.AutocompleteArg{Type: model.AutocompleteArgTypeStaticList, Data: &model.AutocompleteTextArg{}})
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, "StaticList"},
		{"dynamic list with wrong data", func() *model.Command {
			ad := sub("apps")
			ad.Arguments = append(ad.Arguments, &model.AutocompleteArg{Type: model.AutocompleteArgTypeDynamicList, Data: nil})
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, "DynamicList"},
		{"static list item without name", func() *model.Command {
			ad := sub("apps")
			ad.AddStaticListArgument("help", true, []model.AutocompleteListItem{{Item: ""}})
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, "possible argument"},
		{"optional positional text", func() *model.Command {
			ad := sub("apps")
			ad.Arguments = append(ad.Arguments, &model.AutocompleteArg{Type: model.AutocompleteArgTypeText, Data: &model.AutocompleteTextArg{}})
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, "optional"},
		{"named before positional", func() *model.Command {
			ad := sub("apps")
			ad.AddNamedTextArgument("name", "help", "hint", "", false)
			ad.AddTextArgument("help", "hint", "")
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, "named argument"},
		{"full tree", func() *model.Command {
			ad := sub("apps")
			install := sub("install")
			install.AddStaticListArgument("where", true, []model.AutocompleteListItem{{Item: "http"}})
			install.AddNamedTextArgument("url", "help", "hint", "", false)
			list := sub("list")
			list.AddDynamicListArgument("which", "lookup", false)
			ad.AddCommand(install)
			ad.AddCommand(list)
			return &model.Command{Trigger: "apps", AutocompleteData: ad}
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, api, _ := newTestServer(t)
			err := api.RegisterCommand(tc.cmd())
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if len(s.Commands(testPluginID)) != 1 {
					t.Fatal("command not registered")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if len(s.Commands(testPluginID)) != 0 {
				t.Fatal("invalid command registered")
			}
		})
	}
}

func TestRegisterCommandSemantics(t *testing.T) {
	s, api, _ := newTestServer(t)
	other := s.ForPlugin(PluginManifest{Id: "other"}, "node-a", "")

	ad := model.NewAutocompleteData("apps", "[command]", "Apps")
	ad.AddDynamicListArgument("which", "lookup", false)
	ad.AddDynamicListArgument("abs", "https://example.com/x", false)
	in := &model.Command{
		Trigger: "Apps", AutoComplete: true, AutoCompleteDesc: "desc", AutoCompleteHint: "hint",
		DisplayName: "Apps", AutocompleteData: ad, AutocompleteIconData: "data:icon",
		URL: "http://ignored", Method: "P", Username: "ignored", Description: "ignored",
	}
	if err := api.RegisterCommand(in); err != nil {
		t.Fatal(err)
	}
	cmds := s.Commands(testPluginID)
	if len(cmds) != 1 {
		t.Fatalf("commands = %v", cmds)
	}
	c := cmds[0]
	if c.Trigger != "apps" || !c.AutoComplete || c.AutoCompleteDesc != "desc" || c.AutoCompleteHint != "hint" ||
		c.DisplayName != "Apps" || c.AutocompleteIconData != "data:icon" || c.URL != "" || c.Method != "" || c.Description != "" {
		t.Fatalf("kept = %+v", c)
	}
	if got := c.AutocompleteData.Arguments[0].Data.(*model.AutocompleteDynamicListArg).FetchURL; got != "/plugins/"+testPluginID+"/lookup" {
		t.Fatalf("relative fetch URL = %q", got)
	}
	if got := c.AutocompleteData.Arguments[1].Data.(*model.AutocompleteDynamicListArg).FetchURL; got != "https://example.com/x" {
		t.Fatalf("absolute fetch URL = %q", got)
	}
	if in.AutocompleteData.Arguments[0].Data.(*model.AutocompleteDynamicListArg).FetchURL != "lookup" {
		t.Fatal("RegisterCommand changed the caller's data")
	}

	// Same plugin, same (team, trigger): replaced. Another plugin: refused.
	if err := api.RegisterCommand(&model.Command{Trigger: "apps", AutoCompleteDesc: "v2"}); err != nil {
		t.Fatal(err)
	}
	cmds = s.Commands(testPluginID)
	if len(cmds) != 1 || cmds[0].AutoCompleteDesc != "v2" || cmds[0].AutocompleteData == nil || cmds[0].AutocompleteData.Trigger != "apps" {
		t.Fatalf("after re-register = %+v", cmds)
	}
	if err := other.RegisterCommand(&model.Command{Trigger: "apps"}); err == nil {
		t.Fatal("another plugin took the trigger")
	}
	// A team-specific registration is a different key.
	if err := other.RegisterCommand(&model.Command{Trigger: "apps", TeamId: "team1"}); err != nil {
		t.Fatal(err)
	}
	if id, cmd, ok := s.CommandByTrigger("team1", "/apps"); !ok || id != testPluginID || cmd.TeamId != "" {
		t.Fatalf("lookup = %s %+v %v", id, cmd, ok)
	}
	if _, _, ok := s.CommandByTrigger("team1", "nope"); ok {
		t.Fatal("found an unknown trigger")
	}

	// Unregister only touches the caller's own registration.
	if err := other.UnregisterCommand("", "apps"); err != nil {
		t.Fatal(err)
	}
	if len(s.Commands(testPluginID)) != 1 {
		t.Fatal("another plugin unregistered our command")
	}
	if err := api.UnregisterCommand("", "APPS"); err != nil {
		t.Fatal(err)
	}
	if id, _, ok := s.CommandByTrigger("team1", "apps"); !ok || id != "other" {
		t.Fatalf("after unregister: %s %v", id, ok)
	}
	s.UnregisterPluginCommands("other")
	if _, _, ok := s.CommandByTrigger("team1", "apps"); ok {
		t.Fatal("UnregisterPluginCommands left a command")
	}
}

func TestExecuteSlashCommand(t *testing.T) {
	s, api, _ := newTestServer(t)
	alice := s.CreateUser("alice")
	args := &model.CommandArgs{UserId: alice.Id, Command: "/apps list"}

	_, err := api.ExecuteSlashCommand(args)
	var ae *model.AppError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound {
		t.Fatalf("no listener: %v", err)
	}

	rec := &recorder{cmdResp: &model.CommandResponse{Text: "ok"}}
	s.SetListener(rec)
	resp, err := api.ExecuteSlashCommand(args)
	if err != nil || resp.Text != "ok" {
		t.Fatalf("resp = %+v, %v", resp, err)
	}
	got := rec.cmdArgs[0]
	if got.SiteURL != "http://127.0.0.1:8065" || got.TriggerId == "" || args.TriggerId != "" {
		t.Fatalf("args = %+v", got)
	}
	if u, ok := s.OpenedDialogUser(got.TriggerId); !ok || u != alice.Id {
		t.Fatal("trigger id not issued for the user")
	}

	// A typed-nil AppError from the listener is no error.
	rec.cmdErr = (*model.AppError)(nil)
	if _, err := api.ExecuteSlashCommand(args); err != nil {
		t.Fatalf("typed nil leaked: %#v", err)
	}
	_, err = api.ExecuteSlashCommand(&model.CommandArgs{UserId: model.NewId(), Command: "/apps"})
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestOpenInteractiveDialog(t *testing.T) {
	s, api, _ := newTestServer(t)
	wantAppErr(t, api.OpenInteractiveDialog(model.OpenDialogRequest{}), http.StatusBadRequest, "")
	req := model.OpenDialogRequest{
		TriggerId: s.NewTriggerID("u1"), URL: "http://x",
		Dialog: model.Dialog{Title: "T", Elements: []model.DialogElement{{Name: "e", Options: []*model.PostActionOptions{{Text: "a", Value: "b"}}}}},
	}
	noAppErr(t, api.OpenInteractiveDialog(req))
	req.Dialog.Elements[0].Options[0].Value = "changed"
	got := s.OpenedDialogs()
	if len(got) != 1 || got[0].Dialog.Elements[0].Options[0].Value != "b" {
		t.Fatalf("dialogs = %+v", got)
	}
}
