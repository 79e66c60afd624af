package builtin

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

// Debug call paths (developer mode, system admins).
const (
	PathDebugClean       = "/debug/clean"
	PathDebugKVList      = "/debug/kv/list"
	PathDebugSessionList = "/debug/session/list"
	// PathDebugMigrate runs (or, with dry_run, plans; with rollback,
	// undoes) the storage migration: system admins, no developer mode.
	PathDebugMigrate = "/debug/migrate"
)

// debugDeps are what the debug commands need from the plugin: a reload of
// stored state after a clean, and the list of app sessions.
type debugDeps struct {
	reload   func() error
	sessions func(appID apps.AppID) ([]SessionInfo, error)
	revoke   func(appID apps.AppID, userID string) error // debug_inspect.go
}

// SessionInfo describes one app session for /apps debug session list.
type SessionInfo struct {
	ID, UserID string
	ExpiresAt  time.Time
	// Session is the whole session, for /apps debug session view.
	Session *model.Session
}

// SetDebug gives the debug commands what they need: reload re-reads stored
// state after a clean; sessions lists app sessions.
func (a *App) SetDebug(reload func() error, sessions func(appID apps.AppID) ([]SessionInfo, error)) {
	a.debug = debugDeps{reload: reload, sessions: sessions}
}

// requireDebug allows system admins in developer mode.
func (a *App) requireDebug(in proxy.Incoming) error {
	if _, err := a.proxy.RequireAdmin(in, "use the debug commands"); err != nil {
		return err
	}
	if !a.conf.Get().DeveloperMode {
		return fmt.Errorf("%w: the debug commands need developer mode (/apps settings, or ServiceSettings.EnableDeveloper and EnableTesting)", proxy.ErrForbidden)
	}
	return nil
}

// debugClean deletes everything the plugin stored: installed apps, local
// listings, app data, sessions. Bots and OAuth apps stay.
func (a *App) debugClean(_ context.Context, in proxy.Incoming, _ apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	if appErr := a.api.KVDeleteAll(); appErr != nil {
		return apps.CallResponse{}, fmt.Errorf("delete the plugin's data: %w", appErr)
	}
	if a.debug.reload != nil {
		if err := a.debug.reload(); err != nil {
			return apps.CallResponse{}, fmt.Errorf("reload after the clean: %w", err)
		}
	}
	return refreshing("Deleted all of the plugin's stored data (installed apps, local listings, app data, sessions). Bots and OAuth apps were kept.", nil)
}

// debugKVList counts the plugin's KV keys by prefix.
func (a *App) debugKVList(_ context.Context, in proxy.Incoming, _ apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	counts := map[string]int{}
	total := 0
	const perPage = 1000
	for page := 0; ; page++ {
		keys, appErr := a.api.KVList(page, perPage)
		if appErr != nil {
			return apps.CallResponse{}, fmt.Errorf("list the plugin's keys: %w", appErr)
		}
		for _, k := range keys {
			counts[keyPrefix(k)]++
		}
		total += len(keys)
		if len(keys) < perPage {
			break
		}
	}
	prefixes := make([]string, 0, len(counts))
	for p := range counts {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	var b strings.Builder
	fmt.Fprintf(&b, "%d keys.\n\n| Prefix | Keys |\n|:--|--:|\n", total)
	for _, p := range prefixes {
		fmt.Fprintf(&b, "| `%s` | %d |\n", p, counts[p])
	}
	return apps.NewTextResponse("%s", b.String()), nil
}

// keyPrefix is the part of a key before its first dot or underscore after
// the first character (".k…", "ia.", "lock.", "mmi_").
func keyPrefix(k string) string {
	if i := strings.IndexAny(k[min(1, len(k)):], "._"); i >= 0 {
		return k[:i+2]
	}
	return k
}

// debugSessionList lists the app sessions of every installed app.
func (a *App) debugSessionList(_ context.Context, in proxy.Incoming, _ apps.CallRequest) (apps.CallResponse, error) {
	if err := a.requireDebug(in); err != nil {
		return apps.CallResponse{}, err
	}
	if a.debug.sessions == nil {
		return apps.NewTextResponse("Sessions are not available."), nil
	}
	var b strings.Builder
	b.WriteString("| App | User | Session | Expires |\n|:--|:--|:--|:--|\n")
	n := 0
	for _, app := range a.proxy.InstalledApps() {
		list, err := a.debug.sessions(app.AppID)
		if err != nil {
			return apps.CallResponse{}, err
		}
		for _, s := range list {
			n++
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", app.AppID, s.UserID, s.ID, s.ExpiresAt.UTC().Format(time.RFC3339))
		}
	}
	if n == 0 {
		return apps.NewTextResponse("No app sessions."), nil
	}
	return apps.NewTextResponse("%s", b.String()), nil
}

// Migration is the storage migration (server/migrate) as /apps info and
// /apps debug migrate use it.
type Migration interface {
	// StatusLine is "Storage schema: N; last migration: <result, time>".
	StatusLine() string
	// DryRun lists what a migration would change.
	DryRun() (string, error)
	// Migrate runs a pending migration now.
	Migrate(ctx context.Context) (string, error)
	// Rollback gives the original plugin its data back.
	Rollback(ctx context.Context) (string, error)
}

// SetMigration gives /apps info and /apps debug migrate the migration.
func (a *App) SetMigration(m Migration) { a.migration = m }

// Values of /debug/migrate.
const (
	fieldDryRun   = "dry_run"
	fieldRollback = "rollback"
)

// debugMigrate is for system admins and, unlike the other debug commands,
// works outside developer mode: replacing the original plugin is a
// production task, and the dry run only reads.
func (a *App) debugMigrate(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if _, err := a.proxy.RequireAdmin(in, "migrate the stored data"); err != nil {
		return apps.CallResponse{}, err
	}
	if a.migration == nil {
		return apps.NewTextResponse("The storage migration is not available."), nil
	}
	dry, rollback := creq.BoolValue(fieldDryRun), creq.BoolValue(fieldRollback)
	var text string
	var err error
	switch {
	case dry && rollback:
		return apps.CallResponse{}, fmt.Errorf("%w: give either --dry-run or --rollback", proxy.ErrInvalid)
	case dry:
		text, err = a.migration.DryRun()
	case rollback:
		text, err = a.migration.Rollback(ctx)
	default:
		text, err = a.migration.Migrate(ctx)
	}
	if err != nil {
		return apps.CallResponse{}, err
	}
	if dry {
		return apps.NewTextResponse("%s", text), nil
	}
	return refreshing(text, nil)
}
