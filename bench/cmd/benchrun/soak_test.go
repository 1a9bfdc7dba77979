package main

import (
	"math"
	"testing"
	"time"
)

// heapSlope fits the last two-thirds only: an early climb (the heap
// growing to its working size) is not a leak, a steady climb later is.
func TestHeapSlope(t *testing.T) {
	var flatAfterWarmUp, leaking []soakSample
	for i := range 12 {
		at := time.Duration(i) * time.Minute
		warm := 20.0
		if i < 4 {
			warm = 5 * float64(i)
		}
		flatAfterWarmUp = append(flatAfterWarmUp, soakSample{At: at, LiveMiB: warm})
		leaking = append(leaking, soakSample{At: at, LiveMiB: 10 + 0.5*float64(i)}) // 5 MiB per 10 min
	}
	if got := heapSlope(flatAfterWarmUp); math.Abs(got) > 1e-9 {
		t.Errorf("flat after the warm-up: slope %v, want 0", got)
	}
	if got := heapSlope(leaking); math.Abs(got-5) > 1e-9 {
		t.Errorf("growing 0.5 MiB a minute: slope %v, want 5 MiB per 10 min", got)
	}
}
