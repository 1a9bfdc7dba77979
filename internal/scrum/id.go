package scrum

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random 16-character identifier. Random rather than
// sequential ids do not reveal how many teams or items exist.
func NewID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return idEncoding.EncodeToString(b[:])
}

// NewSecret returns a 32-byte random secret with a readable prefix such as
// "tdp_", used for session tokens, access tokens and invite codes.
func NewSecret(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return prefix + idEncoding.EncodeToString(b[:])
}

// HashSecret returns the form a secret is stored in: a hex SHA-256. Secrets
// are 256-bit random values, so a fast hash is enough (unlike passwords).
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ValidID reports whether s could be an id made by NewID. Handlers use it to
// turn garbage path values into 404s without a database round trip.
func ValidID(s string) bool {
	if len(s) != 16 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}
