package proxy

import (
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

// tokenCacheTTL is the longest an app token is reused from memory before the
// session service (KV store and server) is asked again.
const tokenCacheTTL = time.Minute

// tokenCacheMax bounds the number of tokens kept.
const tokenCacheMax = 10000

type tokenKey struct {
	app  apps.AppID
	user string
}

type cachedToken struct {
	token string
	until time.Time
}

// tokenCache keeps app session tokens for a short while. Revoking an app's
// sessions (disable, uninstall) drops its tokens.
type tokenCache struct {
	mu    sync.Mutex
	items map[tokenKey]cachedToken
}

func (c *tokenCache) get(app apps.AppID, user string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.items[tokenKey{app, user}]
	if !ok || !now.Before(t.until) {
		return "", false
	}
	return t.token, true
}

func (c *tokenCache) put(app apps.AppID, user, token string, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= tokenCacheMax {
		c.items = map[tokenKey]cachedToken{}
	}
	c.items[tokenKey{app, user}] = cachedToken{token: token, until: until}
}

func (c *tokenCache) dropApp(app apps.AppID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.items {
		if k.app == app {
			delete(c.items, k)
		}
	}
}

func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = map[tokenKey]cachedToken{}
}
