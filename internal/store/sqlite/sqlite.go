// Package sqlite opens Tandem's store on an embedded SQLite file
// (modernc.org/sqlite, no cgo): WAL, foreign keys, synchronous=FULL, one
// writer connection fed by the store's group-commit queue, and a pool of
// read-only connections.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/tandemhq/tandem/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is SQLite's part of the shared store.
var Dialect = store.Dialect{
	Name:            "sqlite",
	SingleWriter:    true,
	CacheStatements: true,
	SearchSQL:       `items.search_rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH %s)`,
	SearchQuery:     searchQuery,
	SearchIndex: &store.SearchIndex{
		StateSQL: `SELECT indexed_upto, (SELECT COALESCE(MAX(search_rowid), 0) FROM items) FROM search_state`,
		// Edits of items not indexed yet left items_fts alone (migration
		// 00007), so each goes in once, with its current text.
		IndexSQL: `INSERT INTO items_fts (rowid, title, description, criteria)
			SELECT search_rowid, title, description,
				(SELECT COALESCE(group_concat(json_extract(c.value, '$.text'), ' '), '') FROM json_each(items.criteria) c)
			FROM items WHERE search_rowid > $1 AND search_rowid <= $2`,
		MarkSQL:  `UPDATE search_state SET indexed_upto = $1`,
		ClearSQL: `INSERT INTO items_fts (items_fts) VALUES ('delete-all')`,
	},
	MapError: mapError,
}

// searchQuery builds an FTS5 query: each word quoted, as a prefix, all
// required ("checkout"* "saf"*).
func searchQuery(terms []string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = `"` + t + `"*`
	}
	return strings.Join(q, " ")
}

// DSN returns the connection string for path. Every connection gets the
// same pragmas; readers are also query_only, so a read path can never write.
func DSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// FULL: a commit is on disk before anyone hears "saved", even across
	// power loss (NORMAL would only survive an application crash).
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "journal_size_limit(33554432)")
	q.Add("_pragma", "temp_store(memory)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database file at path, runs pending
// migrations and returns the store.
func Open(ctx context.Context, path string, opts store.Options) (*store.Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	w, err := sql.Open("sqlite", DSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := Migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", DSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	return store.New(w, r, Dialect, opts), nil
}

// SchemaVersion is the newest migration this build carries: a database
// migrated further was written by a newer Tandem.
func SchemaVersion() (int64, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	var newest int64
	for _, n := range names {
		digits, _, _ := strings.Cut(filepath.Base(n), "_")
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("migration %s: no version number", n)
		}
		newest = max(newest, v)
	}
	return newest, nil
}

// Provider returns the goose migration provider for db.
func Provider(db *sql.DB) (*goose.Provider, error) {
	return store.Provider(goose.DialectSQLite3, db, migrations, nil)
}

// Migrate applies every pending migration.
func Migrate(ctx context.Context, db *sql.DB) error {
	p, err := Provider(db)
	if err != nil {
		return err
	}
	return store.Up(ctx, p)
}
