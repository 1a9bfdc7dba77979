package scrum

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// User is an account on this Tandem site.
type User struct {
	ID          string
	Email       string // lower-case
	Name        string
	SiteAdmin   bool
	Deactivated bool
	Version     int
	CreatedAt   time.Time
}

// Person returns the user as teammates see them.
func (u User) Person() Person { return Person{UserID: u.ID, Name: u.Name} }

// Session is a signed-in browser or API client. Only the hash of its token
// is stored.
type Session struct {
	Hash       string
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// Token is a personal access token. Only the hash of its secret is stored.
type Token struct {
	ID         string
	UserID     string
	Name       string
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Password limits follow NIST SP 800-63B: long passphrases welcome, no
// composition rules.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
	MaxNameLen     = 80
	MaxEmailLen    = 254
)

// normalizeEmail lower-cases and validates an address.
func normalizeEmail(field, s string, v *Validation) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		v.Add(field, "email is required")
	case len(s) > MaxEmailLen:
		v.Add(field, "email is longer than %d characters", MaxEmailLen)
	default:
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
			v.Add(field, "%q is not an email address", s)
		}
	}
	return s
}

// normalizeName trims and validates a display name or title.
func normalizeName(field, s string, maxLen int, v *Validation) string {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		v.Add(field, "%s is required", field)
	case !utf8.ValidString(s):
		v.Add(field, "%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > maxLen:
		v.Add(field, "%s is longer than %d characters", field, maxLen)
	case strings.ContainsFunc(s, isControl):
		v.Add(field, "%s contains control characters", field)
	}
	return s
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func checkPassword(field, pw string, v *Validation) {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		v.Add(field, "password must be at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		v.Add(field, "password is longer than %d bytes", MaxPasswordLen)
	}
}
