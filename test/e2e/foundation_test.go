package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testbundle"
)

func TestHandshakeAndImplementedHooks(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, nil)
	p, err := w.host.Plugin(pluginID)
	if err != nil {
		t.Fatal(err)
	}
	got := p.Instances[0].Implemented
	for _, want := range []string{"OnDeactivate", "OnConfigurationChange", "ExecuteCommand", "ServeHTTP", "OnPluginClusterEvent"} {
		if !slices.Contains(got, want) {
			t.Errorf("Implemented = %v, missing %s", got, want)
		}
	}
	for _, name := range got {
		if name == "OnActivate" || name == "Implemented" {
			t.Errorf("Implemented lists %s, which the server never looks up", name)
		}
	}
}

func TestActivationCreatesTheBotOnceAndReusesIt(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, nil)
	bots := w.host.MM.Bots()
	if len(bots) != 1 || bots[0].Username != "appsbot" {
		t.Fatalf("bots after activation = %+v, want one @appsbot", bots)
	}
	first := bots[0].UserId
	for i := 0; i < 2; i++ {
		if err := w.host.RestartPlugin(pluginID); err != nil {
			t.Fatalf("restart %d: %v", i+1, err)
		}
	}
	bots = w.host.MM.Bots()
	if len(bots) != 1 || bots[0].UserId != first {
		t.Fatalf("bots after restarts = %+v, want the same single bot %s", bots, first)
	}
}

func TestAppsInfoCommand(t *testing.T) {
	w := newWorld(t, mmhost.Options{ServerVersion: "10.5.1"}, nil)
	resp, err := w.host.ExecuteCommand(w.admin, w.channelID, "/apps info")
	if err != nil {
		t.Fatalf("/apps info: %v", err)
	}
	if resp.ResponseType != model.CommandResponseTypeEphemeral {
		t.Errorf("response type = %q, want ephemeral", resp.ResponseType)
	}
	for _, want := range []string{testbundle.Version, "10.5.1", pluginID} {
		if !strings.Contains(resp.Text, want) {
			t.Errorf("/apps info = %q, want it to mention %q", resp.Text, want)
		}
	}
	cmds := w.host.MM.Commands(pluginID)
	if len(cmds) != 1 || cmds[0].Trigger != "apps" || cmds[0].AutocompleteData == nil || len(cmds[0].AutocompleteData.SubCommands) == 0 {
		t.Fatalf("registered commands = %+v, want /apps with autocomplete subcommands", cmds)
	}
}

func TestPingThroughTheHost(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, nil)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		status, header, body, err := w.host.Fetch(w.userToken, method, pluginPath("/api/v1/ping"), "")
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusOK {
			t.Fatalf("%s ping: status %d, body %q", method, status, body)
		}
		if ct := header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s ping: Content-Type %q, want application/json", method, ct)
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil || got["version"] != testbundle.Version {
			t.Errorf("%s ping: body %q, want version %s", method, body, testbundle.Version)
		}
	}
	status, _, body, _ := w.host.Fetch(w.userToken, http.MethodGet, pluginPath("/no/such/route"), "")
	if status != http.StatusNotFound || !strings.Contains(body, "not a route") {
		t.Errorf("unknown route: %d %q, want a 404 that says so", status, body)
	}
}

// developerMode turns on the debug routes before the plugin starts.
func developerMode(h *mmhost.Host) {
	h.MM.UpdateConfig(func(c *model.Config) {
		c.ServiceSettings.EnableDeveloper = model.NewBool(true)
		c.ServiceSettings.EnableTesting = model.NewBool(true)
	})
}

func TestLargeRequestBodyArrivesByteExact(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, developerMode)
	body := make([]byte, 1<<20+13)
	if _, err := rand.Read(body); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	resp, err := w.host.Request(w.adminToken, http.MethodPost, pluginPath("/api/v1/debug/echo?x=1&access_token="+w.adminToken), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Length int64  `json:"length"`
		SHA256 string `json:"sha256"`
		Path   string `json:"path"`
		Query  string `json:"query"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("echo: status %d, decode %v", resp.StatusCode, err)
	}
	if got.Length != int64(len(body)) || got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("the plugin got %d bytes with sha256 %s; sent %d bytes with %x", got.Length, got.SHA256, len(body), sum)
	}
	if got.Path != "/api/v1/debug/echo" || got.Query != "x=1" {
		t.Errorf("the plugin saw path %q query %q; want the /plugins/<id> prefix and access_token stripped", got.Path, got.Query)
	}
}

func TestDebugRoutesAreHiddenOutsideDeveloperModeAndFromUsers(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, nil)
	if status, _, _, _ := w.host.Fetch(w.adminToken, http.MethodPost, pluginPath("/api/v1/debug/echo"), "x"); status != http.StatusNotFound {
		t.Errorf("debug echo without developer mode: status %d, want 404", status)
	}
	w2 := newWorld(t, mmhost.Options{}, developerMode)
	if status, _, _, _ := w2.host.Fetch(w2.userToken, http.MethodPost, pluginPath("/api/v1/debug/echo"), "x"); status != http.StatusForbidden {
		t.Errorf("debug echo as a plain user: status %d, want 403", status)
	}
	if status, _, _, _ := w2.host.Fetch("", http.MethodPost, pluginPath("/api/v1/debug/echo"), "x"); status != http.StatusUnauthorized {
		t.Errorf("debug echo anonymous: status %d, want 401", status)
	}
}

func TestHandlerPanicYields500AndThePluginKeepsServing(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, developerMode)
	for i := 0; i < 3; i++ {
		status, _, body, err := w.host.Fetch(w.adminToken, http.MethodGet, pluginPath("/api/v1/debug/panic"), "")
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusInternalServerError {
			t.Fatalf("panic route: status %d %q, want 500", status, body)
		}
	}
	if status, _, _, _ := w.host.Fetch(w.userToken, http.MethodGet, pluginPath("/api/v1/ping"), ""); status != http.StatusOK {
		t.Fatalf("ping after panics: status %d, want 200", status)
	}
	found := false
	for _, l := range w.host.MM.Logs() {
		if strings.Contains(l.Message, "panic") {
			found = true
		}
	}
	if !found {
		t.Error("the panic was not logged through the API")
	}
}

func TestWrongCookieIsRefused(t *testing.T) {
	h := mmhost.NewTest(t, mmhost.Options{MagicCookieValue: "Not the Mattermost cookie."})
	_, err := h.InstallPlugin(bundlePath(t))
	if err == nil {
		t.Fatal("the plugin started with a wrong handshake cookie")
	}
	t.Logf("refused as expected: %v", err)
}

func TestRunningTheBinaryByHandExplainsAndFails(t *testing.T) {
	h := mmhost.NewTest(t, mmhost.Options{})
	p, err := h.InstallPlugin(bundlePath(t))
	if err != nil {
		t.Fatal(err)
	}
	exe, err := p.Manifest.Executable(p.BundleDir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, mmplugin.MagicCookieKey+"=") })
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	err = cmd.Run()
	if err == nil {
		t.Fatal("the plugin binary exited 0 when run by hand")
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "Mattermost") || !strings.Contains(lines[0], "plugin") {
		t.Errorf("stderr = %q, want one line saying it is a Mattermost plugin", stderr.String())
	}
}

func TestConfigurationReloadsOnChange(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, nil)
	if status, _, _, _ := w.host.Fetch(w.adminToken, http.MethodPost, pluginPath("/api/v1/debug/echo"), "x"); status != http.StatusNotFound {
		t.Fatalf("debug route before developer mode: %d, want 404", status)
	}
	// Saving a setting makes the server call OnConfigurationChange.
	w.host.MM.SetPluginSetting(pluginID, "developer_mode", true)
	if status, _, body, _ := w.host.Fetch(w.adminToken, http.MethodPost, pluginPath("/api/v1/debug/echo"), "x"); status != http.StatusOK {
		t.Fatalf("debug route after enabling developer_mode: %d %q, want 200", status, body)
	}
}
