package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// casOptions sets a value only if the current one is old (nil: absent).
func casOptions(old []byte) model.PluginKVSetOptions {
	return model.PluginKVSetOptions{Atomic: true, OldValue: old}
}

// Lock is a cluster-wide mutex in the KV store: a key created only if
// absent, with a TTL so a crashed holder cannot block others forever.
type Lock struct {
	api   mmplugin.API
	key   string
	token []byte
}

// lockPoll is how often a waiting Acquire retries.
const lockPoll = 25 * time.Millisecond

// NewLock returns the lock named name (the key "lock.<name>").
func NewLock(api mmplugin.API, name string) *Lock {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Lock{api: api, key: "lock." + name, token: []byte(hex.EncodeToString(b[:]))}
}

// Acquire waits until it holds the lock or ctx ends. ttl bounds how long a
// holder that never releases keeps it.
func (l *Lock) Acquire(ctx context.Context, ttl time.Duration) error {
	secs := int64(ttl / time.Second)
	if secs < 1 {
		secs = 1
	}
	for {
		ok, appErr := l.api.KVSetWithOptions(l.key, l.token, model.PluginKVSetOptions{Atomic: true, ExpireInSeconds: secs})
		if appErr != nil {
			return fmt.Errorf("take lock %s: %w", l.key, appErr)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for lock %s: %w", l.key, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// Release gives the lock up if this Lock still holds it.
func (l *Lock) Release() {
	_, _ = l.api.KVCompareAndDelete(l.key, l.token)
}

// Refresh extends the lock this Lock holds to ttl from now (long work
// calls it periodically, so a crashed holder's lock still expires soon).
// It returns false if the lock was lost: it expired and someone else took it.
func (l *Lock) Refresh(ttl time.Duration) (bool, error) {
	secs := int64(ttl / time.Second)
	if secs < 1 {
		secs = 1
	}
	ok, appErr := l.api.KVSetWithOptions(l.key, l.token, model.PluginKVSetOptions{Atomic: true, OldValue: l.token, ExpireInSeconds: secs})
	if appErr != nil {
		return false, fmt.Errorf("refresh lock %s: %w", l.key, appErr)
	}
	return ok, nil
}
