package httpin

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// DialogSubmitter makes the calls of submitted interactive dialogs (the app
// slash commands open them).
type DialogSubmitter interface {
	SubmitDialog(ctx context.Context, in proxy.Incoming, req model.SubmitDialogRequest) (model.SubmitDialogResponse, error)
}

// call is POST /api/v1/call: a CallRequest in, a ProxyCallResponse out. An
// app's own error answer is a 200 of type error; the plugin's refusals and
// unreachable apps are plain-text errors (see writeError).
func (h *handlers) call(w http.ResponseWriter, r *http.Request) {
	var creq apps.CallRequest
	if err := decodeJSON(r, &creq); err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.proxy.InvokeCall(r.Context(), incoming(r), creq)
	if err != nil {
		writeError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, resp)
}

// HeaderBindingsOmitted lists the apps left out of a bindings answer, as
// "<app id>=<timeout|failed|paused>, ...".
const HeaderBindingsOmitted = "X-Apps-Bindings-Omitted"

// bindings is GET /api/v1/bindings?channel_id=&team_id=&post_id=&user_agent_type=.
func (h *handlers) bindings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	agent := q.Get("user_agent_type")
	if agent == "" {
		agent = q.Get("user_agent") // what some webapp versions send
	}
	cc := apps.Context{UserAgentContext: apps.UserAgentContext{
		ChannelID: q.Get("channel_id"), TeamID: q.Get("team_id"), PostID: q.Get("post_id"), UserAgent: agent,
	}}
	bb, omitted, err := h.proxy.GetBindings(r.Context(), incoming(r), cc)
	if err != nil {
		writeError(w, err)
		return
	}
	if len(omitted) > 0 {
		// Apps left out are said so (and logged): never silently.
		parts := make([]string, len(omitted))
		for i, o := range omitted {
			parts[i] = string(o.AppID) + "=" + o.Reason
		}
		w.Header().Set(HeaderBindingsOmitted, strings.Join(parts, ", "))
	}
	WriteJSON(w, http.StatusOK, bb)
}

// static is GET /apps/{appid}/static/{name}.
func (h *handlers) static(w http.ResponseWriter, r *http.Request) {
	vars := mux.Vars(r)
	asset, err := h.proxy.GetStatic(r.Context(), incoming(r), apps.AppID(vars["appid"]), vars["name"])
	if err != nil {
		writeError(w, err)
		return
	}
	defer asset.Close()
	hdr := w.Header()
	hdr.Set("Content-Type", asset.ContentType)
	hdr.Set("X-Content-Type-Options", "nosniff")
	// Assets come from apps and are served from the Mattermost origin: never
	// let one run scripts there (an SVG could).
	hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
	hdr.Set("Cache-Control", "private, max-age=300")
	if asset.ETag != "" {
		hdr.Set("ETag", asset.ETag)
		if etagMatch(r.Header.Get("If-None-Match"), asset.ETag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if asset.Data != nil {
		hdr.Set("Content-Length", strconv.Itoa(len(asset.Data)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(asset.Data)
		}
		return
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, asset.Body)
	}
}

func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// submitDialog is POST /api/v1/dialog: the server posts submitted dialogs
// here, as the submitting user.
func (h *handlers) submitDialog(w http.ResponseWriter, r *http.Request) {
	if h.dialogs == nil {
		notFound(w, r)
		return
	}
	var req model.SubmitDialogRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.dialogs.SubmitDialog(r.Context(), incoming(r), req)
	if err != nil {
		writeError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, resp)
}

// debugBindings reports the bindings counters: how often apps were asked,
// answered from the cache, timed out or failed (each timeout and failure is
// also logged).
func (h *handlers) debugBindings(w http.ResponseWriter, r *http.Request) {
	st := h.proxy.BindingsStats()
	WriteJSON(w, http.StatusOK, map[string]any{
		"fetched":   st.Fetched,
		"cached":    st.Cached,
		"timed_out": st.TimedOut,
		"failed":    st.Failed,
		"skipped":   st.Skipped,
		"timeout":   h.proxy.BindingsTimeout().String(),
	})
}
