package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/rank"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
)

func runBacklog(t *testing.T, open Opener) {
	t.Run("ItemsCRUD", func(t *testing.T) { testItemsCRUD(t, open(t)) })
	t.Run("Ordering", func(t *testing.T) { testOrdering(t, open(t)) })
	t.Run("ManyMovesIntoOneGap", func(t *testing.T) { testSameGap(t, open(t)) })
	t.Run("ConcurrentMoves", func(t *testing.T) { testConcurrentMoves(t, open(t)) })
	t.Run("MoveWritesOneItemRow", func(t *testing.T) { testMoveWritesOneItemRow(t, open(t)) })
	t.Run("ItemView", func(t *testing.T) { testItemView(t, open(t)) })
	t.Run("RosterCacheAcrossServices", func(t *testing.T) { testRosterCache(t, open(t)) })
	t.Run("ItemCacheNeverStale", func(t *testing.T) { testItemCacheNeverStale(t, open(t)) })
}

// backlogFixture is a team with a Product Owner and a Developer, served by
// a real Service over the store under test.
type backlogFixture struct {
	svc     *scrum.Service
	team    string
	po, dev scrum.Actor
}

func newBacklog(t *testing.T, s *store.Store) backlogFixture {
	t.Helper()
	svc, err := scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast)})
	if err != nil {
		t.Fatal(err)
	}
	po, dev := MustUser(t, s, "Priya"), MustUser(t, s, "Lena")
	team := MustTeam(t, s, "Orion", po, dev)
	return backlogFixture{svc: svc, team: team.ID, po: scrum.Actor{User: po}, dev: scrum.Actor{User: dev}}
}

func (f backlogFixture) add(t *testing.T, titles ...string) []scrum.Item {
	t.Helper()
	var out []scrum.Item
	for _, title := range titles {
		it, err := f.svc.CreateItem(context.Background(), f.dev, f.team, scrum.ItemInput{Title: title})
		if err != nil {
			t.Fatalf("create %q: %v", title, err)
		}
		out = append(out, it)
	}
	return out
}

func (f backlogFixture) order(t *testing.T) string {
	t.Helper()
	its, _, err := f.svc.Items(context.Background(), f.po, f.team, scrum.ItemFilter{}, scrum.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	titles := make([]string, len(its))
	for i, it := range its {
		titles[i] = it.Title
	}
	return strings.Join(titles, " ")
}

func (f backlogFixture) move(t *testing.T, it scrum.Item, mv scrum.Move) scrum.Item {
	t.Helper()
	got, err := f.svc.MoveItem(context.Background(), f.po, f.team, it.ID, mv, 0)
	if err != nil {
		t.Fatalf("move %s %+v: %v", it.Title, mv, err)
	}
	return got
}

func testItemsCRUD(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	five := 5
	it, err := f.svc.CreateItem(ctx, f.dev, f.team, scrum.ItemInput{Type: scrum.TypeBug, Title: "  Checkout   fails ",
		Description: "**Steps**", AcceptanceCriteria: []scrum.Criterion{{Text: "pays"}}, Value: &five, Labels: []string{"Pay Ments", "pay-ments"}})
	if err != nil {
		t.Fatal(err)
	}
	if it.Title != "Checkout fails" || it.Number != 1 || fmt.Sprint(it.Labels) != "[pay-ments]" || it.Version != 1 {
		t.Errorf("got %+v, want a normalised item #1", it)
	}
	got, err := f.svc.Item(ctx, f.po, f.team, it.ID)
	if err != nil || got.Title != it.Title || *got.Value != 5 || got.AcceptanceCriteria[0].Text != "pays" {
		t.Errorf("read back %+v (%v)", got, err)
	}
	title := "Checkout fails on Safari"
	est := 3.0
	// A Developer may estimate (estimation is theirs by default)...
	upd, err := f.svc.UpdateItem(ctx, f.dev, f.team, it.ID, scrum.ItemPatch{Title: &title, Estimate: &est}, 1)
	if err != nil || upd.Version != 2 || *upd.Estimate != 3 {
		t.Fatalf("update: %+v %v", upd, err)
	}
	// ...the Product Owner may not, and a stale version changes nothing.
	est2 := 8.0
	_, err = f.svc.UpdateItem(ctx, f.po, f.team, it.ID, scrum.ItemPatch{Estimate: &est2}, 2)
	wantCode(t, err, scrum.CodeForbidden)
	_, err = f.svc.UpdateItem(ctx, f.dev, f.team, it.ID, scrum.ItemPatch{Title: &title}, 1)
	wantCode(t, err, scrum.CodeConflict)

	// Filters: label, type, search; removed items are hidden.
	f.add(t, "Story A", "Story B")
	for _, tc := range []struct {
		filter scrum.ItemFilter
		want   int
	}{
		{scrum.ItemFilter{Label: "pay-ments"}, 1},
		{scrum.ItemFilter{Types: []scrum.ItemType{scrum.TypeStory}}, 2},
		{scrum.ItemFilter{Query: "safari"}, 1},
		{scrum.ItemFilter{Query: "100%_"}, 0},
	} {
		its, _, err := f.svc.Items(ctx, f.po, f.team, tc.filter, scrum.Page{})
		if err != nil || len(its) != tc.want {
			t.Errorf("filter %+v: got %d items (%v), want %d", tc.filter, len(its), err, tc.want)
		}
	}
	if _, err := f.svc.RemoveItem(ctx, f.po, f.team, it.ID, 0); err != nil {
		t.Fatal(err)
	}
	if got := f.order(t); got != "Story A Story B" {
		t.Errorf("got %q after removing, want the removed item hidden", got)
	}
	// History keeps every change with before and after.
	hist, _, err := f.svc.ItemHistory(ctx, f.po, f.team, it.ID, scrum.Page{})
	if err != nil || len(hist) != 3 || hist[0].Type != scrum.EventItemCreated || !strings.Contains(string(hist[1].Data), `"from":"Checkout fails"`) {
		t.Errorf("got history %d entries (%v), want created, updated (title from → to), removed", len(hist), err)
	}
}

func testOrdering(t *testing.T, s *store.Store) {
	f := newBacklog(t, s)
	its := f.add(t, "A", "B", "C", "D", "E")
	a, b, c, d, e := its[0], its[1], its[2], its[3], its[4]
	steps := []struct {
		it   scrum.Item
		mv   scrum.Move
		want string
	}{
		{e, scrum.Move{To: "top"}, "E A B C D"},
		{e, scrum.Move{To: "bottom"}, "A B C D E"},
		{a, scrum.Move{Before: d.ID}, "B C A D E"},
		{b, scrum.Move{After: e.ID}, "C A D E B"},
		{c, scrum.Move{After: a.ID}, "A C D E B"},
		{c, scrum.Move{Before: d.ID}, "A C D E B"}, // already there
		{b, scrum.Move{To: "bottom"}, "A C D E B"},
		{a, scrum.Move{To: "top"}, "A C D E B"},
	}
	for _, st := range steps {
		f.move(t, st.it, st.mv)
		if got := f.order(t); got != st.want {
			t.Fatalf("after moving %s %+v: got %q, want %q", st.it.Title, st.mv, got, st.want)
		}
	}
	// Bad moves are refused and write nothing.
	ctx := context.Background()
	other := newBacklogOn(t, s)
	foreign := other.add(t, "X")[0]
	for _, mv := range []scrum.Move{{}, {To: "middle"}, {Before: a.ID, To: "top"}, {Before: foreign.ID}, {After: "nonexistent"}, {Before: a.ID + "x"}} {
		_, err := f.svc.MoveItem(ctx, f.po, f.team, a.ID, mv, 0)
		wantCode(t, err, scrum.CodeInvalid)
	}
	// Only the holder of backlog.ordering reorders; the refusal names it.
	_, err := f.svc.MoveItem(ctx, f.dev, f.team, a.ID, scrum.Move{To: "bottom"}, 0)
	wantCode(t, err, scrum.CodeForbidden)
	var de *scrum.Error
	if errorsAs(err, &de); de == nil || de.Need == nil || de.Need.Responsibility != scrum.RespBacklogOrdering || len(de.Need.Holders) != 1 || de.Need.Holders[0].Name != "Priya" {
		t.Errorf("got %+v, want a refusal naming backlog.ordering held by Priya", err)
	}
	if got := f.order(t); got != "A C D E B" {
		t.Errorf("got %q after refused moves, want nothing changed", got)
	}
}

// newBacklogOn makes a second team on the same store.
func newBacklogOn(t *testing.T, s *store.Store) backlogFixture { return newBacklog(t, s) }

func testSameGap(t *testing.T, s *store.Store) {
	f := newBacklog(t, s)
	its := f.add(t, "first", "last")
	var moved []scrum.Item
	for i := range 200 {
		moved = append(moved, f.add(t, fmt.Sprint("m", i))...)
	}
	// Every new one goes right after "first": always the same gap.
	for _, m := range moved {
		f.move(t, m, scrum.Move{After: its[0].ID})
	}
	all, _, err := f.svc.Items(context.Background(), f.po, f.team, scrum.ItemFilter{}, scrum.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 202 || all[0].Title != "first" || all[1].Title != "m199" || all[200].Title != "m0" || all[201].Title != "last" {
		t.Fatalf("got %d items, first %q second %q, want first, m199…m0, last", len(all), all[0].Title, all[1].Title)
	}
	ranks := make([]string, len(all))
	for i, it := range all {
		ranks[i] = it.Rank
	}
	if !slices.IsSorted(ranks) {
		t.Error("ranks are not sorted")
	}
	t.Logf("FIGURE same_gap_max_rank_len=%d chars", len(slices.MaxFunc(ranks, func(a, b string) int { return len(a) - len(b) })))
}

// testConcurrentMoves: random concurrent reorders keep ranks unique and
// every item present exactly once.
func testConcurrentMoves(t *testing.T, s *store.Store) {
	f := newBacklog(t, s)
	var titles []string
	for i := range 30 {
		titles = append(titles, fmt.Sprint("i", i))
	}
	its := f.add(t, titles...)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 25 {
				it := its[(w*7+n*3)%len(its)]
				ref := its[(w*11+n*5+1)%len(its)]
				mv := scrum.Move{Before: ref.ID}
				if n%3 == 0 {
					mv = scrum.Move{To: "top"}
				}
				if it.ID == ref.ID {
					continue
				}
				if _, err := f.svc.MoveItem(context.Background(), f.po, f.team, it.ID, mv, 0); err != nil {
					t.Errorf("move: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	all, _, err := f.svc.Items(context.Background(), f.po, f.team, scrum.ItemFilter{}, scrum.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, it := range all {
		if seen[it.ID] {
			t.Errorf("item %s listed twice", it.Title)
		}
		seen[it.ID] = true
		if i > 0 && all[i-1].Rank >= it.Rank {
			t.Errorf("ranks not strictly increasing at %d", i)
		}
	}
	if len(all) != len(its) {
		t.Errorf("got %d items after concurrent moves, want %d", len(all), len(its))
	}
}

func errorsAs(err error, target **scrum.Error) bool {
	e, ok := err.(*scrum.Error)
	if ok {
		*target = e
	}
	return ok
}

// testRosterCache: a second Service on the same database (as a second
// instance would be) changes a membership; the first, which has the roster
// cached, sees the change on its next read.
func testRosterCache(t *testing.T, s *store.Store) {
	ctx := context.Background()
	a := newBacklog(t, s)
	// a trusts a checked roster for 50 ms, as instances do for 1 s.
	var err error
	if a.svc, err = scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast), RosterCacheTTL: 50 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	b, err := scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast)})
	if err != nil {
		t.Fatal(err)
	}
	devHolds := func(svc *scrum.Service, acc scrum.Accountability) bool {
		t.Helper()
		r, err := svc.Roster(ctx, a.po, a.team)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := r.Member(a.dev.User.ID)
		return m.Has(acc)
	}
	if !devHolds(a.svc, scrum.Developer) { // fills a's cache
		t.Fatal("the developer is not a developer")
	}
	// Other traffic (items) leaves the cached roster valid.
	a.add(t, "First")
	a.add(t, "Second")
	// Another instance's change shows once the TTL has passed, through the
	// version check, even with other events after it.
	if _, err := b.SetAccountabilities(ctx, a.po, a.team, a.dev.User.ID, []scrum.Accountability{scrum.ScrumMaster}, 0); err != nil {
		t.Fatal(err)
	}
	a.add(t, "Third")
	deadline := time.Now().Add(2 * time.Second)
	for !devHolds(a.svc, scrum.ScrumMaster) {
		if time.Now().After(deadline) {
			t.Fatal("the caching service never saw the other instance's change (scrum_master)")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A change made on this instance shows at once, TTL or not.
	if _, err := a.svc.SetAccountabilities(ctx, a.po, a.team, a.dev.User.ID, []scrum.Accountability{scrum.Developer}, 0); err != nil {
		t.Fatal(err)
	}
	if !devHolds(a.svc, scrum.Developer) {
		t.Error("a change made on this instance did not show at once")
	}
	// Writes check the version: a member removed elsewhere is refused by
	// the next write here at once, and by reads within the TTL.
	if err := b.RemoveMember(ctx, a.po, a.team, a.dev.User.ID, 0); err != nil {
		t.Fatal(err)
	}
	_, err = a.svc.CreateItem(ctx, a.dev, a.team, scrum.ItemInput{Title: "After removal"})
	wantCode(t, err, scrum.CodeNotFound)
	time.Sleep(60 * time.Millisecond)
	_, _, err = a.svc.Items(ctx, a.dev, a.team, scrum.ItemFilter{}, scrum.Page{})
	wantCode(t, err, scrum.CodeNotFound)
}

// testMoveWritesOneItemRow: a move rewrites the moved item's row (rank,
// version, time) and appends one event, and nothing else, wherever in a
// backlog of 200 the item goes.
func testMoveWritesOneItemRow(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	titles := make([]string, 200)
	for i := range titles {
		titles[i] = fmt.Sprintf("Item %03d", i)
	}
	its := f.add(t, titles...)
	snapshot := func() (map[string]scrum.Item, int) {
		t.Helper()
		all, _, err := f.svc.Items(ctx, f.po, f.team, scrum.ItemFilter{}, scrum.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]scrum.Item{}
		for _, it := range all {
			m[it.ID] = it
		}
		es, err := f.svc.Events(ctx, f.po, f.team, 0, 5000)
		if err != nil {
			t.Fatal(err)
		}
		return m, len(es)
	}
	for _, mv := range []scrum.Move{{To: "top"}, {To: "bottom"}, {Before: its[100].ID}, {After: its[7].ID}} {
		moved := its[150]
		before, events := snapshot()
		f.move(t, moved, mv)
		after, eventsAfter := snapshot()
		if eventsAfter != events+1 {
			t.Errorf("move %+v appended %d events, want 1", mv, eventsAfter-events)
		}
		for id, b := range before {
			a := after[id]
			if id == moved.ID {
				if a.Rank == b.Rank || a.Version != b.Version+1 {
					t.Errorf("move %+v: moved item rank %q→%q version %d→%d, want a new rank and version+1", mv, b.Rank, a.Rank, b.Version, a.Version)
				}
				a.Rank, a.Version, a.UpdatedAt = b.Rank, b.Version, b.UpdatedAt
			}
			if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", b) {
				t.Errorf("move %+v of %s also changed %s: %+v → %+v", mv, moved.Title, b.Title, b, a)
			}
		}
	}
}

// testItemCacheNeverStale: backlog reads go through the store's item
// cache; after every kind of item write, one that changes the version
// (edit, move, removal) or only the rank (re-rank) or only the ready flag
// (Definition of Ready change), a cached read equals an uncached one (a
// write transaction's read bypasses the cache).
func testItemCacheNeverStale(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	its := f.add(t, "Alpha", "Bravo", "Charlie", "Delta")
	check := func(step string) {
		t.Helper()
		for _, filter := range []scrum.ItemFilter{{}, {WithRemoved: true}} {
			var cached, fresh []scrum.Item
			for range 2 { // the first read may fill the cache, the second reads from it
				view(t, s, func(tx scrum.Tx) (err error) {
					cached, _, err = tx.Items(ctx, f.team, filter, scrum.Page{Limit: 100})
					return err
				})
			}
			update(t, s, func(tx scrum.Tx) (err error) {
				fresh, _, err = tx.Items(ctx, f.team, filter, scrum.Page{Limit: 100})
				return err
			})
			if !reflect.DeepEqual(cached, fresh) {
				t.Fatalf("%s: the cached read differs from the database:\ncached %+v\nfresh  %+v", step, cached, fresh)
			}
		}
	}
	check("created")
	est, crit := 3.0, []scrum.Criterion{{Text: "Exports every column"}}
	a, err := f.svc.UpdateItem(ctx, f.dev, f.team, its[0].ID, scrum.ItemPatch{Estimate: &est, AcceptanceCriteria: &crit}, its[0].Version)
	if err != nil {
		t.Fatal(err)
	}
	check("edited")
	// Dropping the manual criterion makes Alpha ready: its ready flag is
	// written without a new version.
	d := scrum.DefaultReadyDefinition(f.team)
	if _, err := f.svc.PutReadyDefinition(ctx, f.po, f.team, scrum.ReadyDefinitionInput{Criteria: d.Criteria[:3]}, 0); err != nil {
		t.Fatal(err)
	}
	var ready bool
	view(t, s, func(tx scrum.Tx) error {
		it, err := tx.Item(ctx, f.team, a.ID)
		ready = it.Ready && it.Version == a.Version
		return err
	})
	if !ready {
		t.Fatal("the Definition of Ready change did not make Alpha ready in place; the step tests nothing")
	}
	check("definition of ready changed")
	title, labels := "Bravo, renamed", []string{"web"}
	if _, err := f.svc.UpdateItem(ctx, f.dev, f.team, its[1].ID, scrum.ItemPatch{Title: &title, Labels: &labels}, its[1].Version); err != nil {
		t.Fatal(err)
	}
	check("renamed")
	f.move(t, its[3], scrum.Move{To: "top"})
	check("moved")
	update(t, s, func(tx scrum.Tx) error {
		ids := []string{its[2].ID, its[1].ID, its[0].ID, its[3].ID}
		return tx.Rerank(ctx, f.team, ids, rank.Spread(len(ids)))
	})
	check("re-ranked")
	if _, err := f.svc.RemoveItem(ctx, f.po, f.team, its[2].ID, 0); err != nil {
		t.Fatal(err)
	}
	check("removed")
}
