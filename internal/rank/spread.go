package rank

import "math/bits"

// Spread returns n strictly increasing keys, evenly spaced and as short as
// possible, for a bulk import or for rebalancing a whole list: up to 59 keys
// have 1 digit, up to 3,719 have 2 and up to 230,639 have 3. The keys lie
// strictly between "1" and "z", which leaves the bands that Between uses for
// appending and prepending untouched, so the next append or prepend after a
// Spread is at most 2 digits long. Spread(1) returns Initial(); Spread(0)
// returns nil.
func Spread(n int) []string {
	if n <= 0 {
		return nil
	}
	// Allocate first: the runtime rejects absurd n here, long before the
	// arithmetic below could overflow.
	keys := make([]string, n)

	// With width L, keys are multiples of 62^-L. Those strictly between
	// "1" (unit·62^-L) and "z" (61·unit·62^-L) are lo+1 … lo+span-1.
	width, unit := 1, uint64(1)
	for 60*unit < uint64(n)+1 {
		width++
		unit *= base
	}
	lo, span := unit, 60*unit
	buf := make([]byte, width)
	for i := range keys {
		// lo + ⌊(i+1)·span/(n+1)⌋; the product can exceed 64 bits.
		hi, low := bits.Mul64(uint64(i+1), span)
		q, _ := bits.Div64(hi, low, uint64(n)+1)
		v := lo + q
		for p := width - 1; p >= 0; p-- {
			buf[p] = digits[v%base]
			v /= base
		}
		keys[i] = trimZeros(buf)
	}
	return keys
}
