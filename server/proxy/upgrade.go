package proxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/store"
)

// upgradeLockTTL bounds how long a crashed upgrade blocks the next one.
const upgradeLockTTL = time.Minute

// versionChangedPrefix is the key prefix of the "on_version_changed was
// called" records, one per (app, new version): ".vc" + 32 hex digits.
const versionChangedPrefix = ".vc"

// versionChangedRecord is stored once on_version_changed of an upgrade was
// claimed by a node.
type versionChangedRecord struct {
	AppID       apps.AppID      `json:"app_id"`
	Version     apps.AppVersion `json:"version"`
	PrevVersion apps.AppVersion `json:"prev_version"`
	At          int64           `json:"at"`
}

func versionChangedKey(id apps.AppID, v apps.AppVersion) string {
	sum := sha256.Sum256([]byte(string(id) + "\x00" + string(v)))
	return versionChangedPrefix + hex.EncodeToString(sum[:16])
}

// SyncInstalledApps brings installed apps up to the version the listing
// has (upstream's SynchronizeInstalledApps): for each installed app whose
// listed manifest is newer, the record takes the new manifest, the bot the
// new display name, and the app's on_version_changed is called once in the
// cluster. It runs after a listing sync (activation, /apps refresh) and
// returns a line per upgraded app.
func (p *Proxy) SyncInstalledApps(ctx context.Context) []string {
	var out []string
	for _, app := range p.store.List() {
		if msg := p.upgradeIfListed(ctx, app.AppID); msg != "" {
			out = append(out, msg)
		}
	}
	return out
}

// upgradeIfListed upgrades one installed app when its listed manifest is
// newer; "" when nothing was done. Failures are logged and returned as text.
func (p *Proxy) upgradeIfListed(ctx context.Context, id apps.AppID) string {
	app, ok := p.store.Get(string(id))
	if !ok {
		return ""
	}
	m, ok := p.registry.Get(id)
	if !ok || !versionNewer(m.Version, app.Version) {
		return ""
	}
	msg, err := p.upgradeApp(ctx, m)
	if err != nil {
		p.api.LogError("Could not upgrade an installed app", "app", string(id), "version", string(m.Version), "error", err)
		return fmt.Sprintf("Could not upgrade %s to %s: %v", id, m.Version, err)
	}
	return msg
}

// upgradeApp copies m into the installed app's record and calls
// on_version_changed, once per cluster: the record is changed under a
// cluster lock (a node that comes second sees the new version and stops),
// and the call is claimed with a per-(app, version) record, so a restart or
// another node never calls it again.
func (p *Proxy) upgradeApp(ctx context.Context, m apps.Manifest) (string, error) {
	lock := store.NewLock(p.api, "upgrade."+string(m.AppID))
	lockCtx, cancel := context.WithTimeout(ctx, upgradeLockTTL)
	defer cancel()
	if err := lock.Acquire(lockCtx, upgradeLockTTL); err != nil {
		return "", err
	}
	app, err := p.store.Stored(string(m.AppID))
	if err != nil {
		lock.Release()
		if errors.Is(err, store.ErrNotFound) {
			return "", nil // uninstalled meanwhile
		}
		return "", err
	}
	if !versionNewer(m.Version, app.Version) {
		lock.Release()
		// Another node did it: make sure this one sees it.
		if cur, ok := p.store.Get(string(app.AppID)); !ok || cur.Version != app.Version {
			_ = p.store.Load()
			p.InvalidateBindings(app.AppID)
		}
		return "", nil
	}
	if !m.SupportsDeploy(app.DeployType) {
		lock.Release()
		return "", fmt.Errorf("%w: version %s cannot be deployed as %s (the installed deploy type); reinstall it", ErrInvalid, m.Version, app.DeployType)
	}
	prev := app.Version
	oldName := app.DisplayName
	app.Manifest = m
	// The grants stay what the administrator consented to.
	var notes []string
	if extra := missingGrants(app); extra != "" {
		notes = append(notes, fmt.Sprintf("Version %s asks for %s, which were not granted: reinstall the app to grant them.", m.Version, extra))
		p.api.LogWarn("An upgraded app asks for more than it was granted; reinstall it to grant it", "app", string(app.AppID), "requested", extra)
	}
	if err := p.store.Save(string(app.AppID), app); err != nil {
		lock.Release()
		return "", err
	}
	claimed, claimErr := p.claimVersionChanged(app.AppID, m.Version, prev)
	lock.Release()
	p.notify()
	p.appChanged(app.AppID)
	if note := p.renameBot(app, oldName); note != "" {
		notes = append(notes, note)
	}
	p.api.LogInfo("Upgraded an installed app", "app", string(app.AppID), "from", string(prev), "to", string(m.Version))
	msg := fmt.Sprintf("Upgraded %s from %s to %s.", app.AppID, prev, m.Version)
	switch {
	case claimErr != nil:
		notes = append(notes, fmt.Sprintf("on_version_changed was not called: %v", claimErr))
	case claimed && app.OnVersionChanged != nil && !app.Disabled:
		resp, err := p.callApp(ctx, app, app.OnVersionChanged, nil, map[string]any{"prev_version": string(prev)})
		switch {
		case err != nil:
			notes = append(notes, fmt.Sprintf("The app's on_version_changed failed: %v", err))
		case resp.Type == apps.CallResponseTypeError:
			notes = append(notes, "The app's on_version_changed answered an error: "+resp.Text)
		case resp.Text != "":
			notes = append(notes, resp.Text)
		}
	}
	if len(notes) > 0 {
		msg += " " + strings.Join(notes, " ")
	}
	return msg, nil
}

// claimVersionChanged records that the upgrade of id to v is being
// announced; false when some node already did.
func (p *Proxy) claimVersionChanged(id apps.AppID, v, prev apps.AppVersion) (bool, error) {
	raw, _ := json.Marshal(versionChangedRecord{AppID: id, Version: v, PrevVersion: prev, At: p.now().UnixMilli()})
	ok, appErr := p.api.KVSetWithOptions(versionChangedKey(id, v), raw, model.PluginKVSetOptions{Atomic: true})
	if appErr != nil {
		return false, fmt.Errorf("record the upgrade of %s to %s: %w", id, v, appErr)
	}
	return ok, nil
}

// renameBot gives the bot the app's new display name (and description),
// when it changed; the returned text says what failed.
func (p *Proxy) renameBot(app apps.App, oldName string) string {
	if app.BotUserID == "" || app.DisplayName == oldName || app.DisplayName == "" {
		return ""
	}
	name := app.DisplayName
	description := fmt.Sprintf("Bot account for `%s` App.", name)
	if _, appErr := p.api.PatchBot(app.BotUserID, &model.BotPatch{DisplayName: &name, Description: &description}); appErr != nil {
		return fmt.Sprintf("Could not rename the bot @%s: %v", app.BotUsername, appErr)
	}
	return ""
}

// missingGrants lists what app's manifest requests beyond its grants.
func missingGrants(app apps.App) string {
	var out []string
	for _, perm := range app.RequestedPermissions {
		if !app.GrantedPermissions.Contains(perm) {
			out = append(out, string(perm))
		}
	}
	for _, loc := range app.RequestedLocations {
		granted := false
		for _, g := range app.GrantedLocations {
			if g == loc {
				granted = true
				break
			}
		}
		if !granted {
			out = append(out, string(loc))
		}
	}
	return strings.Join(out, ", ")
}

// versionNewer reports whether listed is a later version than installed:
// the numbers in them compared in order ("1.10.0" > "1.9.2", "v00_01_000"
// > "v00_00_900"). Versions without numbers count as newer when they
// differ. A listing with an older version (a stale node, a bundle being
// rolled out) never downgrades an installed app: reinstall it for that.
func versionNewer(listed, installed apps.AppVersion) bool {
	if listed == installed || listed == "" {
		return false
	}
	a, b := versionNumbers(string(listed)), versionNumbers(string(installed))
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x > y
		}
	}
	return false
}

func versionNumbers(v string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r < '0' || r > '9' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil
		}
		out = append(out, n)
	}
	return out
}

// upgradeRunner runs SyncInstalledApps in the background at activation.
type upgradeRunner struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// SyncInstalledAppsAsync runs SyncInstalledApps in the background (at
// activation, after the first listing sync), until it ends or
// StopBackground.
func (p *Proxy) SyncInstalledAppsAsync() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	p.upgrades.mu.Lock()
	p.upgrades.cancel, p.upgrades.done = cancel, done
	p.upgrades.mu.Unlock()
	go func() {
		defer close(done)
		defer cancel()
		p.SyncInstalledApps(ctx)
	}()
}

// StopBackground stops a background SyncInstalledApps and waits for it.
func (p *Proxy) StopBackground() {
	p.upgrades.mu.Lock()
	cancel, done := p.upgrades.cancel, p.upgrades.done
	p.upgrades.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
