// Package command implements the server-registered /apps slash command for
// clients that do not render app bindings. Every verb calls the proxy, the
// same code the REST routes use.
package command

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
	"github.com/mattermost-community/apps-plugin/server/registry"
)

// Trigger is the slash command the plugin registers.
const Trigger = "apps"

// commandTimeout bounds one /apps command (installs call the app).
const commandTimeout = 60 * time.Second

// Service registers and runs /apps.
type Service struct {
	api      mmplugin.API
	conf     *config.Service
	proxy    *proxy.Proxy
	registry *registry.Registry
}

// NewService returns the /apps command service.
func NewService(api mmplugin.API, conf *config.Service, p *proxy.Proxy, r *registry.Registry) *Service {
	return &Service{api: api, conf: conf, proxy: p, registry: r}
}

// subcommand is one /apps verb.
type subcommand struct {
	name, hint, help string
	admin            bool
	boolFlags        []string
	run              func(s *Service, ctx context.Context, in proxy.Incoming, a args) (string, error)
}

func (s *Service) subcommands() []subcommand {
	return []subcommand{
		{name: "info", help: "Show the Apps plugin version, the server and the app listing", run: (*Service).info},
		{name: "list", help: "List installed and listed apps", run: (*Service).list},
		{name: "install", hint: "listed <app id> | http <manifest URL> | aws <app id> <version> [--consent] [--secret S] [--deploy-type T]", help: "Install an app", admin: true, boolFlags: []string{"consent"}, run: (*Service).install},
		{name: "uninstall", hint: "<app id> [--force] [--delete-data]", help: "Uninstall an app", admin: true, boolFlags: []string{"force", "delete-data"}, run: (*Service).uninstall},
		{name: "enable", hint: "<app id>", help: "Enable a disabled app", admin: true, run: (*Service).enable},
		{name: "disable", hint: "<app id>", help: "Disable an app (it keeps its data)", admin: true, run: (*Service).disable},
		{name: "refresh", help: "Fetch the app listing again", admin: true, run: (*Service).refresh},
	}
}

// Register registers /apps with autocomplete. Registration lives in server
// memory, so it runs on every activation.
func (s *Service) Register() error {
	root := model.NewAutocompleteData(Trigger, "[command]", "Manage Mattermost Apps")
	for _, sc := range s.subcommands() {
		sub := model.NewAutocompleteData(sc.name, sc.hint, sc.help)
		if sc.admin {
			sub.RoleID = model.SystemAdminRoleId
		}
		if sc.name == "install" {
			for _, kind := range []struct{ name, hint, help string }{
				{"listed", "<app id> [--consent]", "Install an app from the listing"},
				{"http", "<manifest URL> [--secret S] [--consent]", "List and install an HTTP app from its manifest URL"},
				{"aws", "<app id> <version> [--consent]", "List and install an app provisioned to AWS with appsctl"},
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
		return ephemeral(s.usage())
	}
	for _, sc := range s.subcommands() {
		if sc.name != words[0] {
			continue
		}
		a, err := parseArgs(words[1:], sc.boolFlags...)
		if err != nil {
			return ephemeral(fmt.Sprintf("%v.\nUsage: `/%s %s %s`", err, Trigger, sc.name, sc.hint))
		}
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		in := proxy.Incoming{ActingUserID: cargs.UserId, SessionID: c.SessionId}
		text, err := sc.run(s, ctx, in, a)
		if err != nil {
			return ephemeral(errorText(err))
		}
		return ephemeral(text)
	}
	return ephemeral(fmt.Sprintf("Unknown command `%s`.\n\n%s", words[0], s.usage()))
}

func errorText(err error) string {
	if errors.Is(err, proxy.ErrForbidden) {
		return "Forbidden: " + err.Error()
	}
	return "Error: " + err.Error()
}

func (s *Service) usage() string {
	var b strings.Builder
	b.WriteString("Usage: `/" + Trigger + " <command>`. Commands:\n")
	for _, sc := range s.subcommands() {
		who := ""
		if sc.admin {
			who = " (system admins)"
		}
		fmt.Fprintf(&b, "- `%s` %s%s\n", strings.TrimSpace(sc.name+" "+sc.hint), sc.help, who)
	}
	return b.String()
}

func (s *Service) info(_ context.Context, _ proxy.Incoming, _ args) (string, error) {
	c := s.conf.Get()
	built := c.BuildHash
	if c.BuildDate != "" {
		built += ", built " + c.BuildDate
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Mattermost Apps plugin version: %s, %s\nPlugin ID: `%s`\nMattermost server version: %s\nDeveloper mode: %t\n",
		c.Version, built, c.PluginID, c.ServerVersion, c.DeveloperMode)
	st := s.registry.Status()
	fmt.Fprintf(&b, "App listing: %d listed, %d listed on this server", st.Global, st.Local)
	if !st.LastSync.IsZero() {
		fmt.Fprintf(&b, ", synced %s", st.LastSync.UTC().Format(time.RFC3339))
	}
	b.WriteString("\n")
	if len(st.Pending) > 0 {
		fmt.Fprintf(&b, "Waiting for an unreachable source (retrying): %s\n", strings.Join(st.Pending, ", "))
	}
	if len(st.Failed) > 0 {
		keys := make([]string, 0, len(st.Failed))
		for k := range st.Failed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("Listed apps that could not be loaded:\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "- `%s`: %s\n", k, st.Failed[k])
		}
	}
	fmt.Fprintf(&b, "Installed apps: %d", len(s.proxy.InstalledApps()))
	return b.String(), nil
}

func (s *Service) list(ctx context.Context, in proxy.Incoming, _ args) (string, error) {
	rows, err := s.proxy.ListApps(ctx, in)
	if err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return "No apps are installed or listed.", nil
	}
	var b strings.Builder
	b.WriteString("| Name | Status | Type | Version | Account | Locations | Permissions |\n|:--|:--|:--|:--|:--|:--|:--|\n")
	for _, r := range rows {
		m := r.Manifest
		typ, account := strings.Join(deployTypes(m.DeployTypes()), ", "), ""
		locations, permissions := m.RequestedLocations, m.RequestedPermissions
		if r.Installed != nil {
			typ = string(r.Installed.DeployType)
			account = "@" + r.Installed.BotUsername
			locations, permissions = r.Installed.GrantedLocations, r.Installed.GrantedPermissions
		}
		status := r.Status()
		if r.Problem != "" && status == "Unreachable" {
			status += " (" + r.Problem + ")"
		}
		fmt.Fprintf(&b, "| **%s** (`%s`) | %s | %s | %s | %s | %s | %s |\n",
			m.DisplayName, m.AppID, status, typ, m.Version, account, joinLocations(locations), joinPermissions(permissions))
	}
	return b.String(), nil
}

func (s *Service) install(ctx context.Context, in proxy.Incoming, a args) (string, error) {
	usage := fmt.Errorf("usage: `/%s install listed <app id>`, `/%s install http <manifest URL>` or `/%s install aws <app id> <version>`", Trigger, Trigger, Trigger)
	if len(a.positional) < 2 {
		return "", usage
	}
	var m apps.Manifest
	var err error
	switch a.positional[0] {
	case "listed":
		if _, err := s.proxy.RequireAdmin(in, "install apps"); err != nil {
			return "", err
		}
		var ok bool
		if m, ok = s.registry.Get(apps.AppID(a.positional[1])); !ok {
			return "", fmt.Errorf("app %q is not listed (see `/%s list`)", a.positional[1], Trigger)
		}
	case "http":
		m, err = s.proxy.ListHTTPApp(ctx, in, a.positional[1])
	case "aws":
		if len(a.positional) < 3 {
			return "", usage
		}
		m, err = s.proxy.ListAWSApp(ctx, in, apps.AppID(a.positional[1]), apps.AppVersion(a.positional[2]))
	default:
		return "", usage
	}
	if err != nil {
		return "", err
	}
	if needsConsent(m) && !a.bool("consent") {
		return consentText(m, a), nil
	}
	res, err := s.proxy.InstallApp(ctx, in, proxy.InstallRequest{
		AppID: m.AppID, DeployType: apps.DeployType(a.flag("deploy-type")), Secret: a.flag("secret"), Trusted: true,
	})
	if err != nil {
		return "", err
	}
	return res.Message, nil
}

func needsConsent(m apps.Manifest) bool {
	return len(m.RequestedPermissions) > 0 || len(m.RequestedLocations) > 0
}

// consentText tells the admin, in plain words, what the app asks for.
func consentText(m apps.Manifest, a args) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (`%s`, version %s) asks for:\n", m.DisplayName, m.AppID, m.Version)
	if len(m.RequestedPermissions) > 0 {
		b.WriteString("\nPermissions:\n")
		for _, p := range m.RequestedPermissions {
			fmt.Fprintf(&b, "- %s\n", p.String())
		}
	}
	if len(m.RequestedLocations) > 0 {
		b.WriteString("\nLocations in Mattermost:\n")
		for _, l := range m.RequestedLocations {
			fmt.Fprintf(&b, "- %s\n", l.Markdown())
		}
	}
	again := fmt.Sprintf("/%s install listed %s --consent", Trigger, m.AppID)
	if m.HTTP != nil && m.HTTP.UseJWT {
		again += " --secret <the app's JWT secret>"
		if sec := a.flag("secret"); sec != "" {
			again = fmt.Sprintf("/%s install listed %s --consent --secret %s", Trigger, m.AppID, sec)
		}
	}
	fmt.Fprintf(&b, "\nTo install it, consent by running:\n`%s`", again)
	return b.String()
}

func (s *Service) uninstall(ctx context.Context, in proxy.Incoming, a args) (string, error) {
	if len(a.positional) != 1 {
		return "", fmt.Errorf("usage: `/%s uninstall <app id> [--force] [--delete-data]`", Trigger)
	}
	return s.proxy.UninstallApp(ctx, in, proxy.UninstallRequest{AppID: apps.AppID(a.positional[0]), Force: a.bool("force"), DeleteData: a.bool("delete-data")})
}

func (s *Service) enable(ctx context.Context, in proxy.Incoming, a args) (string, error) {
	if len(a.positional) != 1 {
		return "", fmt.Errorf("usage: `/%s enable <app id>`", Trigger)
	}
	return s.proxy.EnableApp(ctx, in, apps.AppID(a.positional[0]))
}

func (s *Service) disable(ctx context.Context, in proxy.Incoming, a args) (string, error) {
	if len(a.positional) != 1 {
		return "", fmt.Errorf("usage: `/%s disable <app id>`", Trigger)
	}
	return s.proxy.DisableApp(ctx, in, apps.AppID(a.positional[0]))
}

func (s *Service) refresh(ctx context.Context, in proxy.Incoming, _ args) (string, error) {
	return s.proxy.RefreshRegistry(ctx, in)
}

func deployTypes(ts []apps.DeployType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

func joinLocations(ls apps.Locations) string {
	var out []string
	for _, l := range ls {
		out = append(out, string(l))
	}
	return strings.Join(out, ", ")
}

func joinPermissions(ps apps.Permissions) string {
	var out []string
	for _, p := range ps {
		out = append(out, string(p))
	}
	return strings.Join(out, ", ")
}

func ephemeral(text string) *model.CommandResponse {
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: text}
}
