package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
	"github.com/mattermost-community/apps-plugin/test/original"
)

const pluginID = "com.mattermost.apps"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is an in-memory server holding the original plugin's data.
type world struct {
	mm    *fakemm.Server
	api   mmplugin.API
	clock *clock

	botHTTP, botLambda, user, channel   string
	httpRecord, lambdaRecord, manRecord string
	originals                           []string // the original's keys

	// seeded is the store and config as the original left them.
	seededKV     map[string][]byte
	seededConfig map[string]any
}

func seed(t *testing.T) *world {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	mm := fakemm.New(fakemm.Options{Now: clk.Now})
	api := mm.ForPlugin(fakemm.PluginManifest{Id: pluginID}, "node1", "")
	w := &world{mm: mm, api: api, clock: clk}
	o := original.Writer{MM: mm, PluginID: pluginID}

	botH, appErr := api.CreateBot(&model.Bot{Username: "legacy-http", DisplayName: "Legacy HTTP"})
	if appErr != nil {
		t.Fatal(appErr)
	}
	botL, appErr := api.CreateBot(&model.Bot{Username: "legacy-lambda", DisplayName: "Legacy Lambda"})
	if appErr != nil {
		t.Fatal(appErr)
	}
	user := mm.CreateUser("olduser")
	team := mm.CreateTeam("team")
	ch := mm.CreateChannel(team.Id, "general", "O", user.Id)
	for _, id := range []string{user.Id, botH.UserId} {
		if _, err := mm.AddTeamMember(team.Id, id, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := mm.AddChannelMember(ch.Id, id, ""); err != nil {
			t.Fatal(err)
		}
	}
	w.botHTTP, w.botLambda, w.user, w.channel = botH.UserId, botL.UserId, user.Id, ch.Id

	w.httpRecord = o.InstallApp("legacy-http", original.HTTPApp("legacy-http", "http://127.0.0.1:9", "s3cr3t", w.botHTTP, "legacy-http", "oauthappid00000000000000aa", false))
	w.lambdaRecord = o.InstallApp("legacy-lambda", original.LambdaApp(original.LambdaManifest("legacy-lambda", "0.1.0", "fn"), w.botLambda, "legacy-lambda", true))
	w.manRecord = o.ListManifest("legacy-http", original.Manifest("legacy-http", "http://127.0.0.1:9"))
	mm.SetPluginSetting(pluginID, "developer_mode", true)

	w.originals = []string{
		w.httpRecord, w.lambdaRecord, w.manRecord,
		o.SetValue("legacy-http", w.botHTTP, "", "counter", `{"n":41}`),
		o.SetValue("legacy-http", w.user, "pf", "theme", `"dark"`),
		o.SetValue("legacy-lambda", w.botLambda, "", "state", `{"ok":true}`),
		o.SetOAuth2User("legacy-http", w.user, `{"token":"t0"}`),
		o.CacheSession("legacy-http", w.user, `{"id":"sess"}`),
		"sub.user_left_channel.",
	}
	v0 := original.BotHashkey(w.botLambda, "", "v0key")
	mm.SetKV(pluginID, v0, []byte(`{"v0":true}`))
	w.originals = append(w.originals, v0)
	o.Subscribe("sub.user_joined_channel."+ch.Id, "user_joined_channel", ch.Id, "", "legacy-http", w.botHTTP, "/event")
	// Older versions keyed subject-only subscriptions with a trailing dot.
	o.Subscribe("sub.user_left_channel.", "user_left_channel", "", "", "legacy-http", w.user, "/left")
	// v0.x stored a list.
	mm.SetKV(pluginID, "sub.user_created", []byte(`[{"app_id":"legacy-lambda","subject":"user_created","call":{"path":"/created"}}]`))
	// v0.4 data cannot carry over.
	mm.SetKV(pluginID, "kv.Zm9vYmFy/YmF6", []byte(`{"lost":true}`))

	w.seededKV = mm.KV(pluginID)
	w.seededConfig = mm.PluginConfigMap(pluginID)
	return w
}

// reset puts the store and config back as the original left them.
func (w *world) reset(t *testing.T) {
	t.Helper()
	if appErr := w.api.KVDeleteAll(); appErr != nil {
		t.Fatal(appErr)
	}
	for k, v := range w.seededKV {
		w.mm.SetKV(pluginID, k, v)
	}
	if appErr := w.api.SavePluginConfig(w.seededConfig); appErr != nil {
		t.Fatal(appErr)
	}
}

func (w *world) migrator(hook func(int)) *Migrator {
	return New(w.api, Options{Now: w.clock.Now, AfterWrite: hook})
}

func (w *world) run(t *testing.T) State {
	t.Helper()
	ran, st, err := w.migrator(nil).Run(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !ran {
		t.Fatal("the migration did not run")
	}
	return st
}

// snapshot is the store and config without the migration's own records.
func (w *world) snapshot() map[string]string {
	out := map[string]string{}
	for k, v := range w.mm.KV(pluginID) {
		if k != StateKey && k != "lock."+lockName {
			out[k] = string(v)
		}
	}
	conf, _ := json.Marshal(w.mm.PluginConfigMap(pluginID))
	out["(config)"] = string(conf)
	return out
}

func diff(a, b map[string]string) string {
	var out []string
	for _, k := range sortedKeys(a) {
		if bv, ok := b[k]; !ok {
			out = append(out, fmt.Sprintf("only before: %q = %s", k, a[k]))
		} else if bv != a[k] {
			out = append(out, fmt.Sprintf("changed: %q\n    %s\n    %s", k, a[k], bv))
		}
	}
	for _, k := range sortedKeys(b) {
		if _, ok := a[k]; !ok {
			out = append(out, fmt.Sprintf("only after: %q = %s", k, b[k]))
		}
	}
	return strings.Join(out, "\n")
}

func (w *world) checkMigrated(t *testing.T) {
	t.Helper()
	installed := store.NewInstalledApps(w.api)
	if err := installed.Load(); err != nil {
		t.Fatal(err)
	}
	h, ok := installed.Get("legacy-http")
	if !ok {
		t.Fatal("legacy-http is not installed after the migration")
	}
	if h.Secret != "s3cr3t" || h.WebhookSecret != "wh-legacy-http" || h.BotUserID != w.botHTTP || h.BotUsername != "legacy-http" ||
		h.Disabled || h.DeployType != apps.DeployHTTP || h.MattermostOAuth2 == nil || h.MattermostOAuth2.ID != "oauthappid00000000000000aa" ||
		h.MattermostOAuth2.ClientSecret != "oauth-secret" || len(h.GrantedPermissions) != 4 || len(h.GrantedLocations) != 2 || h.HTTP == nil || !h.HTTP.UseJWT {
		t.Errorf("legacy-http migrated as %+v", h)
	}
	l, ok := installed.Get("legacy-lambda")
	if !ok || !l.Disabled || l.DeployType != apps.DeployAWSLambda || l.BotUserID != w.botLambda || l.AWSLambda == nil || len(l.AWSLambda.Functions) != 1 {
		t.Errorf("legacy-lambda migrated as %+v (%v)", l, ok)
	}
	manifests := store.NewLocalManifests(w.api)
	if err := manifests.Load(); err != nil {
		t.Fatal(err)
	}
	if m, ok := manifests.Get("legacy-http"); !ok || m.HTTP == nil || m.HTTP.RootURL != "http://127.0.0.1:9" {
		t.Errorf("local manifest: %+v %v", m, ok)
	}

	kv := appservices.NewKV(w.api)
	for _, c := range []struct {
		caller      appservices.Caller
		prefix, key string
		want        string
	}{
		{appservices.Caller{App: h, UserID: w.botHTTP}, "", "counter", `{"n":41}`},
		{appservices.Caller{App: h, UserID: w.user}, "pf", "theme", `"dark"`},
		{appservices.Caller{App: l, UserID: w.botLambda}, "", "state", `{"ok":true}`},
		{appservices.Caller{App: l, UserID: w.botLambda}, "", "v0key", `{"v0":true}`},
	} {
		got, err := kv.Get(c.caller, c.prefix, c.key)
		if err != nil || string(got) != c.want {
			t.Errorf("%s as %s: %s %q = %q (%v), want %q", c.caller.AppID(), c.caller.UserID, c.prefix, c.key, got, err, c.want)
		}
	}
	// The namespaces stay apart: the bot does not see the user's value.
	if got, _ := kv.Get(appservices.Caller{App: h, UserID: w.botHTTP}, "pf", "theme"); got != nil {
		t.Errorf("the bot sees the user's value: %s", got)
	}
	if got, err := appservices.NewOAuth2(w.api).GetUser("legacy-http", w.user); err != nil || string(got) != `{"token":"t0"}` {
		t.Errorf("OAuth2 user data = %q (%v)", got, err)
	}

	subs := appservices.NewSubscriptions(w.api, installed)
	joined, err := subs.Match(appservices.Occurrence{Subject: apps.SubjectUserJoinedChannel, UserID: "someone", ChannelID: w.channel})
	if err != nil || len(joined) != 1 || joined[0].AppID != "legacy-http" || joined[0].OwnerUserID != w.botHTTP || joined[0].Call.Path != "/event" {
		t.Errorf("user_joined_channel deliveries: %+v (%v)", joined, err)
	}
	left, err := subs.Match(appservices.Occurrence{Subject: apps.SubjectUserLeftChannel, UserID: w.user, ChannelID: w.channel})
	if err != nil || len(left) != 1 || left[0].Call.Path != "/left" || left[0].OwnerUserID != w.user {
		t.Errorf("user_left_channel (moved from the dotted key) deliveries: %+v (%v)", left, err)
	}
	kvNow := w.mm.KV(pluginID)
	var created appservices.SubscriptionRecord
	if err := json.Unmarshal(kvNow["sub.user_created"], &created); err != nil || len(created.Subscriptions) != 1 ||
		created.Subscriptions[0].OwnerUserID != w.botLambda || created.Schema != 1 {
		t.Errorf("v0.x subscription list converted to %s (%v)", kvNow["sub.user_created"], err)
	}
	var index []string
	_ = json.Unmarshal(kvNow[appservices.SubscriptionIndexKey], &index)
	want := []string{"sub.user_created", "sub.user_joined_channel." + w.channel, "sub.user_left_channel"}
	if !slices.Equal(index, want) {
		t.Errorf("idx.subs = %v, want %v", index, want)
	}

	for _, k := range w.originals {
		if _, ok := kvNow[k]; ok {
			t.Errorf("original record %q is still there", k)
		}
		if strings.HasPrefix(k, ".t_") {
			continue // a cache: deleted, not backed up
		}
		raw, ok := kvNow[BackupKey(k)]
		if !ok {
			t.Errorf("no backup of %q", k)
			continue
		}
		if b, err := decodeBackup(raw); err != nil || b.Key != k || string(b.Value) != string(w.seededKV[k]) {
			t.Errorf("backup of %q = %+v (%v)", k, b, err)
		}
		if len(BackupKey(k)) > 50 {
			t.Errorf("backup key %q is longer than 50", BackupKey(k))
		}
	}
	if _, ok := kvNow["kv.Zm9vYmFy/YmF6"]; !ok {
		t.Error("v0.4 data that cannot be migrated was deleted")
	}
	conf := w.mm.PluginConfigMap(pluginID)
	if _, ok := conf["installed_apps"]; ok {
		t.Errorf("the config still has installed_apps: %v", conf)
	}
	if conf["developer_mode"] != true {
		t.Errorf("the config lost the other settings: %v", conf)
	}
	var cb configBackup
	if err := json.Unmarshal(kvNow[backupConfigKey], &cb); err != nil || len(cb.InstalledApps) != 2 || len(cb.LocalManifests) != 1 {
		t.Errorf("config backup: %s (%v)", kvNow[backupConfigKey], err)
	}
	for k := range kvNow {
		if len(k) > 50 && !strings.HasPrefix(k, ".k") && !strings.HasPrefix(k, ".u") {
			t.Errorf("key %q is longer than 50 characters", k)
		}
	}
	st, err := readState(w.api)
	if err != nil || st.Status != StatusDone || st.Schema != CurrentSchema || st.Finished == nil {
		t.Errorf("state: %+v (%v)", st, err)
	}
}

func TestMigratesTheOriginalsDataOnce(t *testing.T) {
	w := seed(t)
	st := w.run(t)
	w.checkMigrated(t)
	for _, want := range []string{"2 installed apps", "1 local manifest", "4 app KV values", "1 OAuth2 user record", "3 subscription records", "deleted 1 cached session"} {
		if !strings.Contains(st.Result, want) {
			t.Errorf("result %q does not say %q", st.Result, want)
		}
	}
	if !slices.Equal(st.Done[countApps], []string{"legacy-http", "legacy-lambda"}) {
		t.Errorf("done apps: %v", st.Done)
	}
	line := w.migrator(nil).StatusLine()
	if !strings.HasPrefix(line, "Storage schema: 1; last migration: migrated the original plugin's data: 2 installed apps") || !strings.Contains(line, "2026-03-01T12:00:00Z") {
		t.Errorf("status line: %s", line)
	}

	// A second activation changes nothing.
	before := w.snapshot()
	stateBefore := w.mm.KV(pluginID)[StateKey]
	ran, _, err := w.migrator(nil).Run(context.Background(), 0)
	if err != nil || ran {
		t.Fatalf("second run: ran=%v %v", ran, err)
	}
	if d := diff(before, w.snapshot()); d != "" || string(w.mm.KV(pluginID)[StateKey]) != string(stateBefore) {
		t.Fatalf("the second activation changed:\n%s", d)
	}
}

func TestDryRunListsAndChangesNothing(t *testing.T) {
	w := seed(t)
	before := w.snapshot()
	text, err := w.migrator(nil).DryRun()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Storage schema: 1; last migration: none yet",
		"**Installed apps** (2)", "`ia.legacy-http`: http, enabled, bot @legacy-http", "JWT secret", "`ia.legacy-lambda`: aws_lambda, disabled",
		"**Local manifests** (1)", "`lm.legacy-http`",
		"app `legacy-http`: 2", "app `legacy-lambda`: 2", "OAuth2 user records to move",
		"`sub.user_left_channel.`: move to sub.user_left_channel", "`sub.user_created`: convert the v0.x list",
		"add 3 records", "Cached sessions** of the original to delete: 1",
		"remove `installed_apps` (2) and `local_manifests` (1)",
		"app KV values of v0.4 (md5-hashed keys): 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("dry run does not say %q:\n%s", want, text)
		}
	}
	if d := diff(before, w.snapshot()); d != "" {
		t.Fatalf("the dry run changed:\n%s", d)
	}
	w.run(t)
	text, err = w.migrator(nil).DryRun()
	if err != nil || !strings.Contains(text, "Nothing to migrate.") {
		t.Fatalf("dry run after the migration: %v\n%s", err, text)
	}
}

type crash struct{ n int }

// TestCrashAtEveryWriteResumes interrupts the migration after each of its
// writes in turn, as a crash would (the lock stays held until it expires),
// runs it again, and compares the result with an uninterrupted run.
func TestCrashAtEveryWriteResumes(t *testing.T) {
	w := seed(t)
	total := 0
	ran, _, err := w.migrator(func(n int) { total = n }).Run(context.Background(), 0)
	if err != nil || !ran {
		t.Fatal(ran, err)
	}
	want := w.snapshot()
	t.Logf("an uninterrupted migration makes %d writes", total)
	if total < 40 {
		t.Fatalf("only %d writes: is the hook called?", total)
	}
	for n := 1; n <= total; n++ {
		w.reset(t)
		func() {
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(crash); !ok {
						panic(r)
					}
				}
			}()
			_, _, err := w.migrator(func(i int) {
				if i == n {
					panic(crash{n})
				}
			}).Run(context.Background(), 0)
			t.Fatalf("crash after write %d: the run returned (%v)", n, err)
		}()
		w.clock.Add(2 * lockTTL) // the crashed node's lock expires
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ran, st, err := w.migrator(nil).Run(ctx, 0)
		cancel()
		if err != nil {
			t.Fatalf("resume after a crash at write %d: %v", n, err)
		}
		if !ran && n < total-1 {
			t.Fatalf("crash at write %d of %d: nothing resumed (state %+v)", n, total, st)
		}
		if d := diff(want, w.snapshot()); d != "" {
			t.Fatalf("after a crash at write %d of %d and a resume, the data differs from an uninterrupted migration:\n%s", n, total, d)
		}
		if st.Status != StatusDone {
			t.Fatalf("crash at write %d: state %+v", n, st)
		}
	}
	w.checkMigrated(t)
}

func TestOneNodeMigratesTheOthersWait(t *testing.T) {
	w := seed(t)
	node2 := w.mm.ForPlugin(fakemm.PluginManifest{Id: pluginID}, "node2", "")
	var wg sync.WaitGroup
	results := make([]bool, 2)
	for i, api := range []mmplugin.API{w.api, node2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran, _, err := New(api, Options{Now: w.clock.Now}).Run(context.Background(), 0)
			if err != nil {
				t.Error(err)
			}
			results[i] = ran
		}()
	}
	wg.Wait()
	if results[0] == results[1] {
		t.Fatalf("ran on both or neither node: %v", results)
	}
	w.checkMigrated(t)
}

func TestBusyNodeGivesUp(t *testing.T) {
	w := seed(t)
	lock := store.NewLock(w.api, lockName)
	if err := lock.Acquire(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := w.migrator(nil).Run(ctx, 0); err == nil || !strings.Contains(err.Error(), ErrBusy.Error()) {
		t.Fatalf("with the lock held elsewhere: %v", err)
	}
}

func TestKeepsThisPluginsNewerRecords(t *testing.T) {
	w := seed(t)
	// An earlier version of this plugin (no migration) reinstalled the app.
	mine := apps.App{Manifest: apps.Manifest{AppID: "legacy-http", Version: "2.0.0", DisplayName: "Mine", HTTP: &apps.HTTP{RootURL: "http://127.0.0.1:9"}},
		DeployType: apps.DeployHTTP, Secret: "newer", BotUserID: w.botHTTP, BotUsername: "legacy-http"}
	if err := store.NewInstalledApps(w.api).Save("legacy-http", mine); err != nil {
		t.Fatal(err)
	}
	st := w.run(t)
	installed := store.NewInstalledApps(w.api)
	_ = installed.Load()
	if a, _ := installed.Get("legacy-http"); a.Secret != "newer" || a.Version != "2.0.0" {
		t.Errorf("this plugin's newer record was replaced: %+v", a)
	}
	if !slices.ContainsFunc(st.Notes, func(n string) bool { return strings.Contains(n, "kept this plugin's record") }) {
		t.Errorf("notes: %v", st.Notes)
	}
	if _, ok := w.mm.KV(pluginID)[w.httpRecord]; ok {
		t.Error("the original record was left in place")
	}
}

func TestBrokenRecordsAreReportedNotFatal(t *testing.T) {
	w := seed(t)
	w.mm.SetKV(pluginID, w.lambdaRecord, []byte(`{"app_id": broken`))
	st := w.run(t)
	// The lambda app's bot is unknown now, so its v0.x value and
	// subscription cannot be placed either.
	if len(st.Problems) != 3 || !strings.Contains(st.Problems[0], "app legacy-lambda: record app.") || !strings.Contains(st.Result, "3 records could not be migrated") {
		t.Fatalf("problems %v, result %q", st.Problems, st.Result)
	}
	if _, ok := w.mm.KV(pluginID)[w.lambdaRecord]; !ok {
		t.Error("the broken record was deleted")
	}
	installed := store.NewInstalledApps(w.api)
	_ = installed.Load()
	if _, ok := installed.Get("legacy-http"); !ok {
		t.Error("the good app was not migrated")
	}
	if ran, _, _ := w.migrator(nil).Run(context.Background(), 0); ran {
		t.Error("a broken record makes every activation migrate again")
	}
	if text, _ := w.migrator(nil).DryRun(); !strings.Contains(text, "Reported by the last migration") || !strings.Contains(text, "app legacy-lambda: record app.") {
		t.Errorf("the dry run does not show the last migration's problems:\n%s", text)
	}
}

func TestRollbackGivesTheOriginalItsDataBack(t *testing.T) {
	w := seed(t)
	w.run(t)
	migrated := w.snapshot()
	text, err := w.migrator(nil).Rollback(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "rolled back: restored 11 records") {
		t.Errorf("rollback: %s", text)
	}
	kvNow := w.mm.KV(pluginID)
	for k, v := range w.seededKV {
		if strings.HasPrefix(k, ".t_") {
			continue
		}
		if string(kvNow[k]) != string(v) {
			t.Errorf("%q after the rollback = %s, want %s", k, kvNow[k], v)
		}
	}
	for k := range kvNow {
		if strings.HasPrefix(k, "ia.") || strings.HasPrefix(k, "lm.") || strings.HasPrefix(k, BackupPrefix) || strings.HasPrefix(k, appservices.NamespaceKV) {
			t.Errorf("%q is left after the rollback", k)
		}
	}
	conf := w.mm.PluginConfigMap(pluginID)
	if !maps.Equal(configMap(conf, "installed_apps"), configMap(w.seededConfig, "installed_apps")) ||
		!maps.Equal(configMap(conf, "local_manifests"), configMap(w.seededConfig, "local_manifests")) {
		t.Errorf("config after the rollback: %v", conf)
	}
	if st, _ := readState(w.api); st.Status != StatusRolledBack || st.Schema != 0 {
		t.Errorf("state: %+v", st)
	}
	// Started again, this plugin migrates the original's data afresh.
	w.run(t)
	if d := diff(migrated, w.snapshot()); d != "" {
		t.Fatalf("migrating again after a rollback differs from the first migration:\n%s", d)
	}
}

func TestOriginalRecordsWrittenAfterAMigrationWin(t *testing.T) {
	w := seed(t)
	w.run(t)
	// The original runs again (without a rollback) and reinstalls the app
	// with a new secret.
	o := original.Writer{MM: w.mm, PluginID: pluginID}
	o.InstallApp("legacy-http", original.HTTPApp("legacy-http", "http://127.0.0.1:9", "rotated", w.botHTTP, "legacy-http", "oauthappid00000000000000aa", false))
	if ok, _ := w.migrator(nil).Needed(); !ok {
		t.Fatal("the original's config entry does not trigger a migration")
	}
	w.run(t)
	installed := store.NewInstalledApps(w.api)
	_ = installed.Load()
	if a, _ := installed.Get("legacy-http"); a.Secret != "rotated" {
		t.Errorf("secret = %q, want the original's newer one", a.Secret)
	}
}

func TestBackupKeysFit(t *testing.T) {
	for _, k := range []string{"app." + strings.Repeat("a", 40), "sub.user_joined_channel." + strings.Repeat("c", 26), original.Hashkey(".k", "x", strings.Repeat("u", 26), "", "k")} {
		if b := BackupKey(k); len(b) > 50 || !strings.HasPrefix(b, BackupPrefix) {
			t.Errorf("BackupKey(%q) = %q", k, b)
		}
	}
	if BackupKey("app.x") != "bak1.app.x" {
		t.Error("short keys keep their name")
	}
}

func TestStoppingMidwayResumes(t *testing.T) {
	w := seed(t)
	w.run(t)
	want := w.snapshot()
	w.reset(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, st, err := w.migrator(func(n int) {
		if n == 12 {
			cancel()
		}
	}).Run(ctx, 0)
	if err == nil || st.Status != StatusFailed || !strings.Contains(st.Result, "stopped because the plugin is stopping") {
		t.Fatalf("stopped run: %v, state %+v", err, st)
	}
	if line := w.migrator(nil).StatusLine(); !strings.Contains(line, "failed, 2026-03-01T12:00:00Z: ") || !strings.Contains(line, "stopped because the plugin is stopping: context canceled (retried at the next activation)") {
		t.Errorf("status line: %s", line)
	}
	st = w.run(t) // the lock was released: no wait
	if st.Attempts != 2 {
		t.Errorf("attempts = %d", st.Attempts)
	}
	if d := diff(want, w.snapshot()); d != "" {
		t.Fatalf("after a stop and a resume:\n%s", d)
	}
}
