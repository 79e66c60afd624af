// Package command implements the server-registered /apps slash command for
// clients that do not render app bindings. It only parses: every verb is a
// call to the built-in app, the same handlers the Apps UI calls.
package command

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/builtin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// Trigger is the slash command the plugin registers.
const Trigger = "apps"

// commandTimeout bounds one /apps command (installs call the app).
const commandTimeout = 60 * time.Second

// Service registers and runs /apps.
type Service struct {
	api     mmplugin.API
	builtin *builtin.App
}

// NewService returns the /apps command service.
func NewService(api mmplugin.API, b *builtin.App) *Service {
	return &Service{api: api, builtin: b}
}

// verb is one /apps command: how its words become a built-in call.
type verb struct {
	name, hint, help string
	admin            bool
	boolFlags        []string
	call             func(a args) (apps.CallRequest, error)
}

func call(path string, values map[string]any) apps.CallRequest {
	return apps.CallRequest{Call: apps.Call{Path: path}, Values: values}
}

// oneApp builds a call whose only positional word is the app id.
func oneApp(path string) func(a args) (apps.CallRequest, error) {
	return func(a args) (apps.CallRequest, error) {
		if len(a.positional) != 1 {
			return apps.CallRequest{}, fmt.Errorf("give one app id")
		}
		return call(path, map[string]any{"app": a.positional[0]}), nil
	}
}

// debugValue names the value of debug commands that take one word.
var debugValue = map[string]string{"kv info": "app", "kv clean": "app", "session view": "session", "session delete": "session"}

// debugWordsCall maps the debug commands whose values are several words:
// kv create|edit <app id> <key> '<JSON>' [--user ID] [--prefix P],
// store pollute [count], oauth config view <app id>.
func debugWordsCall(a args) (apps.CallRequest, bool) {
	p := a.positional
	switch {
	case len(p) == 5 && p[0] == "kv" && (p[1] == "create" || p[1] == "edit"):
		values := map[string]any{"app": p[2], "key": p[3], "value": p[4]}
		for _, f := range []string{"user", "prefix"} {
			if v := a.flag(f); v != "" {
				values[f] = v
			}
		}
		return call("/debug/kv/"+p[1], values), true
	case len(p) == 3 && p[0] == "store" && p[1] == "pollute":
		return call(builtin.PathDebugStorePollute, map[string]any{"count": p[2]}), true
	case len(p) == 4 && p[0] == "oauth" && p[1] == "config" && p[2] == "view":
		return call(builtin.PathDebugOAuthConfigView, map[string]any{"app": p[3]}), true
	}
	return apps.CallRequest{}, false
}

func verbs() []verb {
	return []verb{
		{name: "info", help: "Show the Apps plugin version, the server and the app listing", call: func(args) (apps.CallRequest, error) { return call(builtin.PathInfo, nil), nil }},
		{name: "list", help: "List installed and listed apps", call: func(args) (apps.CallRequest, error) { return call(builtin.PathList, nil), nil }},
		{name: "install", hint: "listed <app id> | http <manifest URL> | aws <app id> <version> [--consent] [--secret S] [--deploy-type T]",
			help: "Install an app", admin: true, boolFlags: []string{"consent"}, call: installCall},
		{name: "uninstall", hint: "<app id> [--force] [--delete-data]", help: "Uninstall an app", admin: true, boolFlags: []string{"force", "delete-data"},
			call: func(a args) (apps.CallRequest, error) {
				creq, err := oneApp(builtin.PathUninstall)(a)
				if err == nil {
					creq.Values["force"], creq.Values["delete_data"] = a.bool("force"), a.bool("delete-data")
				}
				return creq, err
			}},
		{name: "enable", hint: "<app id>", help: "Enable a disabled app", admin: true, call: oneApp(builtin.PathEnable)},
		{name: "disable", hint: "<app id>", help: "Disable an app (it keeps its data)", admin: true, call: oneApp(builtin.PathDisable)},
		{name: "refresh", help: "Fetch the app listing again", admin: true, call: func(args) (apps.CallRequest, error) { return call(builtin.PathRefresh, nil), nil }},
		{name: "debug", hint: "bindings | clean | kv list | kv info|clean <app id> | kv create|edit <app id> <key> '<JSON>' [--user ID] [--prefix P] | kv edit-modal | session list | session view|delete <session id> | store list | store pollute [count] | oauth config view <app id> | migrate [--dry-run | --rollback]",
			help: "Inspect and reset the plugin's data (developer mode; migrate works without it)", admin: true,
			boolFlags: []string{"dry-run", "rollback"},
			call: func(a args) (apps.CallRequest, error) {
				if len(a.positional) == 0 {
					return apps.CallRequest{}, fmt.Errorf("say which debug command")
				}
				var values map[string]any
				if a.positional[0] == "migrate" {
					values = map[string]any{"dry_run": a.bool("dry-run"), "rollback": a.bool("rollback")}
				}
				if creq, ok := debugWordsCall(a); ok {
					return creq, nil
				}
				// kv info|clean <app id>, session view|delete <session id>
				if len(a.positional) == 3 {
					if name := debugValue[a.positional[0]+" "+a.positional[1]]; name != "" {
						return call("/debug/"+a.positional[0]+"/"+a.positional[1], map[string]any{name: a.positional[2]}), nil
					}
				}
				return call("/debug/"+strings.Join(a.positional, "/"), values), nil
			}},
	}
}

// installCall maps the install forms: without --consent it asks for the
// consent form; with it, it submits the consent for the app.
func installCall(a args) (apps.CallRequest, error) {
	if len(a.positional) < 2 {
		return apps.CallRequest{}, fmt.Errorf("say what to install")
	}
	kind, what := a.positional[0], a.positional[1]
	switch kind {
	case "listed":
		if a.bool("consent") {
			creq := call(builtin.PathInstallConsent, map[string]any{
				"consent": true, "secret": a.flag("secret"), "deploy_type": a.flag("deploy-type"),
			})
			creq.State = what
			return creq, nil
		}
		return call(builtin.PathInstallListed, map[string]any{"app": what}), nil
	case "http":
		return call(builtin.PathInstallHTTP, map[string]any{"url": what}), nil
	case "plugin":
		return call(builtin.PathInstallPlugin, map[string]any{"plugin_id": what}), nil
	case "aws":
		if len(a.positional) < 3 {
			return apps.CallRequest{}, fmt.Errorf("give the app id and version")
		}
		return call(builtin.PathInstallAWS, map[string]any{"app": what, "version": a.positional[2]}), nil
	}
	return apps.CallRequest{}, fmt.Errorf("unknown install source %q", kind)
}

// Register registers /apps with autocomplete. Registration lives in server
// memory, so it runs on every activation.
func (s *Service) Register() error {
	root := model.NewAutocompleteData(Trigger, "[command]", "Manage Mattermost Apps")
	for _, v := range verbs() {
		sub := model.NewAutocompleteData(v.name, v.hint, v.help)
		if v.admin {
			sub.RoleID = model.SystemAdminRoleId
		}
		if v.name == "install" {
			for _, kind := range []struct{ name, hint, help string }{
				{"listed", "<app id> [--consent]", "Install an app from the listing"},
				{"http", "<manifest URL> [--secret S] [--consent]", "List and install an HTTP app from its manifest URL"},
				{"aws", "<app id> <version> [--consent]", "List and install an app provisioned to AWS with appsctl"},
				{"plugin", "<plugin id> [--consent]", "List and install an app served by another Mattermost plugin"},
			} {
				k := model.NewAutocompleteData(kind.name, kind.hint, kind.help)
				k.RoleID = model.SystemAdminRoleId
				sub.AddCommand(k)
			}
		}
		root.AddCommand(sub)
	}
	err := s.api.RegisterCommand(&model.Command{
		Trigger:          Trigger,
		AutoComplete:     true,
		AutoCompleteDesc: "Manage Mattermost Apps",
		AutoCompleteHint: "[command]",
		DisplayName:      "Mattermost Apps",
		AutocompleteData: root,
	})
	if err != nil {
		return fmt.Errorf("register /%s: %w", Trigger, err)
	}
	return nil
}

// Unregister removes /apps.
func (s *Service) Unregister() error {
	if err := s.api.UnregisterCommand("", Trigger); err != nil {
		return fmt.Errorf("unregister /%s: %w", Trigger, err)
	}
	return nil
}

// Execute runs one /apps command line and answers ephemerally.
func (s *Service) Execute(c *mmplugin.Context, cargs *model.CommandArgs) *model.CommandResponse {
	words, err := tokenize(cargs.Command)
	if err != nil {
		return ephemeral(fmt.Sprintf("Could not read the command: %v.", err))
	}
	if len(words) > 0 {
		words = words[1:] // the trigger itself
	}
	if len(words) == 0 || words[0] == "help" || words[0] == "--help" {
		return ephemeral(usage())
	}
	for _, v := range verbs() {
		if v.name != words[0] {
			continue
		}
		a, err := parseArgs(words[1:], v.boolFlags...)
		var creq apps.CallRequest
		if err == nil {
			creq, err = v.call(a)
		}
		if err != nil {
			return ephemeral(fmt.Sprintf("%v.\nUsage: `/%s %s %s`", err, Trigger, v.name, v.hint))
		}
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		creq.Context.AppID = apps.BuiltinAppID
		creq.Context.ActingUserID = cargs.UserId
		creq.Context.ChannelID, creq.Context.TeamID = cargs.ChannelId, cargs.TeamId
		creq.RawCommand = cargs.Command
		in := proxy.Incoming{ActingUserID: cargs.UserId, SessionID: c.SessionId}
		resp := s.builtin.Handle(ctx, in, creq)
		if next, ok := submitConsent(resp, a); ok {
			next.Context = creq.Context
			resp = s.builtin.Handle(ctx, in, next)
		}
		return ephemeral(render(resp, a))
	}
	return ephemeral(fmt.Sprintf("Unknown command `%s`.\n\n%s", words[0], usage()))
}

// submitConsent answers the consent form on the admin's behalf when there is
// nothing to consent to, or when the command line said --consent.
func submitConsent(resp apps.CallResponse, a args) (apps.CallRequest, bool) {
	if resp.Type != apps.CallResponseTypeForm || resp.Form == nil || resp.Form.Submit == nil || resp.Form.Submit.Path != builtin.PathInstallConsent {
		return apps.CallRequest{}, false
	}
	asksConsent := false
	for _, f := range resp.Form.Fields {
		if f.Name == "consent" {
			asksConsent = true
		}
	}
	if asksConsent && !a.bool("consent") {
		return apps.CallRequest{}, false
	}
	next := call(builtin.PathInstallConsent, map[string]any{
		"consent": a.bool("consent"), "secret": a.flag("secret"), "deploy_type": a.flag("deploy-type"),
	})
	next.State = resp.Form.Submit.State
	return next, true
}

// render turns the built-in app's answer into command output. A form (the
// install consent) becomes its text and the command that consents.
func render(resp apps.CallResponse, a args) string {
	switch resp.Type {
	case apps.CallResponseTypeError:
		if rest, ok := strings.CutPrefix(resp.Text, "forbidden: "); ok {
			return "Forbidden: " + rest
		}
		return "Error: " + resp.Text
	case apps.CallResponseTypeForm:
		if resp.Form == nil {
			return "The app answered an empty form."
		}
		if resp.Form.Submit == nil || resp.Form.Submit.Path != builtin.PathInstallConsent {
			return formText(*resp.Form)
		}
		return consentCommand(*resp.Form, a)
	}
	return resp.Text
}

func consentCommand(form apps.Form, a args) string {
	appID, _ := form.Submit.State.(string)
	again := fmt.Sprintf("/%s install listed %s --consent", Trigger, appID)
	for _, f := range form.Fields {
		switch f.Name {
		case "secret":
			secret := a.flag("secret")
			if secret == "" {
				secret = "<the app's JWT secret>"
			}
			again += " --secret " + secret
		case "deploy_type":
			if f.Value == nil && len(f.Options) > 1 {
				again += " --deploy-type <" + optionValues(f.Options) + ">"
			}
		}
	}
	return form.Header + "\nTo install it, consent by running:\n`" + again + "`"
}

func optionValues(opts []apps.SelectOption) string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return strings.Join(out, "|")
}

func usage() string {
	var b strings.Builder
	b.WriteString("Usage: `/" + Trigger + " <command>`. Commands:\n")
	for _, v := range verbs() {
		who := ""
		if v.admin {
			who = " (system admins)"
		}
		fmt.Fprintf(&b, "- `%s` %s%s\n", strings.TrimSpace(v.name+" "+v.hint), v.help, who)
	}
	return b.String()
}

func ephemeral(text string) *model.CommandResponse {
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: text}
}

// formText lists a form's fields, for forms other than the install consent
// (the command cannot show a modal).
func formText(form apps.Form) string {
	var b strings.Builder
	submit := ""
	if form.Submit != nil {
		submit = form.Submit.Path
	}
	fmt.Fprintf(&b, "%s (a form; submit: %s)\n", form.Title, submit)
	for _, f := range form.Fields {
		fmt.Fprintf(&b, "- %s: %s\n", f.Name, f.Description)
	}
	return b.String()
}
