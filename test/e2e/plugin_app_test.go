package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testbundle"
)

const appPluginID = "com.example.appplugin"

// buildAppPlugin builds test/plugins/appplugin into a plugin bundle dir
// (plugin.json + the server executable for this platform).
func buildAppPlugin(t testing.TB) string {
	t.Helper()
	root, err := testbundle.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), appPluginID)
	platform := runtime.GOOS + "-" + runtime.GOARCH
	exe := "server/dist/plugin-" + platform
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, filepath.FromSlash(exe)), "./test/plugins/appplugin")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the app plugin: %v\n%s", err, out)
	}
	manifest, _ := json.MarshalIndent(map[string]any{
		"id": appPluginID, "name": "App plugin", "version": "0.1.0", "min_server_version": "7.0.0",
		"server": map[string]any{"executables": map[string]string{platform: exe}},
	}, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "plugin.json"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// lastAppPluginCaller is the Mattermost-Plugin-Id the app plugin saw on its
// last /app/hello call.
func lastAppPluginCaller(t *testing.T, h *mmhost.Host) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "/"+appPluginID+"/last-caller", nil)
	resp := h.PluginHTTP("e2e", req)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPluginDeployedApp(t *testing.T) {
	dir := buildAppPlugin(t)
	w := newWorld(t, mmhost.Options{}, func(h *mmhost.Host) {
		if _, err := h.InstallPlugin(dir); err != nil {
			t.Fatalf("install the app plugin: %v", err)
		}
	})
	if _, err := w.host.Plugin(appPluginID); err != nil {
		t.Fatal(err)
	}

	// Plain users may not install; a missing plugin is a clear error.
	mustContain(t, "install as user", w.run(t, w.user, "/apps install plugin "+appPluginID), "Forbidden")
	mustContain(t, "install a missing plugin", w.run(t, w.admin, "/apps install plugin com.example.nosuch"), "com.example.nosuch", "not found")

	// Listing asks for consent and installs nothing yet.
	out := w.run(t, w.admin, "/apps install plugin "+appPluginID)
	mustContain(t, "consent", out, "--consent")
	if botByUsername(w.host, "plugapp") != nil {
		t.Fatal("a bot was created before consent")
	}
	mustContain(t, "install", w.run(t, w.admin, "/apps install listed plugapp --consent"), "Installed", "@plugapp")
	mustContain(t, "list", w.run(t, w.admin, "/apps list"), "plugapp", "plugin")

	// The app's slash command, registered from its bindings.
	waitFor(t, "/plugapp to be registered", func() bool { return commandByTrigger(w.host, "plugapp") != nil })
	if out := w.run(t, w.user, "/plugapp"); out != "Hello from a plugin app, alice" {
		t.Fatalf("/plugapp = %q", out)
	}
	if got := lastAppPluginCaller(t, w.host); got != pluginID {
		t.Fatalf("the app plugin saw Mattermost-Plugin-Id %q, want %q", got, pluginID)
	}

	// A direct call through the REST API.
	status, resp, raw := w.call(t, w.userToken, callRequest("plugapp", "/hello", w.channelID, &apps.Expand{ActingUser: apps.ExpandSummary}))
	if status != http.StatusOK || resp.Type != apps.CallResponseTypeOK || resp.Text != "Hello from a plugin app, alice" {
		t.Fatalf("call /hello = %d %s", status, raw)
	}

	// Static assets come from /<plugin id>/app/static/.
	sresp, body := w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/plugapp/static/icon.svg", nil)
	if sresp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<svg") {
		t.Fatalf("static icon = %d %q", sresp.StatusCode, body)
	}
	if sresp, _ := w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/plugapp/static/nope.svg", nil); sresp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing static = %d", sresp.StatusCode)
	}
}

func TestPluginAppManifestMustNameThePlugin(t *testing.T) {
	// The Apps plugin itself serves no /app/manifest.json; other plugins'
	// manifests must name them. Asking the Apps plugin for its own app fails.
	w := newWorld(t, mmhost.Options{}, nil)
	out := w.run(t, w.admin, "/apps install plugin "+pluginID)
	mustContain(t, "install plugin "+pluginID, out, "manifest")
	if strings.Contains(out, "Installed") || strings.Contains(out, "--consent") {
		t.Fatalf("install plugin %s = %q", pluginID, out)
	}
}
