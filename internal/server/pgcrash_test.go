package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/storetest"
)

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
	var priya struct{ Token string }
	call(t, srv, "POST", "/api/v1/signup", "", `{"email":"priya@example.com","name":"Priya","password":"correct horse battery"}`, 201, &priya)
	var team struct{ ID string }
	call(t, srv, "POST", "/api/v1/teams", priya.Token, `{"name":"Orion"}`, 201, &team)

	var (
		mu      sync.Mutex
		acked   []string
		status  = map[int]int{}
		noRetry int // 503s without Retry-After
		lastOK  atomic.Int64
	)
	client := &http.Client{Timeout: 10 * time.Second}
	create := func(title string) {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/teams/"+team.ID+"/items", strings.NewReader(`{"title":"`+title+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+priya.Token)
		res, err := client.Do(req)
		if err != nil {
			t.Errorf("create: %v", err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		mu.Lock()
		defer mu.Unlock()
		status[res.StatusCode]++
		switch res.StatusCode {
		case http.StatusCreated:
			var it struct{ ID string }
			if err := json.Unmarshal(body, &it); err != nil || it.ID == "" {
				t.Errorf("created item %s: %v", body, err)
			}
			acked = append(acked, it.ID)
			lastOK.Store(time.Now().UnixNano())
		case http.StatusServiceUnavailable:
			if res.Header.Get("Retry-After") == "" {
				noRetry++
			}
		default:
			t.Errorf("create got %d %s, want 201 or 503", res.StatusCode, body)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				create(fmt.Sprintf("Written by client %d, number %d", w, i))
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	ready := func() int {
		res, err := client.Get(srv.URL + "/readyz")
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

	mu.Lock()
	down := status[http.StatusServiceUnavailable]
	mu.Unlock()
	started := time.Now()
	cluster.Start()
	for lastOK.Load() < started.UnixNano() {
		if time.Since(started) > 30*time.Second {
			t.Fatal("no create succeeded 30 s after PostgreSQL came back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	recovered := time.Since(started)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if code := ready(); code != http.StatusOK {
		t.Errorf("/readyz got %d after recovery, want 200", code)
	}

	mu.Lock()
	defer mu.Unlock()
	if down == 0 {
		t.Error("no create was answered 503 while PostgreSQL was down")
	}
	if noRetry > 0 {
		t.Errorf("%d answers 503 without Retry-After", noRetry)
	}
	db, err := sql.Open("pgx", cluster.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lost := 0
	for _, id := range acked {
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM items WHERE id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged creates are not in the database", lost, len(acked))
	}
	t.Logf("FIGURE pg_crash_readyz_unready=%d ms", unready.Milliseconds())
	t.Logf("FIGURE pg_crash_recovery=%d ms (from pg_ctl start to the first create)", recovered.Milliseconds())
	t.Logf("FIGURE pg_crash_acked_lost=%d of %d; answers: %v", lost, len(acked), status)
}
