package store

import (
	"errors"
	"sort"
	"sync"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
)

// Key prefixes. They differ from the original plugin's ("app.", "man.") so
// both layouts can coexist while its data is migrated.
const (
	installedAppPrefix = "ia."
	installedAppIndex  = "idx.apps"
	localManifestPfx   = "lm."
	localManifestIndex = "idx.manifests"
)

// Cached is a record set mirrored in memory: reads never touch the KV store;
// writes go to the KV store first and then to memory. Load re-reads
// everything (at activation, and when another node says it changed).
type Cached[T any] struct {
	records *Records[T]

	mu    sync.RWMutex
	items map[string]T
}

func newCached[T any](records *Records[T]) *Cached[T] {
	return &Cached[T]{records: records, items: map[string]T{}}
}

// Load replaces memory with the stored records. Records that fail to load
// are skipped and reported.
func (c *Cached[T]) Load() error {
	all, err := c.records.All()
	if all == nil && err != nil {
		return err
	}
	c.mu.Lock()
	c.items = all
	c.mu.Unlock()
	return err
}

// Get returns one item.
func (c *Cached[T]) Get(id string) (T, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.items[id]
	return v, ok
}

// List returns every item, sorted by id.
func (c *Cached[T]) List() []T {
	c.mu.RLock()
	ids := make([]string, 0, len(c.items))
	for id := range c.items {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		out = append(out, c.items[id])
	}
	c.mu.RUnlock()
	return out
}

// Save stores v under id.
func (c *Cached[T]) Save(id string, v T) error {
	if err := c.records.Put(id, v); err != nil {
		return err
	}
	c.mu.Lock()
	c.items[id] = v
	c.mu.Unlock()
	return nil
}

// Delete removes id; a missing id is not an error.
func (c *Cached[T]) Delete(id string) error {
	if err := c.records.Delete(id); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	c.mu.Lock()
	delete(c.items, id)
	c.mu.Unlock()
	return nil
}

// Stored reads id from the KV store, bypassing memory (for checks that
// must see other nodes' writes, like installs racing across the cluster).
func (c *Cached[T]) Stored(id string) (T, error) { return c.records.Get(id) }

// InstalledApps are the installed apps, one record per app.
type InstalledApps = Cached[apps.App]

// LocalManifests are manifests listed on this server (by install http, the
// listing API or appsctl), which override the global listing.
type LocalManifests = Cached[apps.Manifest]

// NewInstalledApps returns the installed-app store.
func NewInstalledApps(api mmplugin.API) *InstalledApps {
	return newCached(NewRecords[apps.App](api, "app", installedAppPrefix, installedAppIndex))
}

// NewLocalManifests returns the local-manifest store.
func NewLocalManifests(api mmplugin.API) *LocalManifests {
	return newCached(NewRecords[apps.Manifest](api, "manifest", localManifestPfx, localManifestIndex))
}
