package httpin

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
)

// Diagnostics for developers and the test suite: they check the path between
// a client, the Mattermost server and this plugin process. They exist only in
// developer mode and only for system admins; otherwise they answer 404 as if
// they did not exist.

// requireDebug wraps h so it runs only in developer mode for a system admin.
func (h *handlers) requireDebug(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.conf.Get().DeveloperMode {
			notFound(w, r)
			return
		}
		userID := ActingUserID(r)
		if userID == "" {
			http.Error(w, "unauthorized: log in to Mattermost first", http.StatusUnauthorized)
			return
		}
		user, appErr := h.api.GetUser(userID)
		if appErr != nil || !user.IsSystemAdmin() {
			http.Error(w, "forbidden: only system admins can use the debug routes", http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

// debugEcho reports what arrived: the body's length and SHA-256, the method,
// path and query, so transfer problems (truncation, re-encoding) show up.
func (h *handlers) debugEcho(w http.ResponseWriter, r *http.Request) {
	hash := sha256.New()
	n, err := io.Copy(hash, r.Body)
	if err != nil {
		http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{
		"method":       r.Method,
		"path":         r.URL.Path,
		"query":        r.URL.RawQuery,
		"length":       n,
		"sha256":       hex.EncodeToString(hash.Sum(nil)),
		"content_type": r.Header.Get("Content-Type"),
	})
}

// debugPanic panics on purpose, to show that a failing handler becomes a 500
// and the plugin keeps serving.
func (h *handlers) debugPanic(w http.ResponseWriter, r *http.Request) {
	panic("debug/panic was called: this panic is deliberate")
}
