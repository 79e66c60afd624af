package webhook

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

func TestAuthenticate(t *testing.T) {
	now := time.Now()
	app := apps.App{Manifest: apps.Manifest{AppID: "a"}, WebhookSecret: "s3cret"}
	for _, tc := range []struct {
		auth   apps.RemoteWebhookAuthType
		target string
		jwt    string
		ok     bool
	}{
		{"", "/webhook?secret=s3cret", "", true},
		{apps.RemoteWebhookAuthTypeSecret, "/webhook?secret=s3cret", "", true},
		{apps.RemoteWebhookAuthTypeSecret, "/webhook?secret=s3cre", "", false},
		{apps.RemoteWebhookAuthTypeSecret, "/webhook?secret=s3cretx", "", false},
		{apps.RemoteWebhookAuthTypeSecret, "/webhook", "", false},
		{apps.RemoteWebhookAuthTypeNone, "/webhook", "", true},
		{apps.RemoteWebhookAuthTypeJWT, "/webhook", "s3cret", true},
		{apps.RemoteWebhookAuthTypeJWT, "/webhook", "other", false},
		{apps.RemoteWebhookAuthTypeJWT, "/webhook?secret=s3cret", "", false},
	} {
		r := httptest.NewRequest("POST", tc.target, nil)
		if tc.jwt != "" {
			tok, _ := apps.NewJWT(tc.jwt, "", now)
			r.Header.Set(JWTHeader, apps.BearerToken(tok))
		}
		a := app
		a.RemoteWebhookAuthType = tc.auth
		err := Authenticate(a, r, now)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, apps.ErrUnauthorized)) {
			t.Errorf("%q %s jwt=%q: %v, want ok=%v", tc.auth, tc.target, tc.jwt, err, tc.ok)
		}
	}
	// An app without a secret accepts no secret.
	r := httptest.NewRequest("POST", "/webhook?secret=", nil)
	if err := Authenticate(apps.App{}, r, now); err == nil {
		t.Error("empty secret accepted")
	}
	if secretEqual("", "") {
		t.Error("empty secrets match")
	}
}

func TestValues(t *testing.T) {
	r := httptest.NewRequest("PUT", "/webhook/x?secret=s&b=2&a=1", nil)
	r.Header.Set("X-Event", "push")
	r.Header.Set("Mattermost-User-Id", "u")
	r.Header.Set("Cookie", "c=1")
	v := Values(r, []byte(`{"k":[1]}`))
	h := v["headers"].(map[string]string)
	if h["X-Event"] != "push" || h["Mattermost-User-Id"] != "" || h["Cookie"] != "" {
		t.Errorf("headers %v", h)
	}
	if v["rawQuery"] != "a=1&b=2" || v["httpMethod"] != "PUT" {
		t.Errorf("values %v", v)
	}
	if d, ok := v["data"].(map[string]any); !ok || d["k"] == nil {
		t.Errorf("data %v", v["data"])
	}
	if v := Values(r, []byte("not json")); v["data"] != "not json" {
		t.Errorf("raw data %v", v["data"])
	}
	for _, p := range []string{".", "..", "a/b", `a\b`} {
		if _, err := CleanPath(p); err == nil {
			t.Errorf("CleanPath(%q) accepted", p)
		}
	}
	if MaxBodySize(0) != 10<<20 || MaxBodySize(1024) != 1024 || MaxBodySize(100<<20) != 10<<20 {
		t.Error("MaxBodySize")
	}
}
