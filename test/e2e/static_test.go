package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/testapp"
)

// fetchStatic GETs a static asset through the host without following
// redirects.
func (w *world) fetchStatic(t testing.TB, token, method, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, w.host.URL+pluginPath(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestStaticAssetsOfHTTPApps(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	big := bytes.Repeat([]byte("0123456789abcdef"), (3<<20)/32) // 1.5 MiB: streamed, not cached
	app := installHTTPApp(t, w, testapp.Options{AppID: "stat", Locations: apps.Locations{apps.LocationCommand},
		Static: map[string][]byte{"logo.svg": svg, "big.bin": big, "notes": []byte("no extension")}})

	resp, body := w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/stat/static/icon.png", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, testapp.Icon) || resp.Header.Get("Content-Type") != "image/png" || etag == "" {
		t.Fatalf("icon: %d %q etag %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), etag, len(body))
	}
	for k, want := range map[string]string{"Cache-Control": "max-age", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"} {
		if !strings.Contains(resp.Header.Get(k), want) {
			t.Errorf("%s = %q, want it to contain %q", k, resp.Header.Get(k), want)
		}
	}
	fetches := app.StaticFetches()
	resp, body = w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/stat/static/icon.png", http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("If-None-Match: %d, %d bytes; want 304", resp.StatusCode, len(body))
	}
	w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/stat/static/icon.png", nil)
	if app.StaticFetches() != fetches {
		t.Errorf("a cached icon was fetched from the app again (%d → %d)", fetches, app.StaticFetches())
	}
	resp, body = w.fetchStatic(t, w.userToken, http.MethodHead, "/apps/stat/static/icon.png", nil)
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD: %d, %d bytes", resp.StatusCode, len(body))
	}

	// The content type comes from the extension; an SVG cannot run scripts.
	resp, body = w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/stat/static/logo.svg", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !bytes.Equal(body, svg) {
		t.Errorf("svg: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Large assets are streamed whole, and not cached.
	for range 2 {
		before := app.StaticFetches()
		resp, body = w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/stat/static/big.bin", nil)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, big) || resp.Header.Get("ETag") != "" || app.StaticFetches() != before+1 {
			t.Fatalf("big asset: %d, %d bytes (want %d), etag %q", resp.StatusCode, len(body), len(big), resp.Header.Get("ETag"))
		}
	}

	for _, tc := range []struct {
		name, token, path string
		status            int
	}{
		{"missing", w.userToken, "/apps/stat/static/nope.png", http.StatusNotFound},
		{"anonymous", "", "/apps/stat/static/icon.png", http.StatusUnauthorized},
		{"unknown app", w.userToken, "/apps/nosuch/static/icon.png", http.StatusNotFound},
		{"encoded traversal", w.userToken, "/apps/stat/static/..%252fmanifest.json", http.StatusBadRequest},
		{"double-encoded traversal", w.userToken, "/apps/stat/static/%252e%252e%252fmanifest.json", http.StatusBadRequest},
		{"backslash", w.userToken, "/apps/stat/static/..%5Cmanifest.json", http.StatusBadRequest},
		{"subfolder", w.userToken, "/apps/stat/static/a%252fb.png", http.StatusBadRequest},
	} {
		resp, body := w.fetchStatic(t, tc.token, http.MethodGet, tc.path, nil)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %q, want %d", tc.name, resp.StatusCode, body, tc.status)
		}
	}
	// ".." as the name never reaches the app: the router redirects.
	resp, body = w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/stat/static/%2e%2e", nil)
	if resp.StatusCode == http.StatusOK || json.Valid(body) && strings.Contains(string(body), "app_id") {
		t.Errorf("'..': %d %q", resp.StatusCode, body)
	}

	// A listed app that is not installed serves its icon (the Marketplace
	// shows it); a disabled app serves its icon and nothing else.
	listed := startApp(t, testapp.Options{AppID: "listedonly"})
	m, _ := json.Marshal(listed.Manifest())
	if status, _, b, _ := w.host.Fetch(w.adminToken, http.MethodPost, pluginPath("/api/v1/update-app-listing"), string(m)); status != http.StatusOK {
		t.Fatalf("list: %d %s", status, b)
	}
	if resp, _ := w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/listedonly/static/icon.png", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("listed app icon: %d", resp.StatusCode)
	}
	w.run(t, w.admin, "/apps disable stat")
	if resp, _ := w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/stat/static/icon.png", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("disabled app icon: %d, want 200 (the Marketplace shows it)", resp.StatusCode)
	}
	if resp, _ := w.fetchStatic(t, w.userToken, http.MethodGet, "/apps/stat/static/logo.svg", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("disabled app's other asset: %d, want 403", resp.StatusCode)
	}
}
