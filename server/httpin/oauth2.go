package httpin

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// oauth2Routes: the apps' remote (3rd party) OAuth2.
//   - PUT|POST /api/v1/oauth2/app: the app's OAuth2 configuration (system
//     administrators, through the app's session), kept in the app's record;
//   - GET|PUT|POST /api/v1/oauth2/user: the acting user's OAuth2 data;
//   - GET /apps/{appid}/oauth2/remote/connect: starts a user's connect flow
//     (redirects to the URL the app's get_oauth2_connect_url returns);
//   - GET /apps/{appid}/oauth2/remote/complete: the remote service's
//     redirect back; calls the app's on_oauth2_complete.
func (h *handlers) oauth2Routes(v1, root *mux.Router) {
	if h.svc == nil || h.svc.OAuth2 == nil {
		return
	}
	v1.HandleFunc("/oauth2/app", h.storeOAuth2App).Methods(http.MethodPut, http.MethodPost)
	v1.HandleFunc("/oauth2/user", h.oauth2User).Methods(http.MethodGet, http.MethodPut, http.MethodPost)
	root.HandleFunc("/apps/{appid:[A-Za-z0-9-_.]+}/oauth2/remote/connect", requireSession(h.oauth2Connect)).Methods(http.MethodGet)
	root.HandleFunc("/apps/{appid:[A-Za-z0-9-_.]+}/oauth2/remote/complete", requireSession(h.oauth2Complete)).Methods(http.MethodGet)
}

func (h *handlers) storeOAuth2App(w http.ResponseWriter, r *http.Request) {
	c, ok := h.appCaller(w, r)
	if !ok {
		return
	}
	body, err := readBody(r, apps.MaxOAuth2DataSize, "the OAuth2 app")
	if err != nil {
		writeServiceError(w, err)
		return
	}
	var oapp apps.OAuth2App
	if err := json.Unmarshal(body, &oapp); err != nil {
		writeServiceError(w, apps.NewInvalidError("the OAuth2 app is not valid JSON: %v", err))
		return
	}
	in := proxy.Incoming{ActingUserID: c.UserID, SessionID: PluginContext(r).SessionId}
	if err := h.proxy.StoreRemoteOAuth2App(r.Context(), in, c.AppID(), oapp); err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{})
}

func (h *handlers) oauth2User(w http.ResponseWriter, r *http.Request) {
	c, ok := h.appCaller(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		v, err := h.svc.OAuth2.GetUser(c.AppID(), c.UserID)
		if err != nil {
			writeServiceError(w, err)
			return
		}
		if v == nil {
			v = []byte("{}")
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(v)
		return
	}
	body, err := readBody(r, apps.MaxOAuth2DataSize, "the OAuth2 user data")
	if err != nil {
		writeServiceError(w, err)
		return
	}
	if err := h.svc.OAuth2.SaveUser(c, body); err != nil {
		writeServiceError(w, err)
		return
	}
	h.api.PublishWebSocketEvent("refresh_bindings", map[string]any{}, &model.WebsocketBroadcast{UserId: c.UserID})
	WriteJSON(w, http.StatusOK, map[string]any{})
}

func (h *handlers) oauth2Connect(w http.ResponseWriter, r *http.Request) {
	target, err := h.proxy.RemoteOAuth2Connect(r.Context(), incoming(r), apps.AppID(mux.Vars(r)["appid"]))
	if err != nil {
		writeServiceError(w, err)
		return
	}
	http.Redirect(w, r, target, http.StatusTemporaryRedirect)
}

// completePage closes the window the connect flow ran in.
const completePage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Connected</title><script>window.close();</script></head>
<body><p>Connected. You can close this window.</p></body></html>
`

func (h *handlers) oauth2Complete(w http.ResponseWriter, r *http.Request) {
	if err := h.proxy.RemoteOAuth2Complete(r.Context(), incoming(r), apps.AppID(mux.Vars(r)["appid"]), r.URL.Query()); err != nil {
		writeServiceError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, completePage)
}
