// Package fakemm is an in-memory Mattermost server: the state a real server
// keeps in its database and caches, and the plugin API (mmplugin.API) it
// offers a plugin, with the server's validation rules, error ids and status
// codes.
//
// The test host serves ForPlugin's API to the real plugin binary over RPC and
// turns the Listener callbacks into hook calls; tests build a world with the
// helper methods (CreateUser, CreateTeam, …) and assert on it (Posts,
// WebsocketEvents, KV, …).
//
// All state lives behind one sync.RWMutex in Server. Every getter returns a
// copy, so neither the plugin side nor a test can change stored state by
// mutating a returned value. Listener callbacks run synchronously after the
// state change, never while the lock is held, so a listener may call back into
// the Server.
package fakemm

import (
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// DefaultServerVersion is what GetServerVersion reports unless Options says otherwise.
const DefaultServerVersion = "9.11.0"

// Options configure a Server.
type Options struct {
	// SiteURL, e.g. "http://127.0.0.1:PORT"; also settable later with SetSiteURL.
	SiteURL string
	// ServerVersion is what GetServerVersion returns (default DefaultServerVersion).
	ServerVersion string
	// Now is the clock for KV TTLs, session expiry and every CreateAt/UpdateAt
	// (default time.Now).
	Now func() time.Time
	// Logf receives plugin log lines (default: discard). They are also kept
	// in memory (Logs).
	Logf func(format string, args ...any)
	// SkipDefaultChannels stops CreateTeam from creating the team's
	// town-square and off-topic channels (and team joins from joining them),
	// which a real server always does.
	SkipDefaultChannels bool
}

// Listener receives what the server would turn into plugin hook calls and
// cluster traffic. The host sets it; nil means nobody listens. Calls are made
// synchronously AFTER the state change, never while holding the lock.
type Listener interface {
	UserHasBeenCreated(user *model.User)
	UserHasJoinedChannel(member *model.ChannelMember, actor *model.User)
	UserHasLeftChannel(member *model.ChannelMember, actor *model.User)
	UserHasJoinedTeam(member *model.TeamMember, actor *model.User)
	UserHasLeftTeam(member *model.TeamMember, actor *model.User)
	ChannelHasBeenCreated(channel *model.Channel)
	// PluginHTTP routes an inter-plugin request (path /<plugin-id>/...) — host does the routing.
	PluginHTTP(fromPluginID string, r *http.Request) *http.Response
	// ExecuteSlashCommand runs a slash command as the server would (the host
	// finds the plugin that registered the trigger).
	ExecuteSlashCommand(args *model.CommandArgs) (*model.CommandResponse, error)
	// PublishPluginClusterEvent delivers ev to the plugin's instances on the other nodes.
	PublishPluginClusterEvent(pluginID, fromNode string, ev model.PluginClusterEvent, opts model.PluginClusterEventSendOptions) error
}

// PostListener is an optional extension of Listener: when the Listener also
// implements it, it is told about every post created through the plugin API
// or CreatePost (the server's MessageHasBeenPosted hook, which it runs for all
// plugins, the posting one included).
type PostListener interface {
	MessageHasBeenPosted(post *model.Post)
}

// ConfigListener is an optional extension of Listener: when the Listener also
// implements it, it is told after every configuration change (SavePluginConfig,
// UpdateConfig, SetPluginSetting, SetSiteURL). A real server then calls
// OnConfigurationChange on every active plugin.
type ConfigListener interface {
	ConfigurationChanged()
}

// WebsocketEvent is one event a plugin published with PublishWebSocketEvent.
type WebsocketEvent struct {
	// Event is the delivered name: custom_<pluginid>_<event>.
	Event     string
	Data      map[string]any
	Broadcast model.WebsocketBroadcast
}

// LogLine is one plugin log call.
type LogLine struct {
	Level     string // "debug", "info", "warn" or "error"
	PluginID  string
	Message   string
	KeyValues []any
}

// Server is the in-memory Mattermost server.
type Server struct {
	now                 func() time.Time
	logf                func(format string, args ...any)
	serverVersion       string
	skipDefaultChannels bool

	// cfgMu serialises configuration read-modify-write cycles so that
	// UpdateConfig can run its callback without holding mu.
	cfgMu sync.Mutex

	mu       sync.RWMutex
	listener Listener
	config   *model.Config

	users          map[string]*model.User
	bots           map[string]*model.Bot
	profileImages  map[string][]byte
	botIcons       map[string][]byte
	tokens         map[string]*model.UserAccessToken // by token id
	sessions       map[string]*model.Session         // by session id
	triggerIDs     map[string]string                 // trigger id -> user id
	teams          map[string]*model.Team
	teamMembers    map[string]map[string]*model.TeamMember    // team id -> user id -> member
	channels       map[string]*model.Channel                  // by id
	channelMembers map[string]map[string]*model.ChannelMember // channel id -> user id -> member
	posts          map[string]*model.Post
	postOrder      []string
	ephemeral      map[string][]*model.Post // user id -> posts, in send order
	commands       []*pluginCommand         // registration order
	dialogs        []model.OpenDialogRequest
	oauthApps      map[string]*model.OAuthApp
	kv             map[string]map[string]kvEntry // plugin id -> key -> entry
	wsEvents       []WebsocketEvent
	logs           []LogLine
	manifests      map[string]PluginManifest
	manifestOrder  []string
	statuses       map[string]*model.PluginStatus
}

// New returns an empty server (no users, no teams) with the default configuration.
func New(opts Options) *Server {
	s := &Server{
		now:                 opts.Now,
		logf:                opts.Logf,
		serverVersion:       opts.ServerVersion,
		skipDefaultChannels: opts.SkipDefaultChannels,
		config:              defaultConfig(opts.SiteURL),
		users:               map[string]*model.User{},
		bots:                map[string]*model.Bot{},
		profileImages:       map[string][]byte{},
		botIcons:            map[string][]byte{},
		tokens:              map[string]*model.UserAccessToken{},
		sessions:            map[string]*model.Session{},
		triggerIDs:          map[string]string{},
		teams:               map[string]*model.Team{},
		teamMembers:         map[string]map[string]*model.TeamMember{},
		channels:            map[string]*model.Channel{},
		channelMembers:      map[string]map[string]*model.ChannelMember{},
		posts:               map[string]*model.Post{},
		ephemeral:           map[string][]*model.Post{},
		oauthApps:           map[string]*model.OAuthApp{},
		kv:                  map[string]map[string]kvEntry{},
		manifests:           map[string]PluginManifest{},
		statuses:            map[string]*model.PluginStatus{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if s.serverVersion == "" {
		s.serverVersion = DefaultServerVersion
	}
	return s
}

// SetListener sets (or, with nil, removes) the listener.
func (s *Server) SetListener(l Listener) {
	s.mu.Lock()
	s.listener = l
	s.mu.Unlock()
}

// nowMillis is the server clock in the server's unit.
func (s *Server) nowMillis() int64 { return s.now().UnixMilli() }

// events collects listener calls made while the lock is held; fire runs them
// once it is released.
type events []func(Listener)

func (e *events) add(f func(Listener)) { *e = append(*e, f) }

func (s *Server) fire(ev events) {
	if len(ev) == 0 {
		return
	}
	s.mu.RLock()
	l := s.listener
	s.mu.RUnlock()
	if l == nil {
		return
	}
	for _, f := range ev {
		f(l)
	}
}

func (s *Server) getListener() Listener {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.listener
}

// actorLocked returns a copy of the acting user, nil for "" or an unknown id.
func (s *Server) actorLocked(actorID string) *model.User {
	if actorID == "" {
		return nil
	}
	if u, ok := s.users[actorID]; ok {
		return copyUser(u)
	}
	return nil
}

// page returns the bounds of page (0-based) of perPage items out of n.
func page(n, pg, perPage int) (int, int) {
	if pg < 0 {
		pg = 0
	}
	if perPage < 0 {
		perPage = 0
	}
	start := pg * perPage
	if start > n {
		start = n
	}
	end := start + perPage
	if end > n {
		end = n
	}
	return start, end
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if w == word {
			return true
		}
	}
	return false
}
