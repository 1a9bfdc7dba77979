//go:build race

package storetest

// raceEnabled: the race detector slows SQLite (pure Go) about tenfold, so
// the large-volume tests run smaller under it.
const raceEnabled = true
