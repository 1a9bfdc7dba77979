package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// sqliteHandler is the floor for Tandem's writes: POST /items inserts the
// request body as one row in a WAL database with synchronous=FULL, on the
// same driver as Tandem (modernc.org/sqlite). In mode "commit" every insert
// is its own transaction, one fsync each; in mode "group" inserts queue to
// one writer that commits whatever has queued in one transaction (group
// commit, as Tandem's store does). GET /items?after=&limit= lists rows in
// id order and GET /items/count counts them.
func sqliteHandler(ctx context.Context, fs *flag.FlagSet, args []string) (http.Handler, func() error, error) {
	path := fs.String("db", "", "database file (created if missing)")
	mode := fs.String("mode", "group", "commit (one commit per insert) or group (group commit)")
	maxBatch := fs.Int("max-batch", 256, "most inserts in one group commit")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if *path == "" {
		return nil, nil, errors.New("sqlite: -db is required")
	}
	if *mode != "commit" && *mode != "group" {
		return nil, nil, fmt.Errorf("sqlite: -mode %q: want commit or group", *mode)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+*path+"?"+q.Encode())
	if err != nil {
		return nil, nil, err
	}
	// One writer connection, as SQLite allows one writer at a time; reads
	// share it too, which is fine for a floor that measures writes.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS items (
		id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL)`); err != nil {
		db.Close()
		return nil, nil, err
	}
	b := &bareDB{db: db}
	if *mode == "group" {
		b.queue = make(chan insertReq, 1024)
		go b.writer(*maxBatch)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items", b.create)
	mux.HandleFunc("GET /items", b.list)
	mux.HandleFunc("GET /items/count", b.count)
	// The writer goroutine is not stopped: the process exits right after
	// the server, and a baseline need not drain its queue.
	return mux, db.Close, nil
}

type bareDB struct {
	db    *sql.DB
	queue chan insertReq // nil in commit mode
}

type insertReq struct {
	body  string
	reply chan insertResult
}

type insertResult struct {
	id  int64
	err error
}

const insertSQL = "INSERT INTO items (body, created_at) VALUES ($1, $2)"

func (b *bareDB) create(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	var id int64
	if b.queue == nil {
		// Exec + LastInsertId, never QueryRow(… RETURNING): see STYLE.md's
		// note on the WAL autocheckpoint.
		var res sql.Result
		if res, err = b.db.ExecContext(r.Context(), insertSQL, string(body), time.Now().UnixNano()); err == nil {
			id, err = res.LastInsertId()
		}
	} else {
		reply := make(chan insertResult, 1)
		b.queue <- insertReq{body: string(body), reply: reply}
		res := <-reply
		id, err = res.id, res.err
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, "{\"id\":%d}\n", id)
}

// writer commits queued inserts together: it waits for one, takes whatever
// else is already queued (up to max), and commits them in one transaction.
func (b *bareDB) writer(max int) {
	batch := make([]insertReq, 0, max)
	for first := range b.queue {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < max {
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
		b.commit(batch)
	}
}

func (b *bareDB) commit(batch []insertReq) {
	ctx := context.Background()
	results := make([]insertResult, len(batch))
	tx, err := b.db.BeginTx(ctx, nil)
	if err == nil {
		now := time.Now().UnixNano()
		for i, r := range batch {
			var res sql.Result
			if res, results[i].err = tx.ExecContext(ctx, insertSQL, r.body, now); results[i].err == nil {
				results[i].id, results[i].err = res.LastInsertId()
			}
		}
		err = tx.Commit()
	}
	for i, r := range batch {
		if err != nil && results[i].err == nil {
			results[i].err = err
		}
		r.reply <- results[i]
	}
}

type itemJSON struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
}

func (b *bareDB) list(w http.ResponseWriter, r *http.Request) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 || limit > 1000 {
		limit = 50
	}
	rows, err := b.db.QueryContext(r.Context(), "SELECT id, body FROM items WHERE id > $1 ORDER BY id LIMIT $2", after, limit)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	items := []itemJSON{}
	for rows.Next() {
		var it itemJSON
		if err := rows.Scan(&it.ID, &it.Body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
}

func (b *bareDB) count(w http.ResponseWriter, r *http.Request) {
	var n int64
	if err := b.db.QueryRowContext(r.Context(), "SELECT count(*) FROM items").Scan(&n); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	fmt.Fprintf(w, "{\"count\":%d}\n", n)
}
