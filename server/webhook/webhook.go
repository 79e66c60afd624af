// Package webhook takes in remote webhooks for apps
// (POST|HEAD /apps/<app id>/webhook[/<path>]): it authenticates them as the
// app's manifest says and turns them into the values of the app's
// on_remote_webhook call.
package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

// MaxBodySize bounds a webhook's body. Upstream allowed the server's
// FileSettings.MaxFileSize (75 MiB by default); the body travels inside a
// JSON call to the app, so we also cap it at 10 MiB (MaxBodySize(n) takes
// the smaller).
const maxBodySize = 10 << 20

// MaxBodySize is the body limit given the server's MaxFileSize (0: unset).
func MaxBodySize(serverMaxFileSize int64) int64 {
	if serverMaxFileSize > 0 && serverMaxFileSize < maxBodySize {
		return serverMaxFileSize
	}
	return maxBodySize
}

// JWTHeader carries the JWT of apps whose remote_webhook_auth_type is
// "jwt": "Bearer <HS256 JWT signed with the app's webhook secret>". (The
// server strips Authorization before plugins see it on older versions.)
const JWTHeader = apps.OutgoingAuthHeader

// ErrForbidden marks webhooks for apps that may not receive them.
var ErrForbidden = fmt.Errorf("forbidden")

// Allowed checks that app may receive remote webhooks.
func Allowed(app apps.App) error {
	if app.Disabled {
		return fmt.Errorf("%w: app %s is disabled", ErrForbidden, app.AppID)
	}
	if !app.GrantedPermissions.Contains(apps.PermissionRemoteWebhooks) {
		return fmt.Errorf("%w: app %s was not granted the %s permission", ErrForbidden, app.AppID, apps.PermissionRemoteWebhooks)
	}
	return nil
}

// Authenticate checks r as app's remote_webhook_auth_type says: "" and
// "secret" want ?secret=<webhook secret> (compared in constant time),
// "jwt" a JWT signed with the webhook secret in JWTHeader, "none" nothing.
// Failures match apps.ErrUnauthorized.
func Authenticate(app apps.App, r *http.Request, now time.Time) error {
	switch app.RemoteWebhookAuthType {
	case apps.RemoteWebhookAuthTypeNone:
		return nil
	case apps.RemoteWebhookAuthTypeJWT:
		token, err := apps.TokenFromBearer(r.Header.Get(JWTHeader))
		if err != nil {
			return fmt.Errorf("webhook for app %s: %s: %w", app.AppID, JWTHeader, err)
		}
		if _, err := apps.ParseJWT(token, app.WebhookSecret, now); err != nil {
			return fmt.Errorf("webhook for app %s: %w", app.AppID, err)
		}
		return nil
	case apps.RemoteWebhookAuthTypeDefault, apps.RemoteWebhookAuthTypeSecret:
		got := r.URL.Query().Get("secret")
		if got == "" {
			return fmt.Errorf("%w: webhook for app %s: the secret is missing (?secret=)", apps.ErrUnauthorized, app.AppID)
		}
		if !secretEqual(got, app.WebhookSecret) {
			return fmt.Errorf("%w: webhook for app %s: wrong secret", apps.ErrUnauthorized, app.AppID)
		}
		return nil
	}
	return fmt.Errorf("%w: app %s: unknown remote_webhook_auth_type %q", apps.ErrUnauthorized, app.AppID, app.RemoteWebhookAuthType)
}

// secretEqual compares in constant time, lengths included (both sides are
// hashed first). An empty expected secret never matches.
func secretEqual(got, want string) bool {
	if want == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// hiddenHeaders are not passed on: the server's and the plugin's own, and
// credentials.
var hiddenHeaders = map[string]bool{
	"Mattermost-User-Id": true, "Mattermost-Plugin-Id": true, "Mattermost-Session-Id": true,
	"Authorization": true, "Cookie": true, JWTHeader: true,
}

// Values are the values of the on_remote_webhook call, as upstream sent
// them: headers (first value each), data (the body, decoded if it is JSON,
// else as a string), httpMethod and rawQuery (without the secret).
func Values(r *http.Request, body []byte) map[string]any {
	headers := map[string]string{}
	for k, v := range r.Header {
		if len(v) > 0 && !hiddenHeaders[http.CanonicalHeaderKey(k)] {
			headers[k] = v[0]
		}
	}
	var data any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &data); err != nil {
			data = string(body)
		}
	}
	q := r.URL.Query()
	q.Del("secret")
	return map[string]any{
		"headers":    headers,
		"data":       data,
		"httpMethod": r.Method,
		"rawQuery":   q.Encode(),
	}
}

// CleanPath checks the optional path after /webhook/: one segment, no dot
// segments.
func CleanPath(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	if p == "." || p == ".." || strings.ContainsAny(p, "/\\") {
		return "", apps.NewInvalidError("webhook path %q is not allowed", p)
	}
	return p, nil
}
