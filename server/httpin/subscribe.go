package httpin

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/mattermost-community/apps-plugin/apps"
)

// subscribeRoutes: POST /subscribe (a Subscription), POST /unsubscribe (an
// Event), GET /subscribe (the caller's subscriptions). The owner of a
// subscription is the session's user: the app's bot or the acting user.
func (h *handlers) subscribeRoutes(v1 *mux.Router) {
	if h.svc == nil || h.svc.Subscriptions == nil {
		return
	}
	v1.HandleFunc("/subscribe", h.subscribe).Methods(http.MethodPost)
	v1.HandleFunc("/subscribe", h.listSubscriptions).Methods(http.MethodGet)
	v1.HandleFunc("/unsubscribe", h.unsubscribe).Methods(http.MethodPost)
}

func (h *handlers) subscribe(w http.ResponseWriter, r *http.Request) {
	c, ok := h.appCaller(w, r)
	if !ok {
		return
	}
	var sub apps.Subscription
	if err := decodeJSON(r, &sub); err != nil {
		writeServiceError(w, err)
		return
	}
	if err := h.svc.Subscriptions.Subscribe(c, sub); err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{})
}

func (h *handlers) unsubscribe(w http.ResponseWriter, r *http.Request) {
	c, ok := h.appCaller(w, r)
	if !ok {
		return
	}
	var e apps.Event
	if err := decodeJSON(r, &e); err != nil {
		writeServiceError(w, err)
		return
	}
	if err := e.Validate(); err != nil {
		writeServiceError(w, err)
		return
	}
	if err := h.svc.Subscriptions.Unsubscribe(c, e); err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{})
}

func (h *handlers) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	c, ok := h.appCaller(w, r)
	if !ok {
		return
	}
	subs, err := h.svc.Subscriptions.List(c)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, subs)
}
