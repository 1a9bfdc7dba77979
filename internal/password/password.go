// Package password hashes passwords with argon2id. Hashing runs behind a
// semaphore of GOMAXPROCS slots so a flood of sign-ins queues instead of
// exhausting CPU and memory.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// Default follows OWASP's argon2id recommendation (19 MiB, 2 passes).
var Default = Params{Time: 2, Memory: 19 * 1024, Threads: 1}

// Fast is for tests only: it keeps the format but costs almost nothing.
var Fast = Params{Time: 1, Memory: 64, Threads: 1}

// Hasher implements scrum.Hasher.
type Hasher struct {
	p   Params
	sem chan struct{}
}

// New returns a Hasher using p for new hashes.
func New(p Params) *Hasher {
	return &Hasher{p: p, sem: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// Hash returns a PHC-format argon2id hash of pw.
func (h *Hasher) Hash(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	h.sem <- struct{}{}
	key := argon2.IDKey([]byte(pw), salt, h.p.Time, h.p.Memory, h.p.Threads, 32)
	<-h.sem
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.p.Memory, h.p.Time, h.p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errFormat = errors.New("password hash: unknown format")

// Verify reports whether pw matches hash, using the parameters stored in
// the hash (so costs can be raised without invalidating old hashes).
func (h *Hasher) Verify(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errFormat
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errFormat
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, errFormat
	}
	if p.Memory > 1<<21 || p.Time > 16 || p.Threads == 0 {
		return false, errFormat
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errFormat
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errFormat
	}
	h.sem <- struct{}{}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	<-h.sem
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
