package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

// DefaultBindingsTimeout bounds one app's bindings call: a slow app is left
// out of the answer (logged and counted), never holding the others back.
const DefaultBindingsTimeout = 2 * time.Second

// ClusterEventBindings is the cluster event that carries an app's request
// to refresh a user's bindings to the other nodes (data: BindingsChange JSON).
const ClusterEventBindings = "apps_bindings"

// Bindings cache tuning.
const (
	bindingsCacheSize = 20000
	bindingsCacheTTL  = 5 * time.Minute
	// bindingsGrace is how long past the timeout GetBindings waits for an
	// app whose upstream does not honour its context.
	bindingsGrace = 100 * time.Millisecond
	// slowAppPause is how long an app whose bindings call timed out is not
	// asked again (for anyone): one dead app must not add the timeout to
	// every request. Each such omission is counted (Skipped) and reported
	// with the answer.
	slowAppPause = 10 * time.Second
)

// BindingsChange says whose bindings changed: an app's for everyone
// (UserID "") after install, uninstall, enable or disable, or one user's
// when the app answered a call with refresh_bindings.
type BindingsChange struct {
	AppID  apps.AppID `json:"app_id"`
	UserID string     `json:"user_id,omitempty"`
	// Lifecycle is set for install, uninstall, enable and disable.
	Lifecycle bool `json:"lifecycle,omitempty"`
}

// OnBindingsChanged registers f to hear about changes to apps' bindings
// (app slash commands re-register then). f runs synchronously for
// lifecycle changes, so it must not call back into those operations.
func (p *Proxy) OnBindingsChanged(f func(BindingsChange)) {
	p.observersMu.Lock()
	p.observers = append(p.observers, f)
	p.observersMu.Unlock()
}

func (p *Proxy) bindingsChanged(ch BindingsChange) {
	p.observersMu.RLock()
	obs := slices.Clone(p.observers)
	p.observersMu.RUnlock()
	for _, f := range obs {
		f(ch)
	}
}

// appChanged is what install, uninstall, enable and disable do for
// bindings: forget the app's cached bindings and assets, and tell observers.
func (p *Proxy) appChanged(id apps.AppID) {
	p.InvalidateBindings(id)
	p.static.dropApp(id)
	p.bindingsChanged(BindingsChange{AppID: id, Lifecycle: true})
}

// InvalidateBindings forgets the cached bindings of an app, for every user.
func (p *Proxy) InvalidateBindings(id apps.AppID) {
	p.bindings.invalidate(func(k bindingsKey) bool { return k.app == id })
}

// InvalidateUserBindings forgets the cached bindings of an app for one user
// (every app when id is "").
func (p *Proxy) InvalidateUserBindings(id apps.AppID, userID string) {
	p.bindings.invalidate(func(k bindingsKey) bool { return (id == "" || k.app == id) && k.user == userID })
}

// BindingsStats counts per-app outcomes of bindings requests.
type BindingsStats struct {
	// Fetched: asked the app; Cached: answered from the cache.
	Fetched, Cached uint64
	// TimedOut: the app did not answer within the timeout; Failed: it
	// answered an error or something unusable. Each was logged and the app
	// left out of that answer.
	TimedOut, Failed uint64
	// Skipped: left out without asking, because its bindings call timed out
	// in the last slowAppPause.
	Skipped uint64
}

type bindingsCounters struct{ fetched, cached, timedOut, failed, skipped atomic.Uint64 }

// BindingsStats returns the counters since activation.
func (p *Proxy) BindingsStats() BindingsStats {
	c := &p.bindingsStats
	return BindingsStats{Fetched: c.fetched.Load(), Cached: c.cached.Load(), TimedOut: c.timedOut.Load(), Failed: c.failed.Load(), Skipped: c.skipped.Load()}
}

// Omission is an app left out of a bindings answer, and why.
type Omission struct {
	AppID apps.AppID
	// Reason: "timeout", "failed" or "paused" (timed out recently).
	Reason string
}

// Omission reasons.
const (
	OmittedTimeout = "timeout"
	OmittedFailed  = "failed"
	OmittedPaused  = "paused"
)

// BindingsTimeout is the per-app bindings timeout.
func (p *Proxy) BindingsTimeout() time.Duration { return p.bindingsTimeout }

// GetBindings returns the bindings of every enabled app with granted
// locations, for the acting user in the context's channel (team, post):
// asked in parallel, each bounded by the bindings timeout, cleaned, cached
// per (app, user, context) and merged. Apps left out (timed out, failed)
// are returned too; each was logged and counted (BindingsStats).
func (p *Proxy) GetBindings(ctx context.Context, in Incoming, uac apps.Context) ([]apps.Binding, []Omission, error) {
	if in.ActingUserID == "" {
		return nil, nil, fmt.Errorf("%w: log in to Mattermost first", apps.ErrUnauthorized)
	}
	ua, err := p.userAgentContext(in.ActingUserID, uac)
	if err != nil {
		return nil, nil, err
	}
	results, omitted, fresh := p.collectBindings(ctx, in, ua, p.bindingsTargets())
	merged, problems := mergeBindings(results)
	if fresh && len(problems) > 0 {
		p.api.LogWarn("Some app bindings were left out", "user_id", in.ActingUserID, "problems", joinProblems(problems))
	}
	return merged, omitted, nil
}

// AppBindings returns one enabled app's cleaned bindings for the acting user
// in the context (from the cache when possible). Unlike GetBindings, a
// failure or a timeout is returned as an error.
func (p *Proxy) AppBindings(ctx context.Context, in Incoming, id apps.AppID, uac apps.Context) ([]apps.Binding, error) {
	if in.ActingUserID == "" {
		return nil, fmt.Errorf("%w: log in to Mattermost first", apps.ErrUnauthorized)
	}
	app, err := p.enabledApp(id)
	if err != nil {
		return nil, err
	}
	ua, err := p.userAgentContext(in.ActingUserID, uac)
	if err != nil {
		return nil, err
	}
	return p.bindingsOf(ctx, in, app, ua)
}

// BotBindings returns an enabled app's bindings as its bot sees them outside
// any channel: what the plugin registers the app's slash commands from.
func (p *Proxy) BotBindings(ctx context.Context, id apps.AppID) ([]apps.Binding, error) {
	app, err := p.enabledApp(id)
	if err != nil {
		return nil, err
	}
	if app.BotUserID == "" {
		return nil, fmt.Errorf("%w: app %s has no bot", ErrInvalid, id)
	}
	ua := &userAgent{UserAgentContext: apps.UserAgentContext{AppID: id}, actingUserID: app.BotUserID}
	return p.bindingsOf(ctx, Incoming{ActingUserID: app.BotUserID}, app, ua)
}

func (p *Proxy) bindingsOf(ctx context.Context, in Incoming, app apps.App, ua *userAgent) ([]apps.Binding, error) {
	key := newBindingsKey(app.AppID, in.ActingUserID, ua)
	if bb, ok := p.bindings.get(key, p.now()); ok {
		p.bindingsStats.cached.Add(1)
		return bb, nil
	}
	epoch := p.bindings.currentEpoch()
	ctx, cancel := context.WithTimeout(ctx, p.bindingsTimeout)
	defer cancel()
	p.bindingsStats.fetched.Add(1)
	bb, problems, err := p.fetchBindings(ctx, in, app, ua)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			p.bindingsTimedOut(app, in.ActingUserID, false)
			return nil, fmt.Errorf("%w: app %s did not answer its bindings call within %s", ErrUpstream, app.AppID, p.bindingsTimeout)
		}
		p.bindingsStats.failed.Add(1)
		return nil, err
	}
	if len(problems) > 0 {
		p.api.LogWarn("Some of an app's bindings were left out", "app_id", string(app.AppID), "problems", joinProblems(problems))
	}
	p.bindings.put(key, bb, epoch, p.now())
	return bb, nil
}

type bindingsResult struct {
	i        int
	bindings []apps.Binding
	problems []error
	err      error
	timedOut bool
}

// collectBindings gets the bindings of targets: cached ones at once, the
// others in parallel, each within the timeout. An app that times out or
// fails is logged, counted and left out (and returned in omitted); an app
// that timed out recently is not asked (counted as skipped). fresh says
// whether any app was asked.
func (p *Proxy) collectBindings(ctx context.Context, in Incoming, ua *userAgent, targets []apps.App) (results [][]apps.Binding, omitted []Omission, fresh bool) {
	results = make([][]apps.Binding, len(targets))
	now := p.now()
	var missing []int
	for i, app := range targets {
		if bb, ok := p.bindings.get(newBindingsKey(app.AppID, in.ActingUserID, ua), now); ok {
			results[i] = bb
			p.bindingsStats.cached.Add(1)
			continue
		}
		if p.bindings.paused(app.AppID, now) {
			p.bindingsStats.skipped.Add(1)
			omitted = append(omitted, Omission{AppID: app.AppID, Reason: OmittedPaused})
			continue
		}
		missing = append(missing, i)
	}
	if len(missing) == 0 {
		return results, omitted, false
	}
	epoch := p.bindings.currentEpoch()
	fctx, cancel := context.WithTimeout(ctx, p.bindingsTimeout)
	defer cancel()
	ch := make(chan bindingsResult, len(missing))
	for _, i := range missing {
		p.bindingsStats.fetched.Add(1)
		go func(i int) {
			bb, problems, err := p.fetchBindings(fctx, in, targets[i], ua)
			ch <- bindingsResult{i: i, bindings: bb, problems: problems, err: err, timedOut: err != nil && fctx.Err() == context.DeadlineExceeded}
		}(i)
	}
	timer := time.NewTimer(p.bindingsTimeout + bindingsGrace)
	defer timer.Stop()
	done := map[int]bool{}
wait:
	for len(done) < len(missing) {
		select {
		case r := <-ch:
			done[r.i] = true
			app := targets[r.i]
			switch {
			case r.timedOut:
				p.bindingsTimedOut(app, in.ActingUserID, true)
				omitted = append(omitted, Omission{AppID: app.AppID, Reason: OmittedTimeout})
			case r.err != nil:
				p.bindingsStats.failed.Add(1)
				p.api.LogWarn("An app's bindings failed; it is left out of this user's bindings", "app_id", string(app.AppID), "user_id", in.ActingUserID, "error", r.err.Error())
				omitted = append(omitted, Omission{AppID: app.AppID, Reason: OmittedFailed})
			default:
				if len(r.problems) > 0 {
					p.api.LogWarn("Some of an app's bindings were left out", "app_id", string(app.AppID), "problems", joinProblems(r.problems))
				}
				results[r.i] = r.bindings
				p.bindings.put(newBindingsKey(app.AppID, in.ActingUserID, ua), r.bindings, epoch, p.now())
			}
		case <-timer.C:
			break wait
		}
	}
	for _, i := range missing {
		if !done[i] {
			p.bindingsTimedOut(targets[i], in.ActingUserID, true)
			omitted = append(omitted, Omission{AppID: targets[i].AppID, Reason: OmittedTimeout})
		}
	}
	return results, omitted, true
}

// bindingsTimedOut counts and logs a timeout; pause keeps the app out of
// the merged bindings for a while.
func (p *Proxy) bindingsTimedOut(app apps.App, userID string, pause bool) {
	p.bindingsStats.timedOut.Add(1)
	if pause {
		p.bindings.pause(app.AppID, p.now().Add(slowAppPause))
	}
	p.api.LogWarn("An app's bindings timed out; it is left out of this user's bindings",
		"app_id", string(app.AppID), "user_id", userID, "timeout", p.bindingsTimeout.String())
}

// fetchBindings makes the app's bindings call and cleans the answer.
func (p *Proxy) fetchBindings(ctx context.Context, in Incoming, app apps.App, ua *userAgent) ([]apps.Binding, []error, error) {
	call := app.Bindings.WithDefault(apps.DefaultBindingsCall())
	resp, err := p.invoke(ctx, in, app, apps.CallRequest{Call: call}, ua, false)
	if err != nil {
		return nil, nil, err
	}
	switch resp.Type {
	case apps.CallResponseTypeOK:
	case apps.CallResponseTypeError:
		return nil, nil, fmt.Errorf("app %s: the bindings call answered an error: %s", app.AppID, resp.Text)
	default:
		return nil, nil, fmt.Errorf("app %s: the bindings call answered %q, not ok", app.AppID, resp.Type)
	}
	var raw []apps.Binding
	if resp.Data != nil {
		data, err := json.Marshal(resp.Data)
		if err == nil {
			err = json.Unmarshal(data, &raw)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("app %s: the bindings call answered data that is not a list of bindings: %w", app.AppID, err)
		}
	}
	bb, problems := cleanAppBindings(app, raw, ua.UserAgent, p.conf.Get().PluginURL)
	if bb == nil {
		bb = []apps.Binding{}
	}
	return bb, problems, nil
}

// bindingsKey identifies cached bindings: the app, the user and what of the
// context the app may see.
type bindingsKey struct {
	app                                    apps.AppID
	user, channel, team, post, root, agent string
}

func newBindingsKey(id apps.AppID, userID string, ua *userAgent) bindingsKey {
	return bindingsKey{app: id, user: userID, channel: ua.ChannelID, team: ua.clientTeamID, post: ua.PostID, root: ua.RootPostID, agent: ua.UserAgent}
}

type bindingsEntry struct {
	bindings []apps.Binding
	expires  time.Time
}

// bindingsCache is a bounded map with a TTL. Invalidation bumps an epoch:
// a fetch that started before it does not store its (maybe stale) answer.
type bindingsCache struct {
	mu      sync.Mutex
	epoch   uint64
	entries map[bindingsKey]bindingsEntry
	max     int
	ttl     time.Duration
	// slow: apps whose bindings call timed out, not asked until then.
	slow map[apps.AppID]time.Time
}

func newBindingsCache(max int, ttl time.Duration) *bindingsCache {
	return &bindingsCache{entries: map[bindingsKey]bindingsEntry{}, max: max, ttl: ttl, slow: map[apps.AppID]time.Time{}}
}

func (c *bindingsCache) pause(id apps.AppID, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slow[id] = until
}

func (c *bindingsCache) paused(id apps.AppID, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.slow[id]
	if ok && !now.Before(until) {
		delete(c.slow, id)
		return false
	}
	return ok
}

func (c *bindingsCache) get(k bindingsKey, now time.Time) ([]apps.Binding, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	if now.After(e.expires) {
		delete(c.entries, k)
		return nil, false
	}
	return e.bindings, true
}

func (c *bindingsCache) currentEpoch() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

func (c *bindingsCache) put(k bindingsKey, bb []apps.Binding, epoch uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if len(c.entries) >= c.max {
		for key, e := range c.entries {
			if now.After(e.expires) {
				delete(c.entries, key)
			}
		}
		// Still full: drop about a tenth, at random (map order).
		for key := range c.entries {
			if len(c.entries) < c.max-c.max/10 {
				break
			}
			delete(c.entries, key)
		}
	}
	c.entries[k] = bindingsEntry{bindings: bb, expires: now.Add(c.ttl)}
}

func (c *bindingsCache) invalidate(match func(bindingsKey) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k := range c.entries {
		if match(k) {
			delete(c.entries, k)
		}
	}
	for id := range c.slow {
		if match(bindingsKey{app: id}) {
			delete(c.slow, id)
		}
	}
}

func (c *bindingsCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.entries = map[bindingsKey]bindingsEntry{}
	c.slow = map[apps.AppID]time.Time{}
}
