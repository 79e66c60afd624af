package fakemm

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"unicode/utf8"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// KVKeyMaxRunes is the server's key length limit (current servers; 5.x had 50).
const KVKeyMaxRunes = 150

// defaultKVListLimit is what KVList uses for a perPage <= 0, as the server does.
const defaultKVListLimit = 10

type kvEntry struct {
	value    []byte
	expireAt int64 // ms; 0 = never
}

func (e kvEntry) alive(now int64) bool { return e.expireAt == 0 || e.expireAt > now }

// The KV rules are the server's SQL store's:
//   - an empty value is nil (gob cannot tell them apart) and setting nil deletes;
//   - OldValue without Atomic is a 400;
//   - Atomic with OldValue nil inserts only if the key is absent or expired;
//   - Atomic with OldValue compares against the live (unexpired) value;
//   - expired entries are invisible to Get, List and compare operations.

func validKVKey(key string) *model.AppError {
	if key == "" || utf8.RuneCountInString(key) > KVKeyMaxRunes {
		return appErrDetails("PluginKeyValue.IsValid", "model.plugin_key_value.is_valid.key.app_error",
			fmt.Sprintf("Invalid key, must be between 1 and %d characters long.", KVKeyMaxRunes), "key="+key, http.StatusBadRequest)
	}
	return nil
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// kvSetLocked is SetPluginKeyWithOptions.
func (s *Server) kvSetLocked(pluginID, key string, value []byte, opt model.PluginKVSetOptions) (bool, *model.AppError) {
	value = nilIfEmpty(value)
	oldValue := nilIfEmpty(opt.OldValue)
	if !opt.Atomic && oldValue != nil {
		return false, appErr("PluginKVSetOptions.IsValid", "model.plugin_kvset_options.is_valid.old_value.app_error",
			"Invalid old value, it shouldn't be set when the operation is not atomic.", http.StatusBadRequest)
	}
	if err := validKVKey(key); err != nil {
		return false, err
	}
	now := s.nowMillis()
	var expireAt int64
	if opt.ExpireInSeconds != 0 {
		expireAt = now + opt.ExpireInSeconds*1000
	}
	store := s.kv[pluginID]
	if store == nil {
		store = map[string]kvEntry{}
		s.kv[pluginID] = store
	}
	cur, exists := store[key]
	live := exists && cur.alive(now)

	if !opt.Atomic {
		if value == nil {
			delete(store, key)
			return true, nil
		}
		store[key] = kvEntry{value: copyBytes(value), expireAt: expireAt}
		return true, nil
	}

	if value == nil { // atomic delete
		return s.kvCompareAndDeleteLocked(pluginID, key, oldValue)
	}
	if oldValue == nil { // insert only if absent
		if live {
			return false, nil
		}
		store[key] = kvEntry{value: copyBytes(value), expireAt: expireAt}
		return true, nil
	}
	if !live || !bytes.Equal(cur.value, oldValue) {
		return false, nil
	}
	store[key] = kvEntry{value: copyBytes(value), expireAt: expireAt}
	return true, nil
}

func (s *Server) kvCompareAndDeleteLocked(pluginID, key string, oldValue []byte) (bool, *model.AppError) {
	if err := validKVKey(key); err != nil {
		return false, err
	}
	oldValue = nilIfEmpty(oldValue)
	if oldValue == nil {
		return false, nil
	}
	store := s.kv[pluginID]
	cur, ok := store[key]
	if !ok || !cur.alive(s.nowMillis()) || !bytes.Equal(cur.value, oldValue) {
		return false, nil
	}
	delete(store, key)
	return true, nil
}

func (s *Server) kvGetLocked(pluginID, key string) []byte {
	e, ok := s.kv[pluginID][key]
	if !ok || !e.alive(s.nowMillis()) {
		return nil
	}
	return copyBytes(e.value)
}

func (p *pluginAPI) KVSet(key string, value []byte) *model.AppError {
	_, err := p.KVSetWithOptions(key, value, model.PluginKVSetOptions{})
	return err
}

func (p *pluginAPI) KVSetWithOptions(key string, value []byte, options model.PluginKVSetOptions) (bool, *model.AppError) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kvSetLocked(p.id, key, value, options)
}

func (p *pluginAPI) KVSetWithExpiry(key string, value []byte, expireInSeconds int64) *model.AppError {
	_, err := p.KVSetWithOptions(key, value, model.PluginKVSetOptions{ExpireInSeconds: expireInSeconds})
	return err
}

func (p *pluginAPI) KVCompareAndSet(key string, oldValue, newValue []byte) (bool, *model.AppError) {
	return p.KVSetWithOptions(key, newValue, model.PluginKVSetOptions{Atomic: true, OldValue: oldValue})
}

func (p *pluginAPI) KVCompareAndDelete(key string, oldValue []byte) (bool, *model.AppError) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kvCompareAndDeleteLocked(p.id, key, oldValue)
}

func (p *pluginAPI) KVGet(key string) ([]byte, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.kvGetLocked(p.id, key), nil
}

func (p *pluginAPI) KVDelete(key string) *model.AppError {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.kv[p.id], key)
	return nil
}

func (p *pluginAPI) KVDeleteAll() *model.AppError {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.kv, p.id)
	return nil
}

func (p *pluginAPI) KVList(pg, perPage int) ([]string, *model.AppError) {
	s := p.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	if perPage <= 0 {
		perPage = defaultKVListLimit
	}
	now := s.nowMillis()
	keys := []string{}
	for k, e := range s.kv[p.id] {
		if e.alive(now) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	start, end := page(len(keys), pg, perPage)
	return append([]string{}, keys[start:end]...), nil
}

// KV returns a snapshot of a plugin's KV store without expired entries.
func (s *Server) KV(pluginID string) map[string][]byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	now := s.nowMillis()
	out := map[string][]byte{}
	for k, e := range s.kv[pluginID] {
		if e.alive(now) {
			out[k] = copyBytes(e.value)
		}
	}
	return out
}

// SetKV seeds a plugin's KV store (no TTL); an empty value deletes the key.
func (s *Server) SetKV(pluginID, key string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(value) == 0 {
		delete(s.kv[pluginID], key)
		return
	}
	if s.kv[pluginID] == nil {
		s.kv[pluginID] = map[string]kvEntry{}
	}
	s.kv[pluginID][key] = kvEntry{value: copyBytes(value)}
}
