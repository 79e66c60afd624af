package e2e

import (
	"net/http"
	"slices"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// builtinCall is a call to the built-in app "apps", as a v1 client makes it.
func builtinCall(w *world, path string, state any, values map[string]any) apps.CallRequest {
	creq := callRequest(string(apps.BuiltinAppID), path, w.channelID, &apps.Expand{ActingUser: apps.ExpandSummary, Locale: apps.ExpandAll})
	creq.State, creq.Values = state, values
	return creq
}

// appsCommands lists the /apps subcommands in the bindings a user gets.
func appsCommands(bb []apps.Binding) []string {
	for _, b := range atAll(bb, apps.LocationCommand) {
		if b.Label == "apps" && b.AppID == apps.BuiltinAppID {
			return labels(b.Bindings)
		}
	}
	return nil
}

func TestBuiltinAppAsAV1ClientUsesIt(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	app := startApp(t, testapp.Options{
		AppID: "consent", Secret: "shh",
		Permissions: apps.Permissions{apps.PermissionActAsBot}, Locations: apps.Locations{apps.LocationCommand},
	})

	// Bindings: admins get the admin verbs, users do not.
	admin := appsCommands(w.mustBindingsAs(t, w.adminToken))
	user := appsCommands(w.mustBindingsAs(t, w.userToken))
	for _, v := range []string{"apps:info", "apps:list", "apps:install", "apps:uninstall", "apps:enable", "apps:disable"} {
		if !slices.Contains(admin, v) {
			t.Errorf("admin /apps bindings %v lack %s", admin, v)
		}
	}
	if !slices.Equal(user, []string{"apps:info", "apps:list"}) {
		t.Errorf("user /apps bindings = %v, want [info list]", user)
	}

	// List the HTTP app, open the consent form, submit it with the secret.
	status, resp, body := w.call(t, w.adminToken, builtinCall(w, "/install-http", nil, map[string]any{"url": app.URL + "/manifest.json"}))
	if status != http.StatusOK || resp.Type != apps.CallResponseTypeForm {
		t.Fatalf("install-http: %d %s", status, body)
	}
	status, resp, body = w.call(t, w.adminToken, builtinCall(w, "/install-consent/form", "consent", map[string]any{"deploy_type": "http"}))
	if status != http.StatusOK || resp.Form == nil {
		t.Fatalf("consent form: %d %s", status, body)
	}
	var names []string
	for _, f := range resp.Form.Fields {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"consent", "deploy_type", "secret"}) {
		t.Fatalf("consent form fields = %v", names)
	}
	// Without consent: refused.
	_, resp, _ = w.call(t, w.adminToken, builtinCall(w, "/install-consent", "consent", map[string]any{"deploy_type": "http", "secret": "shh"}))
	if resp.Type != apps.CallResponseTypeError {
		t.Fatalf("install without consent: %+v", resp)
	}
	// A user cannot install.
	_, resp, _ = w.call(t, w.userToken, builtinCall(w, "/install-consent", "consent", map[string]any{"consent": true, "secret": "shh"}))
	if resp.Type != apps.CallResponseTypeError {
		t.Fatalf("a user installed: %+v", resp)
	}
	status, resp, body = w.call(t, w.adminToken, builtinCall(w, "/install-consent", "consent", map[string]any{
		"consent": true, "deploy_type": map[string]any{"label": "HTTP", "value": "http"}, "secret": "shh",
	}))
	if status != http.StatusOK || resp.Type != apps.CallResponseTypeOK {
		t.Fatalf("install-consent: %d %s", status, body)
	}
	install := lastCall(t, app, "/install")
	if install.ActingUserID != w.admin {
		t.Fatalf("on_install JWT acting user = %q, want the admin", install.ActingUserID)
	}
	if app.Rejected() != 0 {
		t.Fatalf("the app rejected %d requests: the secret did not reach it", app.Rejected())
	}

	// /apps list gives the same table through the call API and the command.
	_, resp, _ = w.call(t, w.adminToken, builtinCall(w, "/list", nil, nil))
	if cmd := w.run(t, w.admin, "/apps list"); cmd != resp.Text {
		t.Fatalf("/apps list differs:\ncommand:\n%s\ncall API:\n%s", cmd, resp.Text)
	}
	mustContain(t, "list", resp.Text, "Test app consent", "Enabled")
}
