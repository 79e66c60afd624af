package migrate

import (
	"fmt"
	"os"
)

// Test hooks, read from the plugin process's environment. They exist for
// the end-to-end tests only: never set them on a server.
const (
	// EnvTestCrashAfter makes the process exit (as in a crash) right after
	// the migration's n-th write.
	EnvTestCrashAfter = "MM_APPS_TEST_MIGRATION_CRASH_AFTER"
	// EnvTestCrashMarker names a file that makes the crash happen once:
	// it is created before exiting, and no crash happens while it exists.
	EnvTestCrashMarker = "MM_APPS_TEST_MIGRATION_CRASH_MARKER"
)

// CrashHookFromEnv returns the AfterWrite hook EnvTestCrashAfter asks for,
// or nil.
func CrashHookFromEnv(getenv func(string) string) func(n int) {
	var after int
	if _, err := fmt.Sscan(getenv(EnvTestCrashAfter), &after); err != nil || after <= 0 {
		return nil
	}
	marker := getenv(EnvTestCrashMarker)
	if marker != "" {
		if _, err := os.Stat(marker); err == nil {
			return nil
		}
	}
	return func(n int) {
		if n != after {
			return
		}
		if marker != "" {
			_ = os.WriteFile(marker, []byte("crashed\n"), 0o600)
		}
		fmt.Fprintf(os.Stderr, "%s=%d: exiting after migration write %d\n", EnvTestCrashAfter, after, n)
		os.Exit(1)
	}
}
