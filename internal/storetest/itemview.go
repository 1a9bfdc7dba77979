package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/store"
)

// testItemView: counts match the lists they count, positions follow the
// order, items are found by number, labels are listed once each.
func testItemView(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f := newBacklog(t, s)
	its := f.add(t, "Checkout on Safari", "Login page", "Checkout on Firefox", "Search")
	bug := scrum.TypeBug
	labels := []string{"web", "checkout"}
	linked := true
	if _, err := f.svc.UpdateItem(ctx, f.po, f.team, its[0].ID, scrum.ItemPatch{Type: &bug, Labels: &labels, GoalLinked: &linked}, 0); err != nil {
		t.Fatal(err)
	}
	web := []string{"web"}
	if _, err := f.svc.UpdateItem(ctx, f.po, f.team, its[2].ID, scrum.ItemPatch{Labels: &web}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RemoveItem(ctx, f.po, f.team, its[3].ID, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    scrum.ItemFilter
		want int
	}{
		{scrum.ItemFilter{}, 3},
		{scrum.ItemFilter{WithRemoved: true}, 4},
		{scrum.ItemFilter{Query: "checkout"}, 2},
		{scrum.ItemFilter{Label: "web"}, 2},
		{scrum.ItemFilter{Types: []scrum.ItemType{scrum.TypeBug}}, 1},
		{scrum.ItemFilter{Statuses: []scrum.Status{scrum.StatusRemoved}}, 1},
		{scrum.ItemFilter{Query: "checkout", Label: "checkout"}, 1},
		{scrum.ItemFilter{GoalLinked: &linked}, 1},
	} {
		n, err := f.svc.CountItems(ctx, f.dev, f.team, c.f)
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := f.svc.Items(ctx, f.dev, f.team, c.f, scrum.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if n != c.want || len(list) != n {
			t.Errorf("filter %+v: got count %d and %d listed, want %d", c.f, n, len(list), c.want)
		}
	}
	f.move(t, its[2], scrum.Move{To: "top"})
	for i, want := range []int{2, 3, 1} {
		pos, total, err := f.svc.ItemPosition(ctx, f.dev, f.team, its[i].ID)
		if err != nil || pos != want || total != 3 {
			t.Errorf("position of %s: got %d of %d (%v), want %d of 3", its[i].Title, pos, total, err, want)
		}
	}
	if pos, _, err := f.svc.ItemPosition(ctx, f.dev, f.team, its[3].ID); err != nil || pos != 0 {
		t.Errorf("position of a removed item: got %d (%v), want 0", pos, err)
	}
	it, err := f.svc.ItemByNumber(ctx, f.dev, f.team, its[1].Number)
	if err != nil || it.ID != its[1].ID {
		t.Errorf("item #%d: got %s (%v), want %s", its[1].Number, it.ID, err, its[1].ID)
	}
	_, err = f.svc.ItemByNumber(ctx, f.dev, f.team, 99)
	wantCode(t, err, scrum.CodeNotFound)
	got, err := f.svc.ItemLabels(ctx, f.dev, f.team)
	if err != nil || !slices.Equal(got, []string{"checkout", "web"}) {
		t.Errorf("labels: got %v (%v), want [checkout web]", got, err)
	}
	// Relabelling drops the labels taken away and keeps the others.
	relabel := func(it scrum.Item, labels ...string) {
		t.Helper()
		cur, err := f.svc.Item(ctx, f.po, f.team, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UpdateItem(ctx, f.po, f.team, it.ID, scrum.ItemPatch{Labels: &labels}, cur.Version); err != nil {
			t.Fatal(err)
		}
	}
	relabel(its[0], "checkout", "mobile")
	relabel(its[2])
	for label, want := range map[string]int{"web": 0, "checkout": 1, "mobile": 1} {
		if n, err := f.svc.CountItems(ctx, f.dev, f.team, scrum.ItemFilter{Label: label}); err != nil || n != want {
			t.Errorf("label %q after relabelling: got %d (%v), want %d", label, n, err, want)
		}
	}
	if got, err := f.svc.ItemLabels(ctx, f.dev, f.team); err != nil || !slices.Equal(got, []string{"checkout", "mobile"}) {
		t.Errorf("labels after relabelling: got %v (%v), want [checkout mobile]", got, err)
	}
	// Outsiders learn nothing.
	other := newBacklogOn(t, s)
	_, err = f.svc.CountItems(ctx, other.po, f.team, scrum.ItemFilter{})
	wantCode(t, err, scrum.CodeNotFound)
	_, err = f.svc.ItemByNumber(ctx, other.po, f.team, its[0].Number)
	wantCode(t, err, scrum.CodeNotFound)
	_, err = f.svc.ItemLabels(ctx, other.po, f.team)
	wantCode(t, err, scrum.CodeNotFound)
	_, _, err = f.svc.ItemPosition(ctx, other.po, f.team, its[0].ID)
	wantCode(t, err, scrum.CodeNotFound)
}
