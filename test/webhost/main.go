// Command webhost runs the real plugin binary in the test host (test/mmhost)
// for the webapp's browser test against the real plugin
// (webapp/e2e/real.test.js, `npm run test:browser:real`):
//
//   - the host allows apps on 127.0.0.1 and its SiteURL is the origin of the
//     browser test's page server (http://127.0.0.1:<page port>), which
//     serves the page and proxies /plugins/... here, as Mattermost serves its
//     web app and the plugin routes from one origin;
//   - an admin, a team, a channel with one post, and a session for the admin;
//   - two HTTP apps: "e2e-tickets" (the app of webapp/e2e/test-app.js: a
//     channel header button opening a ticket form with a dynamic select, a
//     post menu action, a command), installed with /apps install ... --consent
//     --secret, and "e2e-notes", only listed (the browser test installs it
//     through the marketplace's consent form). Each records the calls it
//     receives and serves them at GET <app url>/received.
//
// When ready it prints the browser test's environment on stdout as KEY=VALUE
// lines, the last one APPS_E2E_READY=1, then runs until stdin closes (with
// -stdin, the default) or it gets SIGINT/SIGTERM. The server log (plugin
// logs, plugin output) goes to stderr.
//
//	go run ./test/webhost [-bundle dist/com.mattermost.apps-<version>.tar.gz] [-page-port 8066]
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
	"github.com/mattermost-community/apps-plugin/test/testbundle"
)

const (
	ticketsAppID  = "e2e-tickets"
	ticketsSecret = "e2e-tickets-secret"
	notesAppID    = "e2e-notes"
	postMessage   = "The printer on floor 3 is on fire again."
)

func main() {
	bundle := flag.String("bundle", "", "plugin bundle (.tar.gz or unpacked directory); default: $"+testbundle.EnvBundle+", else built from source")
	pagePort := flag.Int("page-port", 0, "port of the browser test's page server, whose origin becomes the SiteURL (0: a free port)")
	waitStdin := flag.Bool("stdin", true, "stop when stdin closes (as well as on SIGINT/SIGTERM)")
	quiet := flag.Bool("q", false, "do not print the server log on stderr")
	flag.Parse()
	if err := run(*bundle, *pagePort, *waitStdin, *quiet); err != nil {
		fmt.Fprintln(os.Stderr, "webhost:", err)
		os.Exit(1)
	}
}

func run(bundlePath string, pagePort int, waitStdin, quiet bool) error {
	start := time.Now()
	logf := func(format string, args ...any) {
		if !quiet {
			fmt.Fprintf(os.Stderr, "webhost: "+format+"\n", args...)
		}
	}

	var builder testbundle.Builder
	defer builder.Cleanup()
	if bundlePath == "" {
		p, err := builder.Path()
		if err != nil {
			return fmt.Errorf("plugin bundle: %w", err)
		}
		bundlePath = p
	}

	if pagePort == 0 {
		p, err := freePort()
		if err != nil {
			return err
		}
		pagePort = p
	}
	siteURL := fmt.Sprintf("http://127.0.0.1:%d", pagePort)

	h, err := mmhost.Start(mmhost.Options{Logf: logf})
	if err != nil {
		return err
	}
	defer func() {
		if err := h.Close(); err != nil {
			logf("stop the host: %v", err)
		}
	}()
	h.MM.UpdateConfig(func(c *model.Config) {
		c.ServiceSettings.AllowedUntrustedInternalConnections = model.NewString("127.0.0.1")
		c.ServiceSettings.SiteURL = model.NewString(siteURL)
	})
	p, err := h.InstallPlugin(bundlePath)
	if err != nil {
		return fmt.Errorf("install the plugin: %w", err)
	}
	pluginID := p.Manifest.Id

	admin := h.MM.CreateAdmin("admin")
	team := h.MM.CreateTeam("e2e")
	if _, err := h.MM.AddTeamMember(team.Id, admin.Id, ""); err != nil {
		return err
	}
	ch := h.MM.CreateChannel(team.Id, "apps-e2e", model.ChannelTypeOpen, admin.Id)
	if _, err := h.MM.AddChannelMember(ch.Id, admin.Id, ""); err != nil {
		return err
	}
	post, err := h.MM.CreatePost(&model.Post{ChannelId: ch.Id, UserId: admin.Id, Message: postMessage})
	if err != nil {
		return fmt.Errorf("create the post: %w", err)
	}

	tickets, err := testapp.Start(ticketsOptions(logf))
	if err != nil {
		return err
	}
	defer tickets.Close()
	notes, err := testapp.Start(notesOptions())
	if err != nil {
		return err
	}
	defer notes.Close()

	run := func(cmd string, want string) error {
		resp, err := h.ExecuteCommand(admin.Id, ch.Id, cmd)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		if !strings.Contains(resp.Text, want) {
			return fmt.Errorf("%s: answered %q, want %q in it", cmd, resp.Text, want)
		}
		return nil
	}
	for _, step := range [][2]string{
		{"/apps install http " + tickets.URL + "/manifest.json", "--consent"},
		{"/apps install listed " + ticketsAppID + " --consent --secret " + ticketsSecret, "Installed"},
		{"/apps install http " + notes.URL + "/manifest.json", "--consent"}, // listed only
	} {
		if err := run(step[0], step[1]); err != nil {
			return err
		}
	}

	token := h.MM.LoginUser(admin.Id)
	sess, ok := h.MM.Authenticate(token)
	if token == "" || !ok {
		return errors.New("could not log the admin in")
	}

	env := [][2]string{
		{"PLUGIN_ID", pluginID},
		{"APPS_E2E_SITE_URL", h.URL},
		{"APPS_E2E_PORT", fmt.Sprint(pagePort)},
		{"APPS_E2E_TOKEN", token},
		{"APPS_E2E_CSRF", sess.Props["csrf"]},
		{"APPS_E2E_APP_URL", tickets.URL},
		{"APPS_E2E_LISTED_APP_URL", notes.URL},
		{"APPS_E2E_TEAM_ID", team.Id},
		{"APPS_E2E_CHANNEL_ID", ch.Id},
		{"APPS_E2E_CHANNEL_NAME", ch.Name},
		{"APPS_E2E_USER_ID", admin.Id},
		{"APPS_E2E_USERNAME", admin.Username},
		{"APPS_E2E_POST_ID", post.Id},
		{"APPS_E2E_READY", "1"},
	}
	out := bufio.NewWriter(os.Stdout)
	for _, kv := range env {
		fmt.Fprintf(out, "%s=%s\n", kv[0], kv[1])
	}
	if err := out.Flush(); err != nil {
		return err
	}
	logf("ready in %s: plugin %s, site %s (page origin), host %s", time.Since(start).Round(time.Millisecond), pluginID, siteURL, h.URL)

	stop := make(chan string, 2)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() { stop <- (<-sig).String() }()
	if waitStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop <- "stdin closed"
		}()
	}
	logf("stopping (%s); %s received %d calls, %s %d", <-stop, ticketsAppID, len(tickets.Received()), notesAppID, len(notes.Received()))
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// The apps' icons (SVG, so the screenshots show them).
const (
	ticketsIcon = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#1c58d9"/><path d="M9 10h14v3H9zm0 5h14v3H9zm0 5h9v3H9z" fill="#fff"/></svg>`
	notesIcon = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#3db887"/><path d="M10 8h12v16H10zm3 4v2h6v-2zm0 4v2h6v-2z" fill="#fff"/></svg>`
)

var projects = []apps.SelectOption{
	{Label: "Apollo", Value: "apollo"},
	{Label: "Artemis", Value: "artemis"},
	{Label: "Gemini", Value: "gemini"},
	{Label: "Mercury", Value: "mercury"},
}

// The plugin passes the client's IDs on to an app only through expand (as
// upstream v1.2 does): every call asks for what the browser test checks.
var (
	formExpand   = &apps.Expand{ActingUser: apps.ExpandID, Channel: apps.ExpandSummary, Team: apps.ExpandID}
	submitExpand = &apps.Expand{ActingUser: apps.ExpandSummary, Channel: apps.ExpandID, Team: apps.ExpandID, Locale: apps.ExpandAll}
	lookupExpand = &apps.Expand{Channel: apps.ExpandID}
	echoExpand   = &apps.Expand{Post: apps.ExpandSummary, Channel: apps.ExpandID}
)

// ticketForm is the form of webapp/e2e/test-app.js.
func ticketForm() apps.Form {
	return apps.Form{
		Title:  "Create ticket",
		Header: "File a ticket in the **E2E tracker**.",
		Icon:   "icon.svg",
		Submit: &apps.Call{Path: "/ticket/submit", Expand: submitExpand},
		Source: &apps.Call{Path: "/ticket/form", Expand: formExpand},
		Fields: []apps.Field{
			{Name: "summary", Type: apps.FieldTypeText, ModalLabel: "Summary", IsRequired: true, Hint: "What happened?", MaxLength: 80},
			{Name: "details", Type: apps.FieldTypeText, Subtype: apps.TextFieldSubtypeTextarea, ModalLabel: "Details", Description: "Steps to reproduce, _if any_."},
			{
				Name: "priority", Type: apps.FieldTypeStaticSelect, ModalLabel: "Priority",
				Value:   apps.SelectOption{Label: "Normal", Value: "normal"},
				Options: []apps.SelectOption{{Label: "Low", Value: "low"}, {Label: "Normal", Value: "normal"}, {Label: "High", Value: "high"}},
			},
			{Name: "project", Type: apps.FieldTypeDynamicSelect, ModalLabel: "Project", IsRequired: true, Lookup: &apps.Call{Path: "/ticket/lookup", Expand: lookupExpand}},
			{Name: "assignee", Type: apps.FieldTypeUser, ModalLabel: "Assignee"},
			{Name: "urgent", Type: apps.FieldTypeBool, ModalLabel: "Urgent"},
			{Name: "note", Type: apps.FieldTypeMarkdown, Description: "Tickets are visible to **everyone** in the team."},
		},
	}
}

func ticketsOptions(logf func(string, ...any)) testapp.Options {
	return testapp.Options{
		AppID:        ticketsAppID,
		Secret:       ticketsSecret,
		Permissions:  apps.Permissions{apps.PermissionActAsBot, apps.PermissionActAsUser},
		Locations:    apps.Locations{apps.LocationChannelHeader, apps.LocationPostMenu, apps.LocationCommand},
		Static:       map[string][]byte{"icon.svg": []byte(ticketsIcon)},
		ReceivedPath: "/received",
		Manifest: func(m *apps.Manifest) {
			m.DisplayName = "E2E Tickets"
			m.Description = "Files tickets from channels and posts (browser test app)"
			m.HomepageURL = "https://example.com/e2e-tickets"
			m.Icon = "icon.svg"
			m.Bindings = &apps.Call{Path: "/bindings", Expand: &apps.Expand{ActingUser: apps.ExpandID, Channel: apps.ExpandID, Team: apps.ExpandID}}
		},
		Bindings: []apps.Binding{
			{
				Location: apps.LocationChannelHeader,
				Bindings: []apps.Binding{{Location: "create", Label: "Create ticket", Hint: "Create a ticket", Icon: "icon.svg", Form: &apps.Form{Source: &apps.Call{Path: "/ticket/form", Expand: formExpand}}}},
			},
			{
				Location: apps.LocationPostMenu,
				Bindings: []apps.Binding{{Location: "echo", Label: "Echo post", Icon: "icon.svg", Submit: &apps.Call{Path: "/echo", Expand: echoExpand}}},
			},
			{
				Location: apps.LocationCommand,
				Bindings: []apps.Binding{{Location: "tickets", Label: "tickets", Bindings: []apps.Binding{{Location: "create", Label: "create", Form: &apps.Form{Source: &apps.Call{Path: "/ticket/form", Expand: formExpand}}}}}},
			},
		},
		Paths: map[string]func(apps.CallRequest) apps.CallResponse{
			"/ticket/form": func(apps.CallRequest) apps.CallResponse { return apps.NewFormResponse(ticketForm()) },
			"/ticket/lookup": func(creq apps.CallRequest) apps.CallResponse {
				q := strings.ToLower(creq.Query)
				var items []apps.SelectOption
				for _, p := range projects {
					if strings.Contains(strings.ToLower(p.Label), q) {
						items = append(items, p)
					}
				}
				return apps.NewLookupResponse(items)
			},
			"/ticket/submit": func(creq apps.CallRequest) apps.CallResponse {
				logf("%s: /ticket/submit values %v", ticketsAppID, creq.Values)
				summary, _ := creq.Values["summary"].(string)
				if summary == "" {
					resp := apps.NewTextResponse("")
					resp.Type = apps.CallResponseTypeError
					resp.Text = "A summary is needed."
					resp.Data = map[string]any{"errors": map[string]string{"summary": "Required"}}
					return resp
				}
				project := ""
				if p, ok := creq.Values["project"].(map[string]any); ok {
					project, _ = p["label"].(string)
				}
				return apps.NewTextResponse("Created ticket **T-1**: %s (%s)", summary, project)
			},
			"/echo": func(apps.CallRequest) apps.CallResponse { return apps.NewTextResponse("Echo from the post menu.") },
		},
	}
}

func notesOptions() testapp.Options {
	return testapp.Options{
		AppID:        notesAppID,
		Permissions:  apps.Permissions{apps.PermissionActAsBot},
		Locations:    apps.Locations{apps.LocationChannelHeader},
		Static:       map[string][]byte{"icon.svg": []byte(notesIcon)},
		ReceivedPath: "/received",
		Manifest: func(m *apps.Manifest) {
			m.DisplayName = "E2E Notes"
			m.Description = "Keeps meeting notes (listed, installed by the browser test)"
			m.HomepageURL = "https://example.com/e2e-notes"
			m.Icon = "icon.svg"
		},
		Bindings: []apps.Binding{{
			Location: apps.LocationChannelHeader,
			Bindings: []apps.Binding{{Location: "note", Label: "New note", Hint: "Take a note", Icon: "icon.svg", Submit: apps.NewCall("/note")}},
		}},
	}
}
