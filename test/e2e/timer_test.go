package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

func (w *world) createTimer(t *testing.T, token string, at time.Time, path, channelID string, want int) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"at": at.UnixMilli(), "call": apps.Call{Path: path, State: path}, "channel_id": channelID})
	st, resp := w.api(t, token, http.MethodPost, "/api/v1/timer", string(body))
	expectStatus(t, "timer "+path, st, resp, want)
}

func TestTimersFireOnceAfterARestart(t *testing.T) {
	// Two nodes: both schedule every timer, one fires it.
	w := newWorld(t, mmhost.Options{Nodes: 2}, allowLoopbackApps)
	var mu sync.Mutex
	firedAt := map[string]time.Time{}
	record := func(creq apps.CallRequest) apps.CallResponse {
		mu.Lock()
		firedAt[creq.Path] = time.Now()
		mu.Unlock()
		return apps.NewTextResponse("fired")
	}
	app := installServicesApp(t, w, testapp.Options{AppID: "timers", Permissions: servicesPerms,
		Paths: map[string]func(apps.CallRequest) apps.CallResponse{"/due": record, "/later": record}})
	alice := app.userToken(t, w, w.userToken)

	start := time.Now()
	w.createTimer(t, alice, start.Add(2500*time.Millisecond), "/later", w.channelID, 200)
	w.createTimer(t, app.botToken, start.Add(1200*time.Millisecond), "/due", "", 200)
	w.createTimer(t, alice, start.Add(-time.Minute), "/past", "", http.StatusBadRequest)
	w.createTimer(t, alice, start.Add(time.Hour), "/install", "", http.StatusForbidden) // the plugin's own call
	w.createTimer(t, w.userToken, start.Add(time.Hour), "/x", "", http.StatusUnauthorized)

	// The plugin crashes before either fires, and comes back after /due was due.
	if err := w.host.KillPlugin(pluginID); err != nil {
		t.Fatal(err)
	}
	_ = w.host.RemovePlugin(pluginID) // its OnDeactivate fails: the process is gone
	time.Sleep(time.Until(start.Add(1500 * time.Millisecond)))
	if _, err := w.host.InstallPlugin(bundlePath(t)); err != nil {
		t.Fatal(err)
	}

	app.WaitFor("/due", 1, 5*time.Second)
	app.WaitFor("/later", 1, 5*time.Second)
	time.Sleep(300 * time.Millisecond) // a second firing would show by now
	due, later := app.WaitFor("/due", 2, 0), app.WaitFor("/later", 2, 0)
	if len(due) != 1 || len(later) != 1 {
		t.Fatalf("fired: /due %d times, /later %d times; want once each", len(due), len(later))
	}
	if due[0].ActingUserID != app.botID || later[0].ActingUserID != w.user {
		t.Fatalf("acting users: /due %q (want the bot %s), /later %q (want alice %s)", due[0].ActingUserID, app.botID, later[0].ActingUserID, w.user)
	}
	if later[0].Request.State != "/later" {
		t.Fatalf("/later state %v", later[0].Request.State)
	}
	// /later fired at its time, not before; fired timers are gone.
	mu.Lock()
	defer mu.Unlock()
	if at := firedAt["/later"]; at.Before(start.Add(2500 * time.Millisecond)) {
		t.Errorf("/later fired %v early", start.Add(2500*time.Millisecond).Sub(at))
	}
	for k := range w.host.MM.KV(pluginID) {
		if strings.HasPrefix(k, "tm.") {
			t.Errorf("timer record %s left after firing", k)
		}
	}
}
