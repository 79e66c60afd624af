package model

import (
	"crypto/rand"
	"encoding/base32"
	"time"
)

var idEncoding = base32.NewEncoding("ybndrfg8ejkmcpqxot1uwisza345h769").WithPadding(base32.NoPadding)

// NewId returns a 26-character random id in the server's alphabet.
func NewId() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// IsValidId reports whether s looks like a server id (26 chars of the id alphabet).
func IsValidId(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// GetMillis is the server's timestamp unit: milliseconds since the epoch.
func GetMillis() int64 { return time.Now().UnixMilli() }
