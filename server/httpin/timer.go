package httpin

import (
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/timer"
)

// maxTimerRequest bounds POST /timer bodies (the call's state included).
const maxTimerRequest = 64 << 10

// timerRoutes: POST /timer {at (unix ms), call, channel_id, team_id}: the
// call is made at "at", once, as the session's user.
func (h *handlers) timerRoutes(v1 *mux.Router) {
	if h.svc == nil || h.svc.Timers == nil {
		return
	}
	v1.HandleFunc("/timer", h.createTimer).Methods(http.MethodPost)
}

func (h *handlers) createTimer(w http.ResponseWriter, r *http.Request) {
	c, ok := h.appCaller(w, r)
	if !ok {
		return
	}
	body, err := readBody(r, maxTimerRequest, "the timer")
	if err != nil {
		writeServiceError(w, err)
		return
	}
	var req timer.Request
	if err := json.Unmarshal(body, &req); err != nil {
		writeServiceError(w, apps.NewInvalidError("the request body is not valid JSON: %v", err))
		return
	}
	t, err := h.svc.Timers.Create(c.AppID(), c.UserID, req)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"id": t.ID, "at": t.At})
}
