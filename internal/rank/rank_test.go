package rank

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestAlphabet(t *testing.T) {
	if len(digits) != base {
		t.Fatalf("len(digits): got %d, want %d", len(digits), base)
	}
	for i := 1; i < len(digits); i++ {
		if digits[i-1] >= digits[i] {
			t.Errorf("digits[%d] %q >= digits[%d] %q: byte order must follow digit order", i-1, digits[i-1], i, digits[i])
		}
	}
	for i := range 256 {
		want := strings.IndexByte(digits, byte(i))
		if got := value(byte(i)); got != want {
			t.Errorf("value(%q): got %d, want %d", byte(i), got, want)
		}
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"", false},
		{"V", true},
		{"1", true},
		{"z", true},
		{"0", false},
		{"a0", false},
		{"a01", true},
		{"0001", true},
		{"zzzz", true},
		{"a-b", false},
		{"a b", false},
		{"aé", false},
		{"a\x00", false},
		{"_", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.key); got != tt.want {
			t.Errorf("Valid(%q): got %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestBetween(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{"empty list", "", "", "V"},
		{"append", "V", "", "W"},
		{"prepend", "", "V", "U"},
		{"append to y", "y", "", "z"},
		{"append to max digit", "z", "", "z01"},
		{"append at end of first z band", "zyz", "", "zz"},
		{"append to zz", "zz", "", "zz001"},
		{"append to zzz", "zzz", "", "zzz0001"},
		{"append ignores a long tail", "V0000001", "", "W"},
		{"prepend to 2", "", "2", "1"},
		{"prepend to 1", "", "1", "0z"},
		{"prepend to 1 with tail", "", "1zz", "0z"},
		{"prepend to 0z", "", "0z", "0yz"},
		{"prepend at end of first 0 band", "", "01", "00z"},
		{"prepend to 00z", "", "00z", "00yzz"},
		{"prepend to long key", "", "Vzzzzzzz", "U"},
		{"wide gap", "1", "z", "V"},
		{"adjacent digits", "a", "b", "aV"},
		{"one digit apart", "a", "c", "b"},
		{"adjacent keys", "a", "a1", "a0V"},
		{"differ only in length", "a", "aa", "aI"},
		{"differ only in length, deeper", "a", "a001", "a000V"},
		{"upper is a prefix plus digits", "V", "V01", "V00V"},
		{"lower longer than upper", "001", "01", "00V"},
		{"upper ends right after lower's digit", "yz", "z", "yzV"},
		{"lower runs of max digit", "yzzz", "z", "yzzzV"},
		{"max digit below", "z", "zz", "zU"},
		{"below max digit", "y", "z", "yV"},
		{"upper has more digits", "a", "b5", "b"},
		{"shared prefix", "abcX", "abcZ", "abcY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Between(tt.a, tt.b)
			if err != nil {
				t.Fatalf("Between(%q, %q): got error %v, want %q", tt.a, tt.b, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("Between(%q, %q): got %q, want %q", tt.a, tt.b, got, tt.want)
			}
			checkBetween(t, tt.a, got, tt.b)
		})
	}
}

func TestBetweenErrors(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want error
	}{
		{"equal", "a", "a", ErrOrder},
		{"reversed", "b", "a", ErrOrder},
		{"reversed by length", "aa", "a", ErrOrder},
		{"lower ends with zero", "a0", "", ErrMalformed},
		{"upper ends with zero", "", "a0", ErrMalformed},
		{"zero", "0", "1", ErrMalformed},
		{"bad byte below", "a-b", "c", ErrMalformed},
		{"bad byte above", "", "é", ErrMalformed},
		{"space", "a", "b c", ErrMalformed},
		{"malformed and reversed", "z", "a0", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Between(tt.a, tt.b)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Between(%q, %q): got (%q, %v), want error %v", tt.a, tt.b, got, err, tt.want)
			}
			if got != "" {
				t.Errorf("Between(%q, %q) with error: got key %q, want \"\"", tt.a, tt.b, got)
			}
		})
	}
}

func TestNeedsRebalance(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"V", false},
		{strings.Repeat("V", rebalanceLen), false},
		{strings.Repeat("V", rebalanceLen+1), true},
		{"a0", true},
		{"", true},
	}
	for _, tt := range tests {
		if got := NeedsRebalance(tt.key); got != tt.want {
			t.Errorf("NeedsRebalance(%q): got %v, want %v", tt.key, got, tt.want)
		}
	}
}

// TestRandomInserts inserts keys at random places of a sorted list, mixing
// in appends and prepends, and checks the list stays strictly ordered.
func TestRandomInserts(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var keys blockList
	longest := 0
	for range n {
		var i int
		switch r := rng.IntN(10); {
		case r == 0:
			i = 0
		case r == 1:
			i = keys.len
		default:
			i = rng.IntN(keys.len + 1)
		}
		a, b := keys.neighbours(i)
		k, err := Between(a, b)
		if err != nil {
			t.Fatalf("Between(%q, %q) with %d keys: %v", a, b, keys.len, err)
		}
		checkBetween(t, a, k, b)
		keys.insert(i, k)
		longest = max(longest, len(k))
	}
	all := keys.all()
	if len(all) != n {
		t.Fatalf("got %d keys, want %d", len(all), n)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1] >= all[i] {
			t.Fatalf("keys[%d] %q >= keys[%d] %q", i-1, all[i-1], i, all[i])
		}
	}
	// Random positions split random gaps, so keys grow with the log of the
	// list size: about log₆₂(n) digits plus a few where gaps get reused.
	if longest > 12 {
		t.Errorf("longest key after %d random inserts: got %d digits, want <= 12", n, longest)
	}
	t.Logf("%d random inserts: longest key %d digits", n, longest)
}

// blockList is a list of keys kept in blocks of bounded size, so that an
// insert at any index moves few elements even under the race detector.
type blockList struct {
	blocks [][]string
	len    int
}

const blockSize = 512

// locate returns the block and offset of index i; i may equal the length.
func (l *blockList) locate(i int) (int, int) {
	for bi, blk := range l.blocks {
		if i < len(blk) || bi == len(l.blocks)-1 {
			return bi, i
		}
		i -= len(blk)
	}
	return 0, 0
}

func (l *blockList) at(i int) string {
	bi, off := l.locate(i)
	return l.blocks[bi][off]
}

// neighbours returns the keys at i-1 and i, empty past either end.
func (l *blockList) neighbours(i int) (string, string) {
	var a, b string
	if i > 0 {
		a = l.at(i - 1)
	}
	if i < l.len {
		b = l.at(i)
	}
	return a, b
}

func (l *blockList) insert(i int, k string) {
	l.len++
	if len(l.blocks) == 0 {
		l.blocks = [][]string{{k}}
		return
	}
	bi, off := l.locate(i)
	l.blocks[bi] = slices.Insert(l.blocks[bi], off, k)
	if blk := l.blocks[bi]; len(blk) > blockSize {
		half := slices.Clone(blk[len(blk)/2:])
		l.blocks[bi] = blk[: len(blk)/2 : len(blk)/2]
		l.blocks = slices.Insert(l.blocks, bi+1, half)
	}
}

func (l *blockList) all() []string {
	var keys []string
	for _, blk := range l.blocks {
		keys = append(keys, blk...)
	}
	return keys
}

// checkBetween fails the test unless k is a valid key strictly between the
// bounds a and b, either of which may be empty.
func checkBetween(t *testing.T, a, k, b string) {
	t.Helper()
	if !Valid(k) {
		t.Fatalf("Between(%q, %q): got %q, which is not Valid", a, b, k)
	}
	if a != "" && k <= a {
		t.Fatalf("Between(%q, %q): got %q, want above %q", a, b, k, a)
	}
	if b != "" && k >= b {
		t.Fatalf("Between(%q, %q): got %q, want below %q", a, b, k, b)
	}
}
