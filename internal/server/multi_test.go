package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/live"
	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
	"github.com/tandemhq/tandem/internal/storetest"
)

func openPG(t *testing.T, dsn string) *server.App {
	t.Helper()
	app, err := server.Open(context.Background(), server.Config{Database: dsn, Password: password.Fast,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), AuthPerIPPerMinute: 1000, Heartbeat: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { app.Close() })
	return app
}

// call sends a JSON request and decodes a JSON answer into out.
func call(t *testing.T, srv *httptest.Server, method, path, token, body string, want int, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, res.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// TestInstancesShareLiveEvents: two instances on one PostgreSQL database;
// a change made through A reaches a client of B's event stream, woken by
// LISTEN/NOTIFY.
func TestInstancesShareLiveEvents(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	a, b := openPG(t, dsn), openPG(t, dsn)
	srvA, srvB := httptest.NewServer(a.Handler), httptest.NewServer(b.Handler)
	defer srvA.Close()
	defer srvB.Close()

	var session struct{ Token string }
	call(t, srvA, "POST", "/api/v1/signup", "", `{"email":"priya@example.com","name":"Priya","password":"correct horse battery"}`, 201, &session)
	var team struct {
		ID      string
		Version int
	}
	call(t, srvA, "POST", "/api/v1/teams", session.Token, `{"name":"Orion"}`, 201, &team)

	// Subscribe on B, with the session made on A.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srvB.URL+"/api/v1/teams/"+team.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+session.Token)
	res, err := srvB.Client().Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("subscribe on B: %v %v", err, res)
	}
	defer res.Body.Close()
	ids := make(chan int64, 100)
	go func() {
		defer close(ids)
		r := bufio.NewReader(res.Body)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if s, ok := strings.CutPrefix(strings.TrimSpace(line), "id: "); ok {
				n, _ := strconv.ParseInt(s, 10, 64)
				ids <- n
			}
		}
	}()

	start := time.Now()
	call(t, srvA, "PATCH", "/api/v1/teams/"+team.ID, session.Token, `{"name":"Orion II"}`, 200, nil)
	var got []int64
	select {
	case id := <-ids:
		got = append(got, id)
	case <-time.After(10 * time.Second):
		t.Fatal("B's client received nothing from a change made on A")
	}
	t.Logf("FIGURE pg_notify_first_event_ms=%d ms", time.Since(start).Milliseconds())
	// Every later change arrives too, in order.
	call(t, srvA, "PUT", "/api/v1/teams/"+team.ID+"/responsibilities/flow", session.Token, `{"accountability":"developer"}`, 200, nil)
	deadline := time.After(10 * time.Second)
	var last int64
	for {
		select {
		case id := <-ids:
			got = append(got, id)
		case <-deadline:
			t.Fatalf("got ids %v, want them to reach the reassignment", got)
		}
		var seq int64
		if err := a.Store.DB().QueryRow(`SELECT MAX(seq) FROM events WHERE team_id = $1`, team.ID).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		last = got[len(got)-1]
		if last == seq {
			break
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i] != got[i-1]+1 {
			t.Fatalf("got ids %v on B, want consecutive ids", got)
		}
	}
	if got[0] != 2 { // 1 is member.joined, from before the subscription
		t.Errorf("got first id %d, want 2 (the first change after subscribing)", got[0])
	}
}

// TestInstancesStartTogether: two instances starting at once on an empty
// schema both come up, and the migrations are applied exactly once.
func TestInstancesStartTogether(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	var wg sync.WaitGroup
	apps := make([]*server.App, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for i := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			apps[i], errs[i] = server.Open(context.Background(), server.Config{Database: dsn, Password: password.Fast,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		t.Cleanup(func() { apps[i].Close() })
	}
	var applied, versions int
	db := apps[0].Store.DB()
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &versions); err != nil {
		t.Fatal(err)
	}
	if applied != versions || versions == 0 {
		t.Fatalf("got %d migration rows for %d versions, want each applied once", applied, versions)
	}
	// Both serve.
	for i, app := range apps {
		rec := httptest.NewRecorder()
		app.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		if rec.Code != 200 {
			t.Errorf("instance %d: /readyz got %d, want 200", i, rec.Code)
		}
	}
}

// TestLateListenerCatchesUp: a client that subscribes on an instance that
// has just started gets a change committed elsewhere before that
// instance's LISTEN connection was up, without waiting for a later one.
func TestLateListenerCatchesUp(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	a := openPG(t, dsn)
	ctx := context.Background()
	u, _, err := a.Service.SignUp(ctx, scrum.SignUp{Email: "priya@example.com", Name: "Priya", Password: "correct horse battery"}, "")
	if err != nil {
		t.Fatal(err)
	}
	actor := scrum.Actor{User: u}
	team, err := a.Service.CreateTeam(ctx, actor, "Orion")
	if err != nil {
		t.Fatal(err)
	}
	b := openPG(t, dsn)
	sub, err := b.Hub.Subscribe(ctx, team.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := a.Service.RenameTeam(ctx, actor, team.ID, "Orion II", 0); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sub.Ready():
		var fs [1]*live.Frame
		if n, _ := sub.Take(fs[:]); n == 0 {
			t.Fatal("signalled without a frame")
		}
		if f := fs[0]; f.Seq != sub.From+1 || f.Type != "team.updated" {
			t.Fatalf("got %+v, want team.updated after %d", f, sub.From)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the new instance never delivered a change committed while its listener connected")
	}
}
