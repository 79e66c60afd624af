package proxy

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// Static asset cache tuning: assets up to staticSmall bytes are kept in
// memory (at most staticCacheBytes in all) for staticCacheTTL.
const (
	staticSmall      = 1 << 20
	staticCacheBytes = 32 << 20
	staticCacheTTL   = 10 * time.Minute
	staticTimeout    = 30 * time.Second
)

// StaticAsset is an app's static file. Small assets are in Data (with an
// ETag); larger ones are streamed from Body, which the caller must close.
type StaticAsset struct {
	Name        string
	ContentType string
	ETag        string
	Data        []byte
	Body        io.ReadCloser
}

// Close closes Body, if any.
func (a *StaticAsset) Close() error {
	if a.Body != nil {
		return a.Body.Close()
	}
	return nil
}

// GetStatic returns a static asset of an app: from S3
// (static/<id>_<version>_app/<name>) for Lambda apps, from
// <root_url>/static/<name> for HTTP apps. name is one path segment; paths
// that climb out of the static folder are refused. Apps that are listed but
// not installed are served from their listed manifest (the Marketplace
// shows their icons); disabled apps are refused.
func (p *Proxy) GetStatic(ctx context.Context, in Incoming, id apps.AppID, name string) (*StaticAsset, error) {
	if in.ActingUserID == "" && in.PluginID == "" {
		return nil, fmt.Errorf("%w: log in to Mattermost first", apps.ErrUnauthorized)
	}
	clean, err := apps.CleanStaticPath(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if strings.Contains(clean, "/") {
		return nil, fmt.Errorf("%w: static asset %q must be a single file name", ErrInvalid, name)
	}
	app, err := p.staticApp(id, clean)
	if err != nil {
		return nil, err
	}
	key := staticKey{app: app.AppID, version: app.Version, deploy: app.DeployType, name: clean}
	if a, ok := p.static.get(key, p.now()); ok {
		return a, nil
	}
	up, err := p.upstreamFor(app)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, staticTimeout)
	body, upstreamType, err := up.GetStatic(ctx, app, clean)
	if err != nil {
		cancel()
		if errors.Is(err, upstream.ErrNotFound) {
			return nil, fmt.Errorf("%w: app %s has no static asset %s: %v", ErrNotFound, app.AppID, clean, err)
		}
		return nil, &upstreamError{err: err}
	}
	contentType := mime.TypeByExtension(path.Ext(clean))
	if contentType == "" {
		contentType = upstreamType
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	head, err := io.ReadAll(io.LimitReader(body, staticSmall+1))
	if err != nil {
		_ = body.Close()
		cancel()
		return nil, &upstreamError{err: fmt.Errorf("app %s: read static asset %s: %w", app.AppID, clean, err)}
	}
	if len(head) <= staticSmall {
		_ = body.Close()
		cancel()
		sum := sha256.Sum256(head)
		a := &StaticAsset{Name: clean, ContentType: contentType, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`, Data: head}
		p.static.put(key, a, p.now())
		return a, nil
	}
	return &StaticAsset{
		Name: clean, ContentType: contentType,
		Body: &cancelReadCloser{Reader: io.MultiReader(bytes.NewReader(head), body), closer: body, cancel: cancel},
	}, nil
}

// staticApp is the installed app, or the listed manifest of an app that is
// not installed. A disabled app serves only its icon, which the marketplace
// still shows.
func (p *Proxy) staticApp(id apps.AppID, name string) (apps.App, error) {
	if app, ok := p.store.Get(string(id)); ok {
		if app.Disabled && name != app.Icon {
			return apps.App{}, fmt.Errorf("%w: app %s is disabled", ErrForbidden, id)
		}
		return app, nil
	}
	m, ok := p.registry.Get(id)
	if !ok {
		return apps.App{}, fmt.Errorf("%w: app %q is neither installed nor listed", ErrNotFound, id)
	}
	app := apps.App{Manifest: m}
	for _, t := range m.DeployTypes() {
		if p.upstreams[t] != nil {
			app.DeployType = t
			break
		}
	}
	return app, nil
}

type cancelReadCloser struct {
	io.Reader
	closer io.Closer
	cancel context.CancelFunc
}

func (c *cancelReadCloser) Close() error {
	err := c.closer.Close()
	c.cancel()
	return err
}

type staticKey struct {
	app     apps.AppID
	version apps.AppVersion
	deploy  apps.DeployType
	name    string
}

type staticEntry struct {
	key     staticKey
	asset   *StaticAsset
	expires time.Time
}

// staticCache is an LRU of small assets, bounded by total size.
type staticCache struct {
	mu       sync.Mutex
	maxBytes int
	ttl      time.Duration
	bytes    int
	order    *list.List // front = most recently used; values *staticEntry
	items    map[staticKey]*list.Element
}

func newStaticCache(maxBytes int, ttl time.Duration) *staticCache {
	return &staticCache{maxBytes: maxBytes, ttl: ttl, order: list.New(), items: map[staticKey]*list.Element{}}
}

func (c *staticCache) get(k staticKey, now time.Time) (*StaticAsset, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*staticEntry)
	if now.After(e.expires) {
		c.removeLocked(el)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e.asset, true
}

func (c *staticCache) put(k staticKey, a *StaticAsset, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.removeLocked(el)
	}
	if len(a.Data) > c.maxBytes {
		return
	}
	c.items[k] = c.order.PushFront(&staticEntry{key: k, asset: a, expires: now.Add(c.ttl)})
	c.bytes += len(a.Data)
	for c.bytes > c.maxBytes {
		c.removeLocked(c.order.Back())
	}
}

func (c *staticCache) removeLocked(el *list.Element) {
	e := c.order.Remove(el).(*staticEntry)
	delete(c.items, e.key)
	c.bytes -= len(e.asset.Data)
}

func (c *staticCache) dropApp(id apps.AppID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, el := range c.items {
		if k.app == id {
			c.removeLocked(el)
		}
	}
}

func (c *staticCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	c.items = map[staticKey]*list.Element{}
	c.bytes = 0
}
