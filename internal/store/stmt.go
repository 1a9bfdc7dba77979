package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by SQL text (prepared with
// anonymous placeholders where the text allows). modernc.org/sqlite
// compiles SQL on every call otherwise, which costs more than running
// most of Tandem's queries; pgx caches statements itself, so PostgreSQL
// does not use this. The cache is bounded: SQL built from filters varies,
// and beyond maxStmts new texts simply run unprepared.
type stmtCache struct {
	db     *sql.DB
	mu     sync.RWMutex
	m      map[string]*sql.Stmt
	wanted map[string]struct{} // writer statements to prepare after the batch
}

const maxStmts = 512

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, wanted: map[string]struct{}{}}
}

// lookup returns the cached statement for query without preparing one.
// Inside a write transaction the single writer connection is busy, so a
// missing statement is only noted; prepareWanted prepares it afterwards.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	st := c.m[query]
	c.mu.RUnlock()
	if st == nil {
		c.mu.Lock()
		if len(c.m)+len(c.wanted) < maxStmts {
			c.wanted[query] = struct{}{}
		}
		c.mu.Unlock()
	}
	return st
}

// prepareWanted prepares the statements lookup missed. The writer calls
// it between transactions, when its connection is free.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.wanted {
		delete(c.wanted, q)
		if st, err := c.db.PrepareContext(ctx, anonymous(q)); err == nil {
			c.m[q] = st
		}
	}
}

// get returns a prepared statement for query, or nil when it cannot or
// should not be cached.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	full := len(c.m) >= maxStmts
	c.mu.RUnlock()
	if ok || full {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	st, err := c.db.PrepareContext(ctx, anonymous(query))
	if err != nil {
		return nil // let the unprepared call report the error
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// cachedDB runs statements on a database through the cache.
type cachedDB struct {
	db    *sql.DB
	cache *stmtCache
}

func (c cachedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.cache.get(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, query, args...)
}

func (c cachedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.cache.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

func (c cachedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.cache.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// batchTx runs the statements of the writer's batch transaction.
//
// It drops the callers' cancellation: once the writer has started a write
// (it checks the request's context first), the write runs to its end. A
// client hanging up mid-statement would otherwise interrupt the
// transaction that the other writes of the batch share, and make the
// writer run them all again in savepoints; and modernc.org/sqlite starts a
// goroutine to watch every cancellable statement, a cost on the single
// writer's path. Statements come from the cache when it has them, bound to
// the transaction once per batch rather than once per call.
type batchTx struct {
	tx    *sql.Tx
	cache *stmtCache // nil: no statement cache
	bound map[string]*sql.Stmt
}

func newBatchTx(tx *sql.Tx, cache *stmtCache) *batchTx {
	return &batchTx{tx: tx, cache: cache, bound: map[string]*sql.Stmt{}}
}

// stmt returns query's cached statement bound to the transaction, or nil.
func (b *batchTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if b.cache == nil {
		return nil
	}
	if st, ok := b.bound[query]; ok {
		return st
	}
	st := b.cache.lookup(query)
	if st != nil {
		st = b.tx.StmtContext(ctx, st)
		b.bound[query] = st
	}
	return st
}

func (b *batchTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = context.WithoutCancel(ctx)
	if st := b.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return b.tx.ExecContext(ctx, query, args...)
}

func (b *batchTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = context.WithoutCancel(ctx)
	if st := b.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return b.tx.QueryContext(ctx, query, args...)
}

func (b *batchTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx)
	if st := b.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return b.tx.QueryRowContext(ctx, query, args...)
}
