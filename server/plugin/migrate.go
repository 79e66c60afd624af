package plugin

import (
	"context"
	"errors"
	"time"

	"github.com/mattermost-community/apps-plugin/server/migrate"
)

// migrateWait is how long activation waits for another node's migration
// before it starts with the data as it is and finishes in the background.
const migrateWait = 30 * time.Second

// migrateStorage brings the stored data to the current schema before the
// stores load it (taking over the original plugin's data). Only one node
// migrates; the others wait for it. It never fails activation: problems are
// logged and shown by /apps info and /apps debug migrate --dry-run. It
// returns true if another node was still migrating when the wait ended:
// then migrateLater finishes the job once the services run.
func (s *services) migrateStorage(getenv func(string) string) (busy bool) {
	s.migrator = migrate.New(s.api, migrate.Options{AfterWrite: migrate.CrashHookFromEnv(getenv)})
	ran, st, err := s.migrator.Run(context.Background(), migrateWait)
	switch {
	case errors.Is(err, migrate.ErrBusy):
		s.api.LogWarn("Another cluster node is migrating the stored data: starting with the data as it is, and reloading when the migration is done")
		return true
	case err != nil:
		s.api.LogError("The stored data could not be migrated; the migration resumes at the next activation", "error", err.Error())
	case ran:
		s.api.LogInfo("Migrated the stored data", "schema", st.Schema, "result", st.Result)
		for _, p := range st.Problems {
			s.api.LogWarn("A record could not be migrated", "problem", p)
		}
		if len(st.Counts) > 0 {
			// Nodes that started without waiting reload what was migrated.
			s.notifyCluster()
		}
	}
	return false
}

// migrateLater waits in the background for the node that migrates (or
// takes over if it crashed and its lock expired), then reloads. Stopping
// the plugin stops it, between two records if it is migrating.
func (s *services) migrateLater() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.stopMigration = func() { cancel(); <-done }
	go func() {
		defer close(done)
		ran, _, err := s.migrator.Run(ctx, 0)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.api.LogError("The stored data could not be migrated; the migration resumes at the next activation", "error", err.Error())
		}
		if err := s.reload(); err != nil {
			s.api.LogError("Reload after the migration failed", "error", err.Error())
		}
		if ran {
			s.notifyCluster()
		}
	}()
}

// migrationCommands gives /apps info and /apps debug migrate the migrator;
// after a migration or rollback from the command, every node reloads.
type migrationCommands struct{ s *services }

func (c migrationCommands) StatusLine() string      { return c.s.migrator.StatusLine() }
func (c migrationCommands) DryRun() (string, error) { return c.s.migrator.DryRun() }

func (c migrationCommands) Migrate(ctx context.Context) (string, error) {
	ran, text, err := c.s.migrator.Migrate(ctx)
	if err == nil && ran {
		err = c.reloadEverywhere()
	}
	return text, err
}

func (c migrationCommands) Rollback(ctx context.Context) (string, error) {
	text, err := c.s.migrator.Rollback(ctx)
	if err == nil {
		err = c.reloadEverywhere()
	}
	return text, err
}

func (c migrationCommands) reloadEverywhere() error {
	c.s.notifyCluster()
	return c.s.reload()
}
