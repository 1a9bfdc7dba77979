package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
	"github.com/tandemhq/tandem/internal/storetest"
)

// fxEst is team A's planning-poker session: live on Item2, where Lena
// (dev1A) voted 5; Item3 is queued and Sam (dev2A) voted 8 on it ahead.
// It is written straight to the store, without events, so the fixture's
// event log still ends with the product goal the event scenarios expect.
var fxEst scrum.Estimation

// seedEstimation adds fxEst to the fixture.
func seedEstimation(ctx context.Context, app *server.App) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	deck, _ := scrum.BuiltinDeck(scrum.DeckModifiedFibonacci, nil)
	fxEst = scrum.Estimation{ID: scrum.NewID(), TeamID: fx.TeamA.ID, Title: "Refinement " + canaryA, Deck: deck,
		State: scrum.SessionLive, Current: fx.Item2.ID, Version: 2, CreatedAt: now, CreatedBy: fx.Users["smA"].ID,
		Queue: []scrum.Entry{
			{ItemID: fx.Item2.ID, State: scrum.EntryCurrent, Round: 1, StartedAt: now},
			{ItemID: fx.Item3.ID, State: scrum.EntryPending, Round: 1},
		}}
	return app.Store.Update(ctx, func(tx scrum.Tx) error {
		if err := tx.CreateEstimation(ctx, fxEst); err != nil {
			return err
		}
		for _, v := range []scrum.Vote{
			{SessionID: fxEst.ID, ItemID: fx.Item2.ID, Round: 1, VoterID: fx.Users["dev1A"].ID, Card: "5", At: now},
			{SessionID: fxEst.ID, ItemID: fx.Item3.ID, Round: 1, VoterID: fx.Users["dev2A"].ID, Card: "8", At: now},
		} {
			if _, err := tx.PutVote(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// estimationPairs are the placeholders of the estimation fixture.
func estimationPairs() []string {
	return []string{"{estA}", fxEst.ID, "{unknownEst}", "aaaaaaaaaaaaaaaa"}
}

// estimationRows is the estimation state a refused request must leave
// alone (the shared snapshot predates these tables).
func (e *env) estimationRows() string {
	e.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, state, current_item_id, queue, timer_ends_at, version, closed_at FROM estimation_sessions ORDER BY id`,
		`SELECT session_id, item_id, round, voter_id, card, cast_at FROM estimation_votes ORDER BY 1, 2, 3, 4`,
		`SELECT team_id, custom_decks, tshirt, product_owner_votes, version FROM estimation_settings ORDER BY 1`,
	} {
		for _, row := range storetest.Rows(e.t, e.app.Store.ReadDB(), q) {
			fmt.Fprintln(&b, row)
		}
		b.WriteString("--\n")
	}
	return b.String()
}

// estimationUnchanged wraps scenarios so that refusals and reads are also
// checked against the estimation tables.
func estimationUnchanged(ss []scenario) []scenario {
	var before sync.Map // *env → rows after setup
	for i := range ss {
		s := ss[i]
		setup, check := s.setup, s.check
		ss[i].setup = func(t *testing.T, e *env) {
			if setup != nil {
				setup(t, e)
			}
			before.Store(e, e.estimationRows())
		}
		ss[i].check = func(t *testing.T, e *env, res response) {
			t.Helper()
			if b, ok := before.Load(e); ok && (res.status >= 400 || s.method == "GET") {
				if after := e.estimationRows(); after != b.(string) {
					t.Errorf("%s %s (%d) changed the estimation tables:\n%s", s.method, s.path, res.status, diffLines(b.(string), after))
				}
			}
			if check != nil {
				check(t, e, res)
			}
		}
	}
	return ss
}

// As the fixture's people.
func as(who string) scrum.Actor { return scrum.Actor{User: fx.Users[who]} }

// sm runs a facilitator's action on fxEst in a scenario's setup.
func sm(fn func(ctx context.Context, s *scrum.Service) error) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		t.Helper()
		if err := fn(context.Background(), e.app.Service); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
}

var (
	reveal = sm(func(ctx context.Context, s *scrum.Service) error {
		_, _, err := s.Reveal(ctx, as("smA"), fxEst.ID, 2)
		return err
	})
	closeEst = sm(func(ctx context.Context, s *scrum.Service) error {
		_, err := s.CloseEstimation(ctx, as("smA"), fxEst.ID, 2)
		return err
	})
	skip3 = sm(func(ctx context.Context, s *scrum.Service) error {
		_, err := s.SkipItem(ctx, as("smA"), fxEst.ID, fx.Item3.ID, 2)
		return err
	})
	// finish accepts Item2 and skips Item3: nothing is left (version 4).
	finish = sm(func(ctx context.Context, s *scrum.Service) error {
		if _, err := s.AcceptEstimate(ctx, as("smA"), fxEst.ID, fx.Item2.ID, "5", 2); err != nil {
			return err
		}
		_, err := s.SkipItem(ctx, as("smA"), fxEst.ID, fx.Item3.ID, 3)
		return err
	})
)

// setups runs setups in order.
func setups(fs ...func(t *testing.T, e *env)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		t.Helper()
		for _, f := range fs {
			f(t, e)
		}
	}
}

// The holders named by refusals.
var (
	facilitators = []string{marco}
	estimators   = []string{"{dev1A.name}", "{dev2A.name}"}
)

// wantQueue decodes an estimation and checks each entry's state.
func wantQueue(current string, states ...string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		var j estJSON
		res.json(t, &j)
		var got []string
		for _, q := range j.Queue {
			got = append(got, q.State)
		}
		if fmt.Sprint(got) != fmt.Sprint(states) {
			t.Errorf("got queue states %v, want %v", got, states)
		}
		cur := ""
		if j.CurrentItemID != nil {
			cur = *j.CurrentItemID
		}
		if cur != expand(current) {
			t.Errorf("got current item %q, want %q", cur, expand(current))
		}
	}
}

// wantItemEstimate checks an item's stored estimate.
func wantItemEstimate(item string, want float64) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		var got float64
		if err := e.app.Store.ReadDB().QueryRow(`SELECT estimate FROM items WHERE id = $1`, expand(item)).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("got estimate %v on %s, want %v", got, item, want)
		}
	}
}

// estJSON is the part of an Estimation the tests read.
type estJSON struct {
	ID            string  `json:"id"`
	State         string  `json:"state"`
	CurrentItemID *string `json:"current_item_id"`
	Version       int     `json:"version"`
	CanFacilitate bool    `json:"can_facilitate"`
	CanVote       bool    `json:"can_vote"`
	TimerEndsAt   *string `json:"timer_ends_at"`
	Queue         []struct {
		ItemID   string            `json:"item_id"`
		State    string            `json:"state"`
		Round    int               `json:"round"`
		Revealed bool              `json:"revealed"`
		Voted    []string          `json:"voted"`
		MyVote   *string           `json:"my_vote"`
		Rounds   []json.RawMessage `json:"rounds"`
	} `json:"queue"`
}

func estimationScenarios() []scenario {
	const (
		open     = "/api/v1/teams/{teamA}/estimations"
		settings = "/api/v1/teams/{teamA}/estimation-settings"
		ses      = "/api/v1/estimations/{estA}"
	)
	deckBody := `{"custom_decks":[{"name":"Runes","cards":["1","3","Z9","Q7"]}],"tshirt":{"XS":1,"S":2,"M":3,"L":5,"XL":8,"XXL":13}}`
	ss := []scenario{
		// Open.
		{name: "open an estimation session", method: "POST", path: open, actor: "smA",
			body: `{"title":"Sprint 12","item_ids":["{item3}","{item2}"]}`, wantStatus: 201,
			wantContains: []string{`"state":"waiting"`, `"title":"Sprint 12"`, `"item_id":"{item3}"`, `"can_facilitate":true`},
			check: all(wantEvent("estimation.opened"), func(t *testing.T, e *env, res response) {
				if loc := res.header.Get("Location"); !strings.HasPrefix(loc, "/api/v1/estimations/") {
					t.Errorf("got Location %q, want the session's URL", loc)
				}
			})},
		{name: "open a session over the top unestimated items", method: "POST", path: open, actor: "smA",
			body: `{"top_n":5,"deck":"tshirt","product_owner_votes":true}`, wantStatus: 201,
			wantContains:    []string{`"item_id":"{item2}"`, `"item_id":"{item3}"`, `"kind":"tshirt"`, `"product_owner_votes":true`},
			wantNotContains: []string{`"item_id":"{item1}"`}},
		{name: "open a session signed out", method: "POST", path: open, body: `{"item_ids":["{item3}"]}`, wantStatus: 401},
		{name: "open a session as a developer", method: "POST", path: open, actor: "dev1A", body: `{"item_ids":["{item3}"]}`,
			wantStatus: 403, wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "open a session as an outsider", method: "POST", path: open, actor: "devB", body: `{"item_ids":["{item3}"]}`, wantStatus: 404},
		{name: "open a session on an unknown team", method: "POST", path: "/api/v1/teams/{unknownTeam}/estimations", actor: "smA",
			body: `{"item_ids":["{item3}"]}`, wantStatus: 404},
		{name: "open a session with no items", method: "POST", path: open, actor: "smA", body: `{}`, wantStatus: 422, wantFields: []string{"item_ids"}},
		{name: "open a session with another team's item", method: "POST", path: open, actor: "smA",
			body: `{"item_ids":["{item3}","{itemB}"]}`, wantStatus: 422, wantFields: []string{"item_ids[1]"}, wantNotContains: []string{canaryB}},
		{name: "open a session listing an item twice", method: "POST", path: open, actor: "smA",
			body: `{"item_ids":["{item3}","{item3}"]}`, wantStatus: 422, wantFields: []string{"item_ids[1]"}},
		{name: "open a session with an unknown deck", method: "POST", path: open, actor: "smA",
			body: `{"deck":"tarot","item_ids":["{item3}"]}`, wantStatus: 422, wantFields: []string{"deck"}},
		{name: "open a session with an unsaved custom deck", method: "POST", path: open, actor: "smA",
			body: `{"deck":"custom","deck_name":"Runes","item_ids":["{item3}"]}`, wantStatus: 422, wantFields: []string{"deck_name"}},
		{name: "open a session with a malformed body", method: "POST", path: open, actor: "smA", body: `{"item_ids":`, wantStatus: 400},

		// List.
		{name: "list estimation sessions", method: "GET", path: open, actor: "stkA", wantStatus: 200,
			wantContains: []string{`"id":"{estA}"`, `"state":"live"`}, wantNotContains: []string{`"voted"`, `"my_vote"`, `"votes"`}},
		{name: "list estimation sessions signed out", method: "GET", path: open, wantStatus: 401},
		{name: "list estimation sessions as an outsider", method: "GET", path: open, actor: "poB", wantStatus: 404},

		// Settings.
		{name: "read estimation settings", method: "GET", path: settings, actor: "dev1A", wantStatus: 200,
			wantContains: []string{`"version":0`, `"kind":"modified_fibonacci"`, `"XXL":13`}},
		{name: "read estimation settings signed out", method: "GET", path: settings, wantStatus: 401},
		{name: "read estimation settings as an outsider", method: "GET", path: settings, actor: "devB", wantStatus: 404},
		{name: "save estimation settings", method: "PUT", path: settings, actor: "smA", body: deckBody, wantStatus: 200,
			wantContains: []string{`"version":1`, `"name":"Runes"`, `"cards":["1","3","Z9","Q7"]`, `"points":{"1":1,"3":3}`},
			check:        wantAudit("estimation.settings")},
		{name: "save estimation settings signed out", method: "PUT", path: settings, body: deckBody, wantStatus: 401},
		{name: "save estimation settings as the Product Owner", method: "PUT", path: settings, actor: "poA", body: deckBody,
			wantStatus: 403, wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "save estimation settings as an outsider", method: "PUT", path: settings, actor: "loner", body: deckBody, wantStatus: 404},
		{name: "save estimation settings over a stale version", method: "PUT", path: settings, actor: "smA", body: deckBody,
			headers: H{"If-Match": `"v3"`}, wantStatus: 409},
		{name: "save a deck of one card", method: "PUT", path: settings, actor: "smA",
			body: `{"custom_decks":[{"name":"One","cards":["1"]}]}`, wantStatus: 422, wantFields: []string{"custom_decks[0].cards"}},
		{name: "save T-shirt points that shrink", method: "PUT", path: settings, actor: "smA",
			body: `{"tshirt":{"XS":1,"S":2,"M":3,"L":2,"XL":8,"XXL":13}}`, wantStatus: 422, wantFields: []string{"tshirt.L"}},
		{name: "save two decks of one name", method: "PUT", path: settings, actor: "smA",
			body: `{"custom_decks":[{"name":"A","cards":["1","2"]},{"name":"a","cards":["3","4"]}]}`, wantStatus: 422,
			wantFields: []string{"custom_decks[1].name"}},

		// Read one session: who voted, never what (but your own card).
		{name: "read a session as a developer", method: "GET", path: ses, actor: "dev2A", wantStatus: 200,
			wantContains:    []string{`"voted":["{dev1A}"]`, `"my_vote":"8"`, `"can_vote":true`, `"can_facilitate":false`},
			wantNotContains: []string{`"my_vote":"5"`, `"card":"5"`}},
		{name: "read a session as a stakeholder", method: "GET", path: ses, actor: "stkA", wantStatus: 200,
			wantContains: []string{`"can_vote":false`, `"voted":["{dev2A}"]`}, wantNotContains: []string{`"my_vote":"`, `"card":"`}},
		{name: "read a session signed out", method: "GET", path: ses, wantStatus: 401},
		{name: "read a session as an outsider", method: "GET", path: ses, actor: "devB", wantStatus: 404},
		{name: "read an unknown session", method: "GET", path: "/api/v1/estimations/{unknownEst}", actor: "smA", wantStatus: 404},
		{name: "read a session by a malformed id", method: "GET", path: "/api/v1/estimations/nope", actor: "smA", wantStatus: 404},

		// Vote.
		{name: "vote on the current item", method: "POST", path: ses + "/votes", actor: "dev2A",
			body: `{"item_id":"{item2}","value":"13"}`, wantStatus: 200, wantContains: []string{`"value":"13"`, `"round":1`},
			check: all(wantEvent("vote.cast"), wantLastEventData(`"changed":false`, `"user_id":"{dev2A}"`))},
		{name: "change a vote", method: "POST", path: ses + "/votes", actor: "dev1A",
			body: `{"item_id":"{item2}","value":"½"}`, wantStatus: 200,
			check: all(wantEvent("vote.cast"), wantLastEventData(`"changed":true`))},
		{name: "vote ahead on a queued item", method: "POST", path: ses + "/votes", actor: "dev1A",
			body: `{"item_id":"{item3}","value":"?"}`, wantStatus: 200, check: wantEvent("vote.cast")},
		{name: "vote signed out", method: "POST", path: ses + "/votes", body: `{"item_id":"{item2}","value":"3"}`, wantStatus: 401},
		{name: "vote as a stakeholder", method: "POST", path: ses + "/votes", actor: "stkA", body: `{"item_id":"{item2}","value":"3"}`,
			wantStatus: 403, wantNeed: "estimation", wantHolders: estimators},
		{name: "vote as the Product Owner when the session leaves them out", method: "POST", path: ses + "/votes", actor: "poA",
			body: `{"item_id":"{item2}","value":"3"}`, wantStatus: 403, wantNeed: "estimation", wantHolders: estimators},
		{name: "vote as an outsider", method: "POST", path: ses + "/votes", actor: "devB", body: `{"item_id":"{item2}","value":"3"}`, wantStatus: 404},
		{name: "vote in an unknown session", method: "POST", path: "/api/v1/estimations/{unknownEst}/votes", actor: "dev1A",
			body: `{"item_id":"{item2}","value":"3"}`, wantStatus: 404},
		{name: "vote a card not in the deck", method: "POST", path: ses + "/votes", actor: "dev1A",
			body: `{"item_id":"{item2}","value":"7"}`, wantStatus: 422, wantFields: []string{"value"}},
		{name: "vote without a card", method: "POST", path: ses + "/votes", actor: "dev1A",
			body: `{"item_id":"{item2}"}`, wantStatus: 422, wantFields: []string{"value"}},
		{name: "vote without an item", method: "POST", path: ses + "/votes", actor: "dev1A",
			body: `{"value":"3"}`, wantStatus: 422, wantFields: []string{"item_id"}},
		{name: "vote with a malformed body", method: "POST", path: ses + "/votes", actor: "dev1A", body: `["3"]`, wantStatus: 400},
		{name: "vote on an item not in the session", method: "POST", path: ses + "/votes", actor: "dev1A",
			body: `{"item_id":"{item1}","value":"3"}`, wantStatus: 409},
		{name: "vote on a revealed round", method: "POST", path: ses + "/votes", actor: "dev2A", setup: reveal,
			body: `{"item_id":"{item2}","value":"3"}`, wantStatus: 409},
		{name: "vote on a skipped item", method: "POST", path: ses + "/votes", actor: "dev2A", setup: skip3,
			body: `{"item_id":"{item3}","value":"3"}`, wantStatus: 409},
		{name: "vote after the session closed", method: "POST", path: ses + "/votes", actor: "dev2A", setup: closeEst,
			body: `{"item_id":"{item3}","value":"3"}`, wantStatus: 409},

		// Reveal.
		{name: "reveal the votes", method: "POST", path: ses + "/reveal", actor: "smA", headers: H{"If-Match": `"v2"`}, wantStatus: 200,
			wantContains: []string{`"revealed":true`, `"votes":[{"user_id":"{dev1A}","card":"5","outlier":false}]`, `"consensus":true`, `"version":3`},
			check:        all(wantEvent("votes.revealed"), wantLastEventData(`"card":"5"`, `"suggested":"5"`))},
		{name: "reveal signed out", method: "POST", path: ses + "/reveal", wantStatus: 401},
		{name: "reveal as a developer", method: "POST", path: ses + "/reveal", actor: "dev1A", wantStatus: 403,
			wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "reveal as an outsider", method: "POST", path: ses + "/reveal", actor: "poB", wantStatus: 404},
		{name: "reveal an unknown session", method: "POST", path: "/api/v1/estimations/{unknownEst}/reveal", actor: "smA", wantStatus: 404},
		{name: "reveal over a stale version", method: "POST", path: ses + "/reveal", actor: "smA", headers: H{"If-Match": `"v1"`},
			wantStatus: 409, wantContains: []string{`"current_version":2`}},
		{name: "reveal twice", method: "POST", path: ses + "/reveal", actor: "smA", setup: reveal, wantStatus: 409},
		{name: "reveal with a malformed If-Match", method: "POST", path: ses + "/reveal", actor: "smA", headers: H{"If-Match": "soon"},
			wantStatus: 422, wantFields: []string{"If-Match"}},

		// Re-vote.
		{name: "start another round", method: "POST", path: ses + "/revote", actor: "smA", setup: reveal, wantStatus: 200,
			wantContains: []string{`"round":2`, `"revealed":false`, `"voted":[]`}, check: wantEvent("round.started")},
		{name: "re-vote signed out", method: "POST", path: ses + "/revote", wantStatus: 401},
		{name: "re-vote as a developer", method: "POST", path: ses + "/revote", actor: "dev2A", setup: reveal, wantStatus: 403,
			wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "re-vote as an outsider", method: "POST", path: ses + "/revote", actor: "devB", wantStatus: 404},
		{name: "re-vote before the reveal", method: "POST", path: ses + "/revote", actor: "smA", wantStatus: 409},
		{name: "re-vote over a stale version", method: "POST", path: ses + "/revote", actor: "smA", setup: reveal,
			headers: H{"If-Match": `"v2"`}, wantStatus: 409},

		// Accept.
		{name: "accept an estimate", method: "POST", path: ses + "/accept", actor: "smA", body: `{"item_id":"{item2}","value":"5","version":2}`,
			wantStatus: 200, wantContains: []string{`"card":"5"`, `"estimate":5`},
			check: all(wantQueue("{item3}", "estimated", "current"), wantItemEstimate("{item2}", 5), wantEvent("estimation.updated"),
				func(t *testing.T, e *env, res response) {
					ts := e.eventTypes(t, expand("{teamA}"))
					if got := strings.Join(ts[len(ts)-3:], " "); got != "item.updated estimate.accepted estimation.updated" {
						t.Errorf("got last events %s, want item.updated estimate.accepted estimation.updated", got)
					}
				})},
		{name: "accept signed out", method: "POST", path: ses + "/accept", body: `{"item_id":"{item2}","value":"5"}`, wantStatus: 401},
		{name: "accept as the Product Owner", method: "POST", path: ses + "/accept", actor: "poA", body: `{"item_id":"{item2}","value":"5"}`,
			wantStatus: 403, wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "accept as an outsider", method: "POST", path: ses + "/accept", actor: "devB", body: `{"item_id":"{item2}","value":"5"}`, wantStatus: 404},
		{name: "accept a card not in the deck", method: "POST", path: ses + "/accept", actor: "smA",
			body: `{"item_id":"{item2}","value":"7"}`, wantStatus: 422, wantFields: []string{"value"}},
		{name: "accept a card that is not a size", method: "POST", path: ses + "/accept", actor: "smA",
			body: `{"item_id":"{item2}","value":"☕"}`, wantStatus: 422, wantFields: []string{"value"}},
		{name: "accept without an item", method: "POST", path: ses + "/accept", actor: "smA", body: `{"value":"5"}`,
			wantStatus: 422, wantFields: []string{"item_id"}},
		{name: "accept a number for a card", method: "POST", path: ses + "/accept", actor: "smA", body: `{"item_id":"{item2}","value":5}`,
			wantStatus: 422, wantFields: []string{"value"}},
		{name: "accept an item that is not current", method: "POST", path: ses + "/accept", actor: "smA",
			body: `{"item_id":"{item3}","value":"5"}`, wantStatus: 409},
		{name: "accept over a stale version", method: "POST", path: ses + "/accept", actor: "smA",
			body: `{"item_id":"{item2}","value":"5","version":1}`, wantStatus: 409},
		{name: "accept after the session closed", method: "POST", path: ses + "/accept", actor: "smA", setup: closeEst,
			body: `{"item_id":"{item2}","value":"5"}`, wantStatus: 409},

		// Next.
		{name: "go on to the next item", method: "POST", path: ses + "/next", actor: "smA", wantStatus: 200,
			check: all(wantQueue("{item3}", "skipped", "current"), wantEvent("estimation.updated"))},
		{name: "next signed out", method: "POST", path: ses + "/next", wantStatus: 401},
		{name: "next as a stakeholder", method: "POST", path: ses + "/next", actor: "stkA", wantStatus: 403,
			wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "next as an outsider", method: "POST", path: ses + "/next", actor: "loner", wantStatus: 404},
		{name: "next over a stale version", method: "POST", path: ses + "/next", actor: "smA", headers: H{"If-Match": `"v9"`}, wantStatus: 409},
		{name: "next when every item is done", method: "POST", path: ses + "/next", actor: "smA", setup: finish, wantStatus: 409},
		{name: "next after adding an item to a finished queue", method: "POST", path: ses + "/next", actor: "smA",
			setup: setups(finish, sm(func(ctx context.Context, s *scrum.Service) error {
				_, err := s.ReorderQueue(ctx, as("smA"), fxEst.ID, []string{fx.Item1.ID}, 4)
				return err
			})), headers: H{"If-Match": `"v5"`}, wantStatus: 200,
			check: wantQueue("{item1}", "estimated", "skipped", "current")},

		// Skip.
		{name: "skip a queued item", method: "POST", path: ses + "/skip", actor: "smA", body: `{"item_id":"{item3}"}`, wantStatus: 200,
			check: all(wantQueue("{item2}", "current", "skipped"), wantEvent("estimation.updated"))},
		{name: "skip the current item", method: "POST", path: ses + "/skip", actor: "smA", body: `{"item_id":"{item2}","version":2}`,
			wantStatus: 200, check: wantQueue("{item3}", "skipped", "current")},
		{name: "skip signed out", method: "POST", path: ses + "/skip", body: `{"item_id":"{item3}"}`, wantStatus: 401},
		{name: "skip as a developer", method: "POST", path: ses + "/skip", actor: "dev1A", body: `{"item_id":"{item3}"}`,
			wantStatus: 403, wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "skip as an outsider", method: "POST", path: ses + "/skip", actor: "devB", body: `{"item_id":"{item3}"}`, wantStatus: 404},
		{name: "skip without an item", method: "POST", path: ses + "/skip", actor: "smA", body: `{}`, wantStatus: 422, wantFields: []string{"item_id"}},
		{name: "skip an item not in the session", method: "POST", path: ses + "/skip", actor: "smA", body: `{"item_id":"{item1}"}`, wantStatus: 409},
		{name: "skip an item twice", method: "POST", path: ses + "/skip", actor: "smA", setup: skip3, body: `{"item_id":"{item3}"}`, wantStatus: 409},
		{name: "skip over a stale version", method: "POST", path: ses + "/skip", actor: "smA", body: `{"item_id":"{item3}","version":1}`, wantStatus: 409},

		// Queue.
		{name: "reorder the queue", method: "PUT", path: ses + "/queue", actor: "smA", body: `{"item_ids":["{item3}","{item2}"]}`,
			wantStatus: 200, check: all(wantQueue("{item2}", "pending", "current"), wantEvent("estimation.updated"))},
		{name: "reorder the queue signed out", method: "PUT", path: ses + "/queue", body: `{"item_ids":["{item3}","{item2}"]}`, wantStatus: 401},
		{name: "reorder the queue as a developer", method: "PUT", path: ses + "/queue", actor: "dev2A", body: `{"item_ids":["{item3}","{item2}"]}`,
			wantStatus: 403, wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "reorder the queue as an outsider", method: "PUT", path: ses + "/queue", actor: "devB", body: `{"item_ids":["{item3}","{item2}"]}`, wantStatus: 404},
		{name: "reorder the queue dropping an item", method: "PUT", path: ses + "/queue", actor: "smA", body: `{"item_ids":["{item3}"]}`,
			wantStatus: 422, wantFields: []string{"item_ids"}},
		{name: "reorder the queue adding another team's item", method: "PUT", path: ses + "/queue", actor: "smA",
			body: `{"item_ids":["{item3}","{item2}","{itemB}"]}`, wantStatus: 422, wantFields: []string{"item_ids[2]"}, wantNotContains: []string{canaryB}},
		{name: "reorder the queue over a stale version", method: "PUT", path: ses + "/queue", actor: "smA",
			body: `{"item_ids":["{item3}","{item2}"],"version":1}`, wantStatus: 409},

		// Timer.
		{name: "start the round timer", method: "POST", path: ses + "/timer", actor: "smA", body: `{"seconds":90}`, wantStatus: 200,
			check: all(wantEvent("estimation.updated"), func(t *testing.T, e *env, res response) {
				var j estJSON
				res.json(t, &j)
				if j.TimerEndsAt == nil {
					t.Errorf("got no timer_ends_at, want the timer running")
				}
			})},
		{name: "start the timer signed out", method: "POST", path: ses + "/timer", body: `{"seconds":90}`, wantStatus: 401},
		{name: "start the timer as a developer", method: "POST", path: ses + "/timer", actor: "dev1A", body: `{"seconds":90}`,
			wantStatus: 403, wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "start the timer as an outsider", method: "POST", path: ses + "/timer", actor: "devB", body: `{"seconds":90}`, wantStatus: 404},
		{name: "start a timer too long", method: "POST", path: ses + "/timer", actor: "smA", body: `{"seconds":3601}`,
			wantStatus: 422, wantFields: []string{"seconds"}},
		{name: "start the timer over a stale version", method: "POST", path: ses + "/timer", actor: "smA", body: `{"seconds":60,"version":3}`, wantStatus: 409},

		// Close.
		{name: "close the session", method: "POST", path: ses + "/close", actor: "smA", wantStatus: 200,
			wantContains: []string{`"state":"closed"`, `"current_item_id":null`}, check: all(wantEvent("estimation.closed"), wantItemEstimateNull("{item2}"))},
		{name: "close signed out", method: "POST", path: ses + "/close", wantStatus: 401},
		{name: "close as a developer", method: "POST", path: ses + "/close", actor: "dev1A", wantStatus: 403,
			wantNeed: "facilitation.refinement", wantHolders: facilitators},
		{name: "close as an outsider", method: "POST", path: ses + "/close", actor: "devB", wantStatus: 404},
		{name: "close an unknown session", method: "POST", path: "/api/v1/estimations/{unknownEst}/close", actor: "smA", wantStatus: 404},
		{name: "close twice", method: "POST", path: ses + "/close", actor: "smA", setup: closeEst, wantStatus: 409},
		{name: "close over a stale version", method: "POST", path: ses + "/close", actor: "smA", headers: H{"If-Match": `"v1"`}, wantStatus: 409},
	}
	return estimationUnchanged(ss)
}

// wantLastEventData checks the data of team A's last event.
func wantLastEventData(wants ...string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		var data string
		if err := e.app.Store.ReadDB().QueryRow(`SELECT data FROM events WHERE team_id = $1 ORDER BY seq DESC LIMIT 1`,
			expand("{teamA}")).Scan(&data); err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			if !strings.Contains(data, expand(w)) {
				t.Errorf("got last event data %s, want %s in it", data, expand(w))
			}
		}
	}
}

// wantItemEstimateNull checks that an item has no estimate.
func wantItemEstimateNull(item string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		if n := e.count(`SELECT count(*) FROM items WHERE id = $1 AND estimate IS NULL`, expand(item)); n != 1 {
			t.Errorf("got an estimate on %s, want none", item)
		}
	}
}
