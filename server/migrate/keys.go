package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// The original plugin's layout (schema 0).
const (
	// Plugin config keys: {app id: sha1 of the record}.
	configInstalledApps  = "installed_apps"
	configLocalManifests = "local_manifests"
	// KV records named by those sha1s.
	originalAppPrefix      = "app."
	originalManifestPrefix = "man."
	// Cached app sessions ".t_<app id>_<user id>": not migrated (they
	// expire within minutes), deleted at the end.
	originalSessionPrefix = ".t_"
	// v0.4's app KV keys (md5 hashes of the bot id, prefix and key): their
	// key names cannot be recovered, so they cannot carry over.
	originalV04KVPrefix = "kv."
	// v0.5 to v0.7 hashkeys: global namespace (2) + bot user id (26) +
	// prefix (2) + key hash (20).
	originalV05KeyLen = 50
)

// Backups of the original's records: BackupPrefix + the original key when
// that fits in 50 characters, else BackupPrefix + "~" + a hash of it. The
// value holds the original key and value, so Rollback needs nothing else.
const (
	BackupPrefix    = "bak1."
	backupConfigKey = BackupPrefix + ":config"
	maxKeyLen       = 50
)

type backupRecord struct {
	Schema int    `json:"schema"`
	Key    string `json:"key"`
	Value  []byte `json:"value"`
}

// configBackup keeps the original's plugin-config maps.
type configBackup struct {
	Schema         int               `json:"schema"`
	InstalledApps  map[string]string `json:"installed_apps,omitempty"`
	LocalManifests map[string]string `json:"local_manifests,omitempty"`
}

// BackupKey is where the backup of an original key is kept.
func BackupKey(original string) string {
	if k := BackupPrefix + original; len(k) <= maxKeyLen {
		return k
	}
	sum := sha256.Sum256([]byte(original))
	return BackupPrefix + "~" + hex.EncodeToString(sum[:20])
}

// hasOriginalConfig reports whether the plugin config has the original's
// app or manifest maps.
func hasOriginalConfig(conf map[string]any) bool {
	return len(configMap(conf, configInstalledApps)) > 0 || len(configMap(conf, configLocalManifests)) > 0
}

// configMap reads one of the original's {id: sha1} maps from the plugin config.
func configMap(conf map[string]any, key string) map[string]string {
	out := map[string]string{}
	switch m := conf[key].(type) {
	case map[string]any:
		for id, v := range m {
			if s, ok := v.(string); ok && s != "" {
				out[id] = s
			}
		}
	case map[string]string:
		for id, s := range m {
			if s != "" {
				out[id] = s
			}
		}
	}
	return out
}

func sortedKeys[K ~string, V any](m map[K]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

// kvScan is the original's data found by listing the whole KV store.
type kvScan struct {
	hashkeys []string // v1.x ".k" values and ".u" OAuth2 user data (82 bytes)
	botKeys  []string // v0.5 to v0.7 ".k" values (50 bytes, by bot)
	subs     []string // "sub." records
	sessions []string // ".t_" cached sessions
	lost     map[string]int
	total    int
	backups  int
}

// Kinds of original data that cannot carry over.
const (
	lostV0OAuth2 = "OAuth2 user data of v0.5 to v0.7 (the user id is hashed in its key)"
	lostV04KV    = "app KV values of v0.4 (md5-hashed keys)"
	lostBadKey   = "app data under keys that do not parse"
)

// scanKV lists every key, in pages of 1000 (keys are collected first: the
// migration deletes keys, which would shift later pages).
func scanKV(api mmplugin.API) (*kvScan, error) {
	const perPage = 1000
	var all []string
	for page := 0; ; page++ {
		keys, appErr := api.KVList(page, perPage)
		if appErr != nil {
			return nil, fmt.Errorf("list the KV store (page %d): %w", page, appErr)
		}
		all = append(all, keys...)
		if len(keys) < perPage {
			break
		}
	}
	s := &kvScan{lost: map[string]int{}, total: len(all)}
	for _, k := range all {
		switch {
		case strings.HasPrefix(k, appservices.OriginalNamespaceKV) || strings.HasPrefix(k, appservices.OriginalNamespaceUser):
			switch {
			case len(k) == appservices.OriginalKeyLen:
				s.hashkeys = append(s.hashkeys, k)
			case len(k) == originalV05KeyLen && strings.HasPrefix(k, appservices.OriginalNamespaceKV):
				s.botKeys = append(s.botKeys, k)
			case len(k) == originalV05KeyLen:
				s.lost[lostV0OAuth2]++
			default:
				s.lost[lostBadKey]++
			}
		case strings.HasPrefix(k, originalV04KVPrefix):
			s.lost[lostV04KV]++
		case strings.HasPrefix(k, appservices.SubscriptionPrefix):
			s.subs = append(s.subs, k)
		case strings.HasPrefix(k, originalSessionPrefix):
			s.sessions = append(s.sessions, k)
		case strings.HasPrefix(k, BackupPrefix):
			s.backups++
		}
	}
	sort.Strings(s.hashkeys)
	sort.Strings(s.botKeys)
	sort.Strings(s.subs)
	sort.Strings(s.sessions)
	return s, nil
}

// countingAPI calls after every write it makes (the crash-injection hook).
type countingAPI struct {
	mmplugin.API
	after func()
}

func (c countingAPI) KVSet(key string, value []byte) *model.AppError {
	defer c.after()
	return c.API.KVSet(key, value)
}

func (c countingAPI) KVSetWithOptions(key string, value []byte, o model.PluginKVSetOptions) (bool, *model.AppError) {
	defer c.after()
	return c.API.KVSetWithOptions(key, value, o)
}

func (c countingAPI) KVSetWithExpiry(key string, value []byte, secs int64) *model.AppError {
	defer c.after()
	return c.API.KVSetWithExpiry(key, value, secs)
}

func (c countingAPI) KVCompareAndSet(key string, oldValue, newValue []byte) (bool, *model.AppError) {
	defer c.after()
	return c.API.KVCompareAndSet(key, oldValue, newValue)
}

func (c countingAPI) KVCompareAndDelete(key string, oldValue []byte) (bool, *model.AppError) {
	defer c.after()
	return c.API.KVCompareAndDelete(key, oldValue)
}

func (c countingAPI) KVDelete(key string) *model.AppError {
	defer c.after()
	return c.API.KVDelete(key)
}

func (c countingAPI) SavePluginConfig(conf map[string]any) *model.AppError {
	defer c.after()
	return c.API.SavePluginConfig(conf)
}

// decodeBackup reads a backup record.
func decodeBackup(raw []byte) (backupRecord, error) {
	var b backupRecord
	if err := json.Unmarshal(raw, &b); err != nil {
		return b, err
	}
	if b.Key == "" {
		return b, fmt.Errorf("no original key")
	}
	return b, nil
}
