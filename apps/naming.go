package apps

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// StaticFolder is the folder of static assets in a bundle, and the prefix of
// their S3 keys.
const StaticFolder = "static"

// minLambdaNameHash is the shortest hash LambdaName's fallback uses (80 bits);
// valid app IDs and versions always leave at least this much room.
const minLambdaNameHash = MaxLambdaNameLength - MaxAppIDLength - MaxVersionLength - 2

// LambdaName returns the AWS Lambda function name for an app's function:
// appID (with '.'→'-') + "_" + version ('.'→'-') + "_" + function (' '→'-').
//
// If that is longer than 64 characters, or contains characters AWS does not
// accept (anything but [a-zA-Z0-9-_]), the name is instead the sanitized
// appID and version followed by the hex SHA-256 of the full name, cut to 64
// characters. The result is stable and only uses characters AWS accepts.
// (Upstream's fallback kept the dots of appID and version, which AWS
// rejects; short names are identical to upstream's.)
func LambdaName(appID AppID, version AppVersion, function string) string {
	id := strings.ReplaceAll(string(appID), ".", "-")
	ver := strings.ReplaceAll(string(version), ".", "-")
	full := id + "_" + ver + "_" + strings.ReplaceAll(function, " ", "-")
	if len(full) <= MaxLambdaNameLength && isLambdaNameSafe(full) {
		return full
	}

	prefix := toLambdaSafe(id) + "_" + toLambdaSafe(ver) + "_"
	if limit := MaxLambdaNameLength - minLambdaNameHash; len(prefix) > limit {
		prefix = prefix[:limit]
	}
	sum := sha256.Sum256([]byte(full))
	hash := hex.EncodeToString(sum[:])
	return prefix + hash[:MaxLambdaNameLength-len(prefix)]
}

func isLambdaNameSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLambdaNameByte(s[i]) {
			return false
		}
	}
	return true
}

func isLambdaNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// toLambdaSafe replaces every character AWS does not accept with '-'.
func toLambdaSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && isLambdaNameByte(byte(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// StaticS3Key returns the S3 key of a static asset:
// "static/<appID>_<version>_app/<name with ' '→'-'>".
func StaticS3Key(appID AppID, version AppVersion, name string) string {
	return StaticFolder + "/" + string(appID) + "_" + string(version) + "_app/" + strings.ReplaceAll(name, " ", "-")
}

// ManifestS3Key returns the S3 key of a manifest:
// "manifests/<appID>_<version>.json".
func ManifestS3Key(appID AppID, version AppVersion) string {
	return "manifests/" + string(appID) + "_" + string(version) + ".json"
}
