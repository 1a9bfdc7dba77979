//go:build !race

package markdown

// raceSlowdown scales time limits in tests for the race detector.
const raceSlowdown = 1
