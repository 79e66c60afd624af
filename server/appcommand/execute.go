package appcommand

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// executeTimeout bounds one app command (it may fetch a form, then submit).
const executeTimeout = 60 * time.Second

// invocation is one run of an app command: who, where, and the command line.
type invocation struct {
	s         *Service
	ctx       context.Context
	in        proxy.Incoming
	appID     apps.AppID
	args      *model.CommandArgs
	path      []string // the labels typed: trigger, subcommands
	location  apps.Location
	triggerID string
}

func (inv *invocation) context() apps.Context {
	return apps.Context{UserAgentContext: apps.UserAgentContext{
		AppID: inv.appID, ChannelID: inv.args.ChannelId, TeamID: inv.args.TeamId, RootPostID: inv.args.RootId,
		Location: inv.location,
	}}
}

func (inv *invocation) command() string { return "/" + strings.Join(inv.path, " ") }

// Execute runs an app's slash command and answers ephemerally.
func (s *Service) Execute(c *mmplugin.Context, args *model.CommandArgs) *model.CommandResponse {
	words, err := Tokenize(args.Command)
	if err != nil {
		return ephemeral(fmt.Sprintf("Could not read the command: %v.", err))
	}
	if len(words) == 0 {
		return ephemeral("Empty command.")
	}
	trigger := strings.ToLower(strings.TrimPrefix(words[0], "/"))
	appID, ok := s.appFor(trigger)
	if !ok {
		return ephemeral(fmt.Sprintf("Unknown command /%s.", trigger))
	}
	ctx, cancel := context.WithTimeout(s.ctx, executeTimeout)
	defer cancel()
	sessionID := ""
	if c != nil {
		sessionID = c.SessionId
	}
	inv := &invocation{
		s: s, ctx: ctx, appID: appID, args: args, triggerID: args.TriggerId,
		in: proxy.Incoming{ActingUserID: args.UserId, SessionID: sessionID},
	}
	uac := apps.Context{UserAgentContext: apps.UserAgentContext{AppID: appID, ChannelID: args.ChannelId, TeamID: args.TeamId, RootPostID: args.RootId}}
	bb, err := s.proxy.AppBindings(ctx, inv.in, appID, uac)
	if err != nil {
		return ephemeral(errorText(err))
	}
	var b *apps.Binding
	for _, top := range bb {
		if top.Location != apps.LocationCommand {
			continue
		}
		for i := range top.Bindings {
			if strings.EqualFold(top.Bindings[i].Label, trigger) {
				b = &top.Bindings[i]
			}
		}
	}
	if b == nil {
		return ephemeral(fmt.Sprintf("The command /%s of app %s is not available to you here.", trigger, appID))
	}
	inv.path = []string{trigger}
	inv.location = apps.LocationCommand.Sub(b.Location)
	rest := words[1:]
	for len(b.Bindings) > 0 {
		if len(rest) == 0 || rest[0] == "help" || rest[0] == "--help" {
			return ephemeral(subcommandUsage(inv.command(), *b))
		}
		var next *apps.Binding
		for i := range b.Bindings {
			if strings.EqualFold(b.Bindings[i].Label, rest[0]) {
				next = &b.Bindings[i]
			}
		}
		if next == nil {
			return ephemeral(fmt.Sprintf("Unknown subcommand `%s`.\n\n%s", rest[0], subcommandUsage(inv.command(), *b)))
		}
		b = next
		inv.path = append(inv.path, strings.ToLower(b.Label))
		inv.location = inv.location.Sub(b.Location)
		rest = rest[1:]
	}
	return inv.run(*b, rest)
}

// run executes a binding that has a submit call or a form.
func (inv *invocation) run(b apps.Binding, rest []string) *model.CommandResponse {
	if b.Submit != nil {
		if len(rest) > 0 {
			return ephemeral(fmt.Sprintf("`%s` takes no arguments (got `%s`).", inv.command(), strings.Join(rest, " ")))
		}
		return inv.call(*b.Submit, nil)
	}
	form := *b.Form
	if len(rest) > 0 && (rest[0] == "--help" || rest[0] == "help") && form.Submit != nil {
		return ephemeral(formUsage(inv.command(), form))
	}
	if form.Submit == nil && form.Source != nil {
		resp, err := inv.s.proxy.InvokeCall(inv.ctx, inv.in, apps.CallRequest{Call: *form.Source, Context: inv.context(), RawCommand: inv.args.Command})
		if err != nil {
			return ephemeral(errorText(err))
		}
		if resp.Type != apps.CallResponseTypeForm {
			return inv.respond(resp, 0)
		}
		form = *resp.Form
		if form.Submit == nil {
			return ephemeral(fmt.Sprintf("App %s sent a form for `%s` without a submit call.", inv.appID, inv.command()))
		}
	}
	values, missing, err := parseValues(inv.s.api, form, rest, inv.args.TeamId)
	if err != nil {
		return ephemeral(fmt.Sprintf("%v.\n\n%s", err, formUsage(inv.command(), form)))
	}
	if len(missing) > 0 {
		if opened := inv.openDialog(form, values); opened {
			return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral}
		}
		return ephemeral(fmt.Sprintf("Missing required %s.\n\n%s", joinFlags(missing), formUsage(inv.command(), form)))
	}
	return inv.call(*form.Submit, values)
}

// call makes the call and turns the answer into a command response.
func (inv *invocation) call(call apps.Call, values map[string]any) *model.CommandResponse {
	resp, err := inv.s.proxy.InvokeCall(inv.ctx, inv.in, apps.CallRequest{Call: call, Values: values, Context: inv.context(), RawCommand: inv.args.Command})
	if err != nil {
		return ephemeral(errorText(err))
	}
	return inv.respond(resp, 0)
}

// respond: ok → its text; error → the app's text; form → a dialog (or usage
// text); navigate → go to the URL; call → make it (once).
func (inv *invocation) respond(resp apps.ProxyCallResponse, depth int) *model.CommandResponse {
	switch resp.Type {
	case apps.CallResponseTypeError:
		if resp.Text == "" {
			return ephemeral(fmt.Sprintf("App %s answered an error.", inv.appID))
		}
		return ephemeral(resp.Text)
	case apps.CallResponseTypeForm:
		if inv.openDialog(*resp.Form, nil) {
			return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral}
		}
		return ephemeral(fmt.Sprintf("App %s asks for more input; run the command with these arguments:\n\n%s", inv.appID, formUsage(inv.command(), *resp.Form)))
	case apps.CallResponseTypeNavigate:
		return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, GotoLocation: resp.NavigateToURL, Text: resp.NavigateToURL}
	case apps.CallResponseTypeCall:
		if depth > 0 {
			return ephemeral(fmt.Sprintf("App %s answered a call with another call; stopped.", inv.appID))
		}
		next, err := inv.s.proxy.InvokeCall(inv.ctx, inv.in, apps.CallRequest{Call: *resp.Call, Context: inv.context(), RawCommand: inv.args.Command})
		if err != nil {
			return ephemeral(errorText(err))
		}
		return inv.respond(next, depth+1)
	}
	return ephemeral(resp.Text)
}

func ephemeral(text string) *model.CommandResponse {
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: text}
}

// Tokenize splits a command line into words: "double", 'single' and
// “curly” quotes group words, and a backslash escapes the next character.
func Tokenize(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, escaped := false, false
	var quote rune
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == '“':
			quote, inWord = '”', true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("a quote is not closed")
	}
	if escaped {
		cur.WriteRune('\\')
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
