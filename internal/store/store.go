// Package store implements scrum.Store over database/sql with plain SQL that
// both SQLite (modernc.org/sqlite) and PostgreSQL (pgx) run. What differs
// per engine lives in the small sqlite and postgres packages, which build a
// Store from a Dialect.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// Dialect is what an engine package tells the shared store.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// SingleWriter queues every write to one connection and commits queued
	// writes together (group commit): SQLite allows one writer, and one
	// fsync for many writes is what makes it fast with synchronous=FULL.
	SingleWriter bool
	// LockTeamSQL locks a team's row for the rest of the transaction ($1 is
	// the team id); empty when SingleWriter makes it unnecessary.
	LockTeamSQL string
	// NotifySQL tells other instances that a team has new events ($1 is the
	// team id); run in the transaction, so delivered only on commit.
	NotifySQL string
	// MapError turns driver errors into domain errors by their codes.
	MapError func(error) error
	// Retryable reports errors after which a whole transaction may be run
	// again (serialization failures, deadlocks).
	Retryable func(error) bool
	// CacheStatements keeps prepared statements (for drivers that do not).
	CacheStatements bool
	// SearchSQL is the full-text predicate on items, with one %s for the
	// bound parameter that holds SearchQuery's result.
	SearchSQL string
	// SearchQuery turns search words (letters and digits only) into the
	// engine's query syntax: every word must match, as a prefix.
	SearchQuery func(terms []string) string
	// SearchIndex, when set, is a search index the store keeps itself
	// (SQLite's FTS5): new items get a search_rowid from the store and are
	// indexed later, many per transaction (see Store.indexPending). Nil
	// when the engine indexes rows itself (PostgreSQL's generated column).
	SearchIndex *SearchIndex
}

// SearchIndex is the SQL of a search index the store brings up to date.
type SearchIndex struct {
	// StateSQL reads the highest search_rowid indexed and the highest in use.
	StateSQL string
	// IndexSQL indexes the items with $1 < search_rowid <= $2.
	IndexSQL string
	// MarkSQL records $1 as the highest search_rowid indexed.
	MarkSQL string
	// ClearSQL empties the index (for RebuildSearch).
	ClearSQL string
}

// Background search indexing (Dialect.SearchIndex): the writer indexes
// waiting items once it has had no write to run for Options.SearchIdle, or
// as soon as searchBacklog are waiting; a search indexes them first in any
// case. Under a burst of creates, FTS5 then writes one index segment per
// thousand items instead of one per commit.
const searchBacklog = 1000

// Store is the shared scrum.Store implementation.
type Store struct {
	db  *sql.DB // the writer (SQLite: one connection) and transactional reads
	rdb *sql.DB // the read pool; may be db itself
	d   Dialect
	now func() time.Time

	rcache *stmtCache // read pool statements (nil: no caching)
	items  *itemCache // items as last read; see itemCache
	wcache *stmtCache // writer statements

	queue chan *writeReq
	done  chan struct{}
	// unindexed counts acknowledged items not in the search index yet
	// (Dialect.SearchIndex); only the writer changes it.
	unindexed atomic.Int64
	// commits and writes count committed transactions and the writes they
	// carried (see WriteStats).
	commits, writes atomic.Int64
	wg              sync.WaitGroup
	wake            atomic.Pointer[func(teamID string)]
	closed          atomic.Bool
}

// Options configures New.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxBatch caps how many queued writes share one commit (default 256).
	MaxBatch int
	// SearchIdle is how long the writer waits for more writes before it
	// indexes new items for search (default 20ms).
	SearchIdle time.Duration
}

// New returns a Store over an open writer db and read pool rdb.
func New(db, rdb *sql.DB, d Dialect, opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBatch == 0 {
		opts.MaxBatch = 256
	}
	if opts.SearchIdle == 0 {
		opts.SearchIdle = 20 * time.Millisecond
	}
	s := &Store{db: db, rdb: rdb, d: d, now: opts.Now, done: make(chan struct{}), items: newItemCache()}
	if d.CacheStatements {
		s.rcache, s.wcache = newStmtCache(rdb), newStmtCache(db)
	}
	if d.SingleWriter {
		if d.SearchIndex != nil {
			// Items a crash left unindexed are indexed once the writer is idle.
			var done, last int64
			if err := db.QueryRow(d.SearchIndex.StateSQL).Scan(&done, &last); err == nil {
				s.unindexed.Store(last - done)
			}
		}
		s.queue = make(chan *writeReq, 1024)
		s.wg.Add(1)
		go s.writer(opts.MaxBatch, opts.SearchIdle)
	}
	return s
}

// OnChange registers fn to be called with a team id after a commit that
// appended events to that team. Engines with several instances also call it
// for commits made elsewhere (see postgres.Listen).
func (s *Store) OnChange(fn func(teamID string)) { s.wake.Store(&fn) }

// Changed calls the OnChange function, if any.
func (s *Store) Changed(teamID string) {
	if fn := s.wake.Load(); fn != nil {
		(*fn)(teamID)
	}
}

// DB returns the writer database handle (for metrics and health checks).
func (s *Store) DB() *sql.DB { return s.db }

// ReadDB returns the read pool.
func (s *Store) ReadDB() *sql.DB { return s.rdb }

// Dialect returns the engine's dialect.
func (s *Store) Dialect() Dialect { return s.d }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.rdb.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Close stops the writer and closes the databases.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.done)
	s.wg.Wait()
	if s.rcache != nil {
		s.rcache.close()
		s.wcache.close()
	}
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// View implements scrum.Store. Reads run on the read pool without an
// explicit transaction: each statement sees the latest committed state.
func (s *Store) View(ctx context.Context, fn func(scrum.Tx) error) error {
	var q querier = s.rdb
	if s.rcache != nil {
		q = cachedDB{db: s.rdb, cache: s.rcache}
	}
	t := &tx{q: q, d: &s.d, now: s.now().UTC(), readOnly: true, items: s.items, searchSync: s.syncSearch}
	return s.mapErr(fn(t))
}

// Update implements scrum.Store.
func (s *Store) Update(ctx context.Context, fn func(scrum.Tx) error) error {
	if s.closed.Load() {
		return scrum.Errorf(scrum.CodeUnavailable, "the server is shutting down")
	}
	if s.queue == nil {
		return s.updateDirect(ctx, fn)
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.queue <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return scrum.Errorf(scrum.CodeUnavailable, "the server is shutting down")
	}
	// Once queued, wait for the outcome even if ctx ends: the write may
	// commit, and the caller must not be told otherwise.
	return <-req.done
}

// updateDirect runs one transaction per call (PostgreSQL), retrying
// serialization failures a few times.
func (s *Store) updateDirect(ctx context.Context, fn func(scrum.Tx) error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = s.updateOnce(ctx, fn)
		if err == nil || s.d.Retryable == nil || !s.d.Retryable(err) {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return s.mapErr(err)
}

func (s *Store) updateOnce(ctx context.Context, fn func(scrum.Tx) error) (err error) {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &tx{q: sqlTx, d: &s.d, now: s.now().UTC(), memo: newWriteMemo()}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in transaction: %v\n%s", p, debug.Stack())
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(t); err != nil {
		return err
	}
	if err = t.notify(ctx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		if mapped := s.mapErr(err); scrum.IsCode(mapped, scrum.CodeUnavailable) {
			// The commit went out and no answer came back: it may have
			// taken effect. Saying "try again" would invite a duplicate.
			return &scrum.Error{Code: scrum.CodeUnavailable,
				Message: "the connection to the database broke while saving: it may have been saved; reload before trying again"}
		}
		return fmt.Errorf("commit: %w", err)
	}
	s.commits.Add(1)
	s.writes.Add(1)
	if s.d.NotifySQL == "" {
		for team := range t.teams {
			s.Changed(team)
		}
	}
	return nil
}

func (s *Store) mapErr(err error) error {
	if err == nil || s.d.MapError == nil {
		return err
	}
	var de *scrum.Error
	if errors.As(err, &de) {
		return err
	}
	return s.d.MapError(err)
}

// writeReq is one Update waiting for the single writer.
type writeReq struct {
	ctx   context.Context
	fn    func(scrum.Tx) error
	done  chan error
	err   error
	teams map[string]struct{}
	// found counts the items created, not yet in the search index; a write
	// that indexed every waiting item sets indexed.
	found   int64
	indexed bool
}

// writer runs queued writes on the single connection. It starts a
// transaction with the first queued write, adds whatever else is queued
// until it commits (see commitBatch), commits once and then answers
// everyone: nobody hears "saved" before the commit is durable. Between
// batches it indexes new items for search (Dialect.SearchIndex).
func (s *Store) writer(maxBatch int, searchIdle time.Duration) {
	defer s.wg.Done()
	idle := time.NewTimer(searchIdle)
	var indexAfter time.Time // after a failed indexing, when to try again
	index := func() {
		if time.Now().After(indexAfter) && !s.indexNow() {
			indexAfter = time.Now().Add(time.Second)
		}
	}
	for {
		var first *writeReq
		var wait <-chan time.Time
		if s.unindexed.Load() > 0 {
			idle.Reset(max(searchIdle, time.Until(indexAfter)))
			wait = idle.C
		}
		select {
		case first = <-s.queue:
		case <-wait:
			index()
			continue
		case <-s.done:
			s.drainClosed()
			return
		}
		idle.Stop()
		batch := []*writeReq{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-s.queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.commitBatch(batch, maxBatch)
		if s.unindexed.Load() >= searchBacklog {
			index()
		}
		if s.wcache != nil {
			s.wcache.prepareWanted(context.Background())
		}
	}
}

// indexNow runs, on the writer, a write that indexes every waiting item,
// and reports whether it did. A failure leaves them waiting: a search
// tries again at once, the writer a second later.
func (s *Store) indexNow() bool {
	r := &writeReq{ctx: context.Background(), fn: indexPending, done: make(chan error, 1)}
	s.commitBatch([]*writeReq{r}, 1)
	return <-r.done == nil
}

// syncSearch brings the search index up to date before a search reads it,
// so that a search finds every item whose creation was acknowledged.
func (s *Store) syncSearch(ctx context.Context) error {
	if s.d.SearchIndex == nil || s.unindexed.Load() == 0 {
		return nil
	}
	return s.Update(ctx, indexPending)
}

// RebuildSearch empties a search index the store keeps and indexes every
// item again, in one write, for repairs. It returns how many items the
// index then holds (0 where the engine keeps its own index).
func (s *Store) RebuildSearch(ctx context.Context) (int64, error) {
	si := s.d.SearchIndex
	if si == nil {
		return 0, nil
	}
	var n int64
	err := s.Update(ctx, func(st scrum.Tx) error {
		t := st.(*tx)
		if _, err := t.q.ExecContext(ctx, si.ClearSQL); err != nil {
			return fmt.Errorf("clear the search index: %w", err)
		}
		if _, err := t.q.ExecContext(ctx, si.MarkSQL, 0); err != nil {
			return fmt.Errorf("clear the search index: %w", err)
		}
		if err := t.indexPending(ctx); err != nil {
			return err
		}
		return t.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE search_rowid IS NOT NULL`).Scan(&n)
	})
	return n, err
}

func indexPending(st scrum.Tx) error {
	return st.(*tx).indexPending(context.Background())
}

// indexPending adds every item not in the search index yet to it, in one
// statement: FTS5 then writes one segment for all of them.
func (t *tx) indexPending(ctx context.Context) error {
	si := t.d.SearchIndex
	if si == nil {
		return nil
	}
	var done, last int64
	if err := t.q.QueryRowContext(ctx, si.StateSQL).Scan(&done, &last); err != nil {
		return fmt.Errorf("search index state: %w", err)
	}
	if last > done {
		if _, err := t.q.ExecContext(ctx, si.IndexSQL, done, last); err != nil {
			return fmt.Errorf("index items for search: %w", err)
		}
		if _, err := t.q.ExecContext(ctx, si.MarkSQL, last); err != nil {
			return fmt.Errorf("index items for search: %w", err)
		}
	}
	t.found, t.indexed = 0, true
	return nil
}

func (s *Store) drainClosed() {
	for {
		select {
		case r := <-s.queue:
			r.done <- scrum.Errorf(scrum.CodeUnavailable, "the server is shutting down")
		default:
			return
		}
	}
}

// commitBatch runs batch, and the writes queued while it runs, up to
// maxBatch, in one transaction.
func (s *Store) commitBatch(batch []*writeReq, maxBatch int) {
	// Most batches have no failing write: run them without savepoints (two
	// statements fewer per write). If one fails, roll the whole attempt
	// back and run the batch again with a savepoint around each write, so
	// the failure undoes only its own changes (a write that failed alone is
	// answered at once). Writes are closures over the transaction, so
	// running one again is safe: nothing of the first attempt was committed
	// or acknowledged.
	batch, ok := s.tryBatch(batch, maxBatch)
	if !ok {
		s.runBatch(batch, len(batch) == 1)
	}
}

// tryBatch runs batch in one transaction without savepoints and commits it
// when every write succeeded. Writes queued meanwhile join it, up to
// maxBatch: they share its commit instead of waiting for it, and its fsync.
// It returns the batch it ran and whether it answered it.
func (s *Store) tryBatch(batch []*writeReq, maxBatch int) ([]*writeReq, bool) {
	ctx := context.Background()
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return batch, false
	}
	memo, bt := newWriteMemo(), newBatchTx(sqlTx, s.wcache)
	for i := 0; i < len(batch); i++ {
		r := batch[i]
		if err := r.ctx.Err(); err != nil {
			r.err = err
		} else if r.err = s.runOne(ctx, bt, r, true, memo); r.err != nil {
			_ = sqlTx.Rollback()
			if len(batch) == 1 {
				// Nothing else ran: the write's own error is its answer, and
				// running it again with a savepoint would only repeat it.
				r.done <- s.mapErr(r.err)
				return batch, true
			}
			for _, r := range batch {
				r.err, r.teams, r.found, r.indexed = nil, nil, 0, false
			}
			return batch, false
		}
	join:
		for i == len(batch)-1 && len(batch) < maxBatch {
			select {
			case r := <-s.queue:
				batch = append(batch, r)
			default:
				break join
			}
		}
	}
	s.finish(ctx, sqlTx, batch)
	return batch, true
}

// runBatch runs batch in one transaction, each write in its own savepoint
// unless single, and commits once.
func (s *Store) runBatch(batch []*writeReq, single bool) {
	ctx := context.Background()
	fail := func(err error) {
		for _, r := range batch {
			if r.err == nil {
				r.err = err
			}
			r.done <- s.mapErr(r.err)
		}
	}
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	memo, bt := newWriteMemo(), newBatchTx(sqlTx, s.wcache)
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		r.err = s.runOne(ctx, bt, r, single, memo)
		if r.err != nil && single {
			_ = sqlTx.Rollback()
			fail(r.err)
			return
		}
	}
	s.finish(ctx, sqlTx, batch)
}

// finish commits and answers every write; when the commit fails, each
// write that had succeeded hears why, and the others keep their own error.
func (s *Store) finish(ctx context.Context, sqlTx *sql.Tx, batch []*writeReq) {
	if err := sqlTx.Commit(); err != nil {
		_ = sqlTx.Rollback()
		for _, r := range batch {
			if r.err == nil {
				r.err = fmt.Errorf("commit: %w", err)
			}
			r.done <- s.mapErr(r.err)
		}
		return
	}
	s.commits.Add(1)
	s.writes.Add(int64(len(batch)))
	s.answer(batch)
}

// WriteStats reports how many transactions have committed and how many
// writes (Update calls) they carried. With the single writer, writes per
// commit is how many callers each fsync served.
func (s *Store) WriteStats() (commits, writes int64) {
	return s.commits.Load(), s.writes.Load()
}

// answer tells every write of a committed batch its outcome, then wakes
// the live rooms of the teams that got events. The count of unindexed
// items is brought up to date first: a search by someone who has heard
// "created" must see that there is something to index.
func (s *Store) answer(batch []*writeReq) {
	for _, r := range batch {
		if r.err == nil {
			if r.indexed {
				s.unindexed.Store(0)
			}
			s.unindexed.Add(r.found)
		}
	}
	woken := map[string]struct{}{}
	for _, r := range batch {
		r.done <- s.mapErr(r.err)
		if r.err == nil {
			for team := range r.teams {
				woken[team] = struct{}{}
			}
		}
	}
	for team := range woken {
		s.Changed(team)
	}
}

// runOne runs one write inside the batch transaction and records, on r,
// the teams it gave events and the items it created. A lone write needs
// no savepoint: its failure rolls back the whole transaction. A write
// rolled back to its savepoint also empties memo, which may hold what it
// had changed.
func (s *Store) runOne(ctx context.Context, sqlTx *batchTx, r *writeReq, single bool, memo *writeMemo) (err error) {
	r.teams, r.found, r.indexed = nil, 0, false
	if !single {
		if _, err := sqlTx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
	}
	t := &tx{q: sqlTx, d: &s.d, now: s.now().UTC(), memo: memo}
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic in transaction: %v\n%s", p, debug.Stack())
			}
		}()
		err = r.fn(t)
	}()
	if single {
		r.teams, r.found, r.indexed = t.teams, t.found, t.indexed
		return err
	}
	if err != nil {
		*memo = *newWriteMemo()
		if _, rerr := sqlTx.ExecContext(ctx, "ROLLBACK TO w"); rerr != nil {
			return errors.Join(err, rerr)
		}
		_, _ = sqlTx.ExecContext(ctx, "RELEASE w")
		return err
	}
	if _, err := sqlTx.ExecContext(ctx, "RELEASE w"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	r.teams, r.found, r.indexed = t.teams, t.found, t.indexed
	return nil
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tx implements scrum.Tx; its methods live in one file per aggregate.
type tx struct {
	q        querier
	readOnly bool
	items    *itemCache // reads only; nil in write transactions
	d        *Dialect
	now      time.Time
	teams    map[string]struct{} // teams that got events in this transaction
	memo     *writeMemo          // writes only

	// Dialect.SearchIndex: items created here and not indexed yet, and
	// whether this write indexed every waiting item.
	found   int64
	indexed bool
	// searchSync brings the search index up to date (reads only).
	searchSync func(context.Context) error
}

func (t *tx) Now() time.Time { return t.now }

func (t *tx) ReadOnly() bool { return t.readOnly }

func (t *tx) touched(teamID string) {
	if t.teams == nil {
		t.teams = map[string]struct{}{}
	}
	t.teams[teamID] = struct{}{}
}

func (t *tx) notify(ctx context.Context) error {
	if t.d.NotifySQL == "" {
		return nil
	}
	for team := range t.teams {
		if _, err := t.q.ExecContext(ctx, t.d.NotifySQL, team); err != nil {
			return fmt.Errorf("notify team %s: %w", team, err)
		}
	}
	return nil
}

func (t *tx) LockTeam(ctx context.Context, teamID string) error {
	if t.d.LockTeamSQL == "" {
		return nil
	}
	var id string
	err := t.q.QueryRowContext(ctx, t.d.LockTeamSQL, teamID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return scrum.NotFound("team")
	}
	if err != nil {
		return fmt.Errorf("lock team %s: %w", teamID, err)
	}
	return nil
}

// micros stores times as integer microseconds since the epoch in both
// engines: exact, comparable, and free of driver time-format quirks.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// affected returns the rows changed by a write.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
