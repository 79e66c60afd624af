package appservices

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// maxCASAttempts bounds retries of a compare-and-set lost to a concurrent writer.
const maxCASAttempts = 20

// kvListPage is how many keys one KVList page returns when scanning.
const kvListPage = 1000

// KV is the apps' key-value store. Data is namespaced per (app, user): an
// app's bot and each user it acts for have their own keys, as in upstream
// v1. Values are JSON of at most apps.MaxKVValueSize bytes, stored as sent.
type KV struct {
	api  mmplugin.API
	last valueCache
}

// NewKV returns the apps' KV store.
func NewKV(api mmplugin.API) *KV { return &KV{api: api, last: valueCache{items: map[string][]byte{}}} }

// valueCache remembers the last value this node read or wrote for a key.
// It is never served to readers (other nodes write too): a write uses it as
// the expected old value of its compare-and-set, which saves the read when
// it is still current, and falls back to reading when it is not.
type valueCache struct {
	mu    sync.Mutex
	items map[string][]byte
	bytes int
}

// maxValueCacheBytes bounds the cache; past it, it starts over.
const maxValueCacheBytes = 8 << 20

func (c *valueCache) get(k string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.items[k]
	return v, ok
}

func (c *valueCache) put(k string, v []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.items[k]; ok {
		c.bytes -= len(k) + len(old)
		delete(c.items, k)
	}
	if v == nil {
		return
	}
	if c.bytes+len(k)+len(v) > maxValueCacheBytes {
		c.items, c.bytes = map[string][]byte{}, 0
	}
	c.items[k] = v
	c.bytes += len(k) + len(v)
}

// CheckValue enforces the value rules: JSON, at most apps.MaxKVValueSize bytes.
func CheckValue(value []byte, limit int) error {
	if len(value) > limit {
		return apps.NewTooLargeError("the value is %d bytes: the size limit of %d bytes (%d KiB) is exceeded", len(value), limit, limit/1024)
	}
	if !json.Valid(value) {
		return apps.NewInvalidError("the value is not valid JSON")
	}
	return nil
}

// Get returns the caller's value for (prefix, key), or nil if there is none.
func (s *KV) Get(c Caller, prefix, key string) ([]byte, error) {
	hk, err := Hashkey(c.AppID(), c.UserID, prefix, key)
	if err != nil {
		return nil, err
	}
	v, appErr := s.api.KVGet(hk)
	if appErr != nil {
		return nil, fmt.Errorf("read key %q: %w", key, appErr)
	}
	s.last.put(hk, v)
	return v, nil
}

// Set stores value and reports whether it changed what was stored.
func (s *KV) Set(c Caller, prefix, key string, value []byte) (changed bool, err error) {
	if err := CheckValue(value, apps.MaxKVValueSize); err != nil {
		return false, err
	}
	hk, err := Hashkey(c.AppID(), c.UserID, prefix, key)
	if err != nil {
		return false, err
	}
	// With the last value this node saw, one compare-and-set does it.
	if old, ok := s.last.get(hk); ok && !bytes.Equal(old, value) {
		done, appErr := s.api.KVSetWithOptions(hk, value, model.PluginKVSetOptions{Atomic: true, OldValue: old})
		if appErr != nil {
			return false, fmt.Errorf("store key %q: %w", key, appErr)
		}
		if done {
			s.last.put(hk, value)
			return true, nil
		}
	}
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		old, appErr := s.api.KVGet(hk)
		if appErr != nil {
			return false, fmt.Errorf("read key %q: %w", key, appErr)
		}
		s.last.put(hk, old)
		if bytes.Equal(old, value) {
			return false, nil
		}
		// Compare-and-set, so that a concurrent delete is never undone
		// without the key being listed again.
		ok, appErr := s.api.KVSetWithOptions(hk, value, model.PluginKVSetOptions{Atomic: true, OldValue: old})
		if appErr != nil {
			return false, fmt.Errorf("store key %q: %w", key, appErr)
		}
		if !ok {
			continue
		}
		s.last.put(hk, value)
		if old == nil {
			if err := s.updateIndex(c, prefix, func(keys []string) []string {
				i, found := slices.BinarySearch(keys, key)
				if found {
					return nil
				}
				return slices.Insert(keys, i, key)
			}); err != nil {
				return true, err
			}
		}
		return true, nil
	}
	return false, fmt.Errorf("store key %q: too many concurrent changes, try again", key)
}

// Delete removes the caller's value and reports whether there was one.
func (s *KV) Delete(c Caller, prefix, key string) (bool, error) {
	hk, err := Hashkey(c.AppID(), c.UserID, prefix, key)
	if err != nil {
		return false, err
	}
	old, appErr := s.api.KVGet(hk)
	if appErr != nil {
		return false, fmt.Errorf("read key %q: %w", key, appErr)
	}
	if old == nil {
		return false, nil
	}
	// Unlist first: a crash in between leaves an unlisted value rather than
	// a listed key without one.
	if err := s.removeFromIndex(c, prefix, key); err != nil {
		return false, err
	}
	s.last.put(hk, nil)
	if appErr := s.api.KVDelete(hk); appErr != nil {
		return false, fmt.Errorf("delete key %q: %w", key, appErr)
	}
	return true, nil
}

// List returns the caller's keys under prefix, sorted. Keys stored by the
// original plugin (which kept only their hashes) are not listed.
func (s *KV) List(c Caller, prefix string) ([]string, error) {
	keys, _, err := s.readIndex(c, prefix)
	if err != nil {
		return nil, err
	}
	// A key whose value was deleted while it was being set may be listed
	// without a value: check, and tidy up.
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		v, err := s.Get(c, prefix, k)
		if err != nil {
			return nil, err
		}
		if v == nil {
			_ = s.removeFromIndex(c, prefix, k)
			continue
		}
		out = append(out, k)
	}
	return out, nil
}

func (s *KV) readIndex(c Caller, prefix string) ([]string, []byte, error) {
	ik, err := indexKey(c.AppID(), c.UserID, prefix)
	if err != nil {
		return nil, nil, err
	}
	raw, appErr := s.api.KVGet(ik)
	if appErr != nil {
		return nil, nil, fmt.Errorf("read the key list: %w", appErr)
	}
	var keys []string
	if raw != nil {
		if err := json.Unmarshal(raw, &keys); err != nil {
			return nil, nil, fmt.Errorf("decode the key list: %w", err)
		}
		sort.Strings(keys)
	}
	return keys, raw, nil
}

func (s *KV) removeFromIndex(c Caller, prefix, key string) error {
	return s.updateIndex(c, prefix, func(keys []string) []string {
		i, found := slices.BinarySearch(keys, key)
		if !found {
			return nil
		}
		return slices.Delete(keys, i, i+1)
	})
}

// updateIndex applies change (nil: nothing to do) to the key list with
// compare-and-set; an emptied list is deleted.
func (s *KV) updateIndex(c Caller, prefix string, change func([]string) []string) error {
	ik, err := indexKey(c.AppID(), c.UserID, prefix)
	if err != nil {
		return err
	}
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		keys, old, err := s.readIndex(c, prefix)
		if err != nil {
			return err
		}
		next := change(keys)
		if next == nil {
			return nil
		}
		var raw []byte
		if len(next) > 0 {
			raw, _ = json.Marshal(next)
		}
		var ok bool
		var appErr *model.AppError
		if raw == nil {
			ok, appErr = s.api.KVCompareAndDelete(ik, old)
		} else {
			ok, appErr = s.api.KVSetWithOptions(ik, raw, model.PluginKVSetOptions{Atomic: true, OldValue: old})
		}
		if appErr != nil {
			return fmt.Errorf("update the key list: %w", appErr)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("update the key list: too many concurrent changes, try again")
}

// DeleteAppData deletes everything apps' services stored for appID: KV
// values and key lists of every user, and remote OAuth2 user data. It scans
// the whole plugin KV store (as upstream did) and returns how many keys it
// deleted.
func DeleteAppData(api mmplugin.API, appID apps.AppID) (int, error) {
	var owned []string
	for page := 0; ; page++ {
		keys, appErr := api.KVList(page, kvListPage)
		if appErr != nil {
			return 0, fmt.Errorf("list the KV store (page %d): %w", page, appErr)
		}
		for _, k := range keys {
			if ownedBy(k, appID) {
				owned = append(owned, k)
			}
		}
		if len(keys) < kvListPage {
			break
		}
	}
	n := 0
	for _, k := range owned {
		if appErr := api.KVDelete(k); appErr != nil {
			return n, fmt.Errorf("delete the data of app %s: %w", appID, appErr)
		}
		n++
	}
	return n, nil
}

// CountAppData counts the keys appID's services stored, by namespace
// (NamespaceKV values, NamespaceKVIndex key lists, NamespaceOAuth2User
// OAuth2 user data): the app's hash is part of every key, so this is a scan
// of the plugin KV store, as DeleteAppData. It also returns the number of
// keys in the store.
func CountAppData(api mmplugin.API, appID apps.AppID) (map[string]int, int, error) {
	counts := map[string]int{NamespaceKV: 0, NamespaceKVIndex: 0, NamespaceOAuth2User: 0}
	total := 0
	for page := 0; ; page++ {
		keys, appErr := api.KVList(page, kvListPage)
		if appErr != nil {
			return nil, 0, fmt.Errorf("list the KV store (page %d): %w", page, appErr)
		}
		total += len(keys)
		for _, k := range keys {
			if ownedBy(k, appID) {
				counts[k[:2]]++
			}
		}
		if len(keys) < kvListPage {
			break
		}
	}
	return counts, total, nil
}
