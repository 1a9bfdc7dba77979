// Package backlog measures the backlog's hot paths against bare handlers on
// the same SQLite database settings (WAL, synchronous=FULL): one INSERT per
// commit, and one INSERT per request group-committed by a single writer.
// It is in-process (the load runs as goroutines, not a separate process):
// run it with
//
//	TANDEM_BENCH=1 go test -run Figures -v -count=1 ./bench/backlog
//
// and read the FIGURE lines. Each figure is the median of 3 runs with the
// min–max in brackets.
package backlog

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
	"github.com/tandemhq/tandem/internal/store/sqlite"
	"github.com/tandemhq/tandem/internal/storetest"
)

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// load runs total calls of op from clients goroutines.
func load(clients, total int, op func(i int) error) result {
	lat := make([]time.Duration, total)
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				t := time.Now()
				if err := op(i); err != nil {
					errs.Add(1)
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	slices.Sort(lat)
	return result{rps: float64(total) / took.Seconds(), p50: lat[total/2], p99: lat[total*99/100], errors: errs.Load()}
}

// median3 runs f three times and reports the median rps run with the
// min–max of rps.
func median3(f func() result) (result, float64, float64) {
	rs := []result{f(), f(), f()}
	slices.SortFunc(rs, func(a, b result) int {
		switch {
		case a.rps < b.rps:
			return -1
		case a.rps > b.rps:
			return 1
		}
		return 0
	})
	return rs[1], rs[0].rps, rs[2].rps
}

func figure(t *testing.T, name string, r result, lo, hi float64) {
	t.Logf("FIGURE %s rps=%.0f [%.0f–%.0f] p50=%.2fms p99=%.2fms errors=%d", name, r.rps, lo, hi,
		float64(r.p50.Microseconds())/1000, float64(r.p99.Microseconds())/1000, r.errors)
}

type tandem struct {
	s    *store.Store
	svc  *scrum.Service
	team string
	po   scrum.Actor
	path string
}

func openTandem(t *testing.T) tandem {
	path := filepath.Join(t.TempDir(), "tandem.db")
	s, err := sqlite.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	svc, _ := scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast)})
	po := storetest.MustUserB(t, s, "Priya")
	team := storetest.MustTeamB(t, s, "Bench", po)
	return tandem{s: s, svc: svc, team: team.ID, po: scrum.Actor{User: po}, path: path}
}

func (x tandem) create(i int) error {
	_, err := x.svc.CreateItem(context.Background(), x.po, x.team, scrum.ItemInput{Title: fmt.Sprint("Item ", i),
		Description: "As a user I want it.", Labels: []string{"bench"}, AcceptanceCriteria: []scrum.Criterion{{Text: "works"}}})
	return err
}

// bare is the baseline: the same pragmas, one table, one INSERT per request.
type bare struct {
	db    *sql.DB
	queue chan chan error
	n     atomic.Int64
}

func openBare(t *testing.T, group bool) *bare {
	db, err := sql.Open("sqlite", sqlite.DSN(filepath.Join(t.TempDir(), "bare.db"), false))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, team_id TEXT, title TEXT, rank TEXT)`); err != nil {
		t.Fatal(err)
	}
	b := &bare{db: db}
	if group {
		b.queue = make(chan chan error, 1024)
		go b.writer()
		t.Cleanup(func() { close(b.queue) })
	}
	return b
}

func (b *bare) insert(tx interface {
	Exec(string, ...any) (sql.Result, error)
}) error {
	n := b.n.Add(1)
	_, err := tx.Exec(`INSERT INTO items (team_id, title, rank) VALUES ($1, $2, $3)`, "team", fmt.Sprint("Item ", n), fmt.Sprintf("%010d", n))
	return err
}

func (b *bare) writer() {
	for first := range b.queue {
		batch := []chan error{first}
	fill:
		for len(batch) < 256 {
			select {
			case r, ok := <-b.queue:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		tx, err := b.db.Begin()
		for range batch {
			if err == nil {
				err = b.insert(tx)
			}
		}
		if err == nil {
			err = tx.Commit()
		}
		for _, r := range batch {
			r <- err
		}
	}
}

func (b *bare) create(int) error {
	if b.queue == nil {
		return b.insert(b.db)
	}
	done := make(chan error, 1)
	b.queue <- done
	return <-done
}

func TestFigures(t *testing.T) {
	if os.Getenv("TANDEM_BENCH") == "" {
		t.Skip("set TANDEM_BENCH=1 to measure")
	}
	const n = 2000
	for _, clients := range []int{1, 16} {
		r, lo, hi := median3(func() result { return load(clients, n, openBare(t, false).create) })
		figure(t, fmt.Sprintf("bare_one_commit_insert_c%d", clients), r, lo, hi)
		r, lo, hi = median3(func() result { return load(clients, n, openBare(t, true).create) })
		figure(t, fmt.Sprintf("bare_group_commit_insert_c%d", clients), r, lo, hi)
		r, lo, hi = median3(func() result { return load(clients, n, openTandem(t).create) })
		figure(t, fmt.Sprintf("tandem_create_item_c%d", clients), r, lo, hi)
	}
	// Create as the backlog grows 0 → 10,000 (16 clients), p99 per slice.
	x := openTandem(t)
	for from := 0; from < 10000; from += 2500 {
		r := load(16, 2500, func(i int) error { return x.create(from + i) })
		figure(t, fmt.Sprintf("tandem_create_c16_at_%d_items", from), r, r.rps, r.rps)
	}
	if fi, err := os.Stat(x.path + "-wal"); err == nil {
		t.Logf("FIGURE wal_after_10000_creates=%.1f MiB", float64(fi.Size())/(1<<20))
	}
	ctx := context.Background()
	// Reads of a 10,000-item backlog: tandem (auth, readiness) vs one bare
	// SELECT of the same rows.
	for _, limit := range []int{100, 1000} {
		r, lo, hi := median3(func() result {
			return load(1, 200, func(int) error {
				_, _, err := x.svc.Items(ctx, x.po, x.team, scrum.ItemFilter{}, scrum.Page{Limit: limit})
				return err
			})
		})
		figure(t, fmt.Sprintf("tandem_list_%d", limit), r, lo, hi)
		r, lo, hi = median3(func() result {
			return load(1, 200, func(int) error {
				rows, err := x.s.ReadDB().Query(`SELECT id, title, description, criteria, labels, status, rank, version FROM items
					WHERE team_id = $1 ORDER BY rank LIMIT $2`, x.team, limit)
				if err != nil {
					return err
				}
				defer rows.Close()
				var a, b, c, d, e, f, g string
				var v int
				for rows.Next() {
					if err := rows.Scan(&a, &b, &c, &d, &e, &f, &g, &v); err != nil {
						return err
					}
				}
				return rows.Err()
			})
		})
		figure(t, fmt.Sprintf("bare_read_%d", limit), r, lo, hi)
	}
	// One move: p50, and rows written (item + event, plus the team's
	// event counter).
	its, _, _ := x.svc.Items(ctx, x.po, x.team, scrum.ItemFilter{}, scrum.Page{Limit: 1000})
	r, lo, hi := median3(func() result {
		return load(1, 300, func(i int) error {
			_, err := x.svc.MoveItem(ctx, x.po, x.team, its[(i*37)%len(its)].ID, scrum.Move{Before: its[(i*91+5)%len(its)].ID}, 0)
			if scrum.IsCode(err, scrum.CodeInvalid) {
				return nil // moved relative to itself
			}
			return err
		})
	})
	figure(t, "tandem_move", r, lo, hi)
	// Import of 10,000 rows into an empty team.
	y := openTandem(t)
	start := time.Now()
	storetest.FillBacklog(t, y.s, y.svc, y.po, y.team, 10000)
	t.Logf("FIGURE import_10000_rows=%.2f s", time.Since(start).Seconds())
}
