package localaws

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCleanZipName: no entry name of an uploaded function zip escapes the
// function's directory.
func FuzzCleanZipName(f *testing.F) {
	for _, s := range []string{"bootstrap", "../x", "/abs", `a\..\..\b`, "a/./b/../c", "C:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		clean, err := cleanZipName(name)
		if err != nil {
			return
		}
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.HasPrefix(clean, "..\\") {
			t.Fatalf("cleanZipName(%q) = %q", name, clean)
		}
	})
}
