// Package command implements the server-registered /apps slash command for
// clients that do not render app bindings.
package command

import (
	"fmt"
	"strings"

	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Trigger is the slash command the plugin registers.
const Trigger = "apps"

// Service registers and runs /apps.
type Service struct {
	api  mmplugin.API
	conf *config.Service
}

// NewService returns the /apps command service.
func NewService(api mmplugin.API, conf *config.Service) *Service {
	return &Service{api: api, conf: conf}
}

// subcommand is one /apps verb.
type subcommand struct {
	name, hint, help string
	run              func(s *Service, c *mmplugin.Context, args *model.CommandArgs, rest []string) string
}

func (s *Service) subcommands() []subcommand {
	return []subcommand{
		{name: "info", help: "Show the Apps plugin version and the server it runs on", run: (*Service).info},
	}
}

// Register registers /apps with autocomplete. Registration lives in server
// memory, so it runs on every activation.
func (s *Service) Register() error {
	root := model.NewAutocompleteData(Trigger, "[command]", "Manage Mattermost Apps")
	for _, sc := range s.subcommands() {
		root.AddCommand(model.NewAutocompleteData(sc.name, sc.hint, sc.help))
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
func (s *Service) Execute(c *mmplugin.Context, args *model.CommandArgs) *model.CommandResponse {
	fields := strings.Fields(args.Command)
	if len(fields) > 0 {
		fields = fields[1:] // the trigger itself
	}
	if len(fields) == 0 || fields[0] == "help" {
		return ephemeral(s.usage())
	}
	for _, sc := range s.subcommands() {
		if sc.name == fields[0] {
			return ephemeral(sc.run(s, c, args, fields[1:]))
		}
	}
	return ephemeral(fmt.Sprintf("Unknown command `%s`.\n\n%s", fields[0], s.usage()))
}

func (s *Service) usage() string {
	var b strings.Builder
	b.WriteString("Usage: `/" + Trigger + " <command>`. Commands:\n")
	for _, sc := range s.subcommands() {
		fmt.Fprintf(&b, "- `%s` %s\n", strings.TrimSpace(sc.name+" "+sc.hint), sc.help)
	}
	return b.String()
}

func (s *Service) info(_ *mmplugin.Context, _ *model.CommandArgs, _ []string) string {
	c := s.conf.Get()
	built := c.BuildHash
	if c.BuildDate != "" {
		built += ", built " + c.BuildDate
	}
	return fmt.Sprintf("Mattermost Apps plugin version: %s, %s (%s)\nPlugin ID: `%s`\nMattermost server version: %s\nDeveloper mode: %t",
		c.Version, built, "https://github.com/mattermost-community/apps-plugin", c.PluginID, c.ServerVersion, c.DeveloperMode)
}

func ephemeral(text string) *model.CommandResponse {
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: text}
}
