package fakemm

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

type pluginCommand struct {
	pluginID string
	cmd      *model.Command
}

// validateAutocomplete is the server's AutocompleteData.IsValid.
func validateAutocomplete(ad *model.AutocompleteData) error {
	if ad == nil {
		return errors.New("no nil commands are allowed in AutocompleteData")
	}
	if ad.Trigger == "" {
		return errors.New("an empty command name in the autocomplete data")
	}
	if strings.ToLower(ad.Trigger) != ad.Trigger {
		return errors.New("command should be lowercase")
	}
	switch ad.RoleID {
	case "", model.SystemAdminRoleId, model.SystemUserRoleId:
	default:
		return errors.New("wrong role in the autocomplete data")
	}
	if len(ad.Arguments) > 0 && len(ad.SubCommands) > 0 {
		return errors.New("command can't have arguments and subcommands")
	}
	named := false
	for _, arg := range ad.Arguments {
		if arg == nil {
			return errors.New("no nil arguments are allowed in AutocompleteData")
		}
		if arg.Name != "" {
			named = true
		} else if named {
			return errors.New("named argument should not be before positional argument")
		}
		switch arg.Type {
		case model.AutocompleteArgTypeDynamicList:
			dl, ok := arg.Data.(*model.AutocompleteDynamicListArg)
			if !ok || dl == nil {
				return errors.New("not a proper DynamicList type argument")
			}
			if _, err := url.Parse(dl.FetchURL); err != nil {
				return fmt.Errorf("fetchURL is not a proper url: %w", err)
			}
		case model.AutocompleteArgTypeStaticList:
			sl, ok := arg.Data.(*model.AutocompleteStaticListArg)
			if !ok || sl == nil {
				return errors.New("not a proper StaticList type argument")
			}
			for _, item := range sl.PossibleArguments {
				if item.Item == "" {
					return errors.New("possible argument name not set in StaticList argument")
				}
			}
		case model.AutocompleteArgTypeText:
			if ta, ok := arg.Data.(*model.AutocompleteTextArg); !ok || ta == nil {
				return errors.New("not a proper TextInput type argument")
			}
			if arg.Name == "" && !arg.Required {
				return errors.New("positional argument can not be optional")
			}
		}
	}
	for _, sub := range ad.SubCommands {
		if err := validateAutocomplete(sub); err != nil {
			return err
		}
	}
	return nil
}

// rewriteRelativeFetchURLs makes relative DynamicList FetchURLs absolute paths
// under /plugins/<id>, as the server does for plugin commands.
func rewriteRelativeFetchURLs(ad *model.AutocompleteData, pluginID string) {
	if ad == nil {
		return
	}
	for _, arg := range ad.Arguments {
		if arg == nil || arg.Type != model.AutocompleteArgTypeDynamicList {
			continue
		}
		dl, ok := arg.Data.(*model.AutocompleteDynamicListArg)
		if !ok || dl == nil {
			continue
		}
		u, err := url.Parse(dl.FetchURL)
		if err != nil || u.IsAbs() {
			continue
		}
		dl.FetchURL = (&url.URL{Path: path.Join("/plugins/"+pluginID, dl.FetchURL)}).String()
	}
	for _, sub := range ad.SubCommands {
		rewriteRelativeFetchURLs(sub, pluginID)
	}
}

// validTrigger is model.Command's trigger rule: 1–128 characters, no spaces,
// no leading slash.
func validTrigger(t string) bool {
	return len(t) >= 1 && len(t) <= 128 && !strings.HasPrefix(t, "/") && !strings.ContainsAny(t, " \t\n")
}

// RegisterCommand keeps only the fields the server keeps. Stricter than a
// real server, which only rejects an empty trigger and lets two plugins
// register the same trigger: the trigger must satisfy the command rules
// (validTrigger) and a (team, trigger) registered by another plugin is an error.
func (p *pluginAPI) RegisterCommand(command *model.Command) error {
	if command == nil || command.Trigger == "" {
		return errors.New("invalid command")
	}
	trigger := strings.ToLower(command.Trigger)
	if !validTrigger(trigger) {
		return fmt.Errorf("invalid command: trigger %q must be 1-128 characters with no spaces and no leading slash", command.Trigger)
	}
	ad := copyAutocomplete(command.AutocompleteData)
	if ad != nil {
		if err := validateAutocomplete(ad); err != nil {
			return fmt.Errorf("invalid autocomplete data in command: %w", err)
		}
		rewriteRelativeFetchURLs(ad, p.id)
	} else {
		ad = model.NewAutocompleteData(command.Trigger, command.AutoCompleteHint, command.AutoCompleteDesc)
	}
	cmd := &model.Command{
		Trigger:              trigger,
		TeamId:               command.TeamId,
		AutoComplete:         command.AutoComplete,
		AutoCompleteDesc:     command.AutoCompleteDesc,
		AutoCompleteHint:     command.AutoCompleteHint,
		DisplayName:          command.DisplayName,
		AutocompleteData:     ad,
		AutocompleteIconData: command.AutocompleteIconData,
	}
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pc := range s.commands {
		if pc.cmd.Trigger == cmd.Trigger && pc.cmd.TeamId == cmd.TeamId {
			if pc.pluginID != p.id {
				return fmt.Errorf("command /%s is already registered by plugin %s", cmd.Trigger, pc.pluginID)
			}
			pc.cmd = cmd
			return nil
		}
	}
	s.commands = append(s.commands, &pluginCommand{pluginID: p.id, cmd: cmd})
	return nil
}

// UnregisterCommand removes the plugin's own registration (the server never fails).
func (p *pluginAPI) UnregisterCommand(teamID, trigger string) error {
	trigger = strings.ToLower(trigger)
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.commands[:0]
	for _, pc := range s.commands {
		if !(pc.pluginID == p.id && pc.cmd.TeamId == teamID && pc.cmd.Trigger == trigger) {
			kept = append(kept, pc)
		}
	}
	s.commands = kept
	return nil
}

// UnregisterPluginCommands drops every command of a plugin, as the server
// does when the plugin stops.
func (s *Server) UnregisterPluginCommands(pluginID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.commands[:0]
	for _, pc := range s.commands {
		if pc.pluginID != pluginID {
			kept = append(kept, pc)
		}
	}
	s.commands = kept
}

// Commands returns the slash commands a plugin registered, in registration order.
func (s *Server) Commands(pluginID string) []*model.Command {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*model.Command
	for _, pc := range s.commands {
		if pc.pluginID == pluginID {
			out = append(out, copyCommand(pc.cmd))
		}
	}
	return out
}

// CommandByTrigger finds the plugin command a user would run with /trigger in
// teamID: the first registration of the trigger for that team or for all
// teams (TeamId "").
func (s *Server) CommandByTrigger(teamID, trigger string) (pluginID string, cmd *model.Command, ok bool) {
	trigger = strings.ToLower(strings.TrimPrefix(trigger, "/"))
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, pc := range s.commands {
		if pc.cmd.Trigger == trigger && (pc.cmd.TeamId == "" || pc.cmd.TeamId == teamID) {
			return pc.pluginID, copyCommand(pc.cmd), true
		}
	}
	return "", nil, false
}

// ExecuteSlashCommand checks the user, fills SiteURL and a trigger id, and
// hands the command to the Listener.
func (p *pluginAPI) ExecuteSlashCommand(commandArgs *model.CommandArgs) (*model.CommandResponse, error) {
	if commandArgs == nil {
		return nil, appErr("ExecuteSlashCommand", "api.command.execute_command.empty.app_error", "Command args are required.", http.StatusBadRequest)
	}
	args := *commandArgs
	args.UserMentions = copyStrMap(commandArgs.UserMentions)
	args.ChannelMentions = copyStrMap(commandArgs.ChannelMentions)
	if _, err := p.GetUser(args.UserId); err != nil {
		return nil, err
	}
	args.SiteURL = p.s.SiteURL()
	args.TriggerId = p.s.NewTriggerID(args.UserId)
	l := p.s.getListener()
	if l == nil {
		trigger := strings.Fields(strings.TrimPrefix(args.Command, "/"))
		name := ""
		if len(trigger) > 0 {
			name = trigger[0]
		}
		return nil, appErr("command", "api.command.execute_command.not_found.app_error",
			fmt.Sprintf("Command with a trigger of '%s' not found. To send a message beginning with \"/\", try adding an empty space at the beginning of the message.", name), http.StatusNotFound)
	}
	resp, err := l.ExecuteSlashCommand(&args)
	if ae, ok := err.(*model.AppError); ok && ae == nil {
		err = nil
	}
	return resp, err
}
