// Package store keeps the plugin's durable state in the Mattermost plugin KV
// store: installed apps and local manifests, each one record per key with a
// schema version, plus cluster-safe locks.
//
// Keys stay within 50 characters, the KV key limit of older servers.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
)

// SchemaVersion is the version of the records this code writes. Records
// carry it so a later format change can migrate them.
const SchemaVersion = 1

// maxCASAttempts bounds retries of an index update lost to a concurrent writer.
const maxCASAttempts = 20

// envelope wraps every record.
type envelope[T any] struct {
	Schema int `json:"schema"`
	Data   T   `json:"data"`
}

// Records is a set of JSON records of type T under one key prefix, with an
// index record listing their ids (so loading needs no scan of the whole KV).
type Records[T any] struct {
	api      mmplugin.API
	kind     string // for messages: "app", "manifest"
	prefix   string
	indexKey string
}

// NewRecords returns the record set stored under prefix with its index at indexKey.
func NewRecords[T any](api mmplugin.API, kind, prefix, indexKey string) *Records[T] {
	return &Records[T]{api: api, kind: kind, prefix: prefix, indexKey: indexKey}
}

func (r *Records[T]) key(id string) string { return r.prefix + id }

// ErrNotFound is returned for a missing record.
var ErrNotFound = errors.New("not found")

// Get reads one record.
func (r *Records[T]) Get(id string) (T, error) {
	var zero T
	raw, appErr := r.api.KVGet(r.key(id))
	if appErr != nil {
		return zero, fmt.Errorf("read %s %s: %w", r.kind, id, appErr)
	}
	if raw == nil {
		return zero, fmt.Errorf("%s %s: %w", r.kind, id, ErrNotFound)
	}
	var env envelope[T]
	if err := json.Unmarshal(raw, &env); err != nil {
		return zero, fmt.Errorf("decode %s %s: %w", r.kind, id, err)
	}
	if env.Schema > SchemaVersion {
		return zero, fmt.Errorf("%s %s was written by a newer version of the plugin (schema %d, this one knows %d): upgrade the plugin", r.kind, id, env.Schema, SchemaVersion)
	}
	return env.Data, nil
}

// Put writes one record and makes sure the index lists it. The record is
// written first: an index entry never points at a missing record.
func (r *Records[T]) Put(id string, v T) error {
	raw, err := json.Marshal(envelope[T]{Schema: SchemaVersion, Data: v})
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", r.kind, id, err)
	}
	if appErr := r.api.KVSet(r.key(id), raw); appErr != nil {
		return fmt.Errorf("save %s %s: %w", r.kind, id, appErr)
	}
	return r.updateIndex(func(ids []string) []string {
		if slices.Contains(ids, id) {
			return nil
		}
		return append(ids, id)
	})
}

// Delete removes one record and its index entry (the index first, so a
// crash in between leaves an unlisted record rather than a dangling entry).
func (r *Records[T]) Delete(id string) error {
	err := r.updateIndex(func(ids []string) []string {
		i := slices.Index(ids, id)
		if i < 0 {
			return nil
		}
		return slices.Delete(ids, i, i+1)
	})
	if err != nil {
		return err
	}
	if appErr := r.api.KVDelete(r.key(id)); appErr != nil {
		return fmt.Errorf("delete %s %s: %w", r.kind, id, appErr)
	}
	return nil
}

// Update changes record id with change, atomically: the record is written
// only if no one wrote it since it was read. ok is false when the record is
// missing, change declined (returned false), or another writer got there
// first; it is not retried (callers use it to claim work once per cluster).
func (r *Records[T]) Update(id string, change func(*T) bool) (v T, ok bool, err error) {
	raw, appErr := r.api.KVGet(r.key(id))
	if appErr != nil {
		return v, false, fmt.Errorf("read %s %s: %w", r.kind, id, appErr)
	}
	if raw == nil {
		return v, false, nil
	}
	var env envelope[T]
	if err := json.Unmarshal(raw, &env); err != nil {
		return v, false, fmt.Errorf("decode %s %s: %w", r.kind, id, err)
	}
	v = env.Data
	if !change(&v) {
		return v, false, nil
	}
	next, err := json.Marshal(envelope[T]{Schema: SchemaVersion, Data: v})
	if err != nil {
		return v, false, fmt.Errorf("encode %s %s: %w", r.kind, id, err)
	}
	ok, appErr = r.api.KVSetWithOptions(r.key(id), next, casOptions(raw))
	if appErr != nil {
		return v, false, fmt.Errorf("save %s %s: %w", r.kind, id, appErr)
	}
	return v, ok, nil
}

// IDs lists the indexed ids, sorted.
func (r *Records[T]) IDs() ([]string, error) {
	_, ids, err := r.readIndex()
	return ids, err
}

// All reads every indexed record. Records that fail to load are reported in
// the error (joined) and skipped, so one bad record never hides the others.
func (r *Records[T]) All() (map[string]T, error) {
	ids, err := r.IDs()
	if err != nil {
		return nil, err
	}
	out := make(map[string]T, len(ids))
	var errs []error
	for _, id := range ids {
		v, err := r.Get(id)
		if errors.Is(err, ErrNotFound) {
			continue // deleted between index and record: nothing to load
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[id] = v
	}
	return out, errors.Join(errs...)
}

func (r *Records[T]) readIndex() (raw []byte, ids []string, err error) {
	raw, appErr := r.api.KVGet(r.indexKey)
	if appErr != nil {
		return nil, nil, fmt.Errorf("read the %s index: %w", r.kind, appErr)
	}
	if raw == nil {
		return nil, nil, nil
	}
	var env envelope[[]string]
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, nil, fmt.Errorf("decode the %s index: %w", r.kind, err)
	}
	sort.Strings(env.Data)
	return raw, env.Data, nil
}

// updateIndex applies change with compare-and-set, retrying when another
// writer (this node or another) got there first. change returns nil for
// "nothing to do".
func (r *Records[T]) updateIndex(change func([]string) []string) error {
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		old, ids, err := r.readIndex()
		if err != nil {
			return err
		}
		next := change(slices.Clone(ids))
		if next == nil {
			return nil
		}
		sort.Strings(next)
		raw, err := json.Marshal(envelope[[]string]{Schema: SchemaVersion, Data: next})
		if err != nil {
			return err
		}
		ok, appErr := r.api.KVSetWithOptions(r.indexKey, raw, casOptions(old))
		if appErr != nil {
			return fmt.Errorf("update the %s index: %w", r.kind, appErr)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("update the %s index: too many concurrent changes, try again", r.kind)
}
