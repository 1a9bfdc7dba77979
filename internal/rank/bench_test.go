package rank

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkBetween(b *testing.B) {
	b.Run("append", func(b *testing.B) {
		prev := Initial()
		for b.Loop() {
			prev, _ = Between(prev, "")
		}
	})
	b.Run("prepend", func(b *testing.B) {
		prev := Initial()
		for b.Loop() {
			prev, _ = Between("", prev)
		}
	})
	b.Run("middle", func(b *testing.B) {
		for b.Loop() {
			_, _ = Between("Vk3", "Vk3a")
		}
	})
	b.Run("long keys", func(b *testing.B) {
		lo, hi := "U", Initial()
		for range 300 {
			hi, _ = Between(lo, hi)
		}
		for b.Loop() {
			_, _ = Between(lo, hi)
		}
	})
	b.Run("random", func(b *testing.B) {
		keys := Spread(10_000)
		rng := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			i := rng.IntN(len(keys) - 1)
			_, _ = Between(keys[i], keys[i+1])
		}
	})
}

func BenchmarkSpread(b *testing.B) {
	for b.Loop() {
		Spread(10_000)
	}
}
