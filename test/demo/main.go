// Command demo runs the Apps plugin end to end on embedded parts, with no AWS
// and no Mattermost server: an in-process S3 and the local Lambda play AWS,
// and the test host plays Mattermost and starts the real plugin binary from
// the bundle, exactly as a server would.
//
//	go run ./test/demo -bundle dist/com.mattermost.apps-1.3.0.tar.gz
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/provision"
	"github.com/mattermost-community/apps-plugin/test/awsworld"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/s3test"
	"github.com/mattermost-community/apps-plugin/test/testbundle"
)

func main() {
	bundle := flag.String("bundle", "", "plugin bundle (.tar.gz) built by make dist")
	verbose := flag.Bool("v", false, "also print the server log")
	flag.Parse()
	if *bundle == "" {
		fmt.Fprintln(os.Stderr, "usage: demo -bundle dist/<id>-<version>.tar.gz   (make demo builds it first)")
		os.Exit(2)
	}
	if err := run(*bundle, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run(bundle string, verbose bool) error {
	logf := func(string, ...any) {}
	if verbose {
		logf = func(format string, args ...any) { fmt.Printf("    log: "+format+"\n", args...) }
	}
	start := time.Now()
	step := func(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }

	step("Starting an in-process S3 and the local AWS Lambda")
	s3srv, err := s3test.NewInProcess()
	if err != nil {
		return err
	}
	defer s3srv.Close()
	aws, err := awsworld.New(context.Background(), s3srv)
	if err != nil {
		return err
	}
	defer aws.Close()
	fmt.Printf("    S3 %s, Lambda %s\n", s3srv.Endpoint, aws.Lambda.URL())

	step("appsctl aws init, then appsctl provision app with the bundle of examples/hello-lambda")
	root, err := testbundle.RepoRoot()
	if err != nil {
		return err
	}
	m, err := aws.ProvisionExample(context.Background(), filepath.Join(root, "examples", "hello-lambda"), func(e provision.Event) {
		fmt.Printf("    %-8s %-9s %s (%d bytes, %s)\n", e.Kind, e.Action, e.Target, e.Size, e.Duration.Round(time.Millisecond))
	})
	if err != nil {
		return err
	}
	fmt.Printf("    %s %s: Lambda function %s\n", m.AppID, m.Version, apps.LambdaName(m.AppID, m.Version, m.AWSLambda.Functions[0].Name))

	step("Starting an in-memory Mattermost (test host) with the AWS settings in its environment")
	h, err := mmhost.Start(mmhost.Options{Logf: logf, PluginEnv: aws.PluginEnv()})
	if err != nil {
		return err
	}
	defer h.Close()
	fmt.Printf("    site URL %s\n", h.URL)

	step("Installing and activating the plugin from %s", bundle)
	p, err := h.InstallPlugin(bundle)
	if err != nil {
		return err
	}
	id := p.Manifest.Id
	fmt.Printf("    %s %s is running (pid %d); hooks: %s\n", id, p.Manifest.Version, p.Instances[0].Pid(), strings.Join(p.Instances[0].Implemented, ", "))

	step("Creating an admin, a team and a channel")
	admin := h.MM.CreateAdmin("sysadmin")
	team := h.MM.CreateTeam("demo")
	h.MM.AddTeamMember(team.Id, admin.Id, "")
	ch := h.MM.CreateChannel(team.Id, "apps-demo", "O", admin.Id)
	h.MM.AddChannelMember(ch.Id, admin.Id, "")
	token := h.MM.LoginUser(admin.Id)
	bots := h.MM.Bots()
	if len(bots) != 1 {
		return fmt.Errorf("expected the plugin's bot, found %d bots", len(bots))
	}
	fmt.Printf("    the plugin's bot is @%s\n", bots[0].Username)

	step("Running /apps info as the admin")
	resp, err := h.ExecuteCommand(admin.Id, ch.Id, "/apps info")
	if err != nil {
		return fmt.Errorf("/apps info: %w", err)
	}
	fmt.Println(indent(resp.Text))

	step("GET /plugins/%s/api/v1/ping", id)
	status, _, body, err := h.Fetch(token, http.MethodGet, "/plugins/"+id+"/api/v1/ping", "")
	if err != nil {
		return err
	}
	var ping map[string]string
	if status != http.StatusOK || json.Unmarshal([]byte(body), &ping) != nil || ping["version"] != p.Manifest.Version {
		return fmt.Errorf("ping answered %d %q", status, body)
	}
	fmt.Printf("    %d %s", status, body)

	step("/apps install aws %s %s (lists the app; the admin is asked to consent)", m.AppID, m.Version)
	if resp, err = h.ExecuteCommand(admin.Id, ch.Id, fmt.Sprintf("/apps install aws %s %s", m.AppID, m.Version)); err != nil {
		return err
	}
	fmt.Println(indent(resp.Text))

	step("/apps install listed %s --consent", m.AppID)
	if resp, err = h.ExecuteCommand(admin.Id, ch.Id, "/apps install listed "+string(m.AppID)+" --consent"); err != nil {
		return err
	}
	fmt.Println(indent(resp.Text))
	if !strings.Contains(resp.Text, "Installed") {
		return fmt.Errorf("the install failed")
	}

	step("/apps list")
	if resp, err = h.ExecuteCommand(admin.Id, ch.Id, "/apps list"); err != nil {
		return err
	}
	fmt.Println(indent(resp.Text))
	if !strings.Contains(resp.Text, "Enabled") {
		return fmt.Errorf("the app is not listed as enabled")
	}

	step("GET /plugins/%s/api/v1/bindings (what the Apps UI renders in this channel)", id)
	status, _, body, err = h.Fetch(token, http.MethodGet, fmt.Sprintf("/plugins/%s/api/v1/bindings?channel_id=%s&team_id=%s&user_agent_type=webapp", id, ch.Id, team.Id), "")
	if err != nil {
		return err
	}
	var bindings []apps.Binding
	if status != http.StatusOK || json.Unmarshal([]byte(body), &bindings) != nil {
		return fmt.Errorf("bindings answered %d %q", status, body)
	}
	found := false
	for _, top := range bindings {
		for _, b := range top.Bindings {
			fmt.Printf("    %s: %s (app %s)\n", top.Location, b.Label, b.AppID)
			found = found || b.AppID == m.AppID
		}
	}
	if !found {
		return fmt.Errorf("no bindings from %s", m.AppID)
	}

	step("Running the app's own slash command: /hello send Demo --shout true")
	if resp, err = h.ExecuteCommand(admin.Id, ch.Id, "/hello send Demo --shout true"); err != nil {
		return fmt.Errorf("/hello send: %w", err)
	}
	fmt.Println(indent(resp.Text))
	if !strings.Contains(resp.Text, "HELLO, Demo!") {
		return fmt.Errorf("the app's command answered %q", resp.Text)
	}

	step("/apps uninstall %s", m.AppID)
	if resp, err = h.ExecuteCommand(admin.Id, ch.Id, "/apps uninstall "+string(m.AppID)); err != nil {
		return err
	}
	fmt.Println(indent(resp.Text))
	if !strings.Contains(resp.Text, "Uninstalled") {
		return fmt.Errorf("the uninstall failed")
	}

	step("Restarting the plugin (activation is idempotent: same bot)")
	if err := h.RestartPlugin(id); err != nil {
		return err
	}
	if b := h.MM.Bots(); len(b) == 0 || b[0].UserId != bots[0].UserId {
		return fmt.Errorf("restart changed the plugin's bot: %+v", b)
	}

	step("Removing the plugin")
	if err := h.RemovePlugin(id); err != nil {
		return err
	}
	fmt.Printf("\nDEMO OK: provisioned a Lambda app with appsctl, installed it, fetched its bindings, ran its slash command and uninstalled it, through the real plugin, in %s.\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ")
}
