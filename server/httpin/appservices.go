package httpin

import (
	"errors"
	"io"
	"net/http"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/proxy"
	"github.com/mattermost-community/apps-plugin/server/timer"
	"github.com/mattermost-community/apps-plugin/server/webhook"
)

// AppServices are what the routes apps call back into use: the KV store,
// subscriptions, OAuth2 data, timers and remote webhooks.
type AppServices struct {
	Auth          *appservices.Auth
	KV            *appservices.KV
	Subscriptions *appservices.Subscriptions
	OAuth2        *appservices.OAuth2
	Timers        *timer.Service
	Notifier      *proxy.Notifier
}

// Option configures NewRouter.
type Option func(*handlers)

// WithAppServices adds the routes of the app services.
func WithAppServices(s *AppServices) Option { return func(h *handlers) { h.svc = s } }

// appCaller identifies the app calling: the request must come with the
// app-specific token an app got in a call's context. Anything else (no
// token, a user's own session or token) is refused with "not an app
// session".
func (h *handlers) appCaller(w http.ResponseWriter, r *http.Request) (appservices.Caller, bool) {
	c, err := h.svc.Auth.Caller(ActingUserID(r), PluginContext(r).SessionId)
	if err != nil {
		writeServiceError(w, err)
		return c, false
	}
	return c, true
}

// writeServiceError maps the app services' errors (and falls back to
// writeError): forbidden 403, not found 404, invalid 400, too large 413,
// unauthorized 401.
func writeServiceError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, appservices.ErrForbidden), errors.Is(err, timer.ErrForbidden), errors.Is(err, webhook.ErrForbidden):
		http.Error(w, err.Error(), http.StatusForbidden)
	case errors.Is(err, appservices.ErrNotFound), errors.Is(err, timer.ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, apps.ErrTooLarge):
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
	default:
		writeError(w, err)
	}
}

// readBody reads at most limit bytes; more is a 413 with a clear message.
func readBody(r *http.Request, limit int64, what string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, apps.NewInvalidError("read the request: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, apps.NewTooLargeError("%s is over the size limit of %d bytes (%d KiB)", what, limit, limit/1024)
	}
	return body, nil
}
