// Package rank computes fractional ranking keys, which keep a backlog
// strictly ordered while moving an item rewrites only that item's row.
//
// A key is a non-empty string of base-62 digits 0-9A-Za-z, read as the
// fraction 0.d₁d₂d₃… in base 62. The digits are in ASCII order, so keys sort
// correctly by plain byte comparison: Go's string comparison, SQLite TEXT
// under the BINARY collation and PostgreSQL text under COLLATE "C". A valid
// key never ends with the zero digit '0'. Without that rule "V" and "V0"
// would be two spellings of one value with nothing between them; with it,
// there is always a key between any two distinct keys.
//
// Key length grows as follows (the tests assert these bounds):
//
//   - Appending after the last key, Between(last, ""), and prepending before
//     the first, Between("", first), grow logarithmically: starting from
//     Initial, the first ~30 keys have 1 digit, the next ~3,800 have at most
//     3 and the next ~238,000 at most 5.
//   - Inserting again and again into the same shrinking gap, always next to
//     the key inserted just before, grows linearly, as it must in any scheme
//     that cannot guess which side the next insert goes: each insert halves
//     the gap, which costs one digit per 5 inserts going down and per 6
//     going up, so 1,000 such inserts make keys of 170 to 200 digits.
//   - Inserting at random positions grows with the logarithm of the list
//     size: 100,000 random inserts make no key longer than 7 digits.
//
// NeedsRebalance reports keys that have grown long; Spread produces fresh
// short keys for rewriting a whole list in the background.
package rank

import (
	"errors"
	"fmt"
)

// digits is the alphabet in ascending order; digit i is digits[i].
const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const (
	base     = 62 // len(digits)
	maxDigit = 'z'

	// rebalanceLen is the length beyond which NeedsRebalance asks for fresh
	// keys. It is far above what appends, prepends and random moves
	// produce, and is reached only by some 320 inserts into one gap.
	rebalanceLen = 64
)

var (
	// ErrMalformed reports a key that is empty, holds a byte outside
	// 0-9A-Za-z or ends with the zero digit '0'.
	ErrMalformed = errors.New("malformed rank key")

	// ErrOrder reports bounds where the lower bound is not below the upper.
	ErrOrder = errors.New("rank keys out of order")
)

// Initial returns the key for the only item of a list that was empty. It
// sits in the middle of the key space, so that the list can grow as far in
// both directions.
func Initial() string {
	return "V"
}

// Valid reports whether k is a well-formed key: non-empty, only digits
// 0-9A-Za-z and not ending with '0'.
func Valid(k string) bool {
	if k == "" || k[len(k)-1] == '0' {
		return false
	}
	for i := 0; i < len(k); i++ {
		if value(k[i]) < 0 {
			return false
		}
	}
	return true
}

// NeedsRebalance reports whether k has grown long enough, or is malformed,
// so that the list holding it should get fresh keys from Spread. Callers
// check it after a move and rebalance in the background; keys keep working
// at any length.
func NeedsRebalance(k string) bool {
	return len(k) > rebalanceLen || !Valid(k)
}

// Between returns a key k with a < k < b. An empty a means no lower bound
// (before every key) and an empty b no upper bound (after every key); with
// both empty it returns Initial. It returns an error wrapping ErrMalformed if
// a non-empty bound is not Valid, and one wrapping ErrOrder if a >= b.
func Between(a, b string) (string, error) {
	if a != "" && !Valid(a) {
		return "", fmt.Errorf("rank between %s and %s: lower bound: %w", quote(a), quote(b), ErrMalformed)
	}
	if b != "" && !Valid(b) {
		return "", fmt.Errorf("rank between %s and %s: upper bound: %w", quote(a), quote(b), ErrMalformed)
	}
	switch {
	case a == "" && b == "":
		return Initial(), nil
	case b == "":
		return after(a), nil
	case a == "":
		return before(b), nil
	case a >= b:
		return "", fmt.Errorf("rank between %s and %s: %w", quote(a), quote(b), ErrOrder)
	}
	return midpoint(a, b), nil
}

// after returns a short key above the valid key a.
//
// A key that starts with j digits 'z' steps in units of its digit 2j+1: 'z'
// never starts a step, so the first band ("V" up to "z") holds single digits,
// the band of keys starting with one 'z' has two more digits ("z01" up to
// "zz"), the next has three more, and so on. Each band holds 62 times as many
// keys as the one before while being only two digits longer, which is what
// keeps appends logarithmic.
func after(a string) string {
	j := leading(a, maxDigit)
	k := padded(a, 2*j+1)
	// k[j] is not 'z', so the carry stops at j at the latest.
	for i := len(k) - 1; ; i-- {
		if k[i] != maxDigit {
			k[i] = digits[value(k[i])+1]
			break
		}
		k[i] = '0'
	}
	return trimZeros(k)
}

// before returns a short key below the valid key b. It mirrors after, with
// leading '0' digits opening the bands: "U" down to "1", then "0z" down to
// "01", then "00z", "00yzz" down to "001", and so on.
func before(b string) string {
	j := leading(b, '0')
	if j == 0 && b[0] == '1' {
		// Stepping "1" down would reach zero, which is not a key.
		return "0z"
	}
	k := padded(b, 2*j+1)
	// k[j] is not '0', so the borrow stops at j at the latest, and the
	// result keeps a non-zero digit.
	for i := len(k) - 1; ; i-- {
		if k[i] != '0' {
			k[i] = digits[value(k[i])-1]
			break
		}
		k[i] = maxDigit
	}
	return trimZeros(k)
}

// midpoint returns a short key between the valid keys a < b: the shortest
// prefix that fits, with the digit that splits the gap in half.
func midpoint(a, b string) string {
	var k []byte
	i := 0
	// Copy the common prefix, reading a as padded with zeros. Since a < b
	// and neither ends with '0', b has a larger digit before it ends.
	for i < len(b) && digitAt(a, i) == value(b[i]) {
		k = append(k, b[i])
		i++
	}
	lo, hi := digitAt(a, i), value(b[i])
	if hi-lo > 1 {
		return string(append(k, digits[(lo+hi)/2]))
	}
	if i+1 < len(b) {
		// b goes on after digit hi, so that digit alone is below b and,
		// being above lo, above a.
		return string(append(k, b[i]))
	}
	// b ends with hi = lo+1: keep lo and go above the rest of a, with no
	// upper bound left.
	k = append(k, digits[lo])
	for i++; ; i++ {
		lo := digitAt(a, i)
		if lo < base-1 {
			return string(append(k, digits[(lo+base)/2]))
		}
		k = append(k, digits[lo])
	}
}

// value returns the digit value of c, or -1 if c is not a digit.
func value(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}

// digitAt returns the value of digit i of k, reading k as padded with zeros.
func digitAt(k string, i int) int {
	if i >= len(k) {
		return 0
	}
	return value(k[i])
}

// leading counts how many times c starts k.
func leading(k string, c byte) int {
	n := 0
	for n < len(k) && k[n] == c {
		n++
	}
	return n
}

// padded returns the first n digits of k, padded with zeros.
func padded(k string, n int) []byte {
	p := make([]byte, n)
	copied := copy(p, k)
	for i := copied; i < n; i++ {
		p[i] = '0'
	}
	return p
}

// trimZeros drops trailing zero digits, which do not change a key's value.
func trimZeros(k []byte) string {
	n := len(k)
	for n > 0 && k[n-1] == '0' {
		n--
	}
	return string(k[:n])
}

// quote quotes a key for an error message, shortening a long one.
func quote(k string) string {
	const limit = 40
	if len(k) > limit {
		return fmt.Sprintf("%q…(%d bytes)", k[:limit], len(k))
	}
	return fmt.Sprintf("%q", k)
}
