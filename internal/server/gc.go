package server

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target for a serving process.
// Tandem's live heap is small (caches of a few megabytes), so with Go's
// default of 100 a burst of item creates ran a collection about every 10 MB
// allocated, and marking took about an eighth of the CPU. At 200 the
// collector runs half as often, for a heap of at most three times what is
// live.
const GCPercent = 200

// TuneGC sets GCPercent for the process unless GOGC is set, which wins.
// The serving commands call it; tests and other commands keep Go's default.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
