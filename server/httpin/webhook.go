package httpin

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/webhook"
)

// webhookRoutes: POST|HEAD /apps/{appid}/webhook[/{path}], remote webhooks
// for apps granted remote_webhooks, authenticated as their manifest says.
// No Mattermost session is needed. POST answers once the call is queued;
// HEAD only checks (a remote system testing the URL).
func (h *handlers) webhookRoutes(r *mux.Router) {
	if h.svc == nil || h.svc.Notifier == nil {
		return
	}
	methods := []string{http.MethodPost, http.MethodHead}
	r.HandleFunc("/apps/{appid:[A-Za-z0-9-_.]+}/webhook", h.webhook).Methods(methods...)
	r.HandleFunc("/apps/{appid:[A-Za-z0-9-_.]+}/webhook/{path}", h.webhook).Methods(methods...)
}

func (h *handlers) webhook(w http.ResponseWriter, r *http.Request) {
	vars := mux.Vars(r)
	app, err := h.proxy.GetInstalledApp(apps.AppID(vars["appid"]))
	if err != nil {
		writeError(w, err)
		return
	}
	if err := webhook.Allowed(app); err != nil {
		writeServiceError(w, err)
		return
	}
	if err := webhook.Authenticate(app, r, time.Now()); err != nil {
		writeServiceError(w, err)
		return
	}
	subpath, err := webhook.CleanPath(vars["path"])
	if err != nil {
		writeServiceError(w, err)
		return
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	body, err := readBody(r, webhook.MaxBodySize(h.conf.Get().MaxFileSize), "the webhook body")
	if err != nil {
		writeServiceError(w, err)
		return
	}
	if !h.svc.Notifier.Webhook(app, subpath, webhook.Values(r, body)) {
		http.Error(w, "too many webhooks in flight, try again later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
