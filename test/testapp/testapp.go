// Package testapp is a real HTTP App for tests: it serves its manifest and
// icon, verifies the JWT the plugin signs with the app's secret, answers the
// lifecycle calls and records every call it receives.
package testapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
	// Bindings, when set, are the app's answer to /bindings (after
	// BindingsDelay).
	Bindings      []apps.Binding
	BindingsDelay time.Duration
	// Static are extra files served at /static/<name> (icon.png always is).
	Static map[string][]byte
	// NoRecord stops recording calls (for load tests).
	NoRecord bool
	// Paths answers calls to the given paths (before Handle); a handler may
	// call back into the plugin with CallPlugin.
	Paths map[string]func(creq apps.CallRequest) apps.CallResponse
	// Manifest, if set, adjusts the manifest the app serves (webhook and
	// OAuth2 callbacks, remote_webhook_auth_type...).
	Manifest func(m *apps.Manifest)
	// ReceivedPath, if set (e.g. "/received"), serves the calls received so
	// far at GET <ReceivedPath> as JSON, [{"path", "request",
	// "acting_user_id"}, ...], for tests in another process (the browser
	// test). The path is then not a call path of the app.
	ReceivedPath string
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
	secret   string
	conns    int
	statics  int
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
	a := &App{URL: "http://" + ln.Addr().String(), opts: opts, ln: ln, secret: opts.Secret}
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second, ConnState: func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			a.mu.Lock()
			a.conns++
			a.mu.Unlock()
		}
	}}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

// Close stops the app.
func (a *App) Close() error { return a.srv.Close() }

// Manifest is the app's manifest.
func (a *App) Manifest() apps.Manifest {
	m := apps.Manifest{
		AppID: apps.AppID(a.opts.AppID), Version: apps.AppVersion(a.opts.Version),
		DisplayName: "Test app " + a.opts.AppID, Description: "An app for tests",
		HomepageURL: "https://example.com/" + a.opts.AppID, Icon: "icon.png",
		HTTP:                 &apps.HTTP{RootURL: a.URL, UseJWT: a.opts.Secret != ""},
		RequestedPermissions: a.opts.Permissions, RequestedLocations: a.opts.Locations,
		OnInstall: apps.NewCall("/install"), OnUninstall: apps.NewCall("/uninstall"),
		OnEnable: apps.NewCall("/enable"), OnDisable: apps.NewCall("/disable"),
	}
	if a.opts.Manifest != nil {
		a.opts.Manifest(&m)
	}
	return m
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

// Conns counts the TCP connections the app accepted.
func (a *App) Conns() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conns
}

// StaticFetches counts GETs of static files.
func (a *App) StaticFetches() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.statics
}

// SetSecret changes the secret the app checks JWTs with (the plugin keeps
// the one given at install).
func (a *App) SetSecret(secret string) {
	a.mu.Lock()
	a.secret = secret
	a.mu.Unlock()
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
	case r.Method == http.MethodGet && a.opts.ReceivedPath != "" && r.URL.Path == a.opts.ReceivedPath:
		a.serveReceived(w)
		return
	case r.Method == http.MethodGet && r.URL.Path == "/static/icon.png":
		a.countStatic()
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(Icon)
		return
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/static/"):
		a.countStatic()
		body, ok := a.opts.Static[strings.TrimPrefix(r.URL.Path, "/static/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
		return
	case r.Method != http.MethodPost:
		http.NotFound(w, r)
		return
	}
	acting := ""
	a.mu.Lock()
	secret := a.secret
	a.mu.Unlock()
	if secret != "" {
		claims, err := apps.VerifyJWTHeader(r.Header, secret, time.Now())
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
	if !a.opts.NoRecord {
		a.mu.Lock()
		a.received = append(a.received, Received{Path: r.URL.Path, Request: creq, ActingUserID: acting})
		a.mu.Unlock()
	}

	var resp apps.CallResponse
	switch r.URL.Path {
	case "/ping":
		resp = apps.NewTextResponse("PONG")
	case "/install", "/uninstall", "/enable", "/disable":
		resp = apps.NewTextResponse("%s done by %s", strings.TrimPrefix(r.URL.Path, "/"), a.opts.AppID)
	case "/bindings":
		if a.opts.Bindings == nil {
			if a.opts.Handle != nil {
				resp = a.opts.Handle(creq)
			} else {
				resp = apps.NewDataResponse([]apps.Binding{})
			}
			break
		}
		if a.opts.BindingsDelay > 0 {
			select {
			case <-time.After(a.opts.BindingsDelay):
			case <-r.Context().Done():
				return
			}
		}
		resp = apps.NewDataResponse(a.opts.Bindings)
	default:
		if h := a.opts.Paths[r.URL.Path]; h != nil {
			resp = h(creq)
		} else if a.opts.Handle != nil {
			resp = a.opts.Handle(creq)
		} else {
			resp = apps.NewTextResponse("ok %s", r.URL.Path)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// receivedJSON is a Received as served at Options.ReceivedPath.
type receivedJSON struct {
	Path         string           `json:"path"`
	Request      apps.CallRequest `json:"request"`
	ActingUserID string           `json:"acting_user_id,omitempty"`
}

func (a *App) serveReceived(w http.ResponseWriter) {
	got := a.Received()
	out := make([]receivedJSON, len(got))
	for i, r := range got {
		out[i] = receivedJSON(r)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

func (a *App) countStatic() {
	a.mu.Lock()
	a.statics++
	a.mu.Unlock()
}

// String names the app for test output.
func (a *App) String() string { return fmt.Sprintf("test app %s at %s", a.opts.AppID, a.URL) }

// WaitFor waits up to timeout until the app received n calls to path, and
// returns those received (fewer on timeout).
func (a *App) WaitFor(path string, n int, timeout time.Duration) []Received {
	deadline := time.Now().Add(timeout)
	for {
		var got []Received
		for _, r := range a.Received() {
			if r.Path == path {
				got = append(got, r)
			}
		}
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// CallPlugin calls the plugin's REST API as an app does: at the site URL
// and plugin path of a call's context, authenticated with a token the app
// received (context.bot_access_token or acting_user_access_token). path is
// relative to the plugin, e.g. "/api/v1/kv/key".
func CallPlugin(cc apps.Context, token, method, path string, body []byte) (int, []byte, error) {
	base := cc.AppPath
	if i := strings.LastIndex(base, "/apps/"); i >= 0 {
		base = base[:i]
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, cc.MattermostSiteURL+base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}
