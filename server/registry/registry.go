// Package registry keeps the listed apps in memory: the global listing named
// by the bundle's assets/manifests.json (manifests fetched from S3, a file in
// the bundle or an https URL) and the local listing stored in the plugin KV.
// A local manifest overrides a global one with the same app id.
package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/store"
)

// ManifestSource fetches manifests from S3 (manifests/<id>_<version>.json).
type ManifestSource interface {
	GetManifest(ctx context.Context, appID apps.AppID, version apps.AppVersion) ([]byte, error)
}

// Options configure a Registry.
type Options struct {
	API        mmplugin.API
	BundlePath string
	// S3 fetches listed manifests; nil when AWS is not configured.
	S3 ManifestSource
	// IsNotFound tells a missing manifest (skipped for good) from an
	// unreachable source (retried).
	IsNotFound func(error) bool
	// HTTPClient fetches https:// listings (default: 10 s timeout).
	HTTPClient *http.Client
	Locals     *store.LocalManifests
	// FetchTimeout bounds one manifest fetch (default 5 s).
	FetchTimeout time.Duration
	// RetryMin and RetryMax bound the back-off between retries of
	// unreachable entries (default 1 s and 30 s).
	RetryMin, RetryMax time.Duration
	// Parallel bounds concurrent fetches (default 16).
	Parallel int
}

// Status is what /apps info shows about the listing.
type Status struct {
	Global   int               // manifests listed by manifests.json and loaded
	Local    int               // manifests listed on this server
	Pending  []string          // entries waiting for an unreachable source
	Failed   map[string]string // entries skipped for good, with the reason
	LastSync time.Time
}

// Registry is the in-memory listing.
type Registry struct {
	opts Options

	mu       sync.RWMutex
	global   map[apps.AppID]apps.Manifest
	pending  map[apps.AppID]string // id → location, to retry
	failed   map[string]string
	lastSync time.Time

	stop    chan struct{}
	stopped sync.WaitGroup
	wake    chan struct{}
}

// New returns an empty registry; call Start.
func New(opts Options) *Registry {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = 5 * time.Second
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 30 * time.Second
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 16
	}
	if opts.IsNotFound == nil {
		opts.IsNotFound = func(error) bool { return false }
	}
	return &Registry{
		opts: opts, global: map[apps.AppID]apps.Manifest{}, pending: map[apps.AppID]string{},
		failed: map[string]string{}, stop: make(chan struct{}), wake: make(chan struct{}, 1),
	}
}

// Start loads the local listing and syncs the global one once, then keeps
// retrying unreachable entries in the background until Stop. An unreachable
// S3 never fails activation.
func (r *Registry) Start(ctx context.Context) error {
	if err := r.opts.Locals.Load(); err != nil {
		r.opts.API.LogError("Some local app listings could not be loaded", "error", err)
	}
	err := r.Sync(ctx)
	r.stopped.Add(1)
	go r.retryLoop()
	return err
}

// Stop ends background retries.
func (r *Registry) Stop() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	r.stopped.Wait()
}

// Sync re-reads manifests.json and fetches every listed manifest. Bad entries
// are logged and skipped; unreachable ones are retried in the background.
func (r *Registry) Sync(ctx context.Context) error {
	listing, err := r.readListing()
	if err != nil {
		r.opts.API.LogError("Could not read the app listing", "error", err)
		return err
	}
	loaded, pending, failed := r.fetchAll(ctx, listing)
	r.mu.Lock()
	r.global, r.pending, r.failed, r.lastSync = loaded, pending, failed, time.Now()
	r.mu.Unlock()
	for key, reason := range failed {
		r.opts.API.LogWarn("Skipped a listed app", "app", key, "reason", reason)
	}
	if len(pending) > 0 {
		r.opts.API.LogWarn("Some listed apps could not be fetched yet; retrying in the background", "count", len(pending))
		r.poke()
	}
	return nil
}

// readListing reads <bundle>/assets/manifests.json: {appID: location}.
func (r *Registry) readListing() (map[apps.AppID]string, error) {
	raw, err := os.ReadFile(filepath.Join(r.opts.BundlePath, "assets", "manifests.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read assets/manifests.json: %w", err)
	}
	var listing map[apps.AppID]string
	if err := json.Unmarshal(raw, &listing); err != nil {
		return nil, fmt.Errorf("assets/manifests.json must be a JSON object of app id to location: %w", err)
	}
	return listing, nil
}

type fetchResult struct {
	id       apps.AppID
	location string
	manifest *apps.Manifest
	err      error
	retry    bool
}

func (r *Registry) fetchAll(ctx context.Context, listing map[apps.AppID]string) (loaded map[apps.AppID]apps.Manifest, pending map[apps.AppID]string, failed map[string]string) {
	loaded, pending, failed = map[apps.AppID]apps.Manifest{}, map[apps.AppID]string{}, map[string]string{}
	results := make(chan fetchResult)
	sem := make(chan struct{}, r.opts.Parallel)
	var wg sync.WaitGroup
	for id, loc := range listing {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			m, retry, err := r.fetch(ctx, id, loc)
			results <- fetchResult{id: id, location: loc, manifest: m, err: err, retry: retry}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	for res := range results {
		switch {
		case res.err == nil:
			loaded[res.id] = *res.manifest
		case res.retry:
			pending[res.id] = res.location
		default:
			failed[string(res.id)] = res.err.Error()
		}
	}
	return loaded, pending, failed
}

// fetch loads and validates one listed manifest. retry reports an error
// worth retrying (an unreachable source), as opposed to a bad entry.
func (r *Registry) fetch(ctx context.Context, id apps.AppID, location string) (_ *apps.Manifest, retry bool, _ error) {
	if err := id.Validate(); err != nil {
		return nil, false, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.FetchTimeout)
	defer cancel()
	var raw []byte
	var err error
	switch {
	case strings.HasPrefix(location, "file:"):
		raw, err = r.readBundleFile(strings.TrimPrefix(location, "file:"))
	case strings.HasPrefix(location, "https://"), strings.HasPrefix(location, "http://"):
		raw, err = r.fetchURL(ctx, location)
		retry = err != nil && !errors.Is(err, errBadListing)
	default:
		version := apps.AppVersion(strings.TrimPrefix(location, "s3:"))
		if verr := version.Validate(); verr != nil || version == "" {
			return nil, false, fmt.Errorf("listing %q: not a version, s3:<version>, file:<path> or https:// URL", location)
		}
		if r.opts.S3 == nil {
			return nil, false, errors.New("AWS is not configured: set MM_APPS_AWS_ACCESS_KEY and MM_APPS_AWS_SECRET_KEY for the server and restart it")
		}
		raw, err = r.opts.S3.GetManifest(ctx, id, version)
		retry = err != nil && !r.opts.IsNotFound(err)
	}
	if err != nil {
		return nil, retry, err
	}
	m, err := apps.DecodeManifest(raw)
	if err != nil {
		return nil, false, fmt.Errorf("manifest from %s: %w", location, err)
	}
	if m.AppID != id {
		return nil, false, fmt.Errorf("manifest from %s is for app %q, not %q", location, m.AppID, id)
	}
	return m, false, nil
}

var errBadListing = errors.New("bad listing")

func (r *Registry) readBundleFile(rel string) ([]byte, error) {
	clean := path.Clean("/" + rel)
	if clean != "/"+rel || strings.Contains(rel, "\\") {
		return nil, fmt.Errorf("listing file:%s: the path must stay inside assets/", rel)
	}
	f, err := os.Open(filepath.Join(r.opts.BundlePath, "assets", filepath.FromSlash(clean)))
	if err != nil {
		return nil, fmt.Errorf("listing file:%s: %w", rel, err)
	}
	defer f.Close()
	return readLimited(f)
}

func (r *Registry) fetchURL(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w: %v", url, errBadListing, err)
	}
	resp, err := r.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %w: status %s", url, errBadListing, resp.Status)
	}
	return readLimited(resp.Body)
}

func readLimited(r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, apps.MaxManifestSize+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > apps.MaxManifestSize {
		return nil, fmt.Errorf("%w: manifests are limited to %d bytes", errBadListing, apps.MaxManifestSize)
	}
	return raw, nil
}

// retryLoop refetches pending entries with exponential back-off.
func (r *Registry) retryLoop() {
	defer r.stopped.Done()
	delay := r.opts.RetryMin
	for {
		r.mu.RLock()
		n := len(r.pending)
		r.mu.RUnlock()
		var timer <-chan time.Time
		if n > 0 {
			timer = time.After(delay)
		}
		select {
		case <-r.stop:
			return
		case <-r.wake:
			continue
		case <-timer:
		}
		r.mu.RLock()
		pending := make(map[apps.AppID]string, len(r.pending))
		for id, loc := range r.pending {
			pending[id] = loc
		}
		r.mu.RUnlock()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-r.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		loaded, stillPending, failed := r.fetchAll(ctx, pending)
		cancel()
		r.mu.Lock()
		for id, m := range loaded {
			r.global[id] = m
			delete(r.pending, id)
		}
		for key, reason := range failed {
			r.failed[key] = reason
			delete(r.pending, apps.AppID(key))
		}
		r.lastSync = time.Now()
		r.mu.Unlock()
		if len(loaded) > 0 {
			r.opts.API.LogInfo("Fetched listed apps after a retry", "count", len(loaded))
		}
		if len(stillPending) > 0 {
			delay = min(delay*2, r.opts.RetryMax)
		} else {
			delay = r.opts.RetryMin
		}
	}
}

func (r *Registry) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Get returns the listed manifest of id, local first.
func (r *Registry) Get(id apps.AppID) (apps.Manifest, bool) {
	if m, ok := r.opts.Locals.Get(string(id)); ok {
		return m, true
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.global[id]
	return m, ok
}

// List returns every listed manifest (local ones override), sorted by id.
func (r *Registry) List() []apps.Manifest {
	byID := map[apps.AppID]apps.Manifest{}
	r.mu.RLock()
	for id, m := range r.global {
		byID[id] = m
	}
	r.mu.RUnlock()
	for _, m := range r.opts.Locals.List() {
		byID[m.AppID] = m
	}
	out := make([]apps.Manifest, 0, len(byID))
	for _, m := range byID {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AppID < out[j].AppID })
	return out
}

// AddLocal lists m on this server (replacing an earlier local listing).
func (r *Registry) AddLocal(m apps.Manifest) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return r.opts.Locals.Save(string(m.AppID), m)
}

// RemoveLocal removes a local listing.
func (r *Registry) RemoveLocal(id apps.AppID) error { return r.opts.Locals.Delete(string(id)) }

// ReloadLocal re-reads the local listing (another node changed it).
func (r *Registry) ReloadLocal() error { return r.opts.Locals.Load() }

// Status reports the listing's state.
func (r *Registry) Status() Status {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st := Status{Global: len(r.global), Local: len(r.opts.Locals.List()), LastSync: r.lastSync, Failed: map[string]string{}}
	for id := range r.pending {
		st.Pending = append(st.Pending, string(id))
	}
	sort.Strings(st.Pending)
	for k, v := range r.failed {
		st.Failed[k] = v
	}
	return st
}

// Locals returns the manifests listed on this server, sorted by id.
func (r *Registry) Locals() []apps.Manifest { return r.opts.Locals.List() }
