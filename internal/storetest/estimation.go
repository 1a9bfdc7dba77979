package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
)

func runEstimation(t *testing.T, open Opener) {
	t.Run("EstimationSessions", func(t *testing.T) { testEstimationSessions(t, open(t)) })
	t.Run("EstimationVotes", func(t *testing.T) { testEstimationVotes(t, open(t)) })
	t.Run("EstimationSettings", func(t *testing.T) { testEstimationSettings(t, open(t)) })
}

// newSession returns a session of team over items, not yet stored.
func newSession(team scrum.Team, by scrum.User, at time.Time, items ...string) scrum.Estimation {
	deck, _ := scrum.BuiltinDeck(scrum.DeckModifiedFibonacci, nil)
	s := scrum.Estimation{ID: scrum.NewID(), TeamID: team.ID, Title: "Refinement", Deck: deck, State: scrum.SessionWaiting,
		Version: 1, CreatedAt: at, CreatedBy: by.ID}
	for _, id := range items {
		s.Queue = append(s.Queue, scrum.Entry{ItemID: id, State: scrum.EntryPending, Round: 1})
	}
	return s
}

func testEstimationSessions(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po, dev := MustUser(t, s, "Priya"), MustUser(t, s, "Lena")
	team := MustTeam(t, s, "Orion", po, dev)
	other := MustTeam(t, s, "Lyra", MustUser(t, s, "Boris"))
	first := newSession(team, po, epoch, "item-one", "item-two")
	second := newSession(team, po, epoch.Add(time.Hour), "item-three")
	second.Deck, _ = scrum.BuiltinDeck(scrum.DeckTShirt, map[string]float64{"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8, "XXL": 20})
	second.ProductOwnerVotes = true
	update(t, s, func(tx scrum.Tx) error {
		for _, ses := range []scrum.Estimation{first, second, newSession(other, po, epoch, "item-b")} {
			if err := tx.CreateEstimation(ctx, ses); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.Estimation(ctx, first.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, first) {
			t.Errorf("got %+v, want %+v", got, first)
		}
		if team, err := tx.EstimationTeam(ctx, second.ID); err != nil || team != second.TeamID {
			t.Errorf("got team %q (%v), want %q", team, err, second.TeamID)
		}
		_, err = tx.Estimation(ctx, scrum.NewID())
		wantCode(t, err, scrum.CodeNotFound)
		_, err = tx.EstimationTeam(ctx, scrum.NewID())
		wantCode(t, err, scrum.CodeNotFound)
		list, err := tx.Estimations(ctx, team.ID, 10)
		if err != nil {
			return err
		}
		if len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
			t.Errorf("got %d sessions, want the team's two, newest first", len(list))
		} else if !reflect.DeepEqual(list[0], second) {
			t.Errorf("listed %+v, want %+v", list[0], second)
		}
		if list, _ := tx.Estimations(ctx, team.ID, 1); len(list) != 1 {
			t.Errorf("got %d sessions with limit 1", len(list))
		}
		return nil
	})

	// A facilitator's change: the whole session round-trips, times to the
	// microsecond.
	at := epoch.Add(90 * time.Minute)
	five := 5.0
	live := first
	live.State, live.Current, live.Version = scrum.SessionLive, "item-two", 2
	live.TimerEnds = at.Add(90 * time.Second)
	live.Queue = []scrum.Entry{
		{ItemID: "item-one", State: scrum.EntryEstimated, Round: 2, Revealed: true, Card: "5", Estimate: &five, StartedAt: epoch, FinishedAt: at},
		{ItemID: "item-two", State: scrum.EntryCurrent, Round: 1, StartedAt: at},
	}
	update(t, s, func(tx scrum.Tx) error { return tx.UpdateEstimation(ctx, live) })
	// A stale writer (expecting version 1 again) gets a conflict naming the
	// current version, and writes nothing.
	stale := live
	stale.State, stale.ClosedAt = scrum.SessionClosed, at
	err := s.Update(ctx, func(tx scrum.Tx) error { return tx.UpdateEstimation(ctx, stale) })
	wantCode(t, err, scrum.CodeConflict)
	var se *scrum.Error
	if errorsAs(err, &se) && se.Version != 2 {
		t.Errorf("got current version %d in the conflict, want 2", se.Version)
	}
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.Estimation(ctx, first.ID)
		if !reflect.DeepEqual(got, live) {
			t.Errorf("got %+v, want %+v", got, live)
		}
		return err
	})
	closed := live
	closed.State, closed.Current, closed.ClosedAt, closed.TimerEnds, closed.Version = scrum.SessionClosed, "", at, time.Time{}, 3
	update(t, s, func(tx scrum.Tx) error { return tx.UpdateEstimation(ctx, closed) })
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.Estimation(ctx, first.ID)
		if !reflect.DeepEqual(got, closed) {
			t.Errorf("got %+v, want %+v", got, closed)
		}
		return err
	})
	unknown := newSession(team, po, epoch)
	unknown.Version = 2
	err = s.Update(ctx, func(tx scrum.Tx) error { return tx.UpdateEstimation(ctx, unknown) })
	wantCode(t, err, scrum.CodeNotFound)
	err = s.Update(ctx, func(tx scrum.Tx) error { return tx.CreateEstimation(ctx, first) })
	wantCode(t, err, scrum.CodeConflict)
}

func testEstimationVotes(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po, lena, sam := MustUser(t, s, "Priya"), MustUser(t, s, "Lena"), MustUser(t, s, "Sam")
	team := MustTeam(t, s, "Orion", po, lena, sam)
	ses := newSession(team, po, epoch, "item-one", "item-two")
	update(t, s, func(tx scrum.Tx) error { return tx.CreateEstimation(ctx, ses) })
	put := func(v scrum.Vote) bool {
		t.Helper()
		var replaced bool
		update(t, s, func(tx scrum.Tx) error {
			var err error
			replaced, err = tx.PutVote(ctx, v)
			return err
		})
		return replaced
	}
	vote := func(voter scrum.User, item string, round int, card string, min int) scrum.Vote {
		return scrum.Vote{SessionID: ses.ID, ItemID: item, Round: round, VoterID: voter.ID, Card: card, At: epoch.Add(time.Duration(min) * time.Minute)}
	}
	for _, c := range []struct {
		v        scrum.Vote
		replaced bool
	}{
		{vote(sam, "item-one", 1, "8", 1), false},
		{vote(lena, "item-one", 1, "3", 2), false},
		{vote(lena, "item-two", 1, "?", 3), false}, // another item
		{vote(lena, "item-one", 2, "5", 4), false}, // another round
		{vote(lena, "item-one", 1, "13", 5), true}, // Lena changes her mind
		{vote(sam, "item-one", 1, "8", 6), true},   // the same card again
		{vote(po, "item-one", 1, "☕", 0), false},   // an earlier clock
	} {
		if got := put(c.v); got != c.replaced {
			t.Errorf("put %+v: got replaced=%v, want %v", c.v, got, c.replaced)
		}
	}
	// A rolled-back vote leaves nothing.
	boom := fmt.Errorf("boom")
	if err := s.Update(ctx, func(tx scrum.Tx) error {
		if _, err := tx.PutVote(ctx, vote(po, "item-two", 1, "1", 9)); err != nil {
			return err
		}
		return boom
	}); err != boom {
		t.Fatalf("got %v, want the fn's error", err)
	}
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.Votes(ctx, ses.ID)
		if err != nil {
			return err
		}
		// One row per voter, item and round, in the order cast (a changed
		// vote counts from its change).
		want := []scrum.Vote{
			vote(po, "item-one", 1, "☕", 0),
			vote(lena, "item-two", 1, "?", 3),
			vote(lena, "item-one", 2, "5", 4),
			vote(lena, "item-one", 1, "13", 5),
			vote(sam, "item-one", 1, "8", 6),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got votes\n%+v\nwant\n%+v", got, want)
		}
		if none, err := tx.Votes(ctx, scrum.NewID()); err != nil || len(none) != 0 {
			t.Errorf("got %v (%v) for an unknown session, want none", none, err)
		}
		return nil
	})
}

func testEstimationSettings(t *testing.T, s *store.Store) {
	ctx := context.Background()
	po := MustUser(t, s, "Priya")
	team := MustTeam(t, s, "Orion", po)
	view(t, s, func(tx scrum.Tx) error {
		_, err := tx.EstimationSettings(ctx, team.ID)
		wantCode(t, err, scrum.CodeNotFound)
		return nil
	})
	st := scrum.EstimationSettings{TeamID: team.ID, TShirt: scrum.DefaultTShirtPoints(), ProductOwnerVotes: true,
		CustomDecks: []scrum.CustomDeck{{Name: "Runes", Cards: []string{"1", "3", "Z9", "½"}}, {Name: "Two", Cards: []string{"a", "b"}}},
		Version:     1, UpdatedAt: epoch, UpdatedBy: po.ID}
	update(t, s, func(tx scrum.Tx) error { return tx.PutEstimationSettings(ctx, st) })
	// A second insert (two first saves racing) is a conflict.
	err := s.Update(ctx, func(tx scrum.Tx) error { return tx.PutEstimationSettings(ctx, st) })
	wantCode(t, err, scrum.CodeConflict)
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.EstimationSettings(ctx, team.ID)
		if !reflect.DeepEqual(got, st) {
			t.Errorf("got %+v, want %+v", got, st)
		}
		return err
	})
	next := st
	next.CustomDecks, next.ProductOwnerVotes, next.Version, next.UpdatedAt = []scrum.CustomDeck{}, false, 2, epoch.Add(time.Hour)
	next.TShirt = map[string]float64{"XS": 0.5, "S": 1, "M": 2, "L": 3, "XL": 5, "XXL": 8}
	update(t, s, func(tx scrum.Tx) error { return tx.PutEstimationSettings(ctx, next) })
	stale := st
	stale.Version = 2 // expects version 1 stored
	err = s.Update(ctx, func(tx scrum.Tx) error { return tx.PutEstimationSettings(ctx, stale) })
	wantCode(t, err, scrum.CodeConflict)
	var se *scrum.Error
	if errorsAs(err, &se) && se.Version != 2 {
		t.Errorf("got current version %d in the conflict, want 2", se.Version)
	}
	view(t, s, func(tx scrum.Tx) error {
		got, err := tx.EstimationSettings(ctx, team.ID)
		if !reflect.DeepEqual(got, next) {
			t.Errorf("got %+v, want %+v", got, next)
		}
		return err
	})
}
