package main

import (
	"os"
	"testing"
)

func TestFsyncProbe(t *testing.T) {
	dir := t.TempDir()
	us, err := fsyncProbe(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A write + fsync takes from a few µs (a RAM disk) to some ms; zero or
	// a minute would mean the probe measured nothing or the wrong unit.
	if us <= 0 || us > 60e6 {
		t.Errorf("fsyncProbe = %v µs, want a plausible duration", us)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the probe left %d files behind", len(left))
	}
}
