package appservices

import (
	"crypto/sha3"
	"encoding/ascii85"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Key layout of the apps' data in the plugin KV store.
//
// Why not the original plugin's layout: v1.x stored an app's value under an
// 82-byte "hashkey": ".k" + app id padded to 32 + user id (26) + namespace
// prefix padded to 2 + ascii85(SHAKE128(key)[:16]) (20). Mattermost accepts
// KV keys of at most 50 characters up to 6.2 (model.KeyValueKeyMaxRunes = 50,
// column PluginKeyValueStore.PKey varchar(50)); 6.3 widened them to 150
// (migration 000073_upgrade_plugin_key_value_store_v6.3). We support 6.2
// (min_server_version 6.2.0), where an 82-byte key is refused, so every key
// here stays within 50 bytes.
//
// The compact layout is derived only from what an original key holds in the
// clear (app id, user id, namespace, and the 16 hash bytes of the key), so
// the later migration can rename the original plugin's data in place
// (CompactFromOriginal) without knowing the apps' key names.
//
//	value:  ns(2) + H(app id)(10) + H(user id)(10) + prefix(2) + A85(SHAKE128(key)[:16])(20) = 44 bytes
//	index:  ".i"  + H(app id)(10) + H(user id)(10) + prefix(2)                              = 24 bytes
//	oauth2: ".r"  + H(app id)(10) + H(user id)(10)                                          = 22 bytes
//
// H(s) is A85(SHAKE128(domain + s)[:8]); A85 is ascii85 without the "z"
// shortcut, so the widths are fixed. Namespaces differ case-insensitively
// from each other and from the original ones (".k", ".u", ".o", ".t"): MySQL
// compares keys case-insensitively.
const (
	// NamespaceKV holds the apps' KV values.
	NamespaceKV = ".a"
	// NamespaceKVIndex holds the key names of one (app, user, prefix), for
	// listing (the values' keys are hashes).
	NamespaceKVIndex = ".i"
	// NamespaceOAuth2User holds the remote OAuth2 data an app stored for a user.
	NamespaceOAuth2User = ".r"

	// OriginalNamespaceKV and OriginalNamespaceUser are the original plugin's.
	OriginalNamespaceKV   = ".k"
	OriginalNamespaceUser = ".u"
	// OriginalOAuth2UserKey is the key the original plugin hashed for the
	// OAuth2 user record.
	OriginalOAuth2UserKey = "oauth2_user"

	// MaxKeyLength bounds an app's key name (the names are kept in an index
	// for listing).
	MaxKeyLength = 1024

	idHashLen     = 10 // A85 of 8 bytes
	keyHashLen    = 20 // A85 of 16 bytes
	compactKeyLen = 2 + idHashLen + idHashLen + apps.MaxKVPrefixLength + keyHashLen
	indexKeyLen   = 2 + idHashLen + idHashLen + apps.MaxKVPrefixLength

	// OriginalKeyLen is the length of the original plugin's hashkeys.
	OriginalKeyLen = 2 + apps.MaxAppIDLength + userIDLen + apps.MaxKVPrefixLength + keyHashLen
	userIDLen      = 26
)

// a85 encodes b (a multiple of 4 bytes) as ascii85, 5 characters per 4
// bytes, without the "z" shortcut for zero groups.
func a85(b []byte) string {
	out := make([]byte, 0, len(b)/4*5)
	for i := 0; i+4 <= len(b); i += 4 {
		v := binary.BigEndian.Uint32(b[i:])
		var g [5]byte
		for j := 4; j >= 0; j-- {
			g[j] = byte(v%85) + '!'
			v /= 85
		}
		out = append(out, g[:]...)
	}
	return string(out)
}

func idHash(domain, s string) string {
	return a85(sha3.SumSHAKE128([]byte(domain+s), 8))
}

// AppHash and UserHash are the fixed-width parts naming an app and a user.
func AppHash(appID apps.AppID) string { return idHash("app:", string(appID)) }
func UserHash(userID string) string   { return idHash("user:", userID) }

// keyDigest is the original plugin's key hash: SHAKE128(key)[:16].
func keyDigest(key string) []byte { return sha3.SumSHAKE128([]byte(key), 16) }

// checkPrefix validates an app's namespace prefix: up to 2 printable ASCII
// characters, no spaces (prefixes are padded with spaces).
func checkPrefix(prefix string) (string, error) {
	if len(prefix) > apps.MaxKVPrefixLength {
		return "", apps.NewInvalidError("prefix %q is longer than the limit of %d ASCII characters", prefix, apps.MaxKVPrefixLength)
	}
	for _, c := range []byte(prefix) {
		if c <= ' ' || c > '~' {
			return "", apps.NewInvalidError("prefix %q: only printable ASCII characters other than space are allowed", prefix)
		}
	}
	return prefix + strings.Repeat(" ", apps.MaxKVPrefixLength-len(prefix)), nil
}

func checkKey(key string) error {
	switch {
	case key == "":
		return apps.NewInvalidError("key must not be empty")
	case len(key) > MaxKeyLength:
		return apps.NewInvalidError("key is %d bytes, the limit is %d", len(key), MaxKeyLength)
	}
	return nil
}

// Hashkey is where an app's value for (user, prefix, key) is stored.
func Hashkey(appID apps.AppID, userID, prefix, key string) (string, error) {
	p, err := checkPrefix(prefix)
	if err != nil {
		return "", err
	}
	if err := checkKey(key); err != nil {
		return "", err
	}
	return NamespaceKV + AppHash(appID) + UserHash(userID) + p + a85(keyDigest(key)), nil
}

// indexKey is where the key names of (app, user, prefix) are listed.
func indexKey(appID apps.AppID, userID, prefix string) (string, error) {
	p, err := checkPrefix(prefix)
	if err != nil {
		return "", err
	}
	return NamespaceKVIndex + AppHash(appID) + UserHash(userID) + p, nil
}

// OAuth2UserKey is where the remote OAuth2 data of (app, user) is stored.
func OAuth2UserKey(appID apps.AppID, userID string) string {
	return NamespaceOAuth2User + AppHash(appID) + UserHash(userID)
}

// ownedBy reports whether key is one of the app's data keys (values,
// indexes, OAuth2 user data).
func ownedBy(key string, appID apps.AppID) bool {
	switch {
	case len(key) == compactKeyLen && strings.HasPrefix(key, NamespaceKV),
		len(key) == indexKeyLen && strings.HasPrefix(key, NamespaceKVIndex),
		len(key) == 2+2*idHashLen && strings.HasPrefix(key, NamespaceOAuth2User):
		return key[2:2+idHashLen] == AppHash(appID)
	}
	return false
}

// OriginalHashkey is the original (v1.x) plugin's 82-byte key: globalNS
// (".k" values, ".u" OAuth2 users) + app id padded to 32 + user id (26) +
// prefix padded to 2 + ascii85(SHAKE128(key)[:16]). It is here for the
// migration of the original plugin's data and to check the layouts agree.
func OriginalHashkey(globalNS string, appID apps.AppID, userID, prefix, key string) (string, error) {
	switch {
	case len(globalNS) != 2 || globalNS[0] != '.':
		return "", fmt.Errorf("global prefix %q is not 2 ASCII characters starting with a '.'", globalNS)
	case len(appID) > apps.MaxAppIDLength:
		return "", fmt.Errorf("app id %q is longer than %d", appID, apps.MaxAppIDLength)
	case len(userID) != userIDLen:
		return "", fmt.Errorf("userID %q must be exactly 26 ASCII characters", userID)
	case len(prefix) > apps.MaxKVPrefixLength:
		return "", fmt.Errorf("prefix %q is longer than the limit of 2 ASCII characters", prefix)
	case key == "":
		return "", fmt.Errorf("key must not be empty")
	}
	// As the original: Encode into a 20-byte buffer, ignoring the length
	// (a zero group's "z" leaves NUL bytes at the end).
	enc := make([]byte, ascii85.MaxEncodedLen(16))
	_ = ascii85.Encode(enc, keyDigest(key))
	return globalNS + fmt.Sprintf("%-32s", string(appID)) + userID + fmt.Sprintf("%-2s", prefix) + string(enc), nil
}

// OriginalKey is an original hashkey taken apart.
type OriginalKey struct {
	Namespace string
	AppID     apps.AppID
	UserID    string
	Prefix    string
	// Digest is SHAKE128(key)[:16] of the app's key name.
	Digest []byte
}

// ParseOriginalHashkey takes an original 82-byte hashkey apart.
func ParseOriginalHashkey(key string) (OriginalKey, error) {
	if len(key) != OriginalKeyLen || key[0] != '.' {
		return OriginalKey{}, fmt.Errorf("%q is not an original hashkey (%d bytes, want %d)", key, len(key), OriginalKeyLen)
	}
	enc := strings.TrimRight(key[62:], "\x00")
	digest := make([]byte, 32)
	n, _, err := ascii85.Decode(digest, []byte(enc), true)
	if err != nil || n != 16 {
		return OriginalKey{}, fmt.Errorf("hashkey %q: the key hash does not decode to 16 bytes", key)
	}
	return OriginalKey{
		Namespace: key[0:2],
		AppID:     apps.AppID(strings.TrimRight(key[2:34], " ")),
		UserID:    key[34:60],
		Prefix:    strings.TrimRight(key[60:62], " "),
		Digest:    digest[:16],
	}, nil
}

// CompactFromOriginal returns the key that holds, in this plugin, the data
// an original hashkey held: for the migration of the original plugin's KV
// values (".k") and OAuth2 user data (".u").
func CompactFromOriginal(original string) (string, error) {
	k, err := ParseOriginalHashkey(original)
	if err != nil {
		return "", err
	}
	switch k.Namespace {
	case OriginalNamespaceKV:
		p, err := checkPrefix(k.Prefix)
		if err != nil {
			return "", err
		}
		return NamespaceKV + AppHash(k.AppID) + UserHash(k.UserID) + p + a85(k.Digest), nil
	case OriginalNamespaceUser:
		return OAuth2UserKey(k.AppID, k.UserID), nil
	}
	return "", fmt.Errorf("hashkey %q: unknown namespace %q", original, k.Namespace)
}
