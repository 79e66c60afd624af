// Package upplugin is the upstream of apps served by a Mattermost plugin
// (deploy type "plugin"): calls are POSTed as JSON to
// /<plugin_id>/app<call path> and static assets fetched with GET from
// /<plugin_id>/app/static/<name>, both through the server's inter-plugin
// HTTP (the plugin API's PluginHTTP). The server sets the calling plugin's id
// in the request's Mattermost-Plugin-Id header.
package upplugin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// maxUnescapeRounds bounds repeated unescaping of call paths.
const maxUnescapeRounds = 8

// PluginHTTP sends an inter-plugin request (path /<plugin id>/...). It never
// returns nil for a request it accepted; a nil response is treated as an
// unreachable plugin.
type PluginHTTP func(*http.Request) *http.Response

// Upstream sends calls to plugin apps. It is safe for concurrent use.
type Upstream struct {
	pluginHTTP PluginHTTP
}

var _ upstream.Upstream = (*Upstream)(nil)

// New returns an Upstream over pluginHTTP (the plugin API's PluginHTTP).
func New(pluginHTTP PluginHTTP) *Upstream { return &Upstream{pluginHTTP: pluginHTTP} }

// Roundtrip POSTs creq to the plugin. See upstream.Upstream. Async calls are
// sent in the background and their result discarded.
func (u *Upstream) Roundtrip(ctx context.Context, app apps.App, creq apps.CallRequest, async bool) (io.ReadCloser, error) {
	pluginID, err := pluginOf(app)
	if err != nil {
		return nil, err
	}
	target, err := CallPath(pluginID, creq.Path)
	if err != nil {
		return nil, fmt.Errorf("app %q: call %q: %w", app.AppID, creq.Path, err)
	}
	body, err := json.Marshal(creq)
	if err != nil {
		return nil, fmt.Errorf("app %q: call %s: encode request: %w", app.AppID, creq.Path, err)
	}
	if async {
		go func() {
			rc, err := u.post(context.WithoutCancel(ctx), app.AppID, target, body)
			if err == nil {
				_, _ = io.Copy(io.Discard, rc)
				_ = rc.Close()
			}
		}()
		return nil, nil
	}
	return u.post(ctx, app.AppID, target, body)
}

func (u *Upstream) post(ctx context.Context, appID apps.AppID, target string, body []byte) (io.ReadCloser, error) {
	req, err := newRequest(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("app %q: %w", appID, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := u.do(appID, req)
	if err != nil {
		return nil, err
	}
	return checkResponse(appID, req, resp, upstream.MaxResponseSize, "the response to POST "+target)
}

// GetStatic GETs /<plugin_id>/app/static/<name>. See upstream.Upstream.
func (u *Upstream) GetStatic(ctx context.Context, app apps.App, name string) (io.ReadCloser, string, error) {
	pluginID, err := pluginOf(app)
	if err != nil {
		return nil, "", err
	}
	target, err := CallPath(pluginID, "/"+apps.StaticFolder+"/"+url.PathEscape(name))
	if err != nil {
		return nil, "", fmt.Errorf("app %q: static asset %q: %w", app.AppID, name, err)
	}
	req, err := newRequest(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, "", fmt.Errorf("app %q: %w", app.AppID, err)
	}
	resp, err := u.do(app.AppID, req)
	if err != nil {
		return nil, "", err
	}
	contentType := resp.Header.Get("Content-Type")
	body, err := checkResponse(app.AppID, req, resp, upstream.MaxStaticSize, "static asset "+name)
	if err != nil {
		return nil, "", err
	}
	if contentType == "" {
		contentType = mime.TypeByExtension(path.Ext(name))
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	return body, contentType, nil
}

// Fetch GETs p (a path under /<pluginID>/app, e.g. "/manifest.json") from
// the plugin and returns at most limit bytes of the body.
func (u *Upstream) Fetch(ctx context.Context, pluginID, p string, limit int64) ([]byte, error) {
	if err := ValidatePluginID(pluginID); err != nil {
		return nil, err
	}
	target, err := CallPath(pluginID, p)
	if err != nil {
		return nil, err
	}
	req, err := newRequest(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	who := apps.AppID("plugin " + pluginID)
	resp, err := u.do(who, req)
	if err != nil {
		return nil, err
	}
	body, err := checkResponse(who, req, resp, limit, target)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return upstream.ReadAll(body, limit, who, target)
}

// do sends req through PluginHTTP.
func (u *Upstream) do(appID apps.AppID, req *http.Request) (*http.Response, error) {
	if u.pluginHTTP == nil {
		return nil, fmt.Errorf("app %q: inter-plugin HTTP is not available", appID)
	}
	if err := req.Context().Err(); err != nil {
		return nil, fmt.Errorf("app %q: %s %s: %w", appID, req.Method, req.URL.Path, err)
	}
	resp := u.pluginHTTP(req)
	if resp == nil {
		return nil, fmt.Errorf("app %q: %s %s: the plugin did not answer (is it installed and enabled?)", appID, req.Method, req.URL.Path)
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	return resp, nil
}

// checkResponse returns the body of a 2xx response, limited to limit bytes;
// other statuses become errors (404 wraps upstream.ErrNotFound).
func checkResponse(appID apps.AppID, req *http.Request, resp *http.Response, limit int64, what string) (io.ReadCloser, error) {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if resp.ContentLength > limit {
			_ = resp.Body.Close()
			return nil, upstream.TooLargeError(appID, what, limit)
		}
		return upstream.LimitBody(resp.Body, limit, appID, what), nil
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, upstream.MaxErrorText+1))
	where := req.Method + " " + req.URL.Path
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("app %q: %s: status 404: %w", appID, where, upstream.ErrNotFound)
	}
	return nil, fmt.Errorf("app %q: %s failed with status %d: %s", appID, where, resp.StatusCode,
		strings.TrimSpace(upstream.Excerpt(text)))
}

func newRequest(ctx context.Context, method, target string, body io.Reader) (*http.Request, error) {
	p, query, _ := strings.Cut(target, "?")
	req, err := http.NewRequestWithContext(ctx, method, "http://plugin/", body)
	if err != nil {
		return nil, err
	}
	req.URL = &url.URL{Path: p, RawQuery: query}
	req.Host = ""
	req.RequestURI = ""
	return req, nil
}

func pluginOf(app apps.App) (string, error) {
	if app.Plugin == nil || app.Plugin.PluginID == "" {
		return "", fmt.Errorf("app %q: the manifest has no plugin.plugin_id", app.AppID)
	}
	if err := ValidatePluginID(app.Plugin.PluginID); err != nil {
		return "", fmt.Errorf("app %q: %w", app.AppID, err)
	}
	return app.Plugin.PluginID, nil
}

// ValidatePluginID checks id can be the first segment of an inter-plugin
// path: not empty, no '/', '\', '?', '#', '%', NUL, spaces, and not "." or
// "..". The error matches apps.ErrInvalid.
func ValidatePluginID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\\?#% \t\r\n\x00") {
		return apps.NewInvalidError("plugin id %q is not valid", id)
	}
	return nil
}

// CallPath returns the inter-plugin path a call to callPath goes to:
// /<pluginID>/app + callPath, with the call path URL-unescaped until stable
// and path.Clean-ed, so it can never leave /<pluginID>/app. A query string
// in callPath is kept. Paths with ".." segments (however escaped), NUL bytes
// or backslashes are refused (the error matches apps.ErrInvalid).
func CallPath(pluginID, callPath string) (string, error) {
	if err := ValidatePluginID(pluginID); err != nil {
		return "", err
	}
	p, query, _ := strings.Cut(callPath, "?")
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query = query[:i]
	}
	clean, err := cleanPath(p)
	if err != nil {
		return "", err
	}
	target := path.Clean("/" + pluginID + apps.PluginAppPath + clean)
	if query != "" {
		target += "?" + query
	}
	return target, nil
}

// cleanPath unescapes p until stable and checks it (the rules of
// uphttp.CallURL).
func cleanPath(p string) (string, error) {
	unescaped := p
	for i := 0; ; i++ {
		if i == maxUnescapeRounds {
			return "", apps.NewInvalidError("path %q: too many levels of URL escaping", p)
		}
		u, err := url.PathUnescape(unescaped)
		if err != nil {
			return "", apps.NewInvalidError("path %q: %v", p, err)
		}
		if u == unescaped {
			break
		}
		unescaped = u
	}
	switch {
	case strings.ContainsRune(unescaped, 0):
		return "", apps.NewInvalidError("path %q: contains a NUL byte", p)
	case strings.Contains(unescaped, `\`):
		return "", apps.NewInvalidError("path %q: contains a backslash", p)
	}
	for _, seg := range strings.Split(unescaped, "/") {
		if seg == ".." {
			return "", apps.NewInvalidError("path %q: must not contain '..'", p)
		}
	}
	return path.Clean("/" + unescaped), nil
}
