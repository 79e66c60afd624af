// Package migrate brings the plugin's stored data to the current storage
// schema, once per cluster, before the stores load it.
//
// Schema 0 is the original Apps plugin's layout (mattermost-plugin-apps
// v0.5 to v1.2.2), which this plugin replaces under the same plugin id:
// installed apps and local manifests as "app.<sha1>" / "man.<sha1>" KV
// records listed in the plugin config ("installed_apps", "local_manifests"),
// app KV values and OAuth2 user data under 82-byte hashkeys (".k", ".u"),
// subscriptions under "sub.<subject>[.<id>]". Schema 1 is this plugin's:
// "ia.<id>" / "lm.<id>" records with indexes, compact app-data keys that
// fit Mattermost 6.2's 50-character limit (see appservices/hashkey.go), the
// same subscription keys with an index, and the migration state record.
//
// Every step is idempotent and resumable: a record is moved by writing the
// new record, reading it back, copying the original to a backup key
// (BackupPrefix) and only then deleting the original. A crash at any point
// leaves either the original (done again next time) or the new record and
// the backup (recognised as done). The plugin config entries go last, after
// every record, and are backed up too, so Rollback can give the original
// plugin its data back.
//
// A future format change adds steps with a higher schema to steps (see
// steps.go); Run applies those the data has not had yet.
package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/store"
)

// CurrentSchema is the storage schema this code writes and reads.
const CurrentSchema = store.SchemaVersion

// StateKey is the KV key of the migration state.
const StateKey = "migration"

// Migration states.
const (
	StatusRunning    = "running"
	StatusFailed     = "failed"
	StatusDone       = "done"
	StatusRollback   = "rolling back"
	StatusRolledBack = "rolled back"
)

// lockName is the cluster lock ("lock.migrate") one node holds while it
// migrates; lockTTL bounds how long a crashed holder blocks the others.
const (
	lockName = "migrate"
	lockTTL  = time.Minute
)

// maxListed bounds the problems and notes kept in the state record.
const maxListed = 50

// ErrBusy says another node holds the migration lock.
var ErrBusy = errors.New("another cluster node is migrating the stored data")

// State is the migration record, stored at StateKey in an envelope with its
// own schema like every other record.
type State struct {
	// Schema is the storage schema the data is at (set when a run ends).
	Schema int    `json:"storage_schema"`
	Status string `json:"status"`
	// Step is the step running (or that failed).
	Step string `json:"step,omitempty"`
	// Attempts counts the runs of this migration: more than one means it
	// resumed after a crash or a failure.
	Attempts int        `json:"attempts,omitempty"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"`
	// LastFinished is when a migration last completed before this one.
	LastFinished *time.Time `json:"last_finished,omitempty"`
	// Result is a one-line summary.
	Result string `json:"result,omitempty"`
	// Counts of what was migrated, by kind; Done lists the app and manifest
	// ids.
	Counts map[string]int      `json:"counts,omitempty"`
	Done   map[string][]string `json:"done,omitempty"`
	// Problems are records that could not be migrated (left where they
	// are); Notes are other things worth knowing.
	Problems []string `json:"problems,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

type stateEnvelope struct {
	Schema int   `json:"schema"`
	Data   State `json:"data"`
}

// Options adjust a Migrator.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// AfterWrite is a test hook called after every write the migration
	// makes, with the number of writes so far (crash injection).
	AfterWrite func(n int)
}

// Migrator migrates the plugin's stored data.
type Migrator struct {
	api        mmplugin.API
	now        func() time.Time
	afterWrite func(int)
}

// New returns a Migrator over the plugin API.
func New(api mmplugin.API, opts Options) *Migrator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Migrator{api: api, now: opts.Now, afterWrite: opts.AfterWrite}
}

// State reads the migration record (zero State if there is none).
func (m *Migrator) State() (State, error) { return readState(m.api) }

func readState(api mmplugin.API) (State, error) {
	raw, appErr := api.KVGet(StateKey)
	if appErr != nil {
		return State{}, fmt.Errorf("read the migration state: %w", appErr)
	}
	if raw == nil {
		return State{}, nil
	}
	var env stateEnvelope
	if err := json.Unmarshal(raw, &env); err != nil {
		// An unreadable state only costs a full (idempotent) run.
		return State{}, nil
	}
	return env.Data, nil
}

func writeState(api mmplugin.API, st State) error {
	raw, err := json.Marshal(stateEnvelope{Schema: CurrentSchema, Data: st})
	if err != nil {
		return err
	}
	if appErr := api.KVSet(StateKey, raw); appErr != nil {
		return fmt.Errorf("save the migration state: %w", appErr)
	}
	return nil
}

// Needed reports whether Run has work: no migration has completed at the
// current schema, or the original plugin's config lists apps or manifests
// again (it ran since, for example after a rollback).
func (m *Migrator) Needed() (bool, error) {
	st, err := m.State()
	if err != nil {
		return false, err
	}
	return needed(m.api, st), nil
}

func needed(api mmplugin.API, st State) bool {
	if st.Schema > CurrentSchema {
		return false // written by a newer version: nothing this one can do
	}
	if st.Status != StatusDone || st.Schema < CurrentSchema {
		return true
	}
	return hasOriginalConfig(api.GetPluginConfig())
}

// Run migrates the stored data if it needs it. It waits for the cluster
// lock at most wait (0: as long as ctx lasts) and returns ErrBusy if another
// node still holds it then. Ending ctx stops a run in progress between two
// records (it resumes at the next activation). ran says whether this call
// migrated; st is the resulting state. Records that cannot be migrated do
// not fail the run: they are listed in st.Problems.
func (m *Migrator) Run(ctx context.Context, wait time.Duration) (ran bool, st State, err error) {
	st, err = m.State()
	if err != nil || !needed(m.api, st) {
		return false, st, err
	}
	lock := store.NewLock(m.api, lockName)
	lockCtx := ctx
	if wait > 0 {
		var cancel context.CancelFunc
		lockCtx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	if err := lock.Acquire(lockCtx, lockTTL); err != nil {
		return false, st, fmt.Errorf("%w: %v", ErrBusy, err)
	}
	lost := &atomic.Bool{}
	stop := keepLock(lock, lost)
	defer stop() // also on a panic; the lock itself is not released then, as in a crash
	r := newRun(m, false, lost)
	r.ctx = ctx
	ran, err = r.execute()
	stop()
	lock.Release()
	return ran, r.state, err
}

// keepLock refreshes lock until stop is called; lost is set if it was lost.
func keepLock(lock *store.Lock, lost *atomic.Bool) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(lockTTL / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if ok, err := lock.Refresh(lockTTL); err == nil && !ok {
					lost.Store(true)
					return
				}
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}

// DryRun returns what Run would change, as text, without changing anything.
func (m *Migrator) DryRun() (string, error) {
	st, err := m.State()
	if err != nil {
		return "", err
	}
	r := newRun(m, true, &atomic.Bool{})
	r.preferOriginal = preferOriginal(st)
	if err := r.runSteps(st.Schema); err != nil {
		return "", err
	}
	return r.planText(st), nil
}

// preferOriginal says whose record wins when both exist and differ: after
// a completed migration (or a rollback) the original plugin's records were
// all moved away, so any found now were written later by the original and
// win; otherwise this plugin's (written by an earlier version of it, or
// while this migration waited) are newer and are kept.
func preferOriginal(prev State) bool {
	return prev.LastFinished != nil || prev.Finished != nil || prev.Status == StatusRolledBack || prev.Status == StatusRollback
}

// StatusLine is the /apps info line: the storage schema and the last
// migration's result and time.
func (m *Migrator) StatusLine() string {
	st, err := m.State()
	if err != nil {
		return fmt.Sprintf("Storage schema: %d; last migration: unknown (%v)", CurrentSchema, err)
	}
	return "Storage schema: " + fmt.Sprint(CurrentSchema) + "; last migration: " + describe(st)
}

func describe(st State) string {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	switch st.Status {
	case "":
		return "none yet"
	case StatusRunning, StatusRollback:
		what := "migrating"
		if st.Status == StatusRollback {
			what = "rolling back"
		}
		return fmt.Sprintf("%s since %s (step %s; a run interrupted by a crash resumes at the next activation)", what, ts(st.Started), st.Step)
	case StatusFailed:
		return fmt.Sprintf("failed, %s: %s (retried at the next activation)", ts(st.Started), st.Result)
	}
	when := ts(st.Started)
	if st.Finished != nil {
		when = ts(*st.Finished)
	}
	out := st.Result + ", " + when
	if st.Schema > CurrentSchema {
		out += fmt.Sprintf(" (the data is at schema %d, written by a newer version of the plugin)", st.Schema)
	}
	return out
}

// listAdd appends to a bounded list.
func listAdd(list []string, item string) []string {
	switch {
	case len(list) < maxListed:
		return append(list, item)
	case len(list) == maxListed:
		return append(list, "(more not listed)")
	}
	return list
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func joinNonEmpty(parts []string, sep string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
