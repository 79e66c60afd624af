// Package httpin serves the plugin's HTTP routes (everything under
// /plugins/<id>/ on the Mattermost server).
package httpin

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime/debug"

	"github.com/gorilla/mux"

	"github.com/mattermost-community/apps-plugin/server/config"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

type contextKey int

const pluginContextKey contextKey = iota

// ServeWithContext serves r with the hook's plugin context attached.
func ServeWithContext(h http.Handler, c *mmplugin.Context, w http.ResponseWriter, r *http.Request) {
	h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), pluginContextKey, c)))
}

// PluginContext returns the plugin context of the request (never nil).
func PluginContext(r *http.Request) *mmplugin.Context {
	if c, ok := r.Context().Value(pluginContextKey).(*mmplugin.Context); ok && c != nil {
		return c
	}
	return &mmplugin.Context{}
}

// ActingUserID is the authenticated caller the server vouched for, or "".
func ActingUserID(r *http.Request) string {
	return r.Header.Get("Mattermost-User-Id")
}

// NewRouter builds the plugin's routes. dialogs may be nil (no dialog route).
func NewRouter(api mmplugin.API, conf *config.Service, p *proxy.Proxy, dialogs DialogSubmitter, opts ...Option) http.Handler {
	h := &handlers{api: api, conf: conf, proxy: p, dialogs: dialogs}
	for _, o := range opts {
		o(h)
	}
	r := mux.NewRouter()
	r.Use(recoverPanics(api))
	v1 := r.PathPrefix("/api/v1").Subrouter()
	v1.HandleFunc("/ping", h.ping).Methods(http.MethodGet, http.MethodPost)
	v1.HandleFunc("/debug/echo", h.requireDebug(h.debugEcho))
	v1.HandleFunc("/debug/panic", h.requireDebug(h.debugPanic))
	v1.HandleFunc("/debug/bindings", h.requireDebug(h.debugBindings)).Methods(http.MethodGet)

	v1.HandleFunc("/marketplace", requireSession(h.marketplace)).Methods(http.MethodGet)
	v1.HandleFunc("/install-app", requireSession(h.installApp)).Methods(http.MethodPost)
	v1.HandleFunc("/uninstall-app", requireSession(appAction(h.uninstallApp))).Methods(http.MethodPost)
	v1.HandleFunc("/enable-app", requireSession(appAction(h.enableApp))).Methods(http.MethodPost)
	v1.HandleFunc("/disable-app", requireSession(appAction(h.disableApp))).Methods(http.MethodPost)
	v1.HandleFunc("/update-app-listing", requireSession(h.updateAppListing)).Methods(http.MethodPost)
	v1.HandleFunc("/apps/{appid:[A-Za-z0-9-_.]+}", requireSession(h.getApp)).Methods(http.MethodGet)
	v1.HandleFunc("/bot-ids", requireSession(h.botIDs)).Methods(http.MethodGet)
	v1.HandleFunc("/oauth-app-ids", requireSession(h.oauthAppIDs)).Methods(http.MethodGet)
	v1.HandleFunc("/call", requireSession(h.call)).Methods(http.MethodPost)
	v1.HandleFunc("/bindings", requireSession(h.bindings)).Methods(http.MethodGet)
	v1.HandleFunc("/dialog", requireSession(h.submitDialog)).Methods(http.MethodPost)
	r.HandleFunc("/apps/{appid:[A-Za-z0-9-_.]+}/static/{name}", requireSession(h.static)).Methods(http.MethodGet, http.MethodHead)
	h.kvRoutes(v1)
	h.subscribeRoutes(v1)
	h.oauth2Routes(v1, r)
	h.webhookRoutes(r)
	h.timerRoutes(v1)
	r.NotFoundHandler = http.HandlerFunc(notFound)
	return r
}

type handlers struct {
	api     mmplugin.API
	conf    *config.Service
	proxy   *proxy.Proxy
	dialogs DialogSubmitter
	svc     *AppServices // nil: no app service routes
}

// ping answers {"version": ...}, as v1 did, so clients can detect the plugin.
func (h *handlers) ping(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]string{"version": h.conf.Get().Version})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "404 page not found: "+r.URL.Path+" is not a route of the Apps plugin", http.StatusNotFound)
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// recoverPanics turns a handler panic into a logged 500, so one bad request
// never takes the plugin down.
func recoverPanics(api mmplugin.API) mux.MiddlewareFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					api.LogError("Recovered from a panic in an HTTP handler", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
					http.Error(w, "internal server error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}
