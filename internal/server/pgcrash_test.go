package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/storetest"
)

// writers create items through the API from four clients until stopped,
// and keep what they were told: the ids acknowledged and the statuses.
type writers struct {
	t       *testing.T
	srv     *httptest.Server
	token   string
	team    string
	client  *http.Client
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	acked   []string
	status  map[int]int
	noRetry int // 503s without Retry-After
	lastOK  atomic.Int64
}

// startWriters signs up, makes a team and starts the writers.
func startWriters(t *testing.T, srv *httptest.Server) *writers {
	w := &writers{t: t, srv: srv, client: &http.Client{Timeout: 10 * time.Second}, stop: make(chan struct{}), status: map[int]int{}}
	var priya struct{ Token string }
	call(t, srv, "POST", "/api/v1/signup", "", `{"email":"priya@example.com","name":"Priya","password":"correct horse battery"}`, 201, &priya)
	var team struct{ ID string }
	call(t, srv, "POST", "/api/v1/teams", priya.Token, `{"name":"Orion"}`, 201, &team)
	w.token, w.team = priya.Token, team.ID
	for c := range 4 {
		w.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-w.stop:
					return
				default:
				}
				w.create(fmt.Sprintf("Written by client %d, number %d", c, i))
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	return w
}

func (w *writers) create(title string) {
	req, _ := http.NewRequest("POST", w.srv.URL+"/api/v1/teams/"+w.team+"/items", strings.NewReader(`{"title":"`+title+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.token)
	res, err := w.client.Do(req)
	if err != nil {
		w.t.Errorf("create: %v", err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.status[res.StatusCode]++
	switch res.StatusCode {
	case http.StatusCreated:
		var it struct{ ID string }
		if err := json.Unmarshal(body, &it); err != nil || it.ID == "" {
			w.t.Errorf("created item %s: %v", body, err)
		}
		w.acked = append(w.acked, it.ID)
		w.lastOK.Store(time.Now().UnixNano())
	case http.StatusServiceUnavailable:
		if res.Header.Get("Retry-After") == "" {
			w.noRetry++
		}
	default:
		w.t.Errorf("create got %d %s, want 201 or 503", res.StatusCode, body)
	}
}

// unavailable counts the answers 503 so far.
func (w *writers) unavailable() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status[http.StatusServiceUnavailable]
}

// recovered waits for a create that succeeds after since.
func (w *writers) recovered(since time.Time) time.Duration {
	w.t.Helper()
	for w.lastOK.Load() < since.UnixNano() {
		if time.Since(since) > 30*time.Second {
			w.t.Fatal("no create succeeded within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(since)
}

// finish stops the writers and checks that every acknowledged create is
// in the database at dsn and every 503 said when to retry.
func (w *writers) finish(dsn string) {
	w.t.Helper()
	close(w.stop)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.noRetry > 0 {
		w.t.Errorf("%d answers 503 without Retry-After", w.noRetry)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	lost := 0
	for _, id := range w.acked {
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM items WHERE id = $1`, id).Scan(&n); err != nil {
			w.t.Fatal(err)
		}
		if n != 1 {
			lost++
		}
	}
	if lost > 0 {
		w.t.Errorf("%d of %d acknowledged creates are not in the database", lost, len(w.acked))
	}
	w.t.Logf("FIGURE %s_acked_lost=%d of %d; answers: %v", w.t.Name(), lost, len(w.acked), w.status)
}

// TestPostgresCrashAndRestart (RELIABILITY 2.2 b and d): PostgreSQL
// crashes (pg_ctl stop -m immediate) while four clients create items, and
// stays down for a few seconds. The server keeps running: every create
// while it is down gets 503 with Retry-After, never a 500; /readyz says
// unready within 2 s; once PostgreSQL is back, creates succeed again on
// their own; and every create that was acknowledged is in the database.
func TestPostgresCrashAndRestart(t *testing.T) {
	cluster := storetest.NewCluster(t)
	app := openPG(t, cluster.DSN)
	srv := httptest.NewServer(app.Handler)
	defer srv.Close()
	baseline := runtime.NumGoroutine()
	w := startWriters(t, srv)
	ready := func() int {
		res, err := w.client.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatalf("/readyz: %v", err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	time.Sleep(500 * time.Millisecond)
	crashed := time.Now()
	cluster.Crash()
	for ready() == http.StatusOK {
		if time.Since(crashed) > 10*time.Second {
			t.Fatal("/readyz still says ready 10 s after PostgreSQL went down")
		}
		time.Sleep(50 * time.Millisecond)
	}
	unready := time.Since(crashed)
	if unready > 2*time.Second {
		t.Errorf("/readyz took %s to say unready, want ≤ 2 s", unready)
	}
	time.Sleep(3 * time.Second) // down: clients keep trying
	if w.unavailable() == 0 {
		t.Error("no create was answered 503 while PostgreSQL was down")
	}
	started := time.Now()
	cluster.Start()
	recovered := w.recovered(started)
	time.Sleep(300 * time.Millisecond)
	if code := ready(); code != http.StatusOK {
		t.Errorf("/readyz got %d after recovery, want 200", code)
	}
	w.finish(cluster.DSN)
	if open := app.Store.DB().Stats().OpenConnections; open > 20 {
		t.Errorf("%d connections open after recovery, more than the pool's 20", open)
	}
	srv.CloseClientConnections()
	w.client.CloseIdleConnections()
	settled := time.Now()
	for runtime.NumGoroutine() > baseline+5 && time.Since(settled) < 5*time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline+5 {
		t.Errorf("%d goroutines after recovery, %d before the crash", n, baseline)
	}
	t.Logf("FIGURE pg_crash_readyz_unready=%d ms", unready.Milliseconds())
	t.Logf("FIGURE pg_crash_recovery=%d ms (from pg_ctl start to the first create)", recovered.Milliseconds())
}

// TestPostgresBackendsTerminated (RELIABILITY 2.2 c): an operator kills
// Tandem's connections (pg_terminate_backend) five times during load. The
// writes on them fail with 503, never 500, the pool reconnects by itself,
// and nothing acknowledged is lost.
func TestPostgresBackendsTerminated(t *testing.T) {
	cluster := storetest.NewCluster(t)
	app := openPG(t, cluster.DSN)
	srv := httptest.NewServer(app.Handler)
	defer srv.Close()
	w := startWriters(t, srv)
	admin, err := sql.Open("pgx", cluster.DSN+"&application_name=operator")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	killed := 0
	for range 5 {
		time.Sleep(300 * time.Millisecond)
		var n int
		err := admin.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'tandem' AND pid <> pg_backend_pid()`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		killed += n
	}
	if killed == 0 {
		t.Fatal("no connection of Tandem's was found to terminate")
	}
	recovered := w.recovered(time.Now())
	time.Sleep(300 * time.Millisecond)
	w.finish(cluster.DSN)
	t.Logf("FIGURE pg_terminated_connections=%d; next create after the last %d ms", killed, recovered.Milliseconds())
}
