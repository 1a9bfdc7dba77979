package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
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

// presenceFrames reads the presence frames of a live stream's body as
// decoded JSON objects, until the body ends.
func presenceFrames(body io.Reader) <-chan map[string]any {
	out := make(chan map[string]any, 100)
	go func() {
		defer close(out)
		r := bufio.NewReader(body)
		presence := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "event: "):
				presence = line == "event: presence"
			case presence && strings.HasPrefix(line, "data: "):
				var v map[string]any
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &v) == nil {
					out <- v
				}
			case line == "":
				presence = false
			}
		}
	}()
	return out
}

// TestInstancesSharePresence: two instances on one PostgreSQL database.
// Someone on an estimation page through B shows as present to a teammate
// on A, and as gone when they close it; people of an instance that died
// show as gone once its rows are no longer renewed.
func TestInstancesSharePresence(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	open := func() *server.App {
		app, err := server.Open(context.Background(), server.Config{Database: dsn, Password: password.Fast,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), AuthPerIPPerMinute: 1000,
			Heartbeat: 200 * time.Millisecond, HangupProbe: 100 * time.Millisecond, PresenceLifetime: 1500 * time.Millisecond})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { app.Close() })
		return app
	}
	a, b := open(), open()
	srvA, srvB := httptest.NewServer(a.Handler), httptest.NewServer(b.Handler)
	defer srvA.Close()
	defer srvB.Close()

	type session struct {
		Token string
		User  struct{ ID string }
	}
	var priya, marco session
	call(t, srvA, "POST", "/api/v1/signup", "", `{"email":"priya@example.com","name":"Priya","password":"correct horse battery"}`, 201, &priya)
	call(t, srvB, "POST", "/api/v1/signup", "", `{"email":"marco@example.com","name":"Marco","password":"correct horse battery"}`, 201, &marco)
	var team struct{ ID string }
	call(t, srvA, "POST", "/api/v1/teams", priya.Token, `{"name":"Orion"}`, 201, &team)
	var invite struct{ Code string }
	call(t, srvA, "POST", "/api/v1/teams/"+team.ID+"/invites", priya.Token, `{"accountabilities":["developer","scrum_master"]}`, 201, &invite)
	call(t, srvB, "POST", "/api/v1/invites/"+invite.Code+"/accept", marco.Token, "", 200, nil)

	var item, ses struct{ ID string }
	call(t, srvA, "POST", "/api/v1/teams/"+team.ID+"/items", priya.Token, `{"title":"Refund status page"}`, 201, &item)
	call(t, srvB, "POST", "/api/v1/teams/"+team.ID+"/estimations", marco.Token,
		`{"title":"Refinement","item_ids":["`+item.ID+`"]}`, 201, &ses)
	key := ses.ID // the estimation page both have open
	stream := func(ctx context.Context, srv *httptest.Server, token string) <-chan map[string]any {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/teams/"+team.ID+"/events?presence="+key, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := srv.Client().Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("subscribe: %v %v", err, res)
		}
		t.Cleanup(func() { res.Body.Close() })
		return presenceFrames(res.Body)
	}
	next := func(frames <-chan map[string]any, what string) map[string]any {
		t.Helper()
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatalf("the stream ended, waiting for %s", what)
			}
			return f
		case <-time.After(10 * time.Second):
			t.Fatalf("no presence frame, waiting for %s", what)
		}
		return nil
	}
	list := func(f map[string]any) []string {
		t.Helper()
		present, ok := f["present"].([]any)
		if !ok {
			t.Fatalf("got presence frame %v, want a list of who is present", f)
		}
		var out []string
		for _, u := range present {
			out = append(out, u.(string))
		}
		return out
	}
	both := []string{priya.User.ID, marco.User.ID}
	slices.Sort(both)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	onA := stream(ctx, srvA, priya.Token)
	if f := next(onA, "Priya's list"); !slices.Equal(list(f), []string{priya.User.ID}) {
		t.Fatalf("Priya's first frame %v, want only her present", f)
	}
	// A writes Priya's presence to the board in the background; Marco
	// joins once it is there (before, his list could not show her yet;
	// she would reach him as "joined" instead).
	for deadline := time.Now().Add(5 * time.Second); !slices.Contains(b.Hub.Present(ctx, team.ID, key), priya.User.ID); {
		if time.Now().After(deadline) {
			t.Fatal("Priya's presence on A never reached the board")
		}
		time.Sleep(10 * time.Millisecond)
	}
	marcoCtx, marcoLeaves := context.WithCancel(ctx)
	onB := stream(marcoCtx, srvB, marco.Token)
	if f := next(onB, "Marco's list"); !slices.Equal(list(f), both) {
		t.Fatalf("Marco's first frame on B %v, want Priya (on A) and him", f)
	}
	if f := next(onA, "Marco joining"); f["joined"] != marco.User.ID {
		t.Fatalf("Priya got %v, want Marco joined (through B)", f)
	}
	if got := a.Hub.Present(ctx, team.ID, key); !slices.Equal(got, both) {
		t.Errorf("A lists %v as present, want both", got)
	}
	quiet := func(frames <-chan map[string]any, why string) {
		t.Helper()
		select {
		case f := <-frames:
			t.Fatalf("Priya got %v, want nothing: %s", f, why)
		case <-time.After(300 * time.Millisecond):
		}
	}
	rows := func(want int) { // waits for Marco's presence rows to number want
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var n int
			if err := a.Store.DB().QueryRow(`SELECT count(*) FROM presence WHERE user_id = $1`, marco.User.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("Marco has %d presence rows, want %d", n, want)
			}
		}
	}

	// Marco opens the page on A too, then closes it on B: he is still
	// there, so Priya is told nothing until he closes it on A as well.
	marcoOnACtx, marcoLeavesA := context.WithCancel(ctx)
	marcoOnA := stream(marcoOnACtx, srvA, marco.Token)
	if f := next(marcoOnA, "Marco's list on A"); !slices.Equal(list(f), both) {
		t.Fatalf("Marco's first frame on A %v, want both", f)
	}
	rows(2)
	quiet(onA, "Marco was already there, through B")
	marcoLeaves()
	rows(1)
	quiet(onA, "Marco is still there, through A")
	marcoLeavesA()
	if f := next(onA, "Marco leaving"); f["left"] != marco.User.ID {
		t.Fatalf("Priya got %v, want Marco left", f)
	}
	rows(0)

	// An instance that died: its row is never renewed nor cleared.
	if _, err := a.Store.DB().Exec(`INSERT INTO presence (team_id, key, user_id, instance_id) VALUES ($1, $2, $3, 'dead')`,
		team.ID, key, marco.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.DB().Exec(`SELECT pg_notify('tandem_events', 'presence:' || $1)`, team.ID); err != nil {
		t.Fatal(err)
	}
	if f := next(onA, "Marco on the dead instance"); f["joined"] != marco.User.ID {
		t.Fatalf("Priya got %v, want Marco joined", f)
	}
	start := time.Now()
	if f := next(onA, "the dead instance's Marco leaving"); f["left"] != marco.User.ID {
		t.Fatalf("Priya got %v, want Marco left", f)
	}
	t.Logf("FIGURE presence_dead_instance_gone_ms=%d ms (lifetime 1.5 s, renewal every 0.5 s)", time.Since(start).Milliseconds())
}
