package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tandemhq/tandem/internal/rank"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
)

func runRefinement(t *testing.T, open Opener) {
	t.Run("DefinitionOfReady", func(t *testing.T) { testDefinitionOfReady(t, open(t)) })
	t.Run("ReadinessRule", func(t *testing.T) { testReadinessRule(t, open(t)) })
	t.Run("Refinement", func(t *testing.T) { testRefinement(t, open(t)) })
	t.Run("FullTextSearch", func(t *testing.T) { testSearch(t, open(t)) })
	t.Run("ProductGoal", func(t *testing.T) { testProductGoal(t, open(t)) })
	t.Run("BulkEdit", func(t *testing.T) { testBulkEdit(t, open(t)) })
	t.Run("Suggestions", func(t *testing.T) { testSuggestions(t, open(t)) })
	t.Run("Rebalance", func(t *testing.T) { testRebalance(t, open(t)) })
}

func f64(v float64) *float64 { return &v }

// readyItem creates an item that meets every computed default criterion.
func (f backlogFixture) readyItem(t *testing.T, title string, est float64) scrum.Item {
	t.Helper()
	it, err := f.svc.CreateItem(context.Background(), f.dev, f.team, scrum.ItemInput{Title: title,
		AcceptanceCriteria: []scrum.Criterion{{Text: "works"}}, Estimate: f64(est)})
	if err != nil {
		t.Fatalf("create %q: %v", title, err)
	}
	return it
}

func readinessOf(it scrum.Item) string {
	var b strings.Builder
	for _, c := range it.Readiness {
		fmt.Fprintf(&b, "%s=%v ", c.ID, c.Met)
	}
	return strings.TrimSpace(b.String())
}

func testDefinitionOfReady(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	d, err := f.svc.ReadyDefinition(ctx, f.dev, f.team)
	if err != nil || d.Version != 0 || len(d.Criteria) != 4 || d.MaxSprintEstimate != 13 {
		t.Fatalf("got %+v (%v), want the 4 default criteria at version 0, max 13", d, err)
	}
	it := f.readyItem(t, "Pay by card", 5)
	if got := readinessOf(it); got != "acceptance-criteria=true estimated=true fits-in-sprint=true dependencies-known=false" || it.Ready {
		t.Errorf("got readiness %q ready=%v, want only the manual criterion unmet", got, it.Ready)
	}
	// Only whoever holds readiness (the PO by default) edits the checklist.
	_, err = f.svc.PutReadyDefinition(ctx, f.dev, f.team, scrum.ReadyDefinitionInput{Criteria: d.Criteria}, 0)
	wantCode(t, err, scrum.CodeForbidden)
	crit := append(slices.Clone(d.Criteria[:3]), scrum.ReadyCriterion{Text: "UX reviewed"})
	d2, err := f.svc.PutReadyDefinition(ctx, f.po, f.team, scrum.ReadyDefinitionInput{Criteria: crit, MaxSprintEstimate: f64(3)}, 0)
	if err != nil || d2.Version != 1 || len(d2.Criteria) != 4 || d2.Criteria[3].Kind != scrum.KindManual || d2.Criteria[3].ID == "" {
		t.Fatalf("got %+v (%v), want version 1 with a new manual criterion", d2, err)
	}
	// A stale version changes nothing; bad criteria name the field.
	_, err = f.svc.PutReadyDefinition(ctx, f.po, f.team, scrum.ReadyDefinitionInput{Criteria: crit}, 0)
	if err != nil {
		t.Fatalf("unversioned put: %v", err)
	}
	_, err = f.svc.PutReadyDefinition(ctx, f.po, f.team, scrum.ReadyDefinitionInput{Criteria: crit}, 1)
	wantCode(t, err, scrum.CodeConflict)
	_, err = f.svc.PutReadyDefinition(ctx, f.po, f.team, scrum.ReadyDefinitionInput{Criteria: []scrum.ReadyCriterion{{Kind: "magic", Text: "x"}}}, 0)
	wantField(t, err, "criteria")
	got, _ := f.svc.Item(ctx, f.po, f.team, it.ID)
	if !strings.Contains(readinessOf(got), "fits-in-sprint=false") {
		t.Errorf("got %q, want fits-in-sprint unmet once the largest sprint estimate is 3", readinessOf(got))
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var de *scrum.Error
	if !errorsAs(err, &de) || de.Code != scrum.CodeInvalid || !slices.ContainsFunc(de.Fields, func(f scrum.FieldError) bool { return f.Field == field }) {
		t.Fatalf("got %v, want a 422 naming %s", err, field)
	}
}

func testReadinessRule(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	it := f.readyItem(t, "Refund", 3)
	ready := scrum.StatusReady
	// Not all met: status ready is refused, naming status and what is missing.
	_, err := f.svc.UpdateItem(ctx, f.po, f.team, it.ID, scrum.ItemPatch{Status: &ready}, 0)
	wantField(t, err, "status")
	if !strings.Contains(err.Error(), "Dependencies known") {
		t.Errorf("got %v, want the missing criterion named", err)
	}
	// Tick the manual one (a developer may: they may edit the item).
	it, err = f.svc.SetReadiness(ctx, f.dev, f.team, it.ID, "dependencies-known", true, it.Version)
	if err != nil || !it.Ready || it.Version != 2 {
		t.Fatalf("tick: %+v %v, want ready at version 2", it, err)
	}
	_, err = f.svc.SetReadiness(ctx, f.dev, f.team, it.ID, "estimated", true, 0)
	wantField(t, err, "met")
	_, err = f.svc.SetReadiness(ctx, f.dev, f.team, it.ID, "nope", true, 0)
	wantCode(t, err, scrum.CodeNotFound)
	it, err = f.svc.UpdateItem(ctx, f.po, f.team, it.ID, scrum.ItemPatch{Status: &ready}, 0)
	if err != nil || it.Status != scrum.StatusReady {
		t.Fatalf("set ready: %v", err)
	}
	// Clearing the estimate makes it unready: back to refining, recorded.
	it, err = f.svc.UpdateItem(ctx, f.dev, f.team, it.ID, scrum.ItemPatch{ClearEstimate: true}, 0)
	if err != nil || it.Status != scrum.StatusRefining || it.Ready {
		t.Fatalf("got %v %v ready=%v, want refining", err, it.Status, it.Ready)
	}
	hist, _, _ := f.svc.ItemHistory(ctx, f.po, f.team, it.ID, scrum.Page{})
	last := string(hist[len(hist)-1].Data)
	if !strings.Contains(last, `"field":"status","from":"ready","to":"refining"`) || !strings.Contains(last, `"field":"estimate"`) {
		t.Errorf("got last change %s, want estimate cleared and status ready → refining", last)
	}
	// A Definition of Ready change also sends unready items back.
	it, _ = f.svc.UpdateItem(ctx, f.dev, f.team, it.ID, scrum.ItemPatch{Estimate: f64(2)}, 0)
	it, err = f.svc.UpdateItem(ctx, f.po, f.team, it.ID, scrum.ItemPatch{Status: &ready}, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := f.svc.ReadyDefinition(ctx, f.po, f.team)
	_, err = f.svc.PutReadyDefinition(ctx, f.po, f.team, scrum.ReadyDefinitionInput{
		Criteria: append(d.Criteria, scrum.ReadyCriterion{Text: "Designs attached"})}, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Item(ctx, f.po, f.team, it.ID)
	if got.Status != scrum.StatusRefining || got.Ready {
		t.Errorf("got %s ready=%v after a new criterion, want refining", got.Status, got.Ready)
	}
	tr := true
	its, _, err := f.svc.Items(ctx, f.po, f.team, scrum.ItemFilter{Ready: &tr}, scrum.Page{})
	if err != nil || len(its) != 0 {
		t.Errorf("ready filter: got %d (%v), want 0", len(its), err)
	}
}

func testRefinement(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	a := f.readyItem(t, "A", 3)
	f.add(t, "B")
	c := f.readyItem(t, "C", 40)
	done := scrum.StatusDone
	if _, err := f.svc.UpdateItem(ctx, f.po, f.team, c.ID, scrum.ItemPatch{Status: &done}, 0); err != nil {
		t.Fatal(err)
	}
	f.add(t, "D")
	if _, err := f.svc.SetReadiness(ctx, f.po, f.team, a.ID, "dependencies-known", true, 0); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Refinement(ctx, f.dev, f.team, 10)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got {
		names = append(names, r.Item.Title+":"+strings.Join(r.Missing, "+"))
	}
	want := "B:Has acceptance criteria+Estimated+Fits in a sprint+Dependencies known D:Has acceptance criteria+Estimated+Fits in a sprint+Dependencies known"
	if strings.Join(names, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(names, " "), want)
	}
	if got, _ := f.svc.Refinement(ctx, f.dev, f.team, 1); len(got) != 1 {
		t.Errorf("limit 1: got %d", len(got))
	}
}

func testSearch(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	mk := func(title, desc, crit string) scrum.Item {
		in := scrum.ItemInput{Title: title, Description: desc}
		if crit != "" {
			in.AcceptanceCriteria = []scrum.Criterion{{Text: crit}}
		}
		it, err := f.svc.CreateItem(ctx, f.dev, f.team, in)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	a := mk("Checkout with PayPal", "", "")
	b := mk("Invoices", "Send invoices after checkout", "")
	c := mk("Refunds", "", "refund appears in the checkout history")
	mk("Login", "done criteria text", "")
	// Move c to the top: results follow rank, not relevance.
	f.move(t, c, scrum.Move{To: "top"})
	titles := func(q string) string {
		its, _, err := f.svc.Items(ctx, f.po, f.team, scrum.ItemFilter{Query: q}, scrum.Page{Limit: 200})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var out []string
		for _, it := range its {
			out = append(out, it.Title)
		}
		return strings.Join(out, ",")
	}
	for q, want := range map[string]string{
		"checkout":            "Refunds,Checkout with PayPal,Invoices",
		"CHECK":               "Refunds,Checkout with PayPal,Invoices", // prefix, any case
		"checkout invoices":   "Invoices",
		"history":             "Refunds",
		"text":                "Login", // criteria JSON keys are not indexed
		"\"paypal' OR 1=1 --": "",
		"%_":                  "",
		"nothing":             "",
	} {
		if got := titles(q); got != want {
			t.Errorf("search %q: got %q, want %q", q, got, want)
		}
	}
	// Edits reach the index.
	title := "Pay with cards"
	if _, err := f.svc.UpdateItem(ctx, f.po, f.team, a.ID, scrum.ItemPatch{Title: &title}, 0); err != nil {
		t.Fatal(err)
	}
	if got := titles("paypal"); got != "" {
		t.Errorf("after rename: got %q, want no match", got)
	}
	if got := titles("cards"); got != "Pay with cards" {
		t.Errorf("after rename: got %q", got)
	}
	_ = b

	// Items created by concurrent writers (one commit for many) are all
	// found, and so is one created and renamed in a single write, under
	// its new title only; and a batch import spanning several statements.
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() { mk(fmt.Sprintf("Parallel %c", 'a'+i), "", "") })
	}
	wg.Wait()
	if got := strings.Count(titles("parallel"), "Parallel"); got != 12 {
		t.Errorf("concurrent creates: %d of 12 found", got)
	}
	update(t, s, func(tx scrum.Tx) error {
		mkItem := func(title string) (scrum.Item, error) {
			n, err := tx.NextItemNumber(ctx, f.team)
			if err != nil {
				return scrum.Item{}, err
			}
			last, err := tx.EdgeRank(ctx, f.team, true)
			if err != nil {
				return scrum.Item{}, err
			}
			r, err := rank.Between(last, "")
			now := tx.Now()
			return scrum.Item{ID: scrum.NewID(), TeamID: f.team, Number: n, Type: scrum.TypeStory, Title: title,
				Status: scrum.StatusNew, Rank: r, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: f.dev.User.ID}, err
		}
		it, err := mkItem("Draft newsletter")
		if err != nil {
			return err
		}
		if err := tx.CreateItem(ctx, it); err != nil {
			return err
		}
		it.Title, it.Version = "Quarterly roadmap", 2
		if err := tx.UpdateItem(ctx, it); err != nil {
			return err
		}
		var many []scrum.Item
		for i := range 60 {
			m, err := mkItem(fmt.Sprintf("Imported %d", i))
			if err != nil {
				return err
			}
			m.Number += i
			m.Rank = strings.Repeat("z", i/26+1) + string(rune('a'+i%26))
			many = append(many, m)
		}
		return tx.CreateItems(ctx, many)
	})
	if got := titles("newsletter"); got != "" {
		t.Errorf("created and renamed in one write: the old title still matches: %q", got)
	}
	if got := titles("roadmap"); got != "Quarterly roadmap" {
		t.Errorf("created and renamed in one write: got %q", got)
	}
	if got := strings.Count(titles("imported"), "Imported"); got != 60 {
		t.Errorf("imported in one write: %d of 60 found", got)
	}
}

func testProductGoal(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	g, err := f.svc.ProductGoal(ctx, f.dev, f.team)
	if err != nil || g.Version != 0 || g.Text != "" {
		t.Fatalf("got %+v %v, want an empty goal", g, err)
	}
	_, err = f.svc.SetProductGoal(ctx, f.dev, f.team, "Win", 0)
	wantCode(t, err, scrum.CodeForbidden)
	if g, err = f.svc.SetProductGoal(ctx, f.po, f.team, "  Self-service refunds  ", 0); err != nil || g.Version != 1 || g.Text != "Self-service refunds" {
		t.Fatalf("got %+v %v", g, err)
	}
	if g, err = f.svc.SetProductGoal(ctx, f.po, f.team, "Refunds in one click", 1); err != nil || g.Version != 2 {
		t.Fatalf("got %+v %v", g, err)
	}
	_, err = f.svc.SetProductGoal(ctx, f.po, f.team, "Stale", 1)
	wantCode(t, err, scrum.CodeConflict)
	_, err = f.svc.SetProductGoal(ctx, f.po, f.team, strings.Repeat("x", scrum.MaxGoalLen+1), 0)
	wantField(t, err, "text")
	linked := true
	it := f.add(t, "Refund button")[0]
	it, err = f.svc.UpdateItem(ctx, f.dev, f.team, it.ID, scrum.ItemPatch{GoalLinked: &linked}, 0)
	if err != nil || !it.GoalLinked {
		t.Fatalf("link to goal: %v", err)
	}
	it2, err := f.svc.CreateItem(ctx, f.dev, f.team, scrum.ItemInput{Title: "Linked", GoalLinked: true})
	if err != nil || !it2.GoalLinked {
		t.Fatalf("create linked: %v", err)
	}
}

func testBulkEdit(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	its := f.add(t, "A", "B", "C")
	epic, err := f.svc.CreateItem(ctx, f.po, f.team, scrum.ItemInput{Type: scrum.TypeEpic, Title: "Payments"})
	if err != nil {
		t.Fatal(err)
	}
	refining := scrum.StatusRefining
	ids := []string{its[0].ID, its[1].ID}
	got, err := f.svc.BulkEditItems(ctx, f.po, f.team, scrum.BulkEdit{ItemIDs: ids, AddLabels: []string{"Q3", "mobile"},
		Status: &refining, ParentID: &epic.ID})
	if err != nil || len(got) != 2 || fmt.Sprint(got[1].Labels) != "[q3 mobile]" || got[0].ParentID != epic.ID || got[0].Status != refining {
		t.Fatalf("bulk: %+v %v", got, err)
	}
	its2, _, _ := f.svc.Items(ctx, f.po, f.team, scrum.ItemFilter{Label: "q3"}, scrum.Page{})
	if len(its2) != 2 {
		t.Errorf("label filter after bulk: got %d, want 2", len(its2))
	}
	byParent, _, _ := f.svc.Items(ctx, f.po, f.team, scrum.ItemFilter{ParentID: epic.ID}, scrum.Page{})
	if len(byParent) != 2 {
		t.Errorf("epic filter after bulk: got %d, want 2", len(byParent))
	}
	// All or nothing: one item that cannot be ready refuses the whole edit.
	ready := scrum.StatusReady
	r := f.readyItem(t, "R", 1)
	f.svc.SetReadiness(ctx, f.po, f.team, r.ID, "dependencies-known", true, 0)
	_, err = f.svc.BulkEditItems(ctx, f.po, f.team, scrum.BulkEdit{ItemIDs: []string{r.ID, its[2].ID}, Status: &ready, RemoveLabels: []string{"x"}})
	wantField(t, err, "status")
	if got, _ := f.svc.Item(ctx, f.po, f.team, r.ID); got.Status != scrum.StatusNew {
		t.Errorf("got %s, want nothing written by a refused bulk edit", got.Status)
	}
	// A parent cycle, an unknown id, too many ids: refused.
	_, err = f.svc.BulkEditItems(ctx, f.po, f.team, scrum.BulkEdit{ItemIDs: []string{epic.ID}, ParentID: &its[0].ID})
	wantField(t, err, "parent_id")
	_, err = f.svc.BulkEditItems(ctx, f.po, f.team, scrum.BulkEdit{ItemIDs: []string{scrum.NewID()}, Status: &refining})
	wantField(t, err, "item_ids[0]")
	many := make([]string, scrum.MaxBulkItems+1)
	_, err = f.svc.BulkEditItems(ctx, f.po, f.team, scrum.BulkEdit{ItemIDs: many, Status: &refining})
	wantField(t, err, "item_ids")
	// Removing items takes backlog.ordering, in bulk too.
	removed := scrum.StatusRemoved
	_, err = f.svc.BulkEditItems(ctx, f.dev, f.team, scrum.BulkEdit{ItemIDs: ids, Status: &removed})
	wantCode(t, err, scrum.CodeForbidden)
}

func testSuggestions(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	its := f.add(t, "A", "B", "C")
	sg, err := f.svc.SuggestPosition(ctx, f.dev, f.team, its[2].ID, scrum.Move{To: "top"}, "customers ask daily")
	if err != nil || sg.State != scrum.SuggestionOpen {
		t.Fatalf("suggest: %+v %v", sg, err)
	}
	_, err = f.svc.SuggestPosition(ctx, f.po, f.team, its[2].ID, scrum.Move{To: "top"}, "")
	wantCode(t, err, scrum.CodeConflict) // the PO just moves
	other := newBacklog(t, s)
	foreign := other.add(t, "X")[0]
	_, err = f.svc.SuggestPosition(ctx, f.dev, f.team, its[2].ID, scrum.Move{Before: foreign.ID}, "")
	wantField(t, err, "before")
	sg2, err := f.svc.SuggestPosition(ctx, f.dev, f.team, its[0].ID, scrum.Move{After: its[1].ID}, "")
	if err != nil {
		t.Fatal(err)
	}
	open, err := f.svc.Suggestions(ctx, f.po, f.team)
	if err != nil || len(open) != 2 {
		t.Fatalf("got %d open (%v), want 2", len(open), err)
	}
	_, _, err = f.svc.AcceptSuggestion(ctx, f.dev, f.team, sg.ID)
	wantCode(t, err, scrum.CodeForbidden)
	if _, it, err := f.svc.AcceptSuggestion(ctx, f.po, f.team, sg.ID); err != nil || it.ID != its[2].ID {
		t.Fatalf("accept: %v", err)
	}
	if got := f.order(t); got != "C A B" {
		t.Errorf("got %q after accepting, want C A B", got)
	}
	_, _, err = f.svc.AcceptSuggestion(ctx, f.po, f.team, sg.ID)
	wantCode(t, err, scrum.CodeConflict)
	if _, err := f.svc.DismissSuggestion(ctx, f.po, f.team, sg2.ID); err != nil {
		t.Fatal(err)
	}
	if open, _ := f.svc.Suggestions(ctx, f.po, f.team); len(open) != 0 {
		t.Errorf("got %d open, want 0", len(open))
	}
	if got := f.order(t); got != "C A B" {
		t.Errorf("got %q after dismissing, want no move", got)
	}
	_, err = f.svc.Suggestions(ctx, other.po, f.team)
	wantCode(t, err, scrum.CodeNotFound)
}

func testRebalance(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	its := f.add(t, "A", "B", "C", "D")
	// Give B a key right after A's, long enough that the next insert
	// between them needs rebalancing.
	b := its[1]
	b.Rank = its[0].Rank + strings.Repeat("0", 70) + "1"
	b.Version++
	update(t, s, func(tx scrum.Tx) error { return tx.SetItemRank(ctx, b) })
	moved := f.move(t, its[3], scrum.Move{After: its[0].ID})
	if !rank.NeedsRebalance(moved.Rank) {
		t.Fatalf("got rank %q, want one long enough to need rebalancing", moved.Rank)
	}
	f.svc.Wait()
	all, _, err := f.svc.Items(ctx, f.po, f.team, scrum.ItemFilter{WithRemoved: true}, scrum.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, it := range all {
		order = append(order, it.Title)
		if len(it.Rank) > 2 {
			t.Errorf("item %s has rank %q after rebalancing, want a short one", it.Title, it.Rank)
		}
	}
	if strings.Join(order, " ") != "A D B C" {
		t.Errorf("got %v, want the order kept", order)
	}
	var es []scrum.Event
	view(t, s, func(tx scrum.Tx) error {
		var err error
		es, err = tx.AllEvents(ctx, f.team, 0, 1000)
		return err
	})
	if es[len(es)-1].Type != scrum.EventItemsRebalanced || string(es[len(es)-1].Data) != `{"count":4}` {
		t.Errorf("got last event %s %s, want items.rebalanced with count 4", es[len(es)-1].Type, es[len(es)-1].Data)
	}
	// Nothing long: a rebalance does nothing.
	if n, err := f.svc.Rebalance(ctx, f.team); n != 0 || err != nil {
		t.Errorf("got %d (%v), want 0 rewritten", n, err)
	}
}
