package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/webhook"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

var webhookPerms = apps.Permissions{apps.PermissionActAsBot, apps.PermissionRemoteWebhooks}

// webhookSecret reads the app's webhook secret as an administrator.
func (w *world) webhookSecret(t *testing.T, id apps.AppID) string {
	t.Helper()
	st, body := w.api(t, w.adminToken, http.MethodGet, "/api/v1/apps/"+string(id), "")
	var app apps.App
	if st != 200 || json.Unmarshal([]byte(body), &app) != nil || app.WebhookSecret == "" {
		t.Fatalf("get app %s: %d %s", id, st, body)
	}
	return app.WebhookSecret
}

// postWebhook sends a webhook as a remote system does: no Mattermost session.
func (w *world) postWebhook(t *testing.T, method, path string, header http.Header, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, w.host.URL+pluginPath(path), strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

func TestRemoteWebhooks(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	app := installServicesApp(t, w, testapp.Options{AppID: "hooks", Permissions: webhookPerms})
	secret := w.webhookSecret(t, app.id)

	hdr := http.Header{"X-Github-Event": {"push"}, "Content-Type": {"application/json"}}
	st, body := w.postWebhook(t, http.MethodPost, "/apps/hooks/webhook/github?secret="+secret+"&x=1", hdr, `{"ref":"main"}`)
	expectStatus(t, "right secret", st, body, 200)
	got := app.WaitFor("/webhook/github", 1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("the app got %v", app.ReceivedPaths())
	}
	v := got[0].Request.Values
	if data, _ := v["data"].(map[string]any); data["ref"] != "main" || v["httpMethod"] != "POST" || v["rawQuery"] != "x=1" {
		t.Fatalf("webhook values: %+v", v)
	}
	if h, _ := v["headers"].(map[string]any); h["X-Github-Event"] != "push" {
		t.Fatalf("webhook headers: %+v", v["headers"])
	}
	if got[0].ActingUserID != app.botID || got[0].Request.Context.BotAccessToken == "" {
		t.Fatalf("webhook call: acting %q, bot token %q", got[0].ActingUserID, got[0].Request.Context.BotAccessToken)
	}

	// A raw body arrives as a string; the default path is /webhook.
	st, body = w.postWebhook(t, http.MethodPost, "/apps/hooks/webhook?secret="+secret, nil, "plain text")
	expectStatus(t, "raw body", st, body, 200)
	if got := app.WaitFor("/webhook", 1, 5*time.Second); len(got) != 1 || got[0].Request.Values["data"] != "plain text" {
		t.Fatalf("raw webhook: %+v", got)
	}

	// Wrong and missing secrets, HEAD: nothing reaches the app.
	n := len(app.Received())
	for name, path := range map[string]string{
		"wrong secret":   "/apps/hooks/webhook?secret=" + secret + "x",
		"missing secret": "/apps/hooks/webhook",
		"empty secret":   "/apps/hooks/webhook?secret=",
	} {
		st, body := w.postWebhook(t, http.MethodPost, path, nil, `{}`)
		expectStatus(t, name, st, body, http.StatusUnauthorized)
	}
	st, body = w.postWebhook(t, http.MethodHead, "/apps/hooks/webhook/x?secret="+secret, nil, "")
	expectStatus(t, "HEAD", st, body, 200)
	st, _ = w.postWebhook(t, http.MethodHead, "/apps/hooks/webhook/x?secret=nope", nil, "")
	expectStatus(t, "HEAD with a wrong secret", st, "", http.StatusUnauthorized)
	st, body = w.postWebhook(t, http.MethodPost, "/apps/nosuchapp/webhook?secret="+secret, nil, `{}`)
	expectStatus(t, "unknown app", st, body, http.StatusNotFound)

	// The body limit follows the server's FileSettings.MaxFileSize.
	w.host.MM.UpdateConfig(func(c *model.Config) { c.FileSettings.MaxFileSize = model.NewInt64(1024) })
	w.host.ConfigurationChanged()
	st, body = w.postWebhook(t, http.MethodPost, "/apps/hooks/webhook?secret="+secret, nil, `"`+strings.Repeat("x", 1100)+`"`)
	expectStatus(t, "body over the limit", st, body, http.StatusRequestEntityTooLarge)
	time.Sleep(100 * time.Millisecond)
	if len(app.Received()) != n {
		t.Fatalf("refused webhooks reached the app: %v", app.ReceivedPaths()[n:])
	}

	// An app without remote_webhooks gets none.
	installServicesApp(t, w, testapp.Options{AppID: "nohooks", Permissions: apps.Permissions{apps.PermissionActAsBot}})
	st, body = w.postWebhook(t, http.MethodPost, "/apps/nohooks/webhook?secret="+secret, nil, `{}`)
	expectStatus(t, "not granted", st, body, http.StatusForbidden)
}

func TestRemoteWebhookAuthTypes(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	open := installServicesApp(t, w, testapp.Options{AppID: "openhooks", Permissions: webhookPerms,
		Manifest: func(m *apps.Manifest) { m.RemoteWebhookAuthType = apps.RemoteWebhookAuthTypeNone }})
	signed := installServicesApp(t, w, testapp.Options{AppID: "jwthooks", Permissions: webhookPerms,
		Manifest: func(m *apps.Manifest) {
			m.RemoteWebhookAuthType = apps.RemoteWebhookAuthTypeJWT
			m.OnRemoteWebhook = &apps.Call{Path: "/hook", Expand: &apps.Expand{App: apps.ExpandSummary}}
		}})

	st, body := w.postWebhook(t, http.MethodPost, "/apps/openhooks/webhook", nil, `{"a":1}`)
	expectStatus(t, "auth none", st, body, 200)
	if got := open.WaitFor("/webhook", 1, 5*time.Second); len(got) != 1 {
		t.Fatalf("auth none: the app got %v", open.ReceivedPaths())
	}

	secret := w.webhookSecret(t, signed.id)
	good, _ := apps.NewJWT(secret, "", time.Now())
	bad, _ := apps.NewJWT("another secret", "", time.Now())
	expired, _ := apps.NewJWT(secret, "", time.Now().Add(-time.Hour))
	for name, tc := range map[string]struct {
		token string
		want  int
	}{"signed": {good, 200}, "wrong key": {bad, 401}, "expired": {expired, 401}, "missing": {"", 401}} {
		hdr := http.Header{}
		if tc.token != "" {
			hdr.Set(webhook.JWTHeader, "Bearer "+tc.token)
		}
		st, body := w.postWebhook(t, http.MethodPost, "/apps/jwthooks/webhook/s?secret="+secret, hdr, `{}`)
		expectStatus(t, "jwt "+name, st, body, tc.want)
	}
	signed.WaitFor("/hook/s", 1, 5*time.Second)
	time.Sleep(100 * time.Millisecond)
	got := signed.WaitFor("/hook/s", 2, 0)
	if len(got) != 1 {
		t.Fatalf("jwt: the app got %v", signed.ReceivedPaths())
	}
	if a := got[0].Request.Context.App; a == nil || a.AppID != "jwthooks" {
		t.Fatalf("on_remote_webhook expand app: %+v", a)
	}
}
