package appservices

import (
	"bytes"
	"encoding/ascii85"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Vectors of the original plugin (server/store/service_test.go@v1.2.2); its
// tests used the global prefix ".X".
var originalVectors = []struct {
	name, prefix, key, want string
}{
	{"long", "", "the-app-chose-an-even-very-longer-id-----------------",
		".Xsome_app_id                     userIDis26bytes12345678910  DONVG5fTTQ:B^jR&Hc+M"},
	{"one byte prefix", "A", "id",
		".Xsome_app_id                     userIDis26bytes12345678910A nEDMRpHe-;lXX_IkLt)+"},
	{"two byte prefix", "AB", "id",
		".Xsome_app_id                     userIDis26bytes12345678910ABnEDMRpHe-;lXX_IkLt)+"},
	{"short", "", "0",
		".Xsome_app_id                     userIDis26bytes12345678910  @ZG`[Gt?1\"TiTJ%@i@0n"},
}

const (
	vecApp  = apps.AppID("some_app_id")
	vecUser = "userIDis26bytes12345678910"
)

func TestOriginalHashkeyMatchesUpstreamVectors(t *testing.T) {
	for _, v := range originalVectors {
		t.Run(v.name, func(t *testing.T) {
			got, err := OriginalHashkey(".X", vecApp, vecUser, v.prefix, v.key)
			if err != nil {
				t.Fatal(err)
			}
			if got != v.want || len(got) != OriginalKeyLen {
				t.Fatalf("OriginalHashkey = %q (%d bytes)\nwant            %q", got, len(got), v.want)
			}
			parsed, err := ParseOriginalHashkey(got)
			if err != nil {
				t.Fatal(err)
			}
			if parsed.Namespace != ".X" || parsed.AppID != vecApp || parsed.UserID != vecUser || parsed.Prefix != v.prefix {
				t.Fatalf("parsed %+v", parsed)
			}
			if !bytes.Equal(parsed.Digest, keyDigest(v.key)) {
				t.Fatal("digest does not round-trip")
			}
		})
	}
	// The OAuth2 user vector (server/store/oauth2_test.go@v1.2.2).
	got, err := OriginalHashkey(OriginalNamespaceUser, vecApp, vecUser, "", OriginalOAuth2UserKey)
	if want := ".usome_app_id                     userIDis26bytes12345678910  nYmK(/C@:ZHulkHPF_PY"; err != nil || got != want {
		t.Fatalf("oauth2 user key = %q, %v; want %q", got, err, want)
	}
}

func TestOriginalHashkeyErrors(t *testing.T) {
	for _, tc := range []struct {
		ns, user, prefix, key, want string
	}{
		{"", vecUser, "A", "id", `global prefix "" is not 2 ASCII characters starting with a '.'`},
		{"AB", vecUser, "A", "id", `global prefix "AB" is not 2 ASCII characters starting with a '.'`},
		{".TOOLONG", vecUser, "A", "id", `global prefix ".TOOLONG" is not 2 ASCII characters starting with a '.'`},
		{".X", "TOOSHORT", "A", "id", `userID "TOOSHORT" must be exactly 26 ASCII characters`},
		{".X", vecUser, "A", "", `key must not be empty`},
		{".X", vecUser, "ABC", "id", `prefix "ABC" is longer than the limit of 2 ASCII characters`},
	} {
		if _, err := OriginalHashkey(tc.ns, vecApp, tc.user, tc.prefix, tc.key); err == nil || err.Error() != tc.want {
			t.Errorf("OriginalHashkey(%q, %q, %q, %q) error = %v, want %q", tc.ns, tc.user, tc.prefix, tc.key, err, tc.want)
		}
	}
}

func TestCompactKeysFitOldServersAndKeepTheOriginalDigest(t *testing.T) {
	for _, v := range originalVectors {
		k, err := Hashkey(vecApp, vecUser, v.prefix, v.key)
		if err != nil {
			t.Fatal(err)
		}
		if len(k) != compactKeyLen || len(k) > 50 {
			t.Fatalf("%q is %d bytes", k, len(k))
		}
		// The key hash is the original's 20 characters.
		if tail := v.want[62:]; !strings.HasSuffix(k, tail) {
			t.Errorf("compact key %q does not end with the original hash %q", k, tail)
		}
		// And the migration finds it from the original key alone.
		orig, _ := OriginalHashkey(OriginalNamespaceKV, vecApp, vecUser, v.prefix, v.key)
		if got, err := CompactFromOriginal(orig); err != nil || got != k {
			t.Errorf("CompactFromOriginal(%q) = %q, %v; want %q", orig, got, err, k)
		}
		if !ownedBy(k, vecApp) || ownedBy(k, "other_app") {
			t.Errorf("ownedBy(%q) is wrong", k)
		}
	}
	orig, _ := OriginalHashkey(OriginalNamespaceUser, vecApp, vecUser, "", OriginalOAuth2UserKey)
	if got, err := CompactFromOriginal(orig); err != nil || got != OAuth2UserKey(vecApp, vecUser) {
		t.Errorf("CompactFromOriginal(oauth2 user) = %q, %v", got, err)
	}
	ik, _ := indexKey(vecApp, vecUser, "AB")
	for _, k := range []string{ik, OAuth2UserKey(vecApp, vecUser)} {
		if len(k) > 50 || !ownedBy(k, vecApp) {
			t.Errorf("%q: %d bytes, owned %v", k, len(k), ownedBy(k, vecApp))
		}
	}
}

func TestCompactKeysSeparateAppsUsersPrefixesAndKeys(t *testing.T) {
	base, _ := Hashkey("app1", vecUser, "", "k")
	seen := map[string]string{base: "base"}
	for name, args := range map[string][4]string{
		"app":    {"app2", vecUser, "", "k"},
		"user":   {"app1", "otheruserid4567890123456789"[:26], "", "k"},
		"prefix": {"app1", vecUser, "p", "k"},
		"key":    {"app1", vecUser, "", "k2"},
	} {
		k, err := Hashkey(apps.AppID(args[0]), args[1], args[2], args[3])
		if err != nil {
			t.Fatal(err)
		}
		if prev, dup := seen[strings.ToLower(k)]; dup {
			t.Errorf("%s: key %q collides with %s", name, k, prev)
		}
		seen[strings.ToLower(k)] = name
	}
}

func TestHashkeyRejectsBadInput(t *testing.T) {
	for _, tc := range []struct{ prefix, key string }{
		{"ABC", "k"}, {"A ", "k"}, {"\x01", "k"}, {"", ""}, {"", strings.Repeat("k", MaxKeyLength+1)},
	} {
		if _, err := Hashkey("app", vecUser, tc.prefix, tc.key); err == nil {
			t.Errorf("Hashkey(prefix %q, key of %d bytes) accepted", tc.prefix, len(tc.key))
		}
	}
}

func TestA85MatchesASCII85WithoutTheZeroShortcut(t *testing.T) {
	for _, b := range [][]byte{keyDigest("id"), keyDigest("0"), make([]byte, 8), {0, 0, 0, 1, 255, 255, 255, 255}} {
		std := make([]byte, ascii85.MaxEncodedLen(len(b)))
		std = std[:ascii85.Encode(std, b)]
		want := strings.ReplaceAll(string(std), "z", "!!!!!")
		if got := a85(b); got != want || len(got) != len(b)/4*5 {
			t.Errorf("a85(%x) = %q, want %q", b, got, want)
		}
	}
}
