package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// sseEvent is one parsed Server-Sent Event; comments (heartbeats) come as
// events with Comment set.
type sseEvent struct {
	ID      int64
	Type    string
	Data    string
	Comment string
}

// stream is a live connection to a team's events through a real HTTP
// server.
type stream struct {
	t      *testing.T
	res    *http.Response
	events chan sseEvent
	cancel context.CancelFunc
	done   chan struct{} // closed when the server ends the stream
}

// subscribe opens GET /teams/{team}/events as actor; lastID < 0 sends no
// Last-Event-ID.
func subscribe(t *testing.T, srv *httptest.Server, team, actor string, lastID int64) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/teams/"+team+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+fx.Secrets[actor])
	if lastID >= 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(lastID, 10))
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatalf("subscribe: %v", err)
	}
	s := &stream{t: t, res: res, events: make(chan sseEvent, 100), cancel: cancel, done: make(chan struct{})}
	t.Cleanup(s.close)
	if res.StatusCode != 200 {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		close(s.done)
		return s
	}
	go s.read()
	return s
}

func (s *stream) close() {
	s.cancel()
	s.res.Body.Close()
}

func (s *stream) read() {
	defer close(s.done)
	r := bufio.NewReader(s.res.Body)
	var ev sseEvent
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev != (sseEvent{}) {
				s.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, ":"):
			ev.Comment = strings.TrimSpace(line[1:])
		case strings.HasPrefix(line, "id: "):
			ev.ID, _ = strconv.ParseInt(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			ev.Type = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.Data = line[6:]
		}
	}
}

// next returns the next event that is not a comment, failing after wait.
func (s *stream) next(wait time.Duration) sseEvent {
	s.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev := <-s.events:
			if ev.ID == 0 && ev.Type == "" {
				continue // retry: line or heartbeat
			}
			return ev
		case <-deadline:
			s.t.Fatalf("no event within %v", wait)
			return sseEvent{}
		}
	}
}

// quiet fails if an event (not a comment) arrives within wait.
func (s *stream) quiet(wait time.Duration) {
	s.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev := <-s.events:
			if ev.ID != 0 || ev.Type != "" {
				s.t.Fatalf("got unexpected event %+v, want none", ev)
			}
		case <-deadline:
			return
		}
	}
}

type envelope struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	TeamID    string          `json:"team_id"`
	SubjectID string          `json:"subject_id"`
	ActorID   string          `json:"actor_id"`
	Data      json.RawMessage `json:"data"`
}

func liveServer(t *testing.T, tweak func(*serverConfig)) (*env, *httptest.Server) {
	t.Helper()
	e := newEnvWith(t, tweak)
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	return e, srv
}

const wait = 5 * time.Second

func TestEventsLive(t *testing.T) {
	e, srv := liveServer(t, nil)
	s := subscribe(t, srv, fx.TeamA.ID, "dev1A", -1)
	if s.res.StatusCode != 200 {
		t.Fatalf("got %d, want 200", s.res.StatusCode)
	}
	checkSecurityHeaders(t, response{header: s.res.Header})
	e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "smA", body: `{"name":"Live One"}`}, 200)
	ev := s.next(wait)
	if ev.ID != fx.LastEventA+1 || ev.Type != "team.updated" {
		t.Fatalf("got event %+v, want id %d team.updated", ev, fx.LastEventA+1)
	}
	var env envelope
	if err := json.Unmarshal([]byte(ev.Data), &env); err != nil {
		t.Fatalf("event data %q: %v", ev.Data, err)
	}
	if env.ID != ev.ID || env.Type != ev.Type || env.TeamID != fx.TeamA.ID || env.ActorID != fx.Users["smA"].ID ||
		!strings.Contains(string(env.Data), `"name":"Live One"`) {
		t.Errorf("got envelope %+v, want the rename by Marco", env)
	}
	e.mustDo(t, request{method: "PUT", path: "/api/v1/teams/{teamA}/responsibilities/flow", actor: "smA", body: `{"accountability":"developer"}`}, 200)
	ev2 := s.next(wait)
	if ev2.ID != ev.ID+1 || ev2.Type != "responsibility.changed" {
		t.Fatalf("got event %+v, want id %d responsibility.changed", ev2, ev.ID+1)
	}
	// Team B's changes do not reach team A's stream.
	e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamB}", actor: "poB", body: `{"name":"Elsewhere"}`}, 200)
	s.quiet(300 * time.Millisecond)
}

// TestEventsResume: a client that reconnects with Last-Event-ID gets
// exactly the events it missed, once each, then live ones.
func TestEventsResume(t *testing.T) {
	e, srv := liveServer(t, nil)
	s := subscribe(t, srv, fx.TeamA.ID, "dev1A", -1)
	e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "smA", body: `{"name":"First"}`}, 200)
	first := s.next(wait)
	s.close()
	// Missed while disconnected.
	for _, name := range []string{"Second", "Third", "Fourth"} {
		e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "smA", body: `{"name":"` + name + `"}`}, 200)
	}
	s2 := subscribe(t, srv, fx.TeamA.ID, "dev1A", first.ID)
	var got []int64
	for range 3 {
		got = append(got, s2.next(wait).ID)
	}
	e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "smA", body: `{"name":"Fifth"}`}, 200)
	got = append(got, s2.next(wait).ID)
	want := []int64{first.ID + 1, first.ID + 2, first.ID + 3, first.ID + 4}
	if !slices.Equal(got, want) {
		t.Fatalf("got ids %v after resuming from %d, want %v", got, first.ID, want)
	}
	s2.quiet(300 * time.Millisecond)
}

func TestEventsOutsider(t *testing.T) {
	_, srv := liveServer(t, nil)
	for _, actor := range []string{"devB", "loner", "admin"} {
		s := subscribe(t, srv, fx.TeamA.ID, actor, 0)
		if s.res.StatusCode != 404 {
			t.Errorf("%s: got %d, want 404", actor, s.res.StatusCode)
		}
	}
}

func TestEventsHeartbeat(t *testing.T) {
	_, srv := liveServer(t, nil) // Heartbeat is 50 ms in the test config
	s := subscribe(t, srv, fx.TeamA.ID, "dev1A", -1)
	pings := 0
	deadline := time.After(wait)
	for pings < 3 {
		select {
		case ev := <-s.events:
			if ev.Comment == "ping" {
				pings++
			}
		case <-deadline:
			t.Fatalf("got %d heartbeats in %v, want 3", pings, wait)
		}
	}
}

// TestEventsAudience: an event meant for one member reaches only them,
// live and on replay.
func TestEventsAudience(t *testing.T) {
	e, srv := liveServer(t, nil)
	lena := subscribe(t, srv, fx.TeamA.ID, "dev1A", -1)
	sam := subscribe(t, srv, fx.TeamA.ID, "dev2A", -1)
	ctx := context.Background()
	err := e.app.Store.Update(ctx, func(tx scrum.Tx) error {
		ev, err := scrum.NewEvent(fx.TeamA.ID, "test.private", fx.Users["dev2A"].ID, fx.Users["poA"].ID, map[string]string{"secret": "for-sam-only"})
		if err != nil {
			return err
		}
		ev.Audience = fx.Users["dev2A"].ID
		_, err = tx.AppendEvent(ctx, ev)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "smA", body: `{"name":"Fence"}`}, 200)
	if ev := sam.next(wait); ev.Type != "test.private" || !strings.Contains(ev.Data, "for-sam-only") {
		t.Fatalf("Sam got %+v, want the private event", ev)
	}
	if ev := sam.next(wait); ev.Type != "team.updated" {
		t.Fatalf("Sam got %+v, want team.updated", ev)
	}
	if ev := lena.next(wait); ev.Type != "team.updated" {
		t.Fatalf("Lena got %+v, want only team.updated (the private event is Sam's)", ev)
	}
	replay := subscribe(t, srv, fx.TeamA.ID, "dev1A", 0)
	for {
		ev := replay.next(wait)
		if strings.Contains(ev.Data, "for-sam-only") {
			t.Fatalf("Lena's replay includes Sam's private event %+v", ev)
		}
		if ev.Type == "team.updated" {
			break
		}
	}
}

// TestEventsRemovedMember: someone taken off the team gets the event
// saying so, and then their stream ends.
func TestEventsRemovedMember(t *testing.T) {
	e, srv := liveServer(t, nil)
	sam := subscribe(t, srv, fx.TeamA.ID, "dev2A", -1)
	lena := subscribe(t, srv, fx.TeamA.ID, "dev1A", -1)
	e.mustDo(t, request{method: "DELETE", path: "/api/v1/teams/{teamA}/members/{dev2A}", actor: "poA"}, 204)
	if ev := sam.next(wait); ev.Type != "member.removed" {
		t.Fatalf("Sam got %+v, want member.removed", ev)
	}
	select {
	case <-sam.done:
	case <-time.After(wait):
		t.Fatal("Sam's stream is still open after removal")
	}
	e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "smA", body: `{"name":"After Sam"}`}, 200)
	if ev := lena.next(wait); ev.Type != "member.removed" {
		t.Fatalf("Lena got %+v, want member.removed", ev)
	}
	if ev := lena.next(wait); ev.Type != "team.updated" {
		t.Fatalf("Lena got %+v, want her stream to go on", ev)
	}
	if s := subscribe(t, srv, fx.TeamA.ID, "dev2A", -1); s.res.StatusCode != 404 {
		t.Errorf("Sam resubscribing: got %d, want 404", s.res.StatusCode)
	}
}

// TestEventsEndAfterLogout: a signed-out session's stream stops at the
// next heartbeat.
func TestEventsEndAfterLogout(t *testing.T) {
	e, srv := liveServer(t, nil)
	secret := e.signIn(fixedUser[3].email) // Lena
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/teams/"+fx.TeamA.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	e.mustDo(t, request{method: "POST", path: "/api/v1/logout", bearer: secret}, 204)
	ended := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, res.Body)
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(wait):
		t.Fatal("the stream outlived its session")
	}
}

func TestEventsConnectionCap(t *testing.T) {
	_, srv := liveServer(t, func(c *serverConfig) { c.LiveMaxPerUser = 2 })
	subscribe(t, srv, fx.TeamA.ID, "dev1A", -1)
	subscribe(t, srv, fx.TeamA.ID, "dev1A", -1)
	third := subscribe(t, srv, fx.TeamA.ID, "dev1A", -1)
	if third.res.StatusCode != 429 || third.res.Header.Get("Retry-After") == "" {
		t.Fatalf("third stream: got %d Retry-After %q, want 429 with Retry-After", third.res.StatusCode, third.res.Header.Get("Retry-After"))
	}
	if other := subscribe(t, srv, fx.TeamA.ID, "dev2A", -1); other.res.StatusCode != 200 {
		t.Errorf("another user: got %d, want 200", other.res.StatusCode)
	}
}

// appendPrivate appends n events about subject that only dev2A (Sam) may
// see.
func appendPrivate(t *testing.T, e *env, subject string, n int) {
	t.Helper()
	ctx := context.Background()
	err := e.app.Store.Update(ctx, func(tx scrum.Tx) error {
		for i := range n {
			ev, err := scrum.NewEvent(fx.TeamA.ID, "test.private", subject, fx.Users["poA"].ID, map[string]int{"i": i})
			if err != nil {
				return err
			}
			ev.Audience = fx.Users["dev2A"].ID
			if _, err := tx.AppendEvent(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEventsReplayPastPrivateEvents: a reconnecting member whose missed
// events are mostly someone else's still gets every one meant for them.
// (The replay used to stop at the first batch that came back short after
// filtering, skipping what followed.)
func TestEventsReplayPastPrivateEvents(t *testing.T) {
	e, srv := liveServer(t, nil)
	appendPrivate(t, e, fx.Users["dev2A"].ID, 600)
	e.mustDo(t, request{method: "PATCH", path: "/api/v1/teams/{teamA}", actor: "smA", body: `{"name":"After the private ones"}`}, 200)
	lena := subscribe(t, srv, fx.TeamA.ID, "dev1A", fx.LastEventA)
	if ev := lena.next(wait); ev.Type != "team.updated" || ev.ID != fx.LastEventA+601 {
		t.Fatalf("Lena's replay got %+v, want the rename (id %d)", ev, fx.LastEventA+601)
	}
	sam := subscribe(t, srv, fx.TeamA.ID, "dev2A", fx.LastEventA)
	for i := range 601 {
		if ev := sam.next(wait); ev.ID != fx.LastEventA+int64(i)+1 {
			t.Fatalf("Sam's replay got %+v, want id %d", ev, fx.LastEventA+int64(i)+1)
		}
	}
}

// TestItemHistoryPagesAreFull: history pages are full while more follow,
// whatever part of the history is someone else's.
func TestItemHistoryPagesAreFull(t *testing.T) {
	e := newEnv(t)
	appendPrivate(t, e, fx.Item1.ID, 5)
	e.mustDo(t, request{method: "PATCH", path: item1, actor: "dev1A", body: `{"title":"Checkout, edited"}`}, 200)
	path := item1 + "/history?limit=2"
	res := e.mustDo(t, request{method: "GET", path: path, actor: "dev1A"}, 200)
	var types []string
	for {
		var page struct {
			Items []struct {
				Type string `json:"type"`
			} `json:"items"`
			Next *string `json:"next_cursor"`
		}
		res.json(t, &page)
		if page.Next != nil && len(page.Items) != 2 {
			t.Fatalf("got a page of %d with more to come, want 2", len(page.Items))
		}
		for _, it := range page.Items {
			types = append(types, it.Type)
		}
		if page.Next == nil {
			break
		}
		res = e.mustDo(t, request{method: "GET", path: path + "&cursor=" + *page.Next, actor: "dev1A"}, 200)
	}
	if want := []string{"item.created", "comment.added", "item.updated"}; !slices.Equal(types, want) {
		t.Errorf("got history %v, want %v", types, want)
	}
	sam := e.mustDo(t, request{method: "GET", path: item1 + "/history?limit=100", actor: "dev2A"}, 200)
	if n := strings.Count(string(sam.body), `"type":"test.private"`); n != 5 {
		t.Errorf("Sam sees %d of his 5 private entries", n)
	}
}
