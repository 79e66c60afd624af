package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/store"
)

// step is one migration step. Steps run in order; each is idempotent.
type step struct {
	name string
	// schema is the storage schema the step belongs to: it runs when the
	// data is below it. original steps import the original plugin's data
	// and run on every migration, as that data can reappear (after a
	// rollback the original runs again).
	schema   int
	original bool
	run      func(*run) error
}

// steps are all the migrations, oldest first. A future format change adds
// its steps here with schema 2, 3...; they must be idempotent and resume
// after a crash like these.
var steps = []step{
	{name: "apps", schema: 1, original: true, run: (*run).migrateApps},
	{name: "manifests", schema: 1, original: true, run: (*run).migrateManifests},
	{name: "app data", schema: 1, original: true, run: (*run).migrateAppData},
	{name: "subscriptions", schema: 1, original: true, run: (*run).migrateSubscriptions},
	{name: "config", schema: 1, original: true, run: (*run).cleanupConfig},
}

// Counters of State.Counts.
const (
	countApps      = "apps"
	countManifests = "manifests"
	countKV        = "kv_values"
	countOAuth2    = "oauth2_users"
	countSubs      = "subscriptions"
	countSessions  = "sessions_deleted"
)

// progressEvery is how many values the app-data step moves between saves
// of the state record.
const progressEvery = 200

// run is one migration (or dry run).
type run struct {
	ctx  context.Context // stops the run between records
	m    *Migrator
	api  mmplugin.API // counts writes (the test hook)
	dry  bool
	lost *atomic.Bool

	writes         int
	state          State
	preferOriginal bool
	installed      *store.InstalledApps
	manifests      *store.LocalManifests
	scan           *kvScan
	// bots maps bot user ids to app ids; botOf the reverse (for v0.x data,
	// which is keyed by bot).
	bots  map[string]apps.AppID
	botOf map[apps.AppID]string

	// plan is what a dry run would do, by step; planCounts counts it.
	plan       map[string][]string
	planCounts map[string]map[apps.AppID]int
	seenNotes  map[string]bool
}

func newRun(m *Migrator, dry bool, lost *atomic.Bool) *run {
	r := &run{ctx: context.Background(), m: m, dry: dry, lost: lost, bots: map[string]apps.AppID{}, botOf: map[apps.AppID]string{},
		plan: map[string][]string{}, planCounts: map[string]map[apps.AppID]int{}, seenNotes: map[string]bool{}}
	r.api = countingAPI{API: m.api, after: func() {
		r.writes++
		if m.afterWrite != nil {
			m.afterWrite(r.writes)
		}
	}}
	r.installed = store.NewInstalledApps(r.api)
	r.manifests = store.NewLocalManifests(r.api)
	return r
}

// execute runs the migration under the lock.
func (r *run) execute() (bool, error) {
	prev, err := readState(r.m.api)
	if err != nil {
		return false, err
	}
	if !needed(r.m.api, prev) {
		r.state = prev
		return false, nil // another node finished it while this one waited
	}
	r.preferOriginal = preferOriginal(prev)
	st := State{Schema: prev.Schema, Status: StatusRunning, Started: r.m.now(), Attempts: 1, LastFinished: prev.Finished}
	if prev.Finished == nil {
		st.LastFinished = prev.LastFinished
	}
	if prev.Status == StatusRunning || prev.Status == StatusFailed {
		// Resuming: keep what the interrupted attempt recorded.
		st.Started, st.Attempts, st.Counts, st.Done, st.Notes = prev.Started, prev.Attempts+1, prev.Counts, prev.Done, prev.Notes
		st.LastFinished = prev.LastFinished
		for _, n := range st.Notes {
			r.seenNotes[n] = true
		}
	}
	r.state = st
	if err := r.save(); err != nil {
		return true, err
	}
	if err := r.runSteps(prev.Schema); err != nil {
		r.state.Status, r.state.Result = StatusFailed, err.Error()
		_ = r.save()
		return true, err
	}
	now := r.m.now()
	r.state.Status, r.state.Step, r.state.Finished = StatusDone, "", &now
	if r.state.Schema < CurrentSchema {
		r.state.Schema = CurrentSchema
	}
	r.state.Result = r.summary()
	return true, r.save()
}

func (r *run) runSteps(fromSchema int) error {
	for _, s := range steps {
		if s.schema <= fromSchema && !s.original {
			continue
		}
		if err := r.checkLock(); err != nil {
			return err
		}
		r.state.Step = s.name
		if err := r.save(); err != nil {
			return err
		}
		if err := s.run(r); err != nil {
			return fmt.Errorf("step %s: %w", s.name, err)
		}
	}
	return nil
}

// save stores the state record (not in a dry run).
func (r *run) save() error {
	if r.dry {
		return nil
	}
	return writeState(r.api, r.state)
}

func (r *run) checkLock() error {
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("stopped because the plugin is stopping: %w", err)
	}
	if r.lost.Load() {
		return errors.New("lost the migration lock (this node was too slow to refresh it); stopped so that two nodes never migrate at once")
	}
	return nil
}

func (r *run) problem(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	if r.seenNotes[p] {
		return
	}
	r.seenNotes[p] = true
	r.state.Problems = listAdd(r.state.Problems, p)
}

func (r *run) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if r.seenNotes[n] {
		return
	}
	r.seenNotes[n] = true
	r.state.Notes = listAdd(r.state.Notes, n)
}

func (r *run) count(kind string, n int) {
	if r.state.Counts == nil {
		r.state.Counts = map[string]int{}
	}
	r.state.Counts[kind] += n
}

func (r *run) markDone(kind, id string) {
	if r.state.Done == nil {
		r.state.Done = map[string][]string{}
	}
	if !slices.Contains(r.state.Done[kind], id) {
		r.state.Done[kind] = append(r.state.Done[kind], id)
		r.count(kind, 1)
	}
}

func (r *run) would(stepName, line string) { r.plan[stepName] = append(r.plan[stepName], line) }

func (r *run) wouldCount(kind string, appID apps.AppID) {
	if r.planCounts[kind] == nil {
		r.planCounts[kind] = map[apps.AppID]int{}
	}
	r.planCounts[kind][appID]++
}

func (r *run) get(key string) ([]byte, error) {
	v, appErr := r.m.api.KVGet(key)
	if appErr != nil {
		return nil, fmt.Errorf("read %s: %w", key, appErr)
	}
	return v, nil
}

// writeVerified stores value at key and reads it back.
func (r *run) writeVerified(key string, value []byte) error {
	if appErr := r.api.KVSet(key, value); appErr != nil {
		return fmt.Errorf("write %s: %w", key, appErr)
	}
	back, err := r.get(key)
	if err != nil {
		return err
	}
	if !bytes.Equal(back, value) {
		return fmt.Errorf("%s: the value read back differs from the one written", key)
	}
	return nil
}

// backup copies an original record to its backup key (and reads it back).
func (r *run) backup(orig string, raw []byte) error {
	b, err := json.Marshal(backupRecord{Schema: CurrentSchema, Key: orig, Value: raw})
	if err != nil {
		return err
	}
	return r.writeVerified(BackupKey(orig), b)
}

// retire backs an original record up and then deletes it, only if it
// still holds raw (the new record is written and verified by then).
func (r *run) retire(orig string, raw []byte) error {
	if err := r.backup(orig, raw); err != nil {
		return err
	}
	ok, appErr := r.api.KVCompareAndDelete(orig, raw)
	if appErr != nil {
		return fmt.Errorf("delete %s: %w", orig, appErr)
	}
	if !ok {
		r.note("%s changed while it was migrated and was left in place (the backup has the migrated value)", orig)
	}
	return nil
}

// original reads an original record; if it is gone but backed up, an
// earlier, interrupted run migrated it (retired says so).
func (r *run) original(key string) (raw []byte, retired bool, err error) {
	raw, err = r.get(key)
	if err != nil || raw != nil {
		return raw, false, err
	}
	b, err := r.get(BackupKey(key))
	if err != nil || b == nil {
		return nil, false, err
	}
	rec, err := decodeBackup(b)
	if err != nil || rec.Key != key {
		return nil, false, nil
	}
	return rec.Value, true, nil
}

// putRecord stores v as record id of c, or keeps the record already there
// if it differs and this plugin's records win (see preferOriginal), and
// reads it back. It always goes through Save, so the index lists the id
// even if an earlier run stopped between the record and the index.
func putRecord[T any](r *run, c *store.Cached[T], kind, id string, v T) error {
	want, err := json.Marshal(v)
	if err != nil {
		return err
	}
	winner := v
	if cur, err := c.Stored(id); err == nil {
		have, _ := json.Marshal(cur)
		if !bytes.Equal(have, want) && !r.preferOriginal {
			r.note("%s %s: kept this plugin's record, which differs from the original plugin's (that one is in the backup)", kind, id)
			winner, want = cur, have
		}
	}
	if err := c.Save(id, winner); err != nil {
		return err
	}
	back, err := c.Stored(id)
	if err != nil {
		return fmt.Errorf("read back %s %s: %w", kind, id, err)
	}
	got, _ := json.Marshal(back)
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s %s: the record read back differs from the one written", kind, id)
	}
	return nil
}

// Step "apps": the original's installed apps (config installed_apps ->
// app.<sha1>) become ia.<id> records, with everything the record held: bot,
// secrets, OAuth apps, grants, disabled state.
func (r *run) migrateApps() error {
	// Apps this plugin already has know their bots too (v0.x data).
	if err := r.installed.Load(); err != nil {
		r.note("some installed apps of this plugin could not be read: %v", err)
	}
	for _, a := range r.installed.List() {
		r.learnBot(a)
	}
	ids := configMap(r.m.api.GetPluginConfig(), configInstalledApps)
	for _, key := range sortedKeys(ids) {
		if err := r.checkLock(); err != nil {
			return err
		}
		orig := originalAppPrefix + ids[key]
		raw, retired, err := r.original(orig)
		if err != nil {
			return err
		}
		if raw == nil {
			r.problem("app %s: its record %s is missing (it cannot be migrated; the config entry is kept in the backup)", key, orig)
			continue
		}
		var app apps.App
		if err := json.Unmarshal(raw, &app); err != nil {
			r.problem("app %s: record %s does not decode (%v); left as it is", key, orig, err)
			continue
		}
		r.fixApp(&app, key, raw)
		r.learnBot(app)
		id := string(app.AppID)
		if err := app.Validate(); err != nil {
			r.note("app %s does not pass today's manifest checks (%v); migrated as it is", id, err)
		}
		if r.dry {
			r.would("apps", fmt.Sprintf("`%s` → `ia.%s`: %s", orig, id, describeApp(app)))
			continue
		}
		if err := putRecord(r, r.installed, "app", id, app); err != nil {
			return err
		}
		if !retired {
			if err := r.retire(orig, raw); err != nil {
				return err
			}
		}
		r.markDone(countApps, id)
		if err := r.save(); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) learnBot(a apps.App) {
	if a.BotUserID != "" {
		r.bots[a.BotUserID] = a.AppID
		r.botOf[a.AppID] = a.BotUserID
	}
}

// fixApp fills what older records lack: the app id (from the config map),
// the OAuth app id of v0.x records ({client_id, client_secret}), the bot
// username.
func (r *run) fixApp(app *apps.App, key string, raw []byte) {
	if app.AppID == "" {
		app.AppID = apps.AppID(key)
	}
	var v0 struct {
		OAuth *struct {
			ClientID string `json:"client_id"`
		} `json:"mattermost_oauth2"`
	}
	if json.Unmarshal(raw, &v0) == nil && v0.OAuth != nil && v0.OAuth.ClientID != "" && app.MattermostOAuth2 != nil && app.MattermostOAuth2.ID == "" {
		app.MattermostOAuth2.ID = v0.OAuth.ClientID
	}
	if app.BotUsername == "" && app.BotUserID != "" {
		if u, appErr := r.m.api.GetUser(app.BotUserID); appErr == nil && u != nil {
			app.BotUsername = u.Username
		}
	}
}

func describeApp(a apps.App) string {
	state := "enabled"
	if a.Disabled {
		state = "disabled"
	}
	parts := []string{string(a.DeployType), state}
	if a.BotUserID != "" {
		parts = append(parts, fmt.Sprintf("bot @%s (%s)", a.BotUsername, a.BotUserID))
	}
	if a.Secret != "" {
		parts = append(parts, "JWT secret")
	}
	if a.MattermostOAuth2 != nil && a.MattermostOAuth2.ID != "" {
		parts = append(parts, "OAuth app "+a.MattermostOAuth2.ID)
	}
	if len(a.GrantedPermissions) > 0 {
		var names []string
		for _, p := range a.GrantedPermissions {
			names = append(names, string(p))
		}
		parts = append(parts, "permissions "+strings.Join(names, " "))
	}
	if len(a.GrantedLocations) > 0 {
		var names []string
		for _, l := range a.GrantedLocations {
			names = append(names, string(l))
		}
		parts = append(parts, "locations "+strings.Join(names, " "))
	}
	return strings.Join(parts, ", ")
}

// Step "manifests": the original's local listings (config local_manifests
// -> man.<sha1>) become lm.<id> records.
func (r *run) migrateManifests() error {
	ids := configMap(r.m.api.GetPluginConfig(), configLocalManifests)
	for _, key := range sortedKeys(ids) {
		if err := r.checkLock(); err != nil {
			return err
		}
		orig := originalManifestPrefix + ids[key]
		raw, retired, err := r.original(orig)
		if err != nil {
			return err
		}
		if raw == nil {
			r.problem("local manifest %s: its record %s is missing (it cannot be migrated)", key, orig)
			continue
		}
		var m apps.Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			r.problem("local manifest %s: record %s does not decode (%v); left as it is", key, orig, err)
			continue
		}
		if m.AppID == "" {
			m.AppID = apps.AppID(key)
		}
		id := string(m.AppID)
		if r.dry {
			r.would("manifests", fmt.Sprintf("`%s` → `lm.%s` (%s %s)", orig, id, m.DisplayName, m.Version))
			continue
		}
		if err := putRecord(r, r.manifests, "local manifest", id, m); err != nil {
			return err
		}
		if !retired {
			if err := r.retire(orig, raw); err != nil {
				return err
			}
		}
		r.markDone(countManifests, id)
		if err := r.save(); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) kvScan() (*kvScan, error) {
	if r.scan == nil {
		s, err := scanKV(r.m.api)
		if err != nil {
			return nil, err
		}
		r.scan = s
	}
	return r.scan, nil
}

// Step "app data": the apps' KV values (".k") and remote OAuth2 user data
// (".u") move to the compact keys of appservices (the original's 82-byte
// keys do not fit Mattermost 6.2). v0.5 to v0.7 values, keyed by bot, go to
// the app that owns the bot.
func (r *run) migrateAppData() error {
	s, err := r.kvScan()
	if err != nil {
		return err
	}
	moved := 0
	move := func(orig, parseAs string) error {
		if err := r.checkLock(); err != nil {
			return err
		}
		done, err := r.moveValue(orig, parseAs)
		if done {
			if moved++; moved%progressEvery == 0 {
				if err := r.save(); err != nil {
					return err
				}
			}
		}
		return err
	}
	for _, k := range s.hashkeys {
		if err := move(k, k); err != nil {
			return err
		}
	}
	orphans := 0
	for _, k := range s.botKeys {
		appID, ok := r.bots[k[2:28]]
		if !ok {
			orphans++
			continue
		}
		v1 := k[:2] + fmt.Sprintf("%-32s", string(appID)) + k[2:]
		if err := move(k, v1); err != nil {
			return err
		}
	}
	if orphans > 0 {
		r.problem("%s of v0.5 to v0.7 belong to bots of no installed app; left as they are", plural(orphans, "app KV value", "app KV values"))
	}
	return r.save()
}

// moveValue moves one value; parseAs is the v1 form of its key.
func (r *run) moveValue(orig, parseAs string) (bool, error) {
	parsed, err := appservices.ParseOriginalHashkey(parseAs)
	if err != nil {
		r.scan.lost[lostBadKey]++
		return false, nil
	}
	newKey, err := appservices.CompactFromOriginal(parseAs)
	if err != nil {
		r.scan.lost[lostBadKey]++
		return false, nil
	}
	kind := countKV
	if parsed.Namespace == appservices.OriginalNamespaceUser {
		kind = countOAuth2
	}
	raw, err := r.get(orig)
	if err != nil || raw == nil {
		return false, err
	}
	if r.dry {
		r.wouldCount(kind, parsed.AppID)
		return false, nil
	}
	want := raw
	for attempt := 0; ; attempt++ {
		cur, err := r.get(newKey)
		if err != nil {
			return false, err
		}
		if bytes.Equal(cur, raw) {
			break // written before an interruption
		}
		if cur != nil && !r.preferOriginal {
			r.note("app %s: kept %s this plugin already had at %s instead of the original's (in the backup)", parsed.AppID, kind, newKey)
			want = cur
			break
		}
		ok, appErr := r.api.KVSetWithOptions(newKey, raw, model.PluginKVSetOptions{Atomic: true, OldValue: cur})
		if appErr != nil {
			return false, fmt.Errorf("write %s: %w", newKey, appErr)
		}
		if ok {
			break
		}
		if attempt >= 5 {
			return false, fmt.Errorf("write %s: it keeps changing", newKey)
		}
	}
	back, err := r.get(newKey)
	if err != nil {
		return false, err
	}
	if !bytes.Equal(back, want) {
		return false, fmt.Errorf("%s: the value read back differs from the one written", newKey)
	}
	if err := r.retire(orig, raw); err != nil {
		return false, err
	}
	r.count(kind, 1)
	return true, nil
}

// v0Subscription is one element of a v0.x subscription list.
type v0Subscription struct {
	AppID     apps.AppID   `json:"app_id"`
	Subject   apps.Subject `json:"subject"`
	ChannelID string       `json:"channel_id"`
	TeamID    string       `json:"team_id"`
	Call      apps.Call    `json:"call"`
}

type subGroup struct {
	event apps.Event
	subs  []appservices.StoredSubscription
}

// decodeSubscriptions reads a subscription record in any of the original's
// forms: v1.x {"Event", "Subscriptions"} (current if it has a schema) or a
// v0.x list (whose subscriptions are made as the app's bot).
func (r *run) decodeSubscriptions(key string, raw []byte) (groups []subGroup, current bool, err error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var list []v0Subscription
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, false, err
		}
		byEvent := map[apps.Event]int{}
		for _, s := range list {
			bot := r.botOf[s.AppID]
			if bot == "" {
				r.problem("subscription in %s of app %s: the app is not installed, so it has no bot to call as; dropped from the migrated record", key, s.AppID)
				continue
			}
			e := apps.Event{Subject: s.Subject, ChannelID: s.ChannelID, TeamID: s.TeamID}
			i, ok := byEvent[e]
			if !ok {
				i = len(groups)
				byEvent[e] = i
				groups = append(groups, subGroup{event: e})
			}
			groups[i].subs = append(groups[i].subs, appservices.StoredSubscription{Call: s.Call, AppID: s.AppID, OwnerUserID: bot})
		}
		return groups, false, nil
	}
	var rec appservices.SubscriptionRecord
	if err := json.Unmarshal(trimmed, &rec); err != nil {
		return nil, false, err
	}
	if rec.Event.Subject == "" {
		return nil, false, fmt.Errorf("no event subject")
	}
	return []subGroup{{event: rec.Event, subs: rec.Subscriptions}}, rec.Schema == appservices.SubscriptionSchema, nil
}

// normalizeEvent drops ids that global subjects never had a use for (some
// original versions keyed bot_* subscriptions by team).
func normalizeEvent(e *apps.Event) {
	switch e.Subject {
	case apps.SubjectUserCreated, apps.SubjectBotJoinedChannel, apps.SubjectBotLeftChannel, apps.SubjectBotJoinedTeam, apps.SubjectBotLeftTeam:
		e.ChannelID, e.TeamID = "", ""
	}
}

// Step "subscriptions": the original's records keep their keys and JSON
// (plus a schema field); records under keys this plugin does not read
// (older versions' "sub.<subject>." for subject-only subscriptions, v0.x
// lists) are converted and merged into the right key; idx.subs, which
// lists them, is rebuilt.
func (r *run) migrateSubscriptions() error {
	s, err := r.kvScan()
	if err != nil {
		return err
	}
	indexed := map[string]bool{}
	for _, key := range s.subs {
		if err := r.checkLock(); err != nil {
			return err
		}
		raw, err := r.get(key)
		if err != nil {
			return err
		}
		if raw == nil {
			continue
		}
		groups, current, err := r.decodeSubscriptions(key, raw)
		if err != nil {
			r.problem("subscriptions %s: %v; left as they are", key, err)
			continue
		}
		targets := map[string]subGroup{}
		bad := false
		for _, g := range groups {
			if len(g.subs) == 0 {
				continue
			}
			normalizeEvent(&g.event)
			target, err := appservices.SubscriptionKey(g.event)
			if err != nil {
				r.problem("subscriptions %s: %v (this plugin does not deliver them); left as they are", key, err)
				bad = true
				break
			}
			t := targets[target]
			t.event = g.event
			t.subs = append(t.subs, g.subs...)
			targets[target] = t
		}
		if bad || len(targets) == 0 {
			continue
		}
		if _, ok := targets[key]; ok && current && len(targets) == 1 {
			indexed[key] = true
			continue
		}
		if r.dry {
			what := "add a schema version"
			if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
				what = "convert the v0.x list (calls made as the app's bot)"
			}
			if _, same := targets[key]; !same || len(targets) > 1 {
				what = "move to " + strings.Join(sortedKeys(targets), ", ")
			}
			r.would("subscriptions", fmt.Sprintf("`%s`: %s", key, what))
			for t := range targets {
				indexed[t] = true
			}
			continue
		}
		// The original first: some targets may overwrite it in place.
		if err := r.backup(key, raw); err != nil {
			return err
		}
		for _, target := range sortedKeys(targets) {
			if err := r.mergeSubscriptions(target, targets[target]); err != nil {
				return err
			}
			indexed[target] = true
		}
		if _, same := targets[key]; !same {
			if _, appErr := r.api.KVCompareAndDelete(key, raw); appErr != nil {
				return fmt.Errorf("delete %s: %w", key, appErr)
			}
		}
		r.count(countSubs, 1)
	}
	if r.dry {
		raw, err := r.get(appservices.SubscriptionIndexKey)
		if err != nil {
			return err
		}
		var listed []string
		_ = json.Unmarshal(raw, &listed)
		for _, k := range listed {
			delete(indexed, k)
		}
		if len(indexed) > 0 {
			r.planCounts["subscription_index"] = map[apps.AppID]int{"": len(indexed)}
		}
		return nil
	}
	return r.rebuildSubscriptionIndex(indexed)
}

// mergeSubscriptions adds g's subscriptions to the record at target
// (compare-and-set: apps may subscribe meanwhile). A subscription of the
// same app and owner already there wins.
func (r *run) mergeSubscriptions(target string, g subGroup) error {
	for attempt := 0; attempt < 10; attempt++ {
		cur, err := r.get(target)
		if err != nil {
			return err
		}
		var merged []appservices.StoredSubscription
		if cur != nil {
			existing, _, err := r.decodeSubscriptions(target, cur)
			if err == nil {
				for _, e := range existing {
					merged = append(merged, e.subs...)
				}
			}
		}
		for _, s := range g.subs {
			if !slices.ContainsFunc(merged, func(x appservices.StoredSubscription) bool {
				return x.AppID == s.AppID && x.OwnerUserID == s.OwnerUserID
			}) {
				merged = append(merged, s)
			}
		}
		next, err := json.Marshal(appservices.SubscriptionRecord{Event: g.event, Subscriptions: merged, Schema: appservices.SubscriptionSchema})
		if err != nil {
			return err
		}
		if bytes.Equal(next, cur) {
			return nil
		}
		ok, appErr := r.api.KVSetWithOptions(target, next, model.PluginKVSetOptions{Atomic: true, OldValue: cur})
		if appErr != nil {
			return fmt.Errorf("write %s: %w", target, appErr)
		}
		if ok {
			back, err := r.get(target)
			if err != nil {
				return err
			}
			if !bytes.Equal(back, next) {
				continue // changed right after: merge again
			}
			return nil
		}
	}
	return fmt.Errorf("write %s: it keeps changing", target)
}

// rebuildSubscriptionIndex makes idx.subs list every subscription record:
// the ones found, plus those listed already whose records still exist.
func (r *run) rebuildSubscriptionIndex(found map[string]bool) error {
	for attempt := 0; attempt < 10; attempt++ {
		cur, err := r.get(appservices.SubscriptionIndexKey)
		if err != nil {
			return err
		}
		var listed []string
		if cur != nil {
			_ = json.Unmarshal(cur, &listed)
		}
		keys := map[string]bool{}
		for k := range found {
			keys[k] = true
		}
		for _, k := range listed {
			if keys[k] {
				continue
			}
			v, err := r.get(k)
			if err != nil {
				return err
			}
			if v != nil {
				keys[k] = true
			}
		}
		next := sortedKeys(keys)
		sort.Strings(listed)
		if slices.Equal(next, listed) && cur != nil {
			return nil
		}
		if len(next) == 0 && cur == nil {
			return nil
		}
		raw, _ := json.Marshal(next)
		ok, appErr := r.api.KVSetWithOptions(appservices.SubscriptionIndexKey, raw, model.PluginKVSetOptions{Atomic: true, OldValue: cur})
		if appErr != nil {
			return fmt.Errorf("write %s: %w", appservices.SubscriptionIndexKey, appErr)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("write %s: it keeps changing", appservices.SubscriptionIndexKey)
}

// Step "config", last: the original's config maps are backed up and
// removed (every record they list is migrated by now), and the original's
// cached sessions are deleted.
func (r *run) cleanupConfig() error {
	conf := r.m.api.GetPluginConfig()
	installed, local := configMap(conf, configInstalledApps), configMap(conf, configLocalManifests)
	_, hasInstalled := conf[configInstalledApps]
	_, hasLocal := conf[configLocalManifests]
	if hasInstalled || hasLocal {
		if r.dry {
			r.would("config", fmt.Sprintf("remove `%s` (%d) and `%s` (%d) from the plugin config (kept in `%s`)",
				configInstalledApps, len(installed), configLocalManifests, len(local), backupConfigKey))
		} else {
			b, err := json.Marshal(configBackup{Schema: CurrentSchema, InstalledApps: installed, LocalManifests: local})
			if err != nil {
				return err
			}
			if err := r.writeVerified(backupConfigKey, b); err != nil {
				return err
			}
			next := make(map[string]any, len(conf))
			for k, v := range conf {
				if k != configInstalledApps && k != configLocalManifests {
					next[k] = v
				}
			}
			if appErr := r.api.SavePluginConfig(next); appErr != nil {
				return fmt.Errorf("save the plugin config: %w", appErr)
			}
			if hasOriginalConfig(r.m.api.GetPluginConfig()) {
				return errors.New("the plugin config still lists the original plugin's apps after saving it")
			}
		}
	}
	s, err := r.kvScan()
	if err != nil {
		return err
	}
	for _, k := range s.sessions {
		if r.dry {
			r.wouldCount(countSessions, "")
			continue
		}
		if appErr := r.api.KVDelete(k); appErr != nil {
			return fmt.Errorf("delete %s: %w", k, appErr)
		}
		r.count(countSessions, 1)
	}
	return nil
}

// summary is the one-line result of a finished run.
func (r *run) summary() string {
	c := r.state.Counts
	parts := joinNonEmpty([]string{
		nonZero(c[countApps], "installed app", "installed apps"),
		nonZero(c[countManifests], "local manifest", "local manifests"),
		nonZero(c[countKV], "app KV value", "app KV values"),
		nonZero(c[countOAuth2], "OAuth2 user record", "OAuth2 user records"),
		nonZero(c[countSubs], "subscription record", "subscription records"),
	}, ", ")
	out := "nothing to migrate"
	if parts != "" {
		out = "migrated the original plugin's data: " + parts
	}
	if n := c[countSessions]; n > 0 {
		out += fmt.Sprintf("; deleted %s", plural(n, "cached session", "cached sessions"))
	}
	if n := len(r.state.Problems); n > 0 {
		out += fmt.Sprintf("; %s could not be migrated (see /apps debug migrate --dry-run)", plural(n, "record", "records"))
	}
	if r.state.Attempts > 1 {
		out += fmt.Sprintf(" (resumed: attempt %d)", r.state.Attempts)
	}
	return out
}

func nonZero(n int, one, many string) string {
	if n == 0 {
		return ""
	}
	return plural(n, one, many)
}

// planText renders a dry run.
func (r *run) planText(st State) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Storage schema: %d; last migration: %s\n\n", CurrentSchema, describe(st))
	empty := true
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		empty = false
		fmt.Fprintf(&b, "**%s** (%d):\n", title, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	section("Installed apps", r.plan["apps"])
	section("Local manifests", r.plan["manifests"])
	byApp := func(kind string) []string {
		var lines []string
		for _, id := range sortedKeys(r.planCounts[kind]) {
			lines = append(lines, fmt.Sprintf("app `%s`: %d", id, r.planCounts[kind][apps.AppID(id)]))
		}
		return lines
	}
	section("App KV values to move to compact keys, by app", byApp(countKV))
	section("OAuth2 user records to move, by app", byApp(countOAuth2))
	section("Subscription records to convert", r.plan["subscriptions"])
	if n := r.planCounts["subscription_index"][""]; n > 0 {
		empty = false
		fmt.Fprintf(&b, "**Subscription index** `%s`: add %s\n", appservices.SubscriptionIndexKey, plural(n, "record", "records"))
	}
	if n := r.planCounts[countSessions][""]; n > 0 {
		empty = false
		fmt.Fprintf(&b, "**Cached sessions** of the original to delete: %d\n", n)
	}
	section("Plugin config", r.plan["config"])
	if empty {
		b.WriteString("Nothing to migrate.\n")
	} else {
		fmt.Fprintf(&b, "\nEach original record is copied to a `%s` backup key before it is deleted.\n", BackupPrefix)
	}
	var lost []string
	for _, k := range sortedKeys(r.scan.lostOrEmpty()) {
		lost = append(lost, fmt.Sprintf("%s: %d", k, r.scan.lost[k]))
	}
	section("Cannot carry over (left as they are)", lost)
	section("Problems", r.state.Problems)
	section("Notes", r.state.Notes)
	var earlier []string
	for _, p := range st.Problems {
		if !slices.Contains(r.state.Problems, p) {
			earlier = append(earlier, p)
		}
	}
	section("Reported by the last migration (records left where they were)", earlier)
	return strings.TrimRight(b.String(), "\n")
}

func (s *kvScan) lostOrEmpty() map[string]int {
	if s == nil {
		return nil
	}
	return s.lost
}
