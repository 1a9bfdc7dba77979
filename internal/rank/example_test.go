package rank_test

import (
	"fmt"

	"github.com/tandemhq/tandem/internal/rank"
)

func ExampleBetween() {
	first := rank.Initial()
	last, _ := rank.Between(first, "")  // append
	top, _ := rank.Between("", first)   // prepend
	mid, _ := rank.Between(first, last) // move between the two
	_, err := rank.Between(last, first) // bounds reversed
	fmt.Println(top, first, mid, last)
	fmt.Println(err)
	// Output:
	// U V VV W
	// rank between "W" and "V": rank keys out of order
}

func ExampleSpread() {
	fmt.Println(rank.Spread(5))
	// Output: [B L V f p]
}
