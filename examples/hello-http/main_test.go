package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

func TestSendRequiresTheRightJWT(t *testing.T) {
	h := New("http://app.test", "s3cret")
	body, _ := json.Marshal(apps.CallRequest{Call: apps.Call{Path: "/send"}, Values: map[string]any{"name": "Ann", "shout": true}})
	for _, tt := range []struct {
		secret string
		status int
		text   string
	}{
		{"s3cret", http.StatusOK, "HELLO, Ann!"},
		{"wrong", http.StatusUnauthorized, ""},
		{"", http.StatusUnauthorized, ""},
	} {
		req := httptest.NewRequest(http.MethodPost, "/send", bytes.NewReader(body))
		if tt.secret != "" {
			if err := apps.SetJWTHeader(req.Header, tt.secret, "user1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Fatalf("secret %q: status %d, want %d", tt.secret, rec.Code, tt.status)
		}
		if tt.text != "" {
			var resp apps.CallResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || resp.Text != tt.text {
				t.Fatalf("secret %q: %s", tt.secret, rec.Body.String())
			}
		}
	}
}

func TestManifestIsValid(t *testing.T) {
	if err := Manifest("http://app.test").Validate(); err != nil {
		t.Fatal(err)
	}
}
