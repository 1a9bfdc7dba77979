package rank

import (
	"errors"
	"testing"
)

// FuzzBetween checks that Between returns a valid key strictly between any
// valid, ordered bounds, and an error, never a panic, for anything else.
func FuzzBetween(f *testing.F) {
	seeds := [][2]string{
		{"", ""}, {"V", ""}, {"", "V"}, {"z", ""}, {"", "1"}, {"", "01"},
		{"a", "a1"}, {"a", "aa"}, {"yz", "z"}, {"001", "01"}, {"zzz", ""},
		{"a", "a"}, {"b", "a"}, {"a0", ""}, {"", "0"}, {"a-b", "c"}, {"é", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		checkFuzz(t, a, b)
		// Most raw inputs are not keys; map them onto keys too, so that
		// the fuzzer explores the arithmetic as well as the validation.
		ka, kb := toKey(a), toKey(b)
		if kb < ka {
			ka, kb = kb, ka
		}
		checkFuzz(t, ka, kb)
		checkFuzz(t, ka, "")
		checkFuzz(t, "", kb)
	})
}

// toKey maps s onto a key: each byte to a digit, trailing zeros dropped. It
// returns "" for inputs that map to no key, which means an open bound.
func toKey(s string) string {
	k := make([]byte, len(s))
	for i := range len(s) {
		k[i] = digits[int(s[i])%base]
	}
	return trimZeros(k)
}

// checkFuzz checks Between(a, b) against the properties FuzzBetween wants.
func checkFuzz(t *testing.T, a, b string) {
	t.Helper()
	k, err := Between(a, b)
	switch {
	case a != "" && !Valid(a), b != "" && !Valid(b):
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("Between(%q, %q): got (%q, %v), want ErrMalformed", a, b, k, err)
		}
		return
	case a != "" && b != "" && a >= b:
		if !errors.Is(err, ErrOrder) {
			t.Fatalf("Between(%q, %q): got (%q, %v), want ErrOrder", a, b, k, err)
		}
		return
	case err != nil:
		t.Fatalf("Between(%q, %q): got error %v, want a key", a, b, err)
	}
	checkBetween(t, a, k, b)

	// Length bounds: a key between two others is at most one digit longer
	// than the longer bound; an append or prepend has at most 2j+1 digits,
	// where j counts the leading 'z' or '0' digits of the bound.
	limit := max(len(a), len(b)) + 1
	switch {
	case a == "" && b == "":
		limit = 1
	case b == "":
		limit = 2*leading(a, maxDigit) + 1
	case a == "":
		limit = max(2, 2*leading(b, '0')+1)
	}
	if len(k) > limit {
		t.Fatalf("Between(%q, %q): got %q, want at most %d digits", a, b, k, limit)
	}
}
