package plugin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

// These tests run the plugin in-process on the in-memory Mattermost: the
// same API interface the RPC client implements, without a second process.

func activate(t *testing.T) (*Plugin, *fakemm.Server) {
	t.Helper()
	mm := fakemm.New(fakemm.Options{SiteURL: "http://mm.example.com", ServerVersion: "7.1.0"})
	p := New(BuildInfo{PluginID: "com.mattermost.apps", Version: "1.3.0", BuildHash: "abc123"})
	if err := p.OnActivate(mm.ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps", Version: "1.3.0"}, "node1", "/bundle")); err != nil {
		t.Fatalf("OnActivate: %v", err)
	}
	return p, mm
}

func TestActivateIsIdempotent(t *testing.T) {
	p, mm := activate(t)
	api := mm.ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps"}, "node1", "/bundle")
	if err := p.OnActivate(api); err != nil {
		t.Fatalf("second OnActivate: %v", err)
	}
	if bots := mm.Bots(); len(bots) != 1 {
		t.Fatalf("bots = %d, want 1", len(bots))
	}
	if got := p.config().Get().PluginURL; got != "http://mm.example.com/plugins/com.mattermost.apps" {
		t.Errorf("PluginURL = %q", got)
	}
}

func TestExecuteCommand(t *testing.T) {
	p, mm := activate(t)
	user := mm.CreateUser("bob")
	tests := []struct {
		command, want string
	}{
		{"/apps info", "1.3.0"},
		{"/apps", "Usage"},
		{"/apps nonsense", "Unknown command `nonsense`"},
	}
	for _, tt := range tests {
		resp, appErr := p.ExecuteCommand(&mmplugin.Context{}, &model.CommandArgs{UserId: user.Id, Command: tt.command})
		if appErr != nil {
			t.Fatalf("%s: %v", tt.command, appErr)
		}
		if !strings.Contains(resp.Text, tt.want) {
			t.Errorf("%s = %q, want it to contain %q", tt.command, resp.Text, tt.want)
		}
	}
}

func TestServeHTTPBeforeActivation(t *testing.T) {
	p := New(BuildInfo{PluginID: "x"})
	rec := httptest.NewRecorder()
	p.ServeHTTP(&mmplugin.Context{}, rec, httptest.NewRequest(http.MethodGet, "/api/v1/ping", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503 before activation", rec.Code)
	}
	if _, appErr := p.ExecuteCommand(&mmplugin.Context{}, &model.CommandArgs{Command: "/apps info"}); appErr == nil {
		t.Fatal("ExecuteCommand before activation: want an error")
	}
}
