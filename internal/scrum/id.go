package scrum

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// idEncoding is base32 with its digits in ASCII order, so that ids sort as
// text in the order of the numbers they encode (in the usual alphabet,
// "a…z2…7", 26 comes before 0 in text). Ids made before this order was
// fixed use the same characters and stay valid.
var idEncoding = base32.NewEncoding("234567abcdefghijklmnopqrstuvwxyz").WithPadding(base32.NoPadding)

// NewID returns a 16-character identifier: 42 bits of the creation time in
// milliseconds, then 38 random bits. Ids sort as text in the order they
// were made (to the millisecond), so the indexes keyed by them (item,
// label and event indexes) take a burst of inserts at their right edge,
// in one or two pages, rather than one page each, which is most of what a
// group commit writes. The random part keeps them
// unguessable and does not reveal how many teams or items exist; two ids
// made in the same millisecond collide with odds of 2^-38.
func NewID() string {
	return newIDAt(time.Now())
}

func newIDAt(t time.Time) string {
	var b [10]byte
	_, _ = rand.Read(b[5:]) // crypto/rand.Read never fails on supported platforms
	ms := uint64(t.UnixMilli()) & (1<<42 - 1)
	// b[0:5] and the top 2 bits of b[5] hold ms, most significant first.
	b[0], b[1], b[2], b[3], b[4] = byte(ms>>34), byte(ms>>26), byte(ms>>18), byte(ms>>10), byte(ms>>2)
	b[5] = byte(ms<<6) | b[5]&0x3f
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
