package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// walCount reads a real WAL: three commits into a table and its index,
// counted exactly, and a torn last frame does not count.
func TestWALCount(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`)
	mustExec(`CREATE INDEX t_v ON t (v)`)
	mustExec(`PRAGMA wal_checkpoint(TRUNCATE)`) // the WAL starts empty
	for i := range 3 {
		mustExec(`INSERT INTO t (v) VALUES (?)`, strings.Repeat("x", i+1))
	}
	frames, commits, err := walCount(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d frames in %d commits", frames, commits)
	// Each commit writes the table's page and the index's page (both
	// roots, small as they are); page 1 only when the file grows.
	if commits != 3 || frames < 6 || frames > 9 {
		t.Errorf("got %d frames in %d commits, want 3 commits of 2 or 3 pages", frames, commits)
	}

	// A half-written last frame ends the count at the last commit.
	b, err := os.ReadFile(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	torn := filepath.Join(dir, "torn-wal")
	if err := os.WriteFile(torn, b[:len(b)-100], 0o600); err != nil {
		t.Fatal(err)
	}
	f2, c2, err := walCount(torn)
	if err != nil || c2 != 2 || f2 >= frames {
		t.Errorf("torn: got %d frames in %d commits (%v), want the first 2 commits only", f2, c2, err)
	}
	if _, _, err := walCount(path); err == nil {
		t.Error("walCount of the database file itself: want an error")
	}

	s := sampleWAL(context.Background(), path+"-wal", time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	if got, want := s.PagesPerCommit(), float64(frames)/3; got != want {
		t.Errorf("sampler: got %.2f pages per commit, want %.2f", got, want)
	}
}
