// Package backup copies Tandem's SQLite database while it is in use and
// puts such a copy back: `tandem backup` and `tandem restore`.
//
// A copy is taken with VACUUM INTO, a read transaction: it is consistent
// and holds every commit made before it started, however busy the
// writer, and copying the file itself would not be (a commit may sit in
// the -wal file, or be half written). Restore checks the copy before it
// touches anything, keeps a safety copy of what it replaces and swaps the
// file in with a rename.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/tandemhq/tandem/internal/store/sqlite"
)

// Report describes a checked database file.
type Report struct {
	Path   string
	Bytes  int64
	Schema int64 // the newest migration applied to it
	Teams  int64
	Items  int64
}

// SQLite writes a consistent copy of the database at db to out, which must
// not exist yet, and checks the copy. A server may be running on db.
func SQLite(ctx context.Context, db, out string) (Report, error) {
	if _, err := os.Stat(db); err != nil {
		return Report{}, fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Lstat(out); err == nil {
		return Report{}, fmt.Errorf("backup: %s already exists; choose a new file", out)
	}
	partial := out + ".partial"
	_ = os.Remove(partial) // left by a backup that was cut short
	conn, err := sql.Open("sqlite", sqlite.DSN(db, false))
	if err != nil {
		return Report{}, fmt.Errorf("backup: open %s: %w", db, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, partial); err != nil {
		_ = os.Remove(partial)
		return Report{}, fmt.Errorf("backup: copy %s: %w", db, err)
	}
	if err := syncFile(partial); err != nil {
		_ = os.Remove(partial)
		return Report{}, err
	}
	rep, err := Check(ctx, partial)
	if err != nil {
		_ = os.Remove(partial)
		return Report{}, fmt.Errorf("backup: the copy failed its check: %w", err)
	}
	if err := os.Rename(partial, out); err != nil {
		_ = os.Remove(partial)
		return Report{}, fmt.Errorf("backup: %w", err)
	}
	if err := syncDir(filepath.Dir(out)); err != nil {
		return Report{}, err
	}
	rep.Path = out
	return rep, nil
}

// Schema reads the newest migration applied to the database at path,
// which a server may be using, without changing anything.
func Schema(ctx context.Context, path string) (int64, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	conn, err := sql.Open("sqlite", sqlite.DSN(path, true))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var v sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("%s is not a Tandem database: %w", path, err)
	}
	return v.Int64, nil
}

// Check opens the file at path read-only and reports what it holds: an
// error unless it is a whole, consistent Tandem database.
func Check(ctx context.Context, path string) (Report, error) {
	rep := Report{Path: path}
	fi, err := os.Stat(path)
	if err != nil {
		return rep, err
	}
	rep.Bytes = fi.Size()
	// immutable: nothing is written next to the file (no -wal, no -shm),
	// which also keeps a copy from being changed by looking at it.
	u := url.URL{Scheme: "file", Opaque: path, RawQuery: "mode=ro&immutable=1"}
	conn, err := sql.Open("sqlite", u.String())
	if err != nil {
		return rep, err
	}
	defer conn.Close()
	var verdict string
	if err := conn.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&verdict); err != nil {
		return rep, fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	if verdict != "ok" {
		return rep, fmt.Errorf("%s is damaged: %s", path, verdict)
	}
	rows, err := conn.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return rep, fmt.Errorf("%s: foreign key check: %w", path, err)
	}
	broken := rows.Next()
	rows.Close()
	if broken {
		return rep, fmt.Errorf("%s has rows whose references are missing", path)
	}
	err = conn.QueryRowContext(ctx, `SELECT (SELECT MAX(version_id) FROM goose_db_version),
		(SELECT COUNT(*) FROM teams), (SELECT COUNT(*) FROM items)`).Scan(&rep.Schema, &rep.Teams, &rep.Items)
	if err != nil {
		return rep, fmt.Errorf("%s is not a Tandem database: %w", path, err)
	}
	return rep, nil
}

// Restored says what RestoreSQLite did.
type Restored struct {
	Report
	SafetyCopy string // the database as it was before, or "" when there was none
}

// RestoreSQLite replaces the database at db with the copy at from. It
// refuses, changing nothing, when from is not a whole Tandem database, was
// written by a newer Tandem, or when db is open in a running tandem. The
// database it replaces is kept next to it as a safety copy.
func RestoreSQLite(ctx context.Context, from, db string, now time.Time) (Restored, error) {
	var res Restored
	rep, err := Check(ctx, from)
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	newest, err := sqlite.SchemaVersion()
	if err != nil {
		return res, err
	}
	if rep.Schema > newest {
		return res, fmt.Errorf("restore: %s has schema %d, newer than this tandem's %d; restore it with a newer tandem", from, rep.Schema, newest)
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o750); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	unlock, err := sqlite.LockExclusive(db)
	if errors.Is(err, sqlite.ErrInUse) {
		return res, fmt.Errorf("restore: %s is open in a running tandem; stop it first", db)
	}
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	defer unlock()

	// The copy goes next to the database first, so the swap is a rename.
	staged := db + ".restoring"
	_ = os.Remove(staged) // left by a restore that was cut short
	if err := copyFile(from, staged); err != nil {
		_ = os.Remove(staged)
		return res, fmt.Errorf("restore: %w", err)
	}
	if _, err := Check(ctx, staged); err != nil { // what reached the disk
		_ = os.Remove(staged)
		return res, fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(db); err == nil {
		res.SafetyCopy = db + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		if err := keepSafetyCopy(ctx, db, res.SafetyCopy); err != nil {
			_ = os.Remove(staged)
			return res, fmt.Errorf("restore: keep a safety copy of %s: %w", db, err)
		}
	}
	// The old -wal and -shm belong to the old file (the safety copy holds
	// what they added): left beside the new one, SQLite would read the
	// old commits into it. They go before the swap.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			_ = os.Remove(staged)
			return res, fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(staged, db); err != nil {
		_ = os.Remove(staged)
		return res, fmt.Errorf("restore: %w", err)
	}
	if err := syncDir(filepath.Dir(db)); err != nil {
		return res, err
	}
	res.Report = rep
	res.Path = db
	return res, nil
}

// keepSafetyCopy copies the database at db to to. A database too damaged
// to be read (often the reason for a restore) is kept as its files are:
// the main file and, beside the copy, its -wal.
func keepSafetyCopy(ctx context.Context, db, to string) error {
	// The -wal is copied first: opening a damaged database may already
	// drop it.
	if err := copyFile(db+"-wal", to+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if _, err := SQLite(ctx, db, to); err == nil {
		_ = os.Remove(to + "-wal") // the copy holds its commits
		return nil
	}
	return copyFile(db, to)
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
