package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by query text for SQLite, where
// preparing every statement anew was a third of the create path's CPU
// (modernc.org/sqlite does not cache statements; pgx does, so PostgreSQL
// does not use this). It holds at most maxCachedStmts statements; dynamic
// queries beyond that run unprepared.
type stmtCache struct {
	db   *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
	want map[string]struct{} // seen inside a transaction, to prepare when the writer is idle
}

const maxCachedStmts = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, want: map[string]struct{}{}}
}

// lookup returns the prepared statement for query, or nil; with wish, a
// miss is remembered for prepareWanted.
func (c *stmtCache) lookup(query string, wish bool) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.m[query]
	if st == nil && wish && len(c.m)+len(c.want) < maxCachedStmts {
		c.want[query] = struct{}{}
	}
	return st
}

// prepareWanted prepares the statements seen since the last call. The
// writer calls it between batches, when its one connection is free:
// preparing on the *sql.DB during a transaction would wait for that very
// connection.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	want := c.want
	c.want = map[string]struct{}{}
	c.mu.Unlock()
	for q := range want {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue // it runs unprepared, as before
		}
		c.mu.Lock()
		c.m[q] = st
		c.mu.Unlock()
	}
}

// prepare returns a statement for query on a pool, preparing it on a miss
// (for the read pool, where nothing holds the connections).
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	if st := c.lookup(query, false); st != nil {
		return st
	}
	c.mu.Lock()
	full := len(c.m) >= maxCachedStmts
	c.mu.Unlock()
	if full {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[query]; old != nil {
		st.Close()
		return old
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}

// txQuerier runs a transaction's statements through the writer's cache.
type txQuerier struct {
	tx *sql.Tx
	c  *stmtCache
}

func (q txQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	st := q.c.lookup(query, true)
	if st == nil {
		return nil
	}
	return q.tx.StmtContext(ctx, st)
}

func (q txQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q txQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q txQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}

// poolQuerier runs reads through the read pool's cache.
type poolQuerier struct {
	db *sql.DB
	c  *stmtCache
}

func (q poolQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.db.ExecContext(ctx, query, args...)
}

func (q poolQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.c.prepare(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.db.QueryContext(ctx, query, args...)
}

func (q poolQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.c.prepare(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.db.QueryRowContext(ctx, query, args...)
}
