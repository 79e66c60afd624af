package apps

import "time"

// Limits shared by all parts of the framework. Values follow upstream v1.2.2
// unless stated otherwise.
const (
	// MaxManifestSize is the largest manifest.json accepted (1 MiB).
	MaxManifestSize = 1 << 20

	// MinAppIDLength and MaxAppIDLength bound the length of an AppID in bytes.
	MinAppIDLength = 3
	MaxAppIDLength = 32

	// VersionFormat documents the longest accepted version; MaxVersionLength
	// is its length in bytes (10).
	VersionFormat    = "v00_00_000"
	MaxVersionLength = len(VersionFormat)

	// MaxKVValueSize is the largest value an app may store in its KV store.
	MaxKVValueSize = 8192

	// MaxKVPrefixLength is the longest KV namespace prefix, in bytes.
	MaxKVPrefixLength = 2

	// MaxOAuth2DataSize is the largest remote OAuth2 app or user payload.
	MaxOAuth2DataSize = 8192

	// MaxErrorBodySize is how much of an app's error response body is read.
	MaxErrorBodySize = 10 << 20

	// MaxLambdaNameLength is the longest AWS Lambda function name.
	MaxLambdaNameLength = 64

	// MaxJWTSize is the longest JWT ParseJWT accepts (a guard against
	// oversized headers; real tokens are a few hundred bytes).
	MaxJWTSize = 8192

	// JWTLifetime is the validity of the JWTs sent to HTTP apps.
	JWTLifetime = 15 * time.Minute
)
