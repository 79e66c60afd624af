package uphttp

import (
	"strings"
	"testing"
)

// FuzzCallURL: whatever path an app's binding or a caller gives, the URL
// stays under the app's root and never climbs out of it.
func FuzzCallURL(f *testing.F) {
	for _, s := range []string{"/send", "/../x", "/%2e%2e/x", "/a/%252e%252e/b", `\..\x`, "/a\x00b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		u, err := CallURL("http://app.test/root", p)
		if err != nil {
			return
		}
		if u.Host != "app.test" || !strings.HasPrefix(u.Path, "/root") {
			t.Fatalf("CallURL(%q) = %s: left the app's root", p, u)
		}
	})
}

// FuzzParseAllowList never panics on a setting's text.
func FuzzParseAllowList(f *testing.F) {
	for _, s := range []string{"127.0.0.1 10.0.0.0/8,example.com", " , ", "::1/129", "[::1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { _ = ParseAllowList(s) })
}
