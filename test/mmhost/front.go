package mmhost

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// frontHandler is the part of the server that routes /plugins/<id>/...
func (h *Host) frontHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/plugins/", h.servePluginRequest)
	return mux
}

// servePluginRequest forwards r to the plugin as the server does: the user
// header is always cleared and set only for a valid session (bearer token,
// then the MMAUTHTOKEN cookie, then ?access_token=, with the CSRF rule for
// cookie-authenticated writes); /plugins/<id> is stripped from the path and
// access_token from the query, while RequestURI stays as sent.
func (h *Host) servePluginRequest(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/plugins/")
	id, subpath, _ := strings.Cut(rest, "/")
	p, err := h.plugin(id)
	if err != nil || len(p.Instances) == 0 {
		http.NotFound(w, r)
		return
	}
	if strings.HasPrefix(subpath, "public/") {
		http.NotFound(w, r) // served by the server from the bundle, never by the plugin
		return
	}

	r.Header.Del("Mattermost-User-Id")
	r.Header.Del("Mattermost-Plugin-Id")
	c := &mmplugin.Context{
		RequestId:      model.NewId(),
		AcceptLanguage: r.Header.Get("Accept-Language"),
		UserAgent:      r.UserAgent(),
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.IPAddress = host
	}

	token, fromCookie := requestToken(r)
	if token != "" {
		if s, ok := h.MM.Authenticate(token); ok && (!fromCookie || r.Method == http.MethodGet || csrfOK(r, s)) {
			r.Header.Set("Mattermost-User-Id", s.UserId)
			c.SessionId = s.Id
		}
	}
	r.Header.Del("Authorization")
	r.Header.Del("Referer")
	removeCookie(r, "MMAUTHTOKEN")

	q := r.URL.Query()
	q.Del("access_token")
	u := *r.URL
	u.Path = ""
	if subpath != "" || strings.HasSuffix(rest, "/") {
		u.Path = "/" + subpath
	}
	u.RawPath = ""
	u.RawQuery = q.Encode()
	r2 := r.Clone(r.Context())
	r2.URL = &u
	if r2.Body == nil {
		r2.Body = http.NoBody
	}
	p.Instances[0].Hooks.ServeHTTP(c, w, r2)
}

func requestToken(r *http.Request) (token string, fromCookie bool) {
	if a := r.Header.Get("Authorization"); a != "" {
		for _, scheme := range []string{"Bearer ", "bearer ", "Token ", "token "} {
			if strings.HasPrefix(a, scheme) {
				return strings.TrimSpace(a[len(scheme):]), false
			}
		}
	}
	if ck, err := r.Cookie("MMAUTHTOKEN"); err == nil && ck.Value != "" {
		return ck.Value, true
	}
	return r.URL.Query().Get("access_token"), false
}

// csrfOK applies the server's rule for cookie-authenticated writes.
func csrfOK(r *http.Request, s *model.Session) bool {
	if t := r.Header.Get("X-CSRF-Token"); t != "" && s.Props != nil && t == s.Props["csrf"] {
		return true
	}
	return r.Header.Get("X-Requested-With") == "XMLHttpRequest"
}

func removeCookie(r *http.Request, name string) {
	cookies := r.Cookies()
	r.Header.Del("Cookie")
	for _, ck := range cookies {
		if ck.Name != name {
			r.AddCookie(ck)
		}
	}
}

// ExecuteCommand runs a slash command line as userID in channelID, like a
// user typing it: the plugin that registered the trigger gets ExecuteCommand.
func (h *Host) ExecuteCommand(userID, channelID, text string) (*model.CommandResponse, error) {
	teamID := ""
	if ch, ok := h.MM.Channel(channelID); ok {
		teamID = ch.TeamId
	}
	return h.ExecuteSlashCommand(&model.CommandArgs{
		UserId: userID, ChannelId: channelID, TeamId: teamID, Command: text,
		TriggerId: h.MM.NewTriggerID(userID), SiteURL: h.URL,
	})
}

// ExecuteSlashCommand implements the server side of ExecuteCommand.
func (h *Host) ExecuteSlashCommand(args *model.CommandArgs) (*model.CommandResponse, error) {
	text := strings.TrimSpace(args.Command)
	if !strings.HasPrefix(text, "/") {
		return nil, fmt.Errorf("command %q does not start with /", args.Command)
	}
	trigger, _, _ := strings.Cut(text[1:], " ")
	pluginID, _, ok := h.MM.CommandByTrigger(args.TeamId, strings.ToLower(trigger))
	if !ok {
		return nil, fmt.Errorf("command with a trigger of '%s' not found", trigger)
	}
	p, err := h.plugin(pluginID)
	if err != nil || len(p.Instances) == 0 {
		return nil, fmt.Errorf("command /%s: plugin %s is not running", trigger, pluginID)
	}
	if args.SiteURL == "" {
		args.SiteURL = h.URL
	}
	resp, appErr := p.Instances[0].Hooks.ExecuteCommand(&mmplugin.Context{RequestId: model.NewId()}, args)
	if appErr != nil {
		return resp, appErr
	}
	return resp, nil
}

// PluginHTTP routes an inter-plugin request (path /<plugin-id>/...) to the
// target plugin as the server does: caller id in Mattermost-Plugin-Id, an
// empty Mattermost-User-Id.
func (h *Host) PluginHTTP(fromPluginID string, r *http.Request) *http.Response {
	rest := strings.TrimPrefix(r.URL.Path, "/")
	id, subpath, _ := strings.Cut(rest, "/")
	rec := httptest.NewRecorder()
	p, err := h.plugin(id)
	if err != nil || len(p.Instances) == 0 {
		http.NotFound(rec, r)
		return rec.Result()
	}
	u := *r.URL
	u.Path = "/" + subpath
	u.RawPath = ""
	u.RawQuery = r.URL.Query().Encode()
	r2 := r.Clone(r.Context())
	r2.URL = &u
	r2.Header.Set("Mattermost-Plugin-Id", fromPluginID)
	r2.Header.Set("Mattermost-User-Id", "")
	if r2.Body == nil {
		r2.Body = http.NoBody
	}
	p.Instances[0].Hooks.ServeHTTP(&mmplugin.Context{RequestId: model.NewId(), UserAgent: r.UserAgent()}, rec, r2)
	return rec.Result()
}

// PublishPluginClusterEvent delivers ev to the plugin's instances on every
// other node, as the cluster does (never back to the sender).
func (h *Host) PublishPluginClusterEvent(pluginID, fromNode string, ev model.PluginClusterEvent, opts model.PluginClusterEventSendOptions) error {
	p, err := h.plugin(pluginID)
	if err != nil {
		return nil
	}
	h.mu.RLock()
	instances := append([]*Instance(nil), p.Instances...)
	h.mu.RUnlock()
	for _, in := range instances {
		if in.Node == fromNode || (opts.TargetId != "" && opts.TargetId != in.Node) {
			continue
		}
		in.Hooks.OnPluginClusterEvent(&mmplugin.Context{}, ev)
	}
	return nil
}

// The server runs these hooks on the node that saw the event; the host uses
// the first node of every plugin, synchronously so tests can assert right away.

func (h *Host) UserHasBeenCreated(user *model.User) {
	for _, in := range h.primaryInstances() {
		in.Hooks.UserHasBeenCreated(&mmplugin.Context{}, user)
	}
}

func (h *Host) UserHasJoinedChannel(m *model.ChannelMember, actor *model.User) {
	for _, in := range h.primaryInstances() {
		in.Hooks.UserHasJoinedChannel(&mmplugin.Context{}, m, actor)
	}
}

func (h *Host) UserHasLeftChannel(m *model.ChannelMember, actor *model.User) {
	for _, in := range h.primaryInstances() {
		in.Hooks.UserHasLeftChannel(&mmplugin.Context{}, m, actor)
	}
}

func (h *Host) UserHasJoinedTeam(m *model.TeamMember, actor *model.User) {
	for _, in := range h.primaryInstances() {
		in.Hooks.UserHasJoinedTeam(&mmplugin.Context{}, m, actor)
	}
}

func (h *Host) UserHasLeftTeam(m *model.TeamMember, actor *model.User) {
	for _, in := range h.primaryInstances() {
		in.Hooks.UserHasLeftTeam(&mmplugin.Context{}, m, actor)
	}
}

func (h *Host) ChannelHasBeenCreated(ch *model.Channel) {
	for _, in := range h.primaryInstances() {
		in.Hooks.ChannelHasBeenCreated(&mmplugin.Context{}, ch)
	}
}

// ConfigurationChanged runs OnConfigurationChange on every plugin instance,
// as the server does after every configuration save.
func (h *Host) ConfigurationChanged() {
	h.mu.RLock()
	var all []*Instance
	for _, p := range h.plugins {
		all = append(all, p.Instances...)
	}
	h.mu.RUnlock()
	for _, in := range all {
		if err := in.Hooks.OnConfigurationChange(); err != nil {
			h.opts.Logf("%s: OnConfigurationChange: %v", in.Node, err)
		}
	}
}

// MessageHasBeenPosted runs the hook for every plugin (the posting one too).
func (h *Host) MessageHasBeenPosted(post *model.Post) {
	for _, in := range h.primaryInstances() {
		in.Hooks.MessageHasBeenPosted(&mmplugin.Context{}, post)
	}
}
