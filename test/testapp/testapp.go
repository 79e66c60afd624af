// Package testapp is a real HTTP App for tests: it serves its manifest and
// icon, verifies the JWT the plugin signs with the app's secret, answers the
// lifecycle calls and records every call it receives.
package testapp

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Options shape the app.
type Options struct {
	AppID   string
	Version string
	// Secret is the JWT secret; "" turns JWT off.
	Secret      string
	Permissions apps.Permissions
	Locations   apps.Locations
	// Handle answers calls the app does not answer itself (nil: "ok").
	Handle func(creq apps.CallRequest) apps.CallResponse
}

// Received is one call the app got.
type Received struct {
	Path    string
	Request apps.CallRequest
	// ActingUserID is the JWT's claim ("" without JWT).
	ActingUserID string
}

// App is a running test app.
type App struct {
	URL  string
	opts Options
	srv  *http.Server
	ln   net.Listener

	mu       sync.Mutex
	received []Received
	rejected int
}

// Icon is the PNG the app serves as static/icon.png.
var Icon = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// Start runs the app on a free 127.0.0.1 port.
func Start(opts Options) (*App, error) {
	if opts.Version == "" {
		opts.Version = "1.0.0"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &App{URL: "http://" + ln.Addr().String(), opts: opts, ln: ln}
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

// Close stops the app.
func (a *App) Close() error { return a.srv.Close() }

// Manifest is the app's manifest.
func (a *App) Manifest() apps.Manifest {
	return apps.Manifest{
		AppID: apps.AppID(a.opts.AppID), Version: apps.AppVersion(a.opts.Version),
		DisplayName: "Test app " + a.opts.AppID, Description: "An app for tests",
		HomepageURL: "https://example.com/" + a.opts.AppID, Icon: "icon.png",
		HTTP:                 &apps.HTTP{RootURL: a.URL, UseJWT: a.opts.Secret != ""},
		RequestedPermissions: a.opts.Permissions, RequestedLocations: a.opts.Locations,
		OnInstall: apps.NewCall("/install"), OnUninstall: apps.NewCall("/uninstall"),
		OnEnable: apps.NewCall("/enable"), OnDisable: apps.NewCall("/disable"),
	}
}

// Received returns the calls received so far.
func (a *App) Received() []Received {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Received(nil), a.received...)
}

// ReceivedPaths lists the paths of the calls received so far.
func (a *App) ReceivedPaths() []string {
	var out []string
	for _, r := range a.Received() {
		out = append(out, r.Path)
	}
	return out
}

// Rejected counts requests refused for a bad or missing JWT.
func (a *App) Rejected() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rejected
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/manifest.json":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(a.Manifest())
		return
	case r.Method == http.MethodGet && r.URL.Path == "/static/icon.png":
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(Icon)
		return
	case r.Method != http.MethodPost:
		http.NotFound(w, r)
		return
	}
	acting := ""
	if a.opts.Secret != "" {
		claims, err := apps.VerifyJWTHeader(r.Header, a.opts.Secret, time.Now())
		if err != nil {
			a.mu.Lock()
			a.rejected++
			a.mu.Unlock()
			http.Error(w, "bad JWT: "+err.Error(), http.StatusUnauthorized)
			return
		}
		acting = claims.ActingUserID
	}
	var creq apps.CallRequest
	if err := json.NewDecoder(r.Body).Decode(&creq); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	a.received = append(a.received, Received{Path: r.URL.Path, Request: creq, ActingUserID: acting})
	a.mu.Unlock()

	var resp apps.CallResponse
	switch r.URL.Path {
	case "/ping":
		resp = apps.NewTextResponse("PONG")
	case "/install", "/uninstall", "/enable", "/disable":
		resp = apps.NewTextResponse("%s done by %s", strings.TrimPrefix(r.URL.Path, "/"), a.opts.AppID)
	default:
		if a.opts.Handle != nil {
			resp = a.opts.Handle(creq)
		} else {
			resp = apps.NewTextResponse("ok %s", r.URL.Path)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// String names the app for test output.
func (a *App) String() string { return fmt.Sprintf("test app %s at %s", a.opts.AppID, a.URL) }
