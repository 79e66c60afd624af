package httpin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// maxRequestBody bounds JSON bodies of the REST routes.
const maxRequestBody = 2 << 20

// incoming describes the caller of r for the proxy.
func incoming(r *http.Request) proxy.Incoming {
	return proxy.Incoming{
		ActingUserID: ActingUserID(r),
		SessionID:    PluginContext(r).SessionId,
		PluginID:     r.Header.Get("Mattermost-Plugin-Id"),
	}
}

// requireSession refuses anonymous callers. (Upstream left some of these
// routes open to anyone; they list bots and OAuth apps, so we do not.)
func requireSession(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ActingUserID(r) == "" && r.Header.Get("Mattermost-Plugin-Id") == "" {
			http.Error(w, "unauthorized: log in to Mattermost first", http.StatusUnauthorized)
			return
		}
		next(w, r)
	}
}

// writeError answers with plain text and the status upstream used:
// forbidden 403, unauthorized 401, not found 404, invalid 400, else 500;
// an app that could not be reached (or answered garbage) is 502.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, proxy.ErrUpstream):
		status = http.StatusBadGateway
	case errors.Is(err, proxy.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, apps.ErrUnauthorized):
		status = http.StatusUnauthorized
	case errors.Is(err, proxy.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, apps.ErrTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, proxy.ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, proxy.ErrConflict):
		status = http.StatusConflict
	}
	http.Error(w, err.Error(), status)
}

func decodeJSON(r *http.Request, v any) error {
	body, err := readJSONBody(r)
	if err != nil {
		return fmt.Errorf("%w: read the request: %v", proxy.ErrInvalid, err)
	}
	if len(body) > maxRequestBody {
		return fmt.Errorf("%w: the request body is over %d bytes", apps.ErrTooLarge, maxRequestBody)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: the request body is not valid JSON: %v", proxy.ErrInvalid, err)
	}
	return nil
}

type appRequest struct {
	AppID      apps.AppID      `json:"app_id"`
	DeployType apps.DeployType `json:"deploy_type"`
	Secret     string          `json:"secret"`
	Force      bool            `json:"force"`
	DeleteData bool            `json:"delete_data"`
}

func (h *handlers) installApp(w http.ResponseWriter, r *http.Request) {
	var req appRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	res, err := h.proxy.InstallApp(r.Context(), incoming(r), proxy.InstallRequest{AppID: req.AppID, DeployType: req.DeployType, Secret: req.Secret})
	if err != nil {
		writeError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, res.App)
}

// appAction serves a route whose body names an app and whose answer is text.
func appAction(do func(r *http.Request, req appRequest) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req appRequest
		if err := decodeJSON(r, &req); err != nil {
			writeError(w, err)
			return
		}
		msg, err := do(r, req)
		writeText(w, msg, err)
	}
}

func (h *handlers) uninstallApp(r *http.Request, req appRequest) (string, error) {
	return h.proxy.UninstallApp(r.Context(), incoming(r), proxy.UninstallRequest{AppID: req.AppID, Force: req.Force, DeleteData: req.DeleteData})
}

func (h *handlers) enableApp(r *http.Request, req appRequest) (string, error) {
	return h.proxy.EnableApp(r.Context(), incoming(r), req.AppID)
}

func (h *handlers) disableApp(r *http.Request, req appRequest) (string, error) {
	return h.proxy.DisableApp(r.Context(), incoming(r), req.AppID)
}

func writeText(w http.ResponseWriter, msg string, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, msg)
}

// updateAppListing lists a manifest on this server. The body is the
// manifest (v1 or v0.x form); upstream's extra fields are accepted.
func (h *handlers) updateAppListing(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, apps.MaxManifestSize+1))
	if err != nil {
		writeError(w, fmt.Errorf("%w: %v", proxy.ErrInvalid, err))
		return
	}
	m, err := apps.DecodeManifest(body)
	if err != nil {
		writeError(w, err)
		return
	}
	stored, err := h.proxy.AddListing(r.Context(), incoming(r), *m)
	if err != nil {
		writeError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, stored)
}

// getApp returns an installed app; secrets only for admins and plugins.
func (h *handlers) getApp(w http.ResponseWriter, r *http.Request) {
	app, err := h.proxy.GetInstalledApp(apps.AppID(mux.Vars(r)["appid"]))
	if err != nil {
		writeError(w, err)
		return
	}
	if _, err := h.proxy.RequireAdmin(incoming(r), "see app secrets"); err != nil {
		app.Secret, app.WebhookSecret = "", ""
		app.MattermostOAuth2 = nil
		app.RemoteOAuth2 = apps.OAuth2App{}
	}
	WriteJSON(w, http.StatusOK, app)
}

func (h *handlers) botIDs(w http.ResponseWriter, r *http.Request) {
	ids := []string{}
	for _, app := range h.proxy.InstalledApps() {
		if app.BotUserID != "" {
			ids = append(ids, app.BotUserID)
		}
	}
	WriteJSON(w, http.StatusOK, ids)
}

func (h *handlers) oauthAppIDs(w http.ResponseWriter, r *http.Request) {
	ids := []string{}
	for _, app := range h.proxy.InstalledApps() {
		if app.MattermostOAuth2 != nil && app.MattermostOAuth2.ID != "" {
			ids = append(ids, app.MattermostOAuth2.ID)
		}
	}
	WriteJSON(w, http.StatusOK, ids)
}

// marketplace lists apps in the shape the core Marketplace reads: filter is
// an exact app id or a substring of the display name or description.
func (h *handlers) marketplace(w http.ResponseWriter, r *http.Request) {
	filter := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("filter")))
	rows, err := h.proxy.ListApps(r.Context(), incoming(r))
	if err != nil {
		writeError(w, err)
		return
	}
	conf := h.conf.Get()
	out := []apps.ListedApp{}
	for _, row := range rows {
		m := row.Manifest
		if filter != "" && string(m.AppID) != filter &&
			!strings.Contains(strings.ToLower(m.DisplayName), filter) && !strings.Contains(strings.ToLower(m.Description), filter) {
			continue
		}
		la := apps.ListedApp{Manifest: m, Installed: row.Installed != nil}
		if row.Installed != nil {
			la.Enabled = !row.Installed.Disabled
			if row.Installed.Disabled {
				la.Labels = append(la.Labels, apps.MarketplaceLabel{Name: "Disabled", Description: "This app is disabled.", URL: ""})
			}
		}
		if m.Icon != "" {
			la.IconURL = conf.PluginURL + "/apps/" + string(m.AppID) + "/static/" + m.Icon
		}
		out = append(out, la)
	}
	WriteJSON(w, http.StatusOK, out)
}

// readJSONBody reads at most maxRequestBody+1 bytes of the request body. With a
// Content-Length it reads exactly that many and does not wait for the end of
// the stream: the body comes from the server over RPC, and asking for the
// end costs a round trip.
func readJSONBody(r *http.Request) ([]byte, error) {
	if n, err := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64); err == nil && n >= 0 && n <= maxRequestBody {
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
}
