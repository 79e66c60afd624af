package appservices

import "testing"

// FuzzOriginalHashkey: keys found in a KV store (the original plugin's
// data) are parsed without panics, and conversions stay within 50 bytes.
func FuzzOriginalHashkey(f *testing.F) {
	if k, err := OriginalHashkey(OriginalNamespaceKV, "some_app_id", "userIDis26bytes12345678910", "AB", "id"); err == nil {
		f.Add(k)
	}
	f.Add(".k")
	f.Add(".kshort")
	f.Fuzz(func(t *testing.T, key string) {
		if _, err := ParseOriginalHashkey(key); err != nil {
			return
		}
		if c, err := CompactFromOriginal(key); err == nil && len(c) > 50 {
			t.Fatalf("CompactFromOriginal(%q) = %q: %d bytes", key, c, len(c))
		}
	})
}
