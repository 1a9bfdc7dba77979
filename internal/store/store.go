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
	"strconv"
	"strings"
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
	// SearchIndexSQL, when set, adds items to the search index ($1… in the
	// one %s are their ids): new items get a search_rowid from the store
	// and are indexed once per commit, just before it. Empty when the
	// engine indexes rows itself (PostgreSQL's generated column).
	SearchIndexSQL string
}

// Store is the shared scrum.Store implementation.
type Store struct {
	db  *sql.DB // the writer (SQLite: one connection) and transactional reads
	rdb *sql.DB // the read pool; may be db itself
	d   Dialect
	now func() time.Time

	rcache *stmtCache // read pool statements (nil: no caching)
	items  *itemCache // items as last read; see itemCache
	wcache *stmtCache // writer statements

	queue  chan *writeReq
	done   chan struct{}
	wg     sync.WaitGroup
	wake   atomic.Pointer[func(teamID string)]
	closed atomic.Bool
}

// Options configures New.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxBatch caps how many queued writes share one commit (default 256).
	MaxBatch int
}

// New returns a Store over an open writer db and read pool rdb.
func New(db, rdb *sql.DB, d Dialect, opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBatch == 0 {
		opts.MaxBatch = 256
	}
	s := &Store{db: db, rdb: rdb, d: d, now: opts.Now, done: make(chan struct{}), items: newItemCache()}
	if d.CacheStatements {
		s.rcache, s.wcache = newStmtCache(rdb), newStmtCache(db)
	}
	if d.SingleWriter {
		s.queue = make(chan *writeReq, 1024)
		s.wg.Add(1)
		go s.writer(opts.MaxBatch)
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
	t := &tx{q: q, d: &s.d, now: s.now().UTC(), readOnly: true, items: s.items}
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
	t := &tx{q: sqlTx, d: &s.d, now: s.now().UTC()}
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
	found := make([]any, len(t.found))
	for i, id := range t.found {
		found[i] = id
	}
	if err = indexSearch(ctx, sqlTx, &s.d, found); err != nil {
		return err
	}
	if err = t.notify(ctx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
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
	found []string // items created, to add to the search index before the commit
}

// writer runs queued writes on the single connection. It starts a
// transaction with the first queued write, adds whatever else is already
// queued (each in its own savepoint, so one failing write does not undo the
// others), commits once and then answers everyone: nobody hears "saved"
// before the commit is durable.
func (s *Store) writer(maxBatch int) {
	defer s.wg.Done()
	for {
		var first *writeReq
		select {
		case first = <-s.queue:
		case <-s.done:
			s.drainClosed()
			return
		}
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
		s.commitBatch(batch)
		if s.wcache != nil {
			s.wcache.prepareWanted(context.Background())
		}
	}
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

func (s *Store) commitBatch(batch []*writeReq) {
	// Most batches have no failing write: run them without savepoints (two
	// statements fewer per write). If one fails, roll the whole attempt
	// back and run the batch again with a savepoint around each write, so
	// the failure undoes only its own changes. Writes are closures over
	// the transaction, so running one again is safe: nothing of the first
	// attempt was committed or acknowledged.
	if len(batch) > 1 && s.tryBatch(batch) {
		return
	}
	s.runBatch(batch, len(batch) == 1)
}

// tryBatch runs batch in one transaction without savepoints and commits it
// when every write succeeded. It reports whether it answered the batch.
func (s *Store) tryBatch(batch []*writeReq) bool {
	ctx := context.Background()
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false
	}
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		r.err = s.runOne(ctx, sqlTx, r, true)
		if r.err != nil {
			_ = sqlTx.Rollback()
			for _, r := range batch {
				r.err, r.teams, r.found = nil, nil, nil
			}
			return false
		}
	}
	s.finish(ctx, sqlTx, batch)
	return true
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
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		r.err = s.runOne(ctx, sqlTx, r, single)
		if r.err != nil && single {
			_ = sqlTx.Rollback()
			fail(r.err)
			return
		}
	}
	s.finish(ctx, sqlTx, batch)
}

// finish adds the batch's new items to the search index, commits and
// answers every write; when the commit fails, each write that had
// succeeded hears why, and the others keep their own error.
func (s *Store) finish(ctx context.Context, sqlTx *sql.Tx, batch []*writeReq) {
	err := s.indexSearch(ctx, sqlTx, batch)
	if err == nil {
		err = sqlTx.Commit()
	}
	if err != nil {
		_ = sqlTx.Rollback()
		for _, r := range batch {
			if r.err == nil {
				r.err = fmt.Errorf("commit: %w", err)
			}
			r.done <- s.mapErr(r.err)
		}
		return
	}
	s.answer(batch)
}

// answer tells every write of a committed batch its outcome, then wakes
// the live rooms of the teams that got events.
func (s *Store) answer(batch []*writeReq) {
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
// no savepoint: its failure rolls back the whole transaction.
func (s *Store) runOne(ctx context.Context, sqlTx *sql.Tx, r *writeReq, single bool) (err error) {
	r.teams, r.found = nil, nil
	if !single {
		if _, err := sqlTx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
	}
	var q querier = sqlTx
	if s.wcache != nil {
		q = cachedTx{tx: sqlTx, cache: s.wcache}
	}
	t := &tx{q: q, d: &s.d, now: s.now().UTC()}
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic in transaction: %v\n%s", p, debug.Stack())
			}
		}()
		err = r.fn(t)
	}()
	if single {
		r.teams, r.found = t.teams, t.found
		return err
	}
	if err != nil {
		if _, rerr := sqlTx.ExecContext(ctx, "ROLLBACK TO w"); rerr != nil {
			return errors.Join(err, rerr)
		}
		_, _ = sqlTx.ExecContext(ctx, "RELEASE w")
		return err
	}
	if _, err := sqlTx.ExecContext(ctx, "RELEASE w"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	r.teams, r.found = t.teams, t.found
	return nil
}

// indexSearch adds the items the batch's successful writes created to the
// search index, in statements of up to 500.
func (s *Store) indexSearch(ctx context.Context, q querier, batch []*writeReq) error {
	var ids []any
	for _, r := range batch {
		if r.err == nil {
			for _, id := range r.found {
				ids = append(ids, id)
			}
		}
	}
	return indexSearch(ctx, q, &s.d, ids)
}

func indexSearch(ctx context.Context, q querier, d *Dialect, ids []any) error {
	return batches(len(ids), 500, func(lo, hi int) error {
		var in strings.Builder
		for i := range hi - lo {
			if i > 0 {
				in.WriteString(", ")
			}
			in.WriteString("$" + strconv.Itoa(i+1))
		}
		if _, err := q.ExecContext(ctx, fmt.Sprintf(d.SearchIndexSQL, in.String()), ids[lo:hi]...); err != nil {
			return fmt.Errorf("index items for search: %w", err)
		}
		return nil
	})
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

	found      []string // items created here, for the search index (Dialect.SearchIndexSQL)
	lastSearch int64    // the highest search_rowid handed out, once read
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
