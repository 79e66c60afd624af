package proxy

import (
	"context"
	"errors"
	"testing"

	"github.com/mattermost-community/apps-plugin/upstream"
)

func TestListPluginAppChecks(t *testing.T) {
	w := newTestWorld(t)
	var asked []string
	manifest := `{"app_id":"plugapp","version":"1.0.0","homepage_url":"https://example.com","plugin":{"plugin_id":"com.other"}}`
	w.p.SetFetchers(Fetchers{Plugin: func(_ context.Context, pluginID, path string, _ int64) ([]byte, error) {
		asked = append(asked, pluginID+" "+path)
		if pluginID == "com.missing" {
			return nil, upstream.ErrNotFound
		}
		return []byte(manifest), nil
	}})
	ctx, admin := context.Background(), Incoming{ActingUserID: w.admin}

	if _, err := w.p.ListPluginApp(ctx, Incoming{ActingUserID: w.alice}, "com.example"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("non-admin: %v", err)
	}
	for _, bad := range []string{"", "a/b", "../x", "a?b"} {
		if _, err := w.p.ListPluginApp(ctx, admin, bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("plugin id %q: %v", bad, err)
		}
	}
	if _, err := w.p.ListPluginApp(ctx, admin, "com.missing"); !errors.Is(err, upstream.ErrNotFound) {
		t.Fatalf("missing plugin: %v", err)
	}
	// The manifest names another plugin.
	if _, err := w.p.ListPluginApp(ctx, admin, "com.example"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("manifest of another plugin: %v", err)
	}
	// No plugin section at all.
	manifest = `{"app_id":"plugapp","version":"1.0.0","homepage_url":"https://example.com","http":{"root_url":"http://x.test"}}`
	if _, err := w.p.ListPluginApp(ctx, admin, "com.example"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("manifest without plugin section: %v", err)
	}
	if len(asked) == 0 || asked[len(asked)-1] != "com.example /manifest.json" {
		t.Fatalf("fetched %v", asked)
	}
}
