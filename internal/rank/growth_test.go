package rank

import "testing"

// TestGrowth bounds the key length after many moves of the common kinds.
func TestGrowth(t *testing.T) {
	tests := []struct {
		name string
		n    int
		// next returns the bounds for the next insert, given the key
		// inserted before (Initial for the first).
		next    func(prev string) (a, b string)
		maxLen  int
		lenAtN  int // the length of the last key, 0 to skip the check
		minStep int // inserts per added digit, for the linear cases
	}{
		{"append 30", 30, func(p string) (string, string) { return p, "" }, 1, 1, 0},
		{"append 3,800", 3_800, func(p string) (string, string) { return p, "" }, 3, 0, 0},
		{"append 100,000", 100_000, func(p string) (string, string) { return p, "" }, 5, 5, 0},
		{"prepend 30", 30, func(p string) (string, string) { return "", p }, 1, 1, 0},
		{"prepend 3,700", 3_700, func(p string) (string, string) { return "", p }, 3, 0, 0},
		{"prepend 100,000", 100_000, func(p string) (string, string) { return "", p }, 5, 5, 0},
		// The same gap, always inserting next to the key inserted before:
		// below it, as when moving item after item to second place, or
		// above it, as when moving item after item to second to last.
		{"same gap, lower side", 1_000, func(p string) (string, string) { return "U", p }, 202, 0, 5},
		{"same gap, upper side", 1_000, func(p string) (string, string) { return p, "W" }, 202, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := Initial()
			firstAt := map[int]int{} // digits → insert that first reached them
			for i := range tt.n {
				a, b := tt.next(prev)
				k, err := Between(a, b)
				if err != nil {
					t.Fatalf("insert %d: Between(%q, %q): %v", i, a, b, err)
				}
				checkBetween(t, a, k, b)
				if len(k) > tt.maxLen {
					t.Fatalf("insert %d: Between(%q, %q): got %q (%d digits), want <= %d digits", i, a, b, k, len(k), tt.maxLen)
				}
				if _, ok := firstAt[len(k)]; !ok {
					firstAt[len(k)] = i + 1
				}
				prev = k
			}
			if tt.lenAtN != 0 && len(prev) != tt.lenAtN {
				t.Errorf("after %d inserts: got key %q (%d digits), want %d digits", tt.n, prev, len(prev), tt.lenAtN)
			}
			if tt.minStep != 0 && (len(prev)-2)*tt.minStep > tt.n {
				t.Errorf("after %d inserts: got %d digits, want at most one per %d inserts", tt.n, len(prev), tt.minStep)
			}
			if tt.minStep == 0 {
				t.Logf("%s: last key %q; digits → first insert reaching them: %v", tt.name, prev, firstAt)
			} else {
				t.Logf("%s: last key has %d digits", tt.name, len(prev))
			}
		})
	}
}

// TestGrowthAfterSpread checks that appends and prepends to a freshly
// spread list start short.
func TestGrowthAfterSpread(t *testing.T) {
	for _, n := range []int{1, 59, 60, 10_000} {
		keys := Spread(n)
		first, last := keys[0], keys[len(keys)-1]
		up, err := Between(last, "")
		if err != nil {
			t.Fatalf("Between(%q, \"\"): %v", last, err)
		}
		down, err := Between("", first)
		if err != nil {
			t.Fatalf("Between(\"\", %q): %v", first, err)
		}
		if len(up) > 2 || len(down) > 2 {
			t.Errorf("Spread(%d): append got %q, prepend got %q, want both <= 2 digits", n, up, down)
		}
	}
}

func TestSpread(t *testing.T) {
	tests := []struct {
		n      int
		maxLen int
	}{
		{1, 1},
		{2, 1},
		{59, 1},
		{60, 2},
		{3_719, 2},
		{3_720, 3},
		{10_000, 3},
		{230_639, 3},
		{230_640, 4},
	}
	for _, tt := range tests {
		keys := Spread(tt.n)
		if len(keys) != tt.n {
			t.Fatalf("Spread(%d): got %d keys, want %d", tt.n, len(keys), tt.n)
		}
		longest := 0
		for i, k := range keys {
			if !Valid(k) {
				t.Fatalf("Spread(%d)[%d]: got %q, which is not Valid", tt.n, i, k)
			}
			if i > 0 && keys[i-1] >= k {
				t.Fatalf("Spread(%d): keys[%d] %q >= keys[%d] %q", tt.n, i-1, keys[i-1], i, k)
			}
			longest = max(longest, len(k))
		}
		if longest != tt.maxLen {
			t.Errorf("Spread(%d): got longest key %d digits, want %d", tt.n, longest, tt.maxLen)
		}
		if keys[0] <= "1" || keys[len(keys)-1] >= "z" {
			t.Errorf("Spread(%d): got keys from %q to %q, want all strictly between \"1\" and \"z\"", tt.n, keys[0], keys[len(keys)-1])
		}
	}
	if got := Spread(1); got[0] != Initial() {
		t.Errorf("Spread(1): got %q, want Initial() %q", got, Initial())
	}
	if got := Spread(0); got != nil {
		t.Errorf("Spread(0): got %q, want nil", got)
	}
	if got := Spread(-3); got != nil {
		t.Errorf("Spread(-3): got %q, want nil", got)
	}
}

// TestSpreadEven checks that the gaps between spread keys are even: for n
// keys at width L, each gap is ⌊span/(n+1)⌋ or one more unit.
func TestSpreadEven(t *testing.T) {
	keys := Spread(1_000)
	gaps := map[int]int{}
	prev := 0
	for _, k := range keys {
		v := 0
		for i := range 2 {
			v = v*base + digitAt(k, i)
		}
		if prev != 0 {
			gaps[v-prev]++
		}
		prev = v
	}
	if len(gaps) > 2 {
		t.Errorf("Spread(1000): got gap sizes %v, want at most two sizes one apart", gaps)
	}
}
