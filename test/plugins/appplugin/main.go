// Command appplugin is a tiny Mattermost plugin that ships an App (deploy
// type "plugin"), for the end-to-end tests: the Apps plugin reaches it
// through inter-plugin HTTP at /<plugin id>/app/....
//
// It records the Mattermost-Plugin-Id header of the last call to /app/hello
// and serves it at GET /last-caller, so tests can check who called.
package main

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
)

// PluginID is the id in this plugin's plugin.json.
const PluginID = "com.example.appplugin"

type plugin struct {
	mu         sync.Mutex
	lastCaller string
}

func (p *plugin) OnActivate(mmplugin.API) error { return nil }

func (p *plugin) ServeHTTP(_ *mmplugin.Context, w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/app/manifest.json":
		writeJSON(w, map[string]any{
			"app_id":                "plugapp",
			"version":               "1.0.0",
			"display_name":          "Plugin App",
			"homepage_url":          "https://example.com/plugapp",
			"icon":                  "icon.svg",
			"requested_locations":   []apps.Location{apps.LocationCommand},
			"requested_permissions": []apps.Permission{apps.PermissionActAsBot},
			"plugin":                map[string]string{"plugin_id": PluginID},
		})
	case "/app/ping":
		writeJSON(w, apps.NewTextResponse("pong"))
	case "/app/bindings":
		writeJSON(w, apps.NewDataResponse([]apps.Binding{{
			Location: apps.LocationCommand,
			Bindings: []apps.Binding{{
				Label: "plugapp", Location: "plugapp", Description: "Say hello from a plugin app",
				Submit: &apps.Call{Path: "/hello", Expand: &apps.Expand{ActingUser: apps.ExpandSummary}},
			}},
		}}))
	case "/app/hello":
		p.mu.Lock()
		p.lastCaller = r.Header.Get("Mattermost-Plugin-Id")
		p.mu.Unlock()
		var creq apps.CallRequest
		_ = json.NewDecoder(r.Body).Decode(&creq)
		name := "friend"
		if u := creq.Context.ActingUser; u != nil && u.Username != "" {
			name = u.Username
		}
		writeJSON(w, apps.NewTextResponse("Hello from a plugin app, %s", name))
	case "/app/static/icon.svg":
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="7"/></svg>`))
	case "/last-caller":
		p.mu.Lock()
		defer p.mu.Unlock()
		_, _ = w.Write([]byte(p.lastCaller))
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func main() { mmplugin.ClientMain(&plugin{}) }
