// Package uphttp is the upstream of HTTP apps: calls are POSTed as JSON to
// the app's root_url + call path, static assets are fetched with GET from
// root_url/static/<name>.
//
// One Upstream holds one pooled http.Client (keep-alive, bounded idle pool
// per host) for the whole process. Outgoing connections follow a Policy like
// Mattermost's untrusted HTTP client.
package uphttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"sync"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// Upstream sends calls to HTTP apps. Create it with New; it is safe for
// concurrent use.
type Upstream struct {
	opts   Options
	client *http.Client

	asyncSem chan struct{}  // bounds async calls in flight
	asyncWG  sync.WaitGroup // async calls in flight
	closed   context.Context
	close    context.CancelFunc
}

var _ upstream.Upstream = (*Upstream)(nil)

// New returns an Upstream with its own pooled client.
func New(opts Options) *Upstream {
	opts.setDefaults()
	closed, closeFn := context.WithCancel(context.Background())
	return &Upstream{
		opts:     opts,
		client:   newClient(opts),
		asyncSem: make(chan struct{}, opts.MaxPendingAsync),
		closed:   closed,
		close:    closeFn,
	}
}

// Close cancels the async calls in flight, waits for them and closes idle
// connections. Synchronous calls are not affected.
func (u *Upstream) Close() {
	u.close()
	u.asyncWG.Wait()
	u.client.CloseIdleConnections()
}

// CloseIdleConnections drops the keep-alive pool, e.g. after the policy got
// stricter (pooled connections were checked when they were opened).
func (u *Upstream) CloseIdleConnections() { u.client.CloseIdleConnections() }

// Roundtrip POSTs creq to the app. See upstream.Upstream.
func (u *Upstream) Roundtrip(ctx context.Context, app apps.App, creq apps.CallRequest, async bool) (io.ReadCloser, error) {
	if app.HTTP == nil || app.HTTP.RootURL == "" {
		return nil, fmt.Errorf("app %q: the manifest has no http.root_url", app.AppID)
	}
	target, err := CallURL(app.HTTP.RootURL, creq.Path)
	if err != nil {
		return nil, fmt.Errorf("app %q: call %q: %w", app.AppID, creq.Path, err)
	}
	body, err := json.Marshal(creq)
	if err != nil {
		return nil, fmt.Errorf("app %q: call %s: encode request: %w", app.AppID, creq.Path, err)
	}
	header := http.Header{
		"Content-Type": {"application/json"},
		"Accept":       {"application/json"},
	}
	if app.HTTP.UseJWT && app.Secret != "" {
		if err := apps.SetJWTHeader(header, app.Secret, ActingUserID(app, creq, async), u.opts.Now()); err != nil {
			return nil, fmt.Errorf("app %q: call %s: sign JWT: %w", app.AppID, creq.Path, err)
		}
	}

	if !async {
		return u.post(ctx, app.AppID, target, header, body)
	}
	select {
	case u.asyncSem <- struct{}{}:
	default:
		return nil, fmt.Errorf("app %q: call %s: too many async calls in flight (%d)", app.AppID, creq.Path, cap(u.asyncSem))
	}
	u.asyncWG.Add(1)
	go func() {
		defer func() {
			<-u.asyncSem
			u.asyncWG.Done()
		}()
		actx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		stop := context.AfterFunc(u.closed, cancel)
		defer stop()
		rc, err := u.post(actx, app.AppID, target, header, body)
		if err != nil {
			u.opts.Logger.Warn("async call failed", "app_id", app.AppID, "path", creq.Path, "error", err)
			return
		}
		_, _ = io.Copy(io.Discard, rc)
		_ = rc.Close()
	}()
	return nil, nil
}

// ActingUserID is the acting_user_id of the JWT sent with creq: the acting
// user, or for async calls without one, the app's bot.
func ActingUserID(app apps.App, creq apps.CallRequest, async bool) string {
	if au := creq.Context.ActingUser; au != nil && au.ID != "" {
		return au.ID
	}
	if creq.Context.ActingUserID != "" {
		return creq.Context.ActingUserID
	}
	if async {
		if app.BotUserID != "" {
			return app.BotUserID
		}
		return creq.Context.BotUserID
	}
	return ""
}

func (u *Upstream) post(ctx context.Context, appID apps.AppID, target *url.URL, header http.Header, body []byte) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("app %q: %w", appID, err)
	}
	req.Header = header
	resp, err := u.do(ctx, appID, req)
	if err != nil {
		return nil, err
	}
	return u.checkResponse(appID, req, resp, u.opts.MaxResponseSize, "the response to POST "+target.Path)
}

// GetStatic GETs root_url/static/<name>. See upstream.Upstream.
func (u *Upstream) GetStatic(ctx context.Context, app apps.App, name string) (io.ReadCloser, string, error) {
	if app.HTTP == nil || app.HTTP.RootURL == "" {
		return nil, "", fmt.Errorf("app %q: the manifest has no http.root_url", app.AppID)
	}
	target, err := CallURL(app.HTTP.RootURL, "/"+apps.StaticFolder+"/"+url.PathEscape(name))
	if err != nil {
		return nil, "", fmt.Errorf("app %q: static asset %q: %w", app.AppID, name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return nil, "", fmt.Errorf("app %q: %w", app.AppID, err)
	}
	resp, err := u.do(ctx, app.AppID, req)
	if err != nil {
		return nil, "", err
	}
	contentType := resp.Header.Get("Content-Type")
	body, err := u.checkResponse(app.AppID, req, resp, u.opts.MaxStaticSize, "static asset "+name)
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

// do sends req and turns transport errors into errors that name the app and
// say what went wrong.
func (u *Upstream) do(ctx context.Context, appID apps.AppID, req *http.Request) (*http.Response, error) {
	resp, err := u.client.Do(req)
	if err == nil {
		return resp, nil
	}
	var pe *PolicyError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("app %q: %w", appID, pe)
	}
	what := req.Method + " " + req.URL.Redacted()
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("app %q: %s: %w", appID, what, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil, fmt.Errorf("app %q: %s: no response within %s: %w", appID, what, u.opts.Timeout, err)
	}
	return nil, fmt.Errorf("app %q: %s: %w", appID, what, err)
}

// checkResponse returns the body of a 2xx response, limited to limit bytes;
// other statuses become errors (404 wraps upstream.ErrNotFound).
func (u *Upstream) checkResponse(appID apps.AppID, req *http.Request, resp *http.Response, limit int64, what string) (io.ReadCloser, error) {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if resp.ContentLength > limit {
			_ = resp.Body.Close()
			return nil, upstream.TooLargeError(appID, what, limit)
		}
		return upstream.LimitBody(resp.Body, limit, appID, what), nil
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, upstream.MaxErrorText+1))
	where := req.Method + " " + req.URL.Redacted()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("app %q: %s: status 404: %w", appID, where, upstream.ErrNotFound)
	}
	return nil, fmt.Errorf("app %q: %s failed with status %d: %s", appID, where, resp.StatusCode, upstream.Excerpt(text))
}
