package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// browserGet is a logged-in user's browser request: redirects are not
// followed (the remote service is not there).
func (w *world) browserGet(t *testing.T, token, path string) (int, http.Header, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, w.host.URL+pluginPath(path), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// connect starts alice's connect flow and returns the state the remote
// service would get.
func (w *world) connect(t *testing.T, token string) string {
	t.Helper()
	st, hdr, body := w.browserGet(t, token, "/apps/remote/oauth2/remote/connect")
	if st != http.StatusTemporaryRedirect {
		t.Fatalf("connect: %d %s", st, body)
	}
	u, err := url.Parse(hdr.Get("Location"))
	if err != nil || u.Host != "remote.example.com" || u.Query().Get("state") == "" {
		t.Fatalf("connect redirects to %q", hdr.Get("Location"))
	}
	return u.Query().Get("state")
}

func TestRemoteOAuth2(t *testing.T) {
	clock := &testClock{}
	w := newWorld(t, mmhost.Options{Now: clock.Now}, allowLoopbackApps)
	app := installServicesApp(t, w, testapp.Options{
		AppID: "remote", Permissions: apps.Permissions{apps.PermissionActAsBot, apps.PermissionActAsUser, apps.PermissionRemoteOAuth2},
		Paths: map[string]func(apps.CallRequest) apps.CallResponse{
			"/oauth2/connect": func(creq apps.CallRequest) apps.CallResponse {
				state, _ := creq.Values["state"].(string)
				return apps.NewDataResponse("https://remote.example.com/authorize?client_id=" + creq.Context.OAuth2.ClientID + "&state=" + url.QueryEscape(state))
			},
			"/oauth2/complete": func(creq apps.CallRequest) apps.CallResponse {
				// As a real app: store the user's remote token with the
				// acting user's token.
				code, _ := creq.Values["code"].(string)
				body, _ := json.Marshal(map[string]string{"remote_token": "tok-" + code})
				if st, resp, err := testapp.CallPlugin(creq.Context, creq.Context.ActingUserAccessToken, http.MethodPut, "/api/v1/oauth2/user", body); err != nil || st != 200 {
					return apps.CallResponse{Type: apps.CallResponseTypeError, Text: "store: " + string(resp)}
				}
				return apps.NewTextResponse("connected")
			},
		},
	})

	// The app's OAuth2 configuration: system administrators only.
	aliceApp := app.userToken(t, w, w.userToken)
	st, body := w.api(t, aliceApp, http.MethodPut, "/api/v1/oauth2/app", `{"client_id":"evil"}`)
	expectStatus(t, "oauth2/app as a user", st, body, http.StatusForbidden)
	st, body = w.api(t, app.adminToken, http.MethodPut, "/api/v1/oauth2/app", `{"remote_root_url":"https://remote.example.com","client_id":"cid","client_secret":"cs"}`)
	expectStatus(t, "oauth2/app as admin", st, body, 200)
	st, body = w.api(t, app.adminToken, http.MethodPut, "/api/v1/oauth2/app", `{"data":"`+strings.Repeat("x", apps.MaxOAuth2DataSize)+`"}`)
	expectStatus(t, "oauth2/app too large", st, body, http.StatusRequestEntityTooLarge)
	st, body = w.api(t, w.userToken, http.MethodGet, "/api/v1/oauth2/user", "")
	expectStatus(t, "oauth2/user with a login token", st, body, http.StatusUnauthorized, "not an app session")

	// Alice connects: the app builds the URL with the stored client id.
	state := w.connect(t, w.userToken)
	if !strings.HasSuffix(state, "."+w.user) {
		t.Fatalf("state %q is not bound to alice", state)
	}
	if cc := lastCall(t, app.App, "/oauth2/connect").Request.Context; cc.OAuth2.ClientID != "cid" || cc.OAuth2.ClientSecret != "cs" || !strings.HasSuffix(cc.OAuth2.CompleteURL, "/apps/remote/oauth2/remote/complete") {
		t.Fatalf("connect context oauth2: %+v", cc.OAuth2)
	}

	// Another user cannot complete alice's flow (and does not spend it).
	st, _, body = w.browserGet(t, w.adminToken, "/apps/remote/oauth2/remote/complete?code=c1&state="+url.QueryEscape(state))
	expectStatus(t, "foreign state", st, body, http.StatusForbidden)
	st, _, body = w.browserGet(t, w.userToken, "/apps/remote/oauth2/remote/complete?code=c1&state="+url.QueryEscape(state))
	expectStatus(t, "complete", st, body, 200, "window.close()")
	if v := lastCall(t, app.App, "/oauth2/complete").Request.Values; v["code"] != "c1" || v["state"] != state {
		t.Fatalf("complete values: %+v", v)
	}
	// Replay: refused, the app is not called again.
	n := len(app.WaitFor("/oauth2/complete", 1, 0))
	st, _, body = w.browserGet(t, w.userToken, "/apps/remote/oauth2/remote/complete?code=c1&state="+url.QueryEscape(state))
	expectStatus(t, "replayed state", st, body, http.StatusForbidden)
	st, _, body = w.browserGet(t, w.userToken, "/apps/remote/oauth2/remote/complete?code=c1&state=forged."+w.user)
	expectStatus(t, "forged state", st, body, http.StatusForbidden)
	if got := len(app.WaitFor("/oauth2/complete", n+1, 0)); got != n {
		t.Fatalf("refused completes reached the app (%d calls)", got)
	}

	// The user data stored during the first complete is expanded next time.
	st, body = w.api(t, aliceApp, http.MethodGet, "/api/v1/oauth2/user", "")
	expectStatus(t, "oauth2/user", st, body, 200, `"remote_token":"tok-c1"`)
	st, body = w.api(t, app.botToken, http.MethodPut, "/api/v1/oauth2/user", `{}`)
	expectStatus(t, "oauth2/user as the bot", st, body, http.StatusForbidden)
	state2 := w.connect(t, w.userToken)
	st, _, body = w.browserGet(t, w.userToken, "/apps/remote/oauth2/remote/complete?code=c2&state="+url.QueryEscape(state2))
	expectStatus(t, "second complete", st, body, 200)
	user, _ := lastCall(t, app.App, "/oauth2/complete").Request.Context.OAuth2.User.(map[string]any)
	if user["remote_token"] != "tok-c1" {
		t.Fatalf("expand oauth2_user: %+v", user)
	}

	// A state older than 15 minutes is refused.
	state3 := w.connect(t, w.userToken)
	clock.Add(16 * time.Minute)
	st, _, body = w.browserGet(t, w.userToken, "/apps/remote/oauth2/remote/complete?code=c3&state="+url.QueryEscape(state3))
	expectStatus(t, "expired state", st, body, http.StatusForbidden)
}
