// Package mmhost plays the Mattermost server for tests and the demo: it starts
// a real plugin binary with the server's handshake, activates it with an
// in-memory Mattermost (package fakemm) as its API, forwards HTTP requests to
// its ServeHTTP the way the server does, executes slash commands, and delivers
// hooks and cluster events.
package mmhost

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

// Options configure a Host.
type Options struct {
	// Nodes is how many cluster nodes run each plugin (default 1).
	Nodes int
	// ServerVersion is what GetServerVersion answers (default fakemm's).
	ServerVersion string
	// Now is the in-memory server's clock (sessions, KV TTLs; default
	// time.Now). The plugin processes keep the real clock.
	Now func() time.Time
	// MagicCookieValue replaces the handshake cookie; only tests of a wrong
	// cookie set it.
	MagicCookieValue string
	// PluginEnv is added to the plugin processes' environment (the server
	// passes its whole environment on).
	PluginEnv []string
	// PluginsDir is where .tar.gz bundles are unpacked (default: a temp dir
	// removed on Close).
	PluginsDir string
	// Logf receives the server log: plugin log lines, plugin stdout/stderr
	// and protocol failures. Default: discard.
	Logf func(format string, args ...any)
}

// Host is a running stand-in Mattermost server.
type Host struct {
	// MM is the in-memory Mattermost behind the plugin API.
	MM *fakemm.Server
	// URL is the site URL (http://127.0.0.1:port) of the front HTTP server.
	URL string

	opts     Options
	listener net.Listener
	http     *http.Server
	tmpDir   string

	mu      sync.RWMutex
	plugins map[string]*Plugin
}

// Plugin is one installed plugin with an instance per cluster node.
type Plugin struct {
	Manifest  *Manifest
	BundleDir string
	Instances []*Instance
}

// Instance is one plugin process on one node.
type Instance struct {
	Node        string
	Hooks       *mmplugin.HooksRPCClient
	Implemented []string
	client      *goplugin.Client
}

// Pid is the plugin process id (0 if it is not running).
func (in *Instance) Pid() int {
	if rc := in.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Start starts the front HTTP server on a free 127.0.0.1 port and an empty
// in-memory Mattermost behind it.
func Start(opts Options) (*Host, error) {
	if opts.Nodes <= 0 {
		opts.Nodes = 1
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the host's HTTP server: %w", err)
	}
	h := &Host{opts: opts, listener: ln, URL: "http://" + ln.Addr().String(), plugins: map[string]*Plugin{}}
	if opts.PluginsDir == "" {
		dir, err := os.MkdirTemp("", "mmhost-plugins-")
		if err != nil {
			ln.Close()
			return nil, err
		}
		h.tmpDir, h.opts.PluginsDir = dir, dir
	}
	h.MM = fakemm.New(fakemm.Options{SiteURL: h.URL, ServerVersion: opts.ServerVersion, Now: opts.Now, Logf: opts.Logf})
	h.MM.SetListener(h)
	h.http = &http.Server{Handler: h.frontHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = h.http.Serve(ln) }()
	return h, nil
}

// Close deactivates and stops every plugin, then the HTTP server.
func (h *Host) Close() error {
	h.mu.Lock()
	plugins := h.plugins
	h.plugins = map[string]*Plugin{}
	h.mu.Unlock()
	var errs []error
	for _, p := range plugins {
		errs = append(errs, h.stop(p))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs = append(errs, h.http.Shutdown(ctx))
	if h.tmpDir != "" {
		errs = append(errs, os.RemoveAll(h.tmpDir))
	}
	return errors.Join(errs...)
}

// InstallPlugin unpacks bundle (a .tar.gz, or an already unpacked directory),
// starts it on every node and activates it, like uploading and enabling a
// plugin. The error is what the server would show as the start failure.
func (h *Host) InstallPlugin(bundle string) (*Plugin, error) {
	dir := bundle
	if st, err := os.Stat(bundle); err != nil {
		return nil, fmt.Errorf("plugin bundle: %w", err)
	} else if !st.IsDir() {
		if dir, err = ExtractBundle(bundle, h.opts.PluginsDir); err != nil {
			return nil, err
		}
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	p := &Plugin{Manifest: m, BundleDir: dir}
	h.mu.Lock()
	if old := h.plugins[m.Id]; old != nil {
		h.mu.Unlock()
		return nil, fmt.Errorf("plugin %s is already installed", m.Id)
	}
	h.plugins[m.Id] = p
	h.mu.Unlock()
	if err := h.startInstances(p); err != nil {
		h.mu.Lock()
		delete(h.plugins, m.Id)
		h.mu.Unlock()
		return nil, err
	}
	return p, nil
}

// RestartPlugin stops the plugin's processes (deactivating them) and starts
// and activates new ones, as the server does after a failed health check or a
// disable/enable.
func (h *Host) RestartPlugin(id string) error {
	p, err := h.plugin(id)
	if err != nil {
		return err
	}
	if err := h.stop(p); err != nil {
		return fmt.Errorf("restart %s: %w", id, err)
	}
	return h.startInstances(p)
}

// KillPlugin kills the plugin's processes without deactivating them (a crash).
func (h *Host) KillPlugin(id string) error {
	p, err := h.plugin(id)
	if err != nil {
		return err
	}
	for _, in := range p.Instances {
		in.client.Kill()
	}
	return nil
}

// RemovePlugin deactivates and stops the plugin.
func (h *Host) RemovePlugin(id string) error {
	p, err := h.plugin(id)
	if err != nil {
		return err
	}
	h.mu.Lock()
	delete(h.plugins, p.Manifest.Id)
	h.mu.Unlock()
	return h.stop(p)
}

// stop deactivates and stops the plugin's processes; like the server it then
// forgets the slash commands the plugin registered.
func (h *Host) stop(p *Plugin) error {
	err := stopInstances(p.Instances)
	h.MM.UnregisterPluginCommands(p.Manifest.Id)
	return err
}

// Plugin returns an installed plugin.
func (h *Host) Plugin(id string) (*Plugin, error) { return h.plugin(id) }

func (h *Host) plugin(id string) (*Plugin, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	p := h.plugins[strings.ToLower(id)]
	if p == nil {
		p = h.plugins[id]
	}
	if p == nil {
		return nil, fmt.Errorf("plugin %s is not installed", id)
	}
	return p, nil
}

func (h *Host) startInstances(p *Plugin) error {
	exe, err := p.Manifest.Executable(p.BundleDir)
	if err != nil {
		return err
	}
	defaults := map[string]any{}
	for _, s := range p.Manifest.SettingsSchema.Settings {
		defaults[s.Key] = s.Default
	}
	mf := fakemm.PluginManifest{Id: p.Manifest.Id, Version: p.Manifest.Version, SettingsDefaults: defaults}
	var instances []*Instance
	for i := 0; i < h.opts.Nodes; i++ {
		node := fmt.Sprintf("node%d", i+1)
		in, err := h.launch(p.Manifest.Id, exe, node)
		if err != nil {
			_ = stopInstances(instances)
			return err
		}
		instances = append(instances, in)
		h.mu.Lock()
		p.Instances = instances
		h.mu.Unlock()
		if err := in.Hooks.OnActivate(h.MM.ForPlugin(mf, node, p.BundleDir)); err != nil {
			_ = stopInstances(instances)
			return fmt.Errorf("plugin %s failed to start on %s: %w", p.Manifest.Id, node, err)
		}
	}
	return nil
}

// launch starts one plugin process with the server's go-plugin settings:
// handshake, net/rpc, a 3 s start timeout, the executable's checksum, no
// arguments and the host's environment.
func (h *Host) launch(id, exe, node string) (*Instance, error) {
	sum, err := fileSHA256(exe)
	if err != nil {
		return nil, fmt.Errorf("plugin %s: %w", id, err)
	}
	handshake := mmplugin.Handshake
	if h.opts.MagicCookieValue != "" {
		handshake.MagicCookieValue = h.opts.MagicCookieValue
	}
	logw := &logWriter{logf: h.opts.Logf, prefix: id + "@" + node + ": "}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), h.opts.PluginEnv...)
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: handshake,
		Plugins:         (&mmplugin.ServerSide{Logf: h.opts.Logf}).PluginMap(),
		Cmd:             cmd,
		SecureConfig:    &goplugin.SecureConfig{Checksum: sum, Hash: sha256.New()},
		StartTimeout:    3 * time.Second,
		SyncStdout:      logw,
		SyncStderr:      logw,
		Logger:          hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: logw, Level: hclog.Error}),
	})
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("start plugin %s: %w", id, err)
	}
	raw, err := rpcClient.Dispense("hooks")
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("start plugin %s: dispense hooks: %w", id, err)
	}
	hooks := raw.(*mmplugin.HooksRPCClient)
	names, err := hooks.Implemented()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("start plugin %s: %w", id, err)
	}
	return &Instance{Node: node, Hooks: hooks, Implemented: names, client: client}, nil
}

func stopInstances(instances []*Instance) error {
	var errs []error
	for _, in := range instances {
		done := make(chan error, 1)
		go func() { done <- in.Hooks.OnDeactivate() }()
		select {
		case err := <-done:
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: OnDeactivate: %w", in.Node, err))
			}
		case <-time.After(10 * time.Second):
			errs = append(errs, fmt.Errorf("%s: OnDeactivate did not return within 10s", in.Node))
		}
		in.client.Kill()
	}
	return errors.Join(errs...)
}

func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open executable: %w", err)
	}
	defer f.Close()
	hash := sha256.New()
	if _, err := io.Copy(hash, f); err != nil {
		return nil, fmt.Errorf("checksum executable: %w", err)
	}
	return hash.Sum(nil), nil
}

// logWriter turns plugin output into log lines.
type logWriter struct {
	logf   func(format string, args ...any)
	prefix string
}

func (w *logWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if line != "" {
			w.logf("%s%s", w.prefix, line)
		}
	}
	return len(p), nil
}

// primary returns the plugin instances on the first node: where the host
// runs hooks, as the node that saw the event would.
func (h *Host) primaryInstances() []*Instance {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*Instance
	for _, p := range h.plugins {
		if len(p.Instances) > 0 {
			out = append(out, p.Instances[0])
		}
	}
	return out
}
