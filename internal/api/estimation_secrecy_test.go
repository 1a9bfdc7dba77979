package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The secrecy test's deck: cards no id, time or name can contain, so a
// plain substring search finds a leaked vote. The deck itself lists them;
// that one occurrence is taken out before searching.
const (
	secretDeck  = `{"custom_decks":[{"name":"Runes","cards":["1","3","5","Z9","Q7","X4"]}]}`
	secretCards = `"cards":["1","3","5","Z9","Q7","X4"]`
)

// shownCards returns which of the secret cards body contains, besides the
// deck listing them.
func shownCards(body string) []string {
	body = strings.ReplaceAll(body, secretCards, "")
	var out []string
	for _, c := range []string{"Z9", "Q7", "X4"} {
		if strings.Contains(body, c) {
			out = append(out, c)
		}
	}
	return out
}

// TestVotesSecretUntilReveal: Lena votes Z9 and Sam Q7 on Item2, Sam X4
// ahead on Item3. Until the reveal no response of any route a member can
// read, and no event payload (live or replayed), shows a card to anyone
// but its voter; after the reveal of Item2 everyone sees Z9 and Q7, and
// X4 stays Sam's.
func TestVotesSecretUntilReveal(t *testing.T) {
	e, srv := liveServer(t, nil)
	var st struct{ Version int }
	e.mustDo(t, request{method: "PUT", path: "/api/v1/teams/{teamA}/estimation-settings", actor: "smA", body: secretDeck}, 200).json(t, &st)
	var ses estJSON
	e.mustDo(t, request{method: "POST", path: "/api/v1/teams/{teamA}/estimations", actor: "smA",
		body: `{"deck":"custom","deck_name":"runes","item_ids":["{item2}","{item3}"]}`}, 201).json(t, &ses)
	base := "/api/v1/estimations/" + ses.ID
	e.mustDo(t, request{method: "POST", path: base + "/next", actor: "smA"}, 200).json(t, &ses)

	viewers := []string{"poA", "smA", "dev1A", "dev2A", "stkA"}
	live := map[string]*stream{}
	for _, v := range viewers {
		live[v] = subscribe(t, srv, fx.TeamA.ID, v, -1)
	}

	for _, v := range []struct{ who, item, card string }{
		{"dev1A", "{item2}", "Z9"}, {"dev2A", "{item2}", "Q7"}, {"dev2A", "{item3}", "X4"},
	} {
		res := e.mustDo(t, request{method: "POST", path: base + "/votes", actor: v.who, body: `{"item_id":"` + v.item + `","value":"` + v.card + `"}`}, 200)
		if got := shownCards(string(res.body)); !slices.Equal(got, []string{v.card}) {
			t.Errorf("%s's vote receipt shows %v, want only their own %s", v.who, got, v.card)
		}
	}
	// Every live stream gets the three vote.cast events: who, never what.
	for _, v := range viewers {
		for range 3 {
			ev := live[v].next(wait)
			if ev.Type != "vote.cast" {
				t.Fatalf("%s got live %s, want vote.cast", v, ev.Type)
			}
			if got := shownCards(ev.Data); len(got) > 0 {
				t.Errorf("%s's live vote.cast carries %v: %s", v, got, ev.Data)
			}
		}
	}
	own := map[string][]string{"dev1A": {"Z9"}, "dev2A": {"Q7", "X4"}}
	before := map[string][]string{}
	for _, v := range viewers {
		before[v] = own[v]
	}
	readAll(t, e, srv, ses.ID, before)
	if res := e.mustDo(t, request{method: "GET", path: base, actor: "dev1A"}, 200); !strings.Contains(string(res.body), `"my_vote":"Z9"`) {
		t.Errorf("Lena does not see her own vote: %s", truncate(string(res.body), 800))
	}

	res := e.mustDo(t, request{method: "POST", path: base + "/reveal", actor: "smA", headers: H{"If-Match": `"v2"`}}, 200)
	if got := shownCards(string(res.body)); !slices.Equal(got, []string{"Z9", "Q7"}) {
		t.Errorf("the reveal shows %v, want Z9 and Q7 and not Item3's X4", got)
	}
	for _, v := range viewers {
		ev := live[v].next(wait)
		if got := shownCards(ev.Data); ev.Type != "votes.revealed" || !slices.Equal(got, []string{"Z9", "Q7"}) {
			t.Errorf("%s got live %s showing %v, want votes.revealed with Z9 and Q7", v, ev.Type, got)
		}
	}
	after := map[string][]string{}
	for _, v := range viewers {
		after[v] = []string{"Z9", "Q7"}
	}
	after["dev2A"] = []string{"Z9", "Q7", "X4"}
	readAll(t, e, srv, ses.ID, after)
}

// readAll reads, as each viewer, every route that shows a session, an item
// or an event, and wants exactly the allowed secret cards shown in all of
// them together (none in any one that must not).
func readAll(t *testing.T, e *env, srv *httptest.Server, sessionID string, allowed map[string][]string) {
	t.Helper()
	paths := []string{
		"/api/v1/estimations/" + sessionID,
		"/api/v1/teams/{teamA}/estimations",
		"/api/v1/teams/{teamA}/estimation-settings",
		"/api/v1/teams/{teamA}/items",
		"/api/v1/teams/{teamA}/items/{item2}",
		"/api/v1/teams/{teamA}/items/{item3}",
		"/api/v1/teams/{teamA}/items/{item2}/history",
		"/api/v1/teams/{teamA}/items/{item3}/history",
	}
	var last int64
	if err := e.app.Store.ReadDB().QueryRow(`SELECT max(seq) FROM events WHERE team_id = $1`, fx.TeamA.ID).Scan(&last); err != nil {
		t.Fatal(err)
	}
	type seen struct {
		viewer, path string
		cards        []string
	}
	var mu sync.Mutex
	var all []seen
	var wg sync.WaitGroup
	for viewer := range allowed {
		wg.Go(func() {
			for _, p := range paths {
				res := e.do(request{method: "GET", path: p, actor: viewer})
				if res.status != 200 {
					t.Errorf("GET %s as %s: got %s", p, viewer, res)
					continue
				}
				mu.Lock()
				all = append(all, seen{viewer, p, shownCards(string(res.body))})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// The replay of every event, read as SSE up to the last one.
	for viewer := range allowed {
		s := subscribe(t, srv, fx.TeamA.ID, viewer, 0)
		for {
			ev := s.next(wait)
			if cards := shownCards(ev.Data); len(cards) > 0 {
				if ev.Type != "votes.revealed" {
					t.Errorf("replay as %s: %v in %s, which is not a reveal: %s", viewer, cards, ev.Type, ev.Data)
				}
				all = append(all, seen{viewer, "replay", cards})
			}
			if ev.ID >= last {
				break
			}
		}
		s.close()
	}
	for viewer, want := range allowed {
		var union []string
		for _, s := range all {
			if s.viewer != viewer {
				continue
			}
			for _, c := range s.cards {
				if !slices.Contains(want, c) {
					t.Errorf("GET %s as %s shows %s, which is not theirs to see", s.path, viewer, c)
				}
				if !slices.Contains(union, c) {
					union = append(union, c)
				}
			}
		}
		slices.Sort(union)
		want = slices.Clone(want)
		slices.Sort(want)
		if !slices.Equal(union, want) {
			t.Errorf("%s sees %v in all, want %v", viewer, union, want)
		}
	}
}

// subscribePresence opens team A's events as actor, showing presence on
// key.
func subscribePresence(t *testing.T, srv *httptest.Server, actor, key string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/teams/"+fx.TeamA.ID+"/events?presence="+key, nil)
	req.Header.Set("Authorization", "Bearer "+fx.Secrets[actor])
	res, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatalf("subscribe: %v", err)
	}
	if res.StatusCode != 200 {
		cancel()
		t.Fatalf("subscribe with presence as %s: got %d", actor, res.StatusCode)
	}
	s := &stream{t: t, res: res, events: make(chan sseEvent, 100), cancel: cancel, done: make(chan struct{})}
	t.Cleanup(s.close)
	go s.read()
	return s
}

// TestEstimationPresence: who has the session open is announced on the
// event stream and shown as present in the session.
func TestEstimationPresence(t *testing.T) {
	e, srv := liveServer(t, nil)
	lena, sam := fx.Users["dev1A"].ID, fx.Users["dev2A"].ID
	presence := func(s *stream) string {
		t.Helper()
		ev := s.next(wait)
		if ev.Type != "presence" || ev.ID != 0 {
			t.Fatalf("got %+v, want a presence frame without an id", ev)
		}
		return ev.Data
	}
	present := func() map[string]bool {
		t.Helper()
		var j struct {
			Participants []struct {
				UserID  string `json:"user_id"`
				Present bool   `json:"present"`
			} `json:"participants"`
		}
		e.mustDo(t, request{method: "GET", path: "/api/v1/estimations/{estA}", actor: "stkA"}, 200).json(t, &j)
		out := map[string]bool{}
		for _, p := range j.Participants {
			if p.Present {
				out[p.UserID] = true
			}
		}
		return out
	}
	ls := subscribePresence(t, srv, "dev1A", fxEst.ID)
	if got, want := presence(ls), `{"key":"`+fxEst.ID+`","present":["`+lena+`"]}`; got != want {
		t.Errorf("Lena's first frame: got %s, want %s", got, want)
	}
	if got := present(); len(got) != 1 || !got[lena] {
		t.Errorf("got present %v, want Lena only", got)
	}
	ss := subscribePresence(t, srv, "dev2A", fxEst.ID)
	both := []string{lena, sam}
	slices.Sort(both)
	if got, want := presence(ss), `{"key":"`+fxEst.ID+`","present":["`+both[0]+`","`+both[1]+`"]}`; got != want {
		t.Errorf("Sam's first frame: got %s, want %s", got, want)
	}
	if got, want := presence(ls), `{"key":"`+fxEst.ID+`","joined":"`+sam+`"}`; got != want {
		t.Errorf("Lena got %s, want %s", got, want)
	}
	ss.close()
	if got, want := presence(ls), `{"key":"`+fxEst.ID+`","left":"`+sam+`"}`; got != want {
		t.Errorf("Lena got %s, want %s", got, want)
	}
	if got := present(); len(got) != 1 || !got[lena] {
		t.Errorf("got present %v after Sam left, want Lena only", got)
	}
	// Presence is shown only in a session of the stream's team.
	for _, c := range []struct{ name, path, actor string }{
		{"not an id", "/api/v1/teams/{teamA}/events?presence=nope", "dev1A"},
		{"no such session", "/api/v1/teams/{teamA}/events?presence={unknownEst}", "dev1A"},
		{"another team's session", "/api/v1/teams/{teamB}/events?presence={estA}", "devB"},
	} {
		res := e.do(request{method: "GET", path: c.path, actor: c.actor, timeout: 30 * time.Second})
		if res.status != 422 || !slices.Contains(res.problem(t).fields(), "presence") {
			t.Errorf("presence, %s: got %s, want 422 naming presence", c.name, res)
		}
	}
}

// TestHangupNoticedWithoutHeartbeat: a client that hangs up leaves the
// room within moments, found by the stream's hang-up probe, not by the
// next heartbeat's failed write (an hour away here). Until it is found,
// its stream counts against the member's cap of live connections, so a
// person clicking through pages would be refused new streams.
func TestHangupNoticedWithoutHeartbeat(t *testing.T) {
	_, srv := liveServer(t, func(c *serverConfig) {
		c.Heartbeat, c.HangupProbe = time.Hour, 20*time.Millisecond
	})
	sam := fx.Users["dev2A"].ID
	ls := subscribePresence(t, srv, "dev1A", fxEst.ID)
	ls.next(wait) // the list of who is there
	ss := subscribePresence(t, srv, "dev2A", fxEst.ID)
	ss.next(wait)
	ls.next(wait) // Sam joined
	ss.close()
	ev := ls.next(2 * time.Second)
	if want := `{"key":"` + fxEst.ID + `","left":"` + sam + `"}`; ev.Type != "presence" || string(ev.Data) != want {
		t.Fatalf("after Sam hung up: got %s %s, want presence %s", ev.Type, ev.Data, want)
	}
}
