package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/password"
	"github.com/tandemhq/tandem/internal/rank"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
	"github.com/tandemhq/tandem/internal/store/sqlite"
	"github.com/tandemhq/tandem/internal/storetest"
)

func openAt(t *testing.T, path string, opts store.Options) *store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// together queues writes in order while the writer is held, then lets
// them run as one group commit, and returns their errors in order.
func together(t *testing.T, s *store.Store, writes ...func() error) []error {
	t.Helper()
	release := s.Hold(context.Background())
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		n := s.Queued()
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w()
		}()
		for deadline := time.Now().Add(5 * time.Second); s.Queued() == n; time.Sleep(50 * time.Microsecond) {
			if time.Now().After(deadline) {
				release()
				t.Fatalf("write %d never queued", i)
			}
		}
	}
	if got := s.Queued(); got != len(writes) {
		t.Fatalf("%d writes queued, want %d", got, len(writes))
	}
	release()
	wg.Wait()
	return errs
}

type team struct {
	s              *store.Store
	svc            *scrum.Service
	id             string
	po, dev, other scrum.Actor
}

func newTeam(t *testing.T, s *store.Store) team {
	t.Helper()
	svc, err := scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast)})
	if err != nil {
		t.Fatal(err)
	}
	po, dev, other := storetest.MustUser(t, s, "Priya"), storetest.MustUser(t, s, "Lena"), storetest.MustUser(t, s, "Omar")
	tm := storetest.MustTeam(t, s, "Orion", po, dev, other)
	return team{s: s, svc: svc, id: tm.ID, po: scrum.Actor{User: po}, dev: scrum.Actor{User: dev}, other: scrum.Actor{User: other}}
}

func (tm team) create(into *scrum.Item, who scrum.Actor, title string) func() error {
	return func() error {
		it, err := tm.svc.CreateItem(context.Background(), who, tm.id, scrum.ItemInput{Title: title})
		*into = it
		return err
	}
}

// The writes of one group commit share what they read once (the store's
// write memo); each must still see every change the writes before it
// made, and nothing of one that failed and was rolled back to its
// savepoint.
func TestBatchedWritesSeeEachOther(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, filepath.Join(t.TempDir(), "tandem.db"), store.Options{})
	tm := newTeam(t, s)
	var x, y, a, b, c, e, f scrum.Item
	for _, w := range []func() error{tm.create(&x, tm.dev, "X"), tm.create(&y, tm.dev, "Y")} {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	// A write that creates an item, as CreateItem does, then fails.
	failed := errors.New("changed my mind")
	failing := func() error {
		return s.Update(ctx, func(tx scrum.Tx) error {
			n, err := tx.NextItemNumber(ctx, tm.id)
			if err != nil {
				return err
			}
			last, err := tx.EdgeRank(ctx, tm.id, true)
			if err != nil {
				return err
			}
			r, err := rank.Between(last, "")
			if err != nil {
				return err
			}
			now := tx.Now()
			it := scrum.Item{ID: scrum.NewID(), TeamID: tm.id, Number: n, Type: scrum.TypeStory, Title: "D", Status: scrum.StatusNew,
				Rank: r, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: tm.dev.User.ID}
			if err := tx.CreateItem(ctx, it); err != nil {
				return err
			}
			if _, err := tx.AppendEvent(ctx, scrum.Event{TeamID: tm.id, Type: scrum.EventItemCreated, SubjectID: it.ID, ActorID: tm.dev.User.ID, Data: []byte(`{}`)}); err != nil {
				return err
			}
			return failed
		})
	}
	one := []scrum.ReadyCriterion{{Kind: scrum.KindHasAcceptanceCriteria, Text: "Has acceptance criteria"}}
	errs := together(t, s,
		tm.create(&a, tm.dev, "A"),
		func() error {
			_, err := tm.svc.MoveItem(ctx, tm.po, tm.id, x.ID, scrum.Move{To: "bottom"}, 0)
			return err
		},
		tm.create(&b, tm.dev, "B"),
		failing,
		tm.create(&c, tm.dev, "C"),
		func() error {
			_, err := tm.svc.PutReadyDefinition(ctx, tm.po, tm.id, scrum.ReadyDefinitionInput{Criteria: one}, 0)
			return err
		},
		tm.create(&e, tm.dev, "E"),
		func() error { return tm.svc.RemoveMember(ctx, tm.po, tm.id, tm.other.User.ID, 0) },
		tm.create(&f, tm.other, "F"),
	)
	for i, err := range errs {
		switch i {
		case 3:
			if !errors.Is(err, failed) {
				t.Errorf("the failing write: got %v", err)
			}
		case 8:
			if scrum.ErrorCode(err) != scrum.CodeNotFound {
				t.Errorf("a create by a member removed earlier in the same commit: got %v, want not found", err)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}

	its, _, err := tm.svc.Items(ctx, tm.po, tm.id, scrum.ItemFilter{}, scrum.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range its {
		got = append(got, fmt.Sprintf("%s#%d", it.Title, it.Number))
	}
	// X moved to the bottom, so B, created after the move, comes after it;
	// D was rolled back, so C takes the number after B's.
	if want := "Y#2 A#3 X#1 B#4 C#5 E#6"; strings.Join(got, " ") != want {
		t.Errorf("backlog: got %q, want %q", strings.Join(got, " "), want)
	}
	if len(c.Readiness) != 4 || len(e.Readiness) != 1 {
		t.Errorf("readiness checks before and after the new Definition of Ready: got %d and %d, want 4 and 1",
			len(c.Readiness), len(e.Readiness))
	}

	var events []scrum.Event
	if err := s.View(ctx, func(tx scrum.Tx) error {
		var err error
		events, err = tx.AllEvents(ctx, tm.id, 0, 1000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for i, ev := range events {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: the team's events must be numbered without gaps", i, ev.Seq)
		}
	}
	created := map[string]bool{}
	for _, ev := range events {
		if ev.Type == scrum.EventItemCreated {
			created[ev.SubjectID] = true
		}
	}
	for _, it := range []scrum.Item{x, y, a, b, c, e} {
		if !created[it.ID] {
			t.Errorf("no creation event for %s", it.Title)
		}
	}
	if len(created) != 6 {
		t.Errorf("%d creation events, want 6: nothing of the rolled-back write", len(created))
	}
}

// New items are indexed for search after their commit. A search still
// finds every acknowledged item, with its latest text; items a stop left
// unindexed are indexed after the next start.
func TestSearchCatchesUp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	// The writer never indexes on its own here: only searches and the
	// next start do.
	s := openAt(t, path, store.Options{SearchIdle: time.Hour})
	tm := newTeam(t, s)
	titles := func(s *store.Store, q string) string {
		svc, err := scrum.NewService(scrum.Config{Store: s, Hasher: password.New(password.Fast)})
		if err != nil {
			t.Fatal(err)
		}
		its, _, err := svc.Items(ctx, tm.po, tm.id, scrum.ItemFilter{Query: q}, scrum.Page{Limit: 100})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var out []string
		for _, it := range its {
			out = append(out, it.Title)
		}
		return strings.Join(out, ",")
	}
	var a, b scrum.Item
	for _, w := range []func() error{tm.create(&a, tm.dev, "Checkout with PayPal"), tm.create(&b, tm.dev, "Invoices")} {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Unindexed(); got != 2 {
		t.Fatalf("unindexed after two creates: %d, want 2", got)
	}
	// Renamed before it was indexed: found only under its new name.
	title := "Checkout with cards"
	if _, err := tm.svc.UpdateItem(ctx, tm.po, tm.id, a.ID, scrum.ItemPatch{Title: &title}, 0); err != nil {
		t.Fatal(err)
	}
	if got := titles(s, "paypal"); got != "" {
		t.Errorf("old title: got %q, want nothing", got)
	}
	if got := titles(s, "checkout"); got != "Checkout with cards" {
		t.Errorf("new title: got %q", got)
	}
	if got := s.Unindexed(); got != 0 {
		t.Errorf("unindexed after a search: %d, want 0", got)
	}
	// Renamed after it was indexed: the index follows.
	title = "Checkout with vouchers"
	if _, err := tm.svc.UpdateItem(ctx, tm.po, tm.id, a.ID, scrum.ItemPatch{Title: &title}, 0); err != nil {
		t.Fatal(err)
	}
	if got := titles(s, "cards") + "|" + titles(s, "vouchers"); got != "|Checkout with vouchers" {
		t.Errorf("after a rename of an indexed item: got %q", got)
	}

	// Stop with an item waiting, then start again.
	var c scrum.Item
	if err := tm.create(&c, tm.dev, "Refunds")(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openAt(t, path, store.Options{SearchIdle: time.Millisecond})
	deadline := time.Now().Add(5 * time.Second)
	for s2.Unindexed() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := s2.Unindexed(); got != 0 {
		t.Fatalf("unindexed 5 s after a start: %d, want 0 (the writer indexes when idle)", got)
	}
	if got := titles(s2, "refunds"); got != "Refunds" {
		t.Errorf("after a restart: got %q", got)
	}
}

// TestLoneFailingWriteRunsOnce: a write that fails alone in its commit is
// answered with its error after one run; only a failure among other
// writes makes the writer run the batch again, each write in a savepoint.
func TestLoneFailingWriteRunsOnce(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "t.db"), store.Options{})
	refused := scrum.Invalid("title", "no")
	runs := 0
	err := s.Update(context.Background(), func(scrum.Tx) error {
		runs++
		return refused
	})
	if !errors.Is(err, refused) || runs != 1 {
		t.Fatalf("a lone failing write: error %v after %d runs, want %v after 1", err, runs, refused)
	}
	var ranA, ranB int
	errs := together(t, s,
		func() error {
			return s.Update(context.Background(), func(scrum.Tx) error { ranA++; return nil })
		},
		func() error {
			return s.Update(context.Background(), func(scrum.Tx) error { ranB++; return refused })
		})
	if errs[0] != nil || !errors.Is(errs[1], refused) {
		t.Fatalf("batch of two: errors %v, want nil and %v", errs, refused)
	}
	if ranA != 2 || ranB != 2 {
		t.Errorf("batch of two with a failure ran its writes %d and %d times, want 2 each (tried, then in savepoints)", ranA, ranB)
	}
}

// TestHangUpMidWrite: a client that hangs up while the writer runs its
// write does not interrupt the transaction the batch shares. Its write
// runs to its end, as if the hang-up had come just after the commit, and
// the other writes of the batch commit once, not again in savepoints.
func TestHangUpMidWrite(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "t.db"), store.Options{})
	tm := newTeam(t, s)
	appendEvent := func(ctx context.Context, tx scrum.Tx, subject string) error {
		e, err := scrum.NewEvent(tm.id, "test.event", subject, tm.po.User.ID, map[string]string{"s": subject})
		if err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, e)
		return err
	}
	var ranA, ranB int
	errs := together(t, s,
		func() error {
			ctx, hangUp := context.WithCancel(context.Background())
			defer hangUp()
			return s.Update(ctx, func(tx scrum.Tx) error {
				ranA++
				hangUp()
				return appendEvent(ctx, tx, "left")
			})
		},
		func() error {
			return s.Update(context.Background(), func(tx scrum.Tx) error {
				ranB++
				return appendEvent(context.Background(), tx, "stayed")
			})
		})
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("got errors %v, want none: a started write runs to its end", errs)
	}
	if ranA != 1 || ranB != 1 {
		t.Errorf("the writes ran %d and %d times, want once each", ranA, ranB)
	}
	var got []string
	err := s.View(context.Background(), func(tx scrum.Tx) error {
		es, err := tx.AllEvents(context.Background(), tm.id, 0, 100)
		for _, e := range es {
			if e.Type == "test.event" {
				got = append(got, e.SubjectID)
			}
		}
		return err
	})
	if err != nil || strings.Join(got, ",") != "left,stayed" {
		t.Errorf("committed events %v (%v), want left,stayed", got, err)
	}
}
