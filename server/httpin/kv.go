package httpin

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/mattermost-community/apps-plugin/apps"
)

// kvRoutes: the apps' KV store, as upstream v1 (GET|PUT|POST|DELETE
// /kv/{key} and /kv/{prefix}/{key}), plus GET /kv?prefix= to list keys.
// Data is the calling app's, namespaced per session user (bot or user).
func (h *handlers) kvRoutes(v1 *mux.Router) {
	if h.svc == nil || h.svc.KV == nil {
		return
	}
	methods := []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete}
	v1.HandleFunc("/kv", h.kvList).Methods(http.MethodGet)
	v1.HandleFunc("/kv/{key}", h.kv).Methods(methods...)
	v1.HandleFunc("/kv/{prefix}/{key}", h.kv).Methods(methods...)
}

func (h *handlers) kv(w http.ResponseWriter, r *http.Request) {
	c, ok := h.appCaller(w, r)
	if !ok {
		return
	}
	vars := mux.Vars(r)
	prefix, key := vars["prefix"], vars["key"]
	switch r.Method {
	case http.MethodGet:
		v, err := h.svc.KV.Get(c, prefix, key)
		if err != nil {
			writeServiceError(w, err)
			return
		}
		if v == nil {
			v = []byte("{}") // as upstream: a missing key reads as {}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(v)
	case http.MethodPut, http.MethodPost:
		body, err := readBody(r, apps.MaxKVValueSize, "the value")
		if err != nil {
			writeServiceError(w, err)
			return
		}
		changed, err := h.svc.KV.Set(c, prefix, key, body)
		if err != nil {
			writeServiceError(w, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]bool{"changed": changed})
	case http.MethodDelete:
		deleted, err := h.svc.KV.Delete(c, prefix, key)
		if err != nil {
			writeServiceError(w, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]bool{"deleted": deleted})
	}
}

// kvList is GET /kv?prefix=: {"keys": [...]}, the caller's keys under the
// prefix ("" for keys stored without one).
func (h *handlers) kvList(w http.ResponseWriter, r *http.Request) {
	c, ok := h.appCaller(w, r)
	if !ok {
		return
	}
	keys, err := h.svc.KV.List(c, r.URL.Query().Get("prefix"))
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string][]string{"keys": keys})
}
