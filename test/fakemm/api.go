package fakemm

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// pluginAPI is the API one plugin sees on one cluster node. Its methods are
// spread over the files of the areas they touch (kv.go, bots.go, …).
type pluginAPI struct {
	s          *Server
	id         string
	manifest   PluginManifest
	node       string
	bundlePath string
}

var _ mmplugin.API = (*pluginAPI)(nil)

// ForPlugin returns the mmplugin.API a plugin with this manifest sees on one
// cluster node. KV, commands, the plugin's bot default owner, websocket event
// names (custom_<id>_<event>) and plugin config are scoped by the plugin id;
// node names the cluster node (for cluster events). The manifest becomes known
// to GetPlugins and, unless SetPluginStatus said otherwise, the plugin is
// reported as running.
func (s *Server) ForPlugin(manifest PluginManifest, node string, bundlePath string) mmplugin.API {
	s.mu.Lock()
	s.registerPluginLocked(manifest, node, bundlePath)
	m := s.manifests[manifest.Id]
	s.mu.Unlock()
	return &pluginAPI{s: s, id: manifest.Id, manifest: m, node: node, bundlePath: bundlePath}
}

// Logging.

func (p *pluginAPI) LogDebug(msg string, kv ...any) { p.log("debug", msg, kv...) }
func (p *pluginAPI) LogInfo(msg string, kv ...any)  { p.log("info", msg, kv...) }
func (p *pluginAPI) LogWarn(msg string, kv ...any)  { p.log("warn", msg, kv...) }
func (p *pluginAPI) LogError(msg string, kv ...any) { p.log("error", msg, kv...) }

func (p *pluginAPI) log(level, msg string, kv ...any) {
	p.s.addLog(LogLine{Level: level, PluginID: p.id, Message: msg, KeyValues: append([]any(nil), kv...)})
}

func (s *Server) addLog(l LogLine) {
	s.mu.Lock()
	s.logs = append(s.logs, l)
	s.mu.Unlock()
	var b strings.Builder
	for i := 0; i < len(l.KeyValues); i += 2 {
		if i+1 < len(l.KeyValues) {
			fmt.Fprintf(&b, " %v=%v", l.KeyValues[i], l.KeyValues[i+1])
		} else {
			fmt.Fprintf(&b, " %v", l.KeyValues[i])
		}
	}
	s.logf("[%s] plugin_id=%s %s%s", l.Level, l.PluginID, l.Message, b.String())
}

// Logs returns every plugin log line so far, oldest first.
func (s *Server) Logs() []LogLine {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]LogLine, len(s.logs))
	for i, l := range s.logs {
		l.KeyValues = append([]any(nil), l.KeyValues...)
		out[i] = l
	}
	return out
}

// Events.

func (p *pluginAPI) PublishWebSocketEvent(event string, payload map[string]any, broadcast *model.WebsocketBroadcast) {
	ev := WebsocketEvent{
		Event:     fmt.Sprintf("custom_%s_%s", p.id, event),
		Data:      copyAnyMap(payload),
		Broadcast: copyBroadcast(broadcast),
	}
	s := p.s
	s.mu.Lock()
	s.wsEvents = append(s.wsEvents, ev)
	s.mu.Unlock()
}

// WebsocketEvents returns the events plugins published, oldest first.
func (s *Server) WebsocketEvents() []WebsocketEvent {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]WebsocketEvent, len(s.wsEvents))
	for i, ev := range s.wsEvents {
		out[i] = WebsocketEvent{Event: ev.Event, Data: copyAnyMap(ev.Data), Broadcast: copyBroadcast(&ev.Broadcast)}
	}
	return out
}

// ClearWebsocketEvents forgets the recorded websocket events.
func (s *Server) ClearWebsocketEvents() {
	s.mu.Lock()
	s.wsEvents = nil
	s.mu.Unlock()
}

// PublishPluginClusterEvent hands the event to the Listener; with no listener
// the server is a single node and, like a real one, does nothing.
func (p *pluginAPI) PublishPluginClusterEvent(ev model.PluginClusterEvent, opts model.PluginClusterEventSendOptions) error {
	l := p.s.getListener()
	if l == nil {
		return nil
	}
	ev.Data = copyBytes(ev.Data)
	return l.PublishPluginClusterEvent(p.id, p.node, ev, opts)
}

// PluginHTTP checks the path form (/<plugin-id>/<rest>) as the server does and
// hands the request, path untouched, to the Listener, which routes it.
func (p *pluginAPI) PluginHTTP(r *http.Request) *http.Response {
	split := strings.SplitN(r.URL.Path, "/", 3)
	if len(split) != 3 {
		return textResponse(r, http.StatusBadRequest, "Not enough URL. Form of URL should be /<pluginid>/*")
	}
	if split[1] == "" {
		return textResponse(r, http.StatusBadRequest, "No plugin specified. Form of URL should be /<pluginid>/*")
	}
	l := p.s.getListener()
	if l == nil {
		return textResponse(r, http.StatusNotFound, "Not found")
	}
	resp := l.PluginHTTP(p.id, r)
	if resp == nil {
		return textResponse(r, http.StatusInternalServerError, "no response")
	}
	return resp
}

func textResponse(r *http.Request, status int, body string) *http.Response {
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}
