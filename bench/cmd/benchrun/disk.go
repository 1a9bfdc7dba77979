package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/tandemhq/tandem/bench/internal/stats"
)

// fsyncProbe is what one commit per insert costs at least on this disk: the
// median of 200 rounds of a 4 KiB write into a preallocated file (as into a
// reused SQLite WAL) followed by fsync, in µs. A handler that commits each
// insert on its own cannot do many more commits a second than 1 / this.
func fsyncProbe(dir string) (float64, error) {
	path := filepath.Join(dir, "fsync.probe")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	defer f.Close()
	const page, pages = 4096, 256
	buf := make([]byte, page)
	for i := range pages {
		if _, err := f.WriteAt(buf, int64(i*page)); err != nil {
			return 0, err
		}
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	ds := make([]time.Duration, 0, 200)
	for i := range cap(ds) {
		start := time.Now()
		if _, err := f.WriteAt(buf, int64(i%pages*page)); err != nil {
			return 0, err
		}
		if err := f.Sync(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	return stats.DurationPercentiles(ds, 50)[0] * 1000, nil
}
