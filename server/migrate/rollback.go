package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/store"
)

// Migrate runs a pending migration now and describes the outcome. It waits
// for the lock until ctx's deadline; ctx does not stop the run itself.
func (m *Migrator) Migrate(ctx context.Context) (ran bool, text string, err error) {
	var wait time.Duration
	if d, ok := ctx.Deadline(); ok {
		wait = max(time.Until(d), time.Millisecond)
	}
	ran, st, err := m.Run(context.WithoutCancel(ctx), wait)
	if err != nil {
		return ran, "", err
	}
	if !ran {
		return false, "Nothing to migrate. " + m.StatusLine(), nil
	}
	text = "Storage schema: " + fmt.Sprint(CurrentSchema) + "; migration: " + describe(st)
	for _, p := range st.Problems {
		text += "\n- " + p
	}
	return true, text, nil
}

// Rollback gives the original plugin its data back, for a downgrade: every
// backed-up original record is written back to its key and the plugin
// config gets the original's maps again; this plugin's copies of those
// records are deleted and the backups after them. Data this plugin stored
// since the migration is not carried back. If this plugin is activated
// again afterwards, it migrates the original's data afresh.
func (m *Migrator) Rollback(ctx context.Context) (string, error) {
	lock := store.NewLock(m.api, lockName)
	if err := lock.Acquire(ctx, lockTTL); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBusy, err)
	}
	lost := &atomic.Bool{}
	stop := keepLock(lock, lost)
	defer lock.Release()
	defer stop()

	r := newRun(m, false, lost)
	prev, err := readState(m.api)
	if err != nil {
		return "", err
	}
	r.state = prev
	r.state.Status, r.state.Step = StatusRollback, "restore"
	if prev.Finished != nil {
		r.state.LastFinished = prev.Finished
	}
	if err := r.save(); err != nil {
		return "", err
	}
	if err := r.installed.Load(); err != nil {
		r.note("some installed apps could not be read: %v", err)
	}
	for _, a := range r.installed.List() {
		r.learnBot(a)
	}

	var cfg configBackup
	raw, err := r.get(backupConfigKey)
	if err != nil {
		return "", err
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return "", fmt.Errorf("decode %s: %w", backupConfigKey, err)
		}
	}
	idOf := map[string]string{}
	for id, sha := range cfg.InstalledApps {
		idOf[originalAppPrefix+sha] = id
	}
	for id, sha := range cfg.LocalManifests {
		idOf[originalManifestPrefix+sha] = id
	}

	keys, err := listPrefix(r, BackupPrefix)
	if err != nil {
		return "", err
	}
	restored := 0
	for _, k := range keys {
		if k == backupConfigKey {
			continue
		}
		if err := r.checkLock(); err != nil {
			return "", err
		}
		raw, err := r.get(k)
		if err != nil {
			return "", err
		}
		if raw == nil {
			continue
		}
		b, err := decodeBackup(raw)
		if err != nil {
			r.problem("backup %s does not decode (%v); left as it is", k, err)
			continue
		}
		// The original first, then this plugin's copy, then the backup.
		if err := r.writeVerified(b.Key, b.Value); err != nil {
			return "", err
		}
		if err := r.dropCopy(b, idOf); err != nil {
			return "", err
		}
		if appErr := r.api.KVDelete(k); appErr != nil {
			return "", fmt.Errorf("delete %s: %w", k, appErr)
		}
		restored++
	}
	if raw != nil {
		conf := m.api.GetPluginConfig()
		if conf == nil {
			conf = map[string]any{}
		}
		conf[configInstalledApps] = anyMap(cfg.InstalledApps)
		conf[configLocalManifests] = anyMap(cfg.LocalManifests)
		if appErr := r.api.SavePluginConfig(conf); appErr != nil {
			return "", fmt.Errorf("save the plugin config: %w", appErr)
		}
		if appErr := r.api.KVDelete(backupConfigKey); appErr != nil {
			return "", fmt.Errorf("delete %s: %w", backupConfigKey, appErr)
		}
	}
	now := m.now()
	r.state.Status, r.state.Step, r.state.Schema, r.state.Finished = StatusRolledBack, "", 0, &now
	r.state.Result = fmt.Sprintf("rolled back: restored %s of the original plugin (its config lists %s and %s again)",
		plural(restored, "record", "records"), plural(len(cfg.InstalledApps), "installed app", "installed apps"),
		plural(len(cfg.LocalManifests), "local manifest", "local manifests"))
	if err := r.save(); err != nil {
		return "", err
	}
	text := "Storage: " + r.state.Result + ".\nNow replace this plugin with the original one (same plugin id). " +
		"If this plugin is started again instead, it migrates the original's data again."
	for _, p := range r.state.Problems {
		text += "\n- " + p
	}
	return text, nil
}

// dropCopy deletes this plugin's copy of a restored original record.
func (r *run) dropCopy(b backupRecord, idOf map[string]string) error {
	k := b.Key
	switch {
	case strings.HasPrefix(k, originalAppPrefix):
		id := idOf[k]
		if id == "" {
			var a apps.App
			if json.Unmarshal(b.Value, &a) != nil {
				return nil
			}
			id = string(a.AppID)
		}
		return r.installed.Delete(id)
	case strings.HasPrefix(k, originalManifestPrefix):
		id := idOf[k]
		if id == "" {
			var m apps.Manifest
			if json.Unmarshal(b.Value, &m) != nil {
				return nil
			}
			id = string(m.AppID)
		}
		return r.manifests.Delete(id)
	case strings.HasPrefix(k, appservices.OriginalNamespaceKV) || strings.HasPrefix(k, appservices.OriginalNamespaceUser):
		v1 := k
		if len(k) == originalV05KeyLen {
			appID, ok := r.bots[k[2:28]]
			if !ok {
				return nil
			}
			v1 = k[:2] + fmt.Sprintf("%-32s", string(appID)) + k[2:]
		}
		ours, err := appservices.CompactFromOriginal(v1)
		if err != nil {
			return nil
		}
		if appErr := r.api.KVDelete(ours); appErr != nil {
			return fmt.Errorf("delete %s: %w", ours, appErr)
		}
	}
	// Subscriptions: the original's key now holds its record again; a
	// record merged into another key stays (the original reads those keys too).
	return nil
}

func listPrefix(r *run, prefix string) ([]string, error) {
	const perPage = 1000
	var out []string
	for page := 0; ; page++ {
		keys, appErr := r.m.api.KVList(page, perPage)
		if appErr != nil {
			return nil, fmt.Errorf("list the KV store: %w", appErr)
		}
		for _, k := range keys {
			if strings.HasPrefix(k, prefix) {
				out = append(out, k)
			}
		}
		if len(keys) < perPage {
			return out, nil
		}
	}
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
