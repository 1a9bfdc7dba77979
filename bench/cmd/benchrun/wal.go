package main

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"time"
)

// walCount counts the frames (pages) and commits in the SQLite WAL file at
// path since its last restart: the frames after the header whose salts
// match the header's, up to the last commit frame. The file is read while
// a server writes it, so a torn frame at the end only ends the count.
func walCount(path string) (frames, commits int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	if len(b) < 32 {
		return 0, 0, nil // empty or just created
	}
	magic := binary.BigEndian.Uint32(b[0:])
	if magic != 0x377f0682 && magic != 0x377f0683 {
		return 0, 0, errors.New("not a SQLite WAL file")
	}
	pageSize := int(binary.BigEndian.Uint32(b[8:]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return 0, 0, errors.New("WAL header: bad page size")
	}
	salt1, salt2 := binary.BigEndian.Uint32(b[16:]), binary.BigEndian.Uint32(b[20:])
	n := 0
	for off := 32; off+24+pageSize <= len(b); off += 24 + pageSize {
		h := b[off : off+24]
		if binary.BigEndian.Uint32(h[8:]) != salt1 || binary.BigEndian.Uint32(h[12:]) != salt2 {
			break // left over from before the last restart
		}
		n++
		if binary.BigEndian.Uint32(h[4:]) != 0 { // a commit frame holds the database size
			frames, commits = n, commits+1
		}
	}
	return frames, commits, nil
}

// walSampler reads the WAL at path every few milliseconds until stopped
// and keeps the reading with the most commits: checkpoints restart the
// WAL, so the reading just before one sees the most.
type walSampler struct {
	stop chan struct{}
	done chan struct{}
	best struct{ frames, commits int }
}

func sampleWAL(ctx context.Context, path string, every time.Duration) *walSampler {
	s := &walSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if f, c, err := walCount(path); err == nil && c > s.best.commits {
				s.best.frames, s.best.commits = f, c
			}
			select {
			case <-t.C:
			case <-s.stop:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return s
}

// PagesPerCommit stops the sampler and returns the frames per commit of
// its best reading (0 when it saw no commit).
func (s *walSampler) PagesPerCommit() float64 {
	close(s.stop)
	<-s.done
	if s.best.commits == 0 {
		return 0
	}
	return float64(s.best.frames) / float64(s.best.commits)
}
