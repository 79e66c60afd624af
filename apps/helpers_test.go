package apps_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

// checkErr fails unless err matches want: "" means no error; otherwise err
// must match ErrInvalid and contain want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("expected an error containing %q, got none", want)
	}
	if !errors.Is(err, apps.ErrInvalid) {
		t.Errorf("error %q does not match ErrInvalid", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
