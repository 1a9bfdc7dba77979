package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/scrum"
)

// backlogFixture is a team with a Product Owner, a Developer, an outsider
// and three items.
type backlogFixture struct {
	*app
	po, dev, outsider person
	team              scrum.Team
	items             []scrum.Item
}

func newBacklogFixture(t *testing.T) backlogFixture {
	t.Helper()
	a := newApp(t)
	f := backlogFixture{app: a, po: a.signUp("Priya Shah"), dev: a.signUp("Lena Vogel"), outsider: a.signUp("Otto Outside")}
	f.team = a.team("Orion", f.po, f.dev)
	five, eight := 5, 8.0
	f.items = []scrum.Item{
		a.item(f.dev, f.team.ID, "Checkout on Safari", scrum.ItemInput{Type: scrum.TypeBug, Labels: []string{"web", "checkout"}, Value: &five}),
		a.item(f.po, f.team.ID, "Reschedule a delivery", scrum.ItemInput{Description: "Customers **reschedule** <script>alert(1)</script> [see](javascript:alert(2)) [docs](https://example.com/x)"}),
		a.item(f.dev, f.team.ID, "Upgrade the map SDK", scrum.ItemInput{Type: scrum.TypeChore, Estimate: &eight}),
	}
	return f
}

func (f backlogFixture) base() string { return "/teams/" + f.team.ID }

func TestBacklogPage(t *testing.T) {
	f := newBacklogFixture(t)
	res := f.get(f.po, f.base()+"/backlog").wantStatus(t, http.StatusOK)
	if got := res.rowNumbers(); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("got rows %v, want #1 #2 #3 in rank order", got)
	}
	res.wantContains(t,
		`data-backlog data-team="`+f.team.ID+`"`, `data-can-order="true"`,
		`<span class="owner__name">Priya Shah</span>`,           // who orders
		`aria-label="Bug"`, `<span class="tag">checkout</span>`, // type and labels
		`<span class="estimate" title="Estimate">8</span>`, `<span class="value" title="Value">`,
		`aria-label="Reorder #1, position 1 of 3"`, `3 items`,
		`aria-current="page"><svg class="icon" aria-hidden="true"><use href="/static/icons.svg?v=`, // Backlog in the nav
		`formaction="/teams/`+f.team.ID+`/items/`+f.items[2].ID+`/move" name="to" value="top"`,
		`data-announce`, `id="reorder-help"`)
	res.wantNotContains(t, "<script>alert")

	// A developer sees the same order, without the move buttons.
	dres := f.get(f.dev, f.base()+"/backlog").wantStatus(t, http.StatusOK)
	if got := dres.rowNumbers(); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("developer: got rows %v, want #1 #2 #3", got)
	}
	dres.wantContains(t, `data-can-order="false"`, "Only Priya Shah can reorder the backlog; you can suggest a position.")
	dres.wantNotContains(t, `data-move="top"`)

	// Outsiders and strangers learn nothing.
	f.get(f.outsider, f.base()+"/backlog").wantStatus(t, http.StatusNotFound).wantNotContains(t, "Checkout on Safari")
	f.get(f.outsider, f.base()+"/items/1").wantStatus(t, http.StatusNotFound)
	f.get(f.outsider, f.base()+"/backlog/fragments/list").wantStatus(t, http.StatusNotFound)
	f.get(f.outsider, f.base()+"/items/"+f.items[0].ID+"/panel").wantStatus(t, http.StatusNotFound)
	res = f.do(nil, http.MethodGet, f.base()+"/backlog", nil, "")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
		t.Errorf("signed out: got %d to %q, want a redirect to sign in", res.Status, res.Header.Get("Location"))
	}
}

func TestBacklogFilters(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	done := scrum.StatusDone
	if _, err := f.svc.UpdateItem(ctx, f.po.Actor, f.team.ID, f.items[2].ID, scrum.ItemPatch{Status: &done}, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"1", "2"}}, // done items are hidden by default
		{"?status=all", []string{"1", "2", "3"}},
		{"?status=done", []string{"3"}},
		{"?type=bug", []string{"1"}},
		{"?label=web", []string{"1"}},
		{"?q=RESCHEDULE", []string{"2"}},
		{"?q=reschedule&type=bug", nil},
		{"?type=nonsense&status=bogus", []string{"1", "2"}}, // unknown values are ignored
	} {
		res := f.get(f.dev, f.base()+"/backlog"+c.query).wantStatus(t, http.StatusOK)
		if got := res.rowNumbers(); !slices.Equal(got, c.want) {
			t.Errorf("%s: got rows %v, want %v", c.query, got, c.want)
		}
	}
	f.get(f.dev, f.base()+"/backlog?q=reschedule&type=bug").wantContains(t, "No items match", "Clear filters", "0 of 2 items match")
	f.get(f.dev, f.base()+"/backlog?type=bug").wantContains(t, "1 of 2 items match")

	// The list fragment is what filtering swaps in.
	res := f.get(f.dev, f.base()+"/backlog/fragments/list?label=checkout").wantStatus(t, http.StatusOK)
	if got := res.rowNumbers(); !slices.Equal(got, []string{"1"}) {
		t.Errorf("list fragment: got rows %v, want #1", got)
	}
	res.wantContains(t, `data-fragment="list"`, `data-total="1"`).wantNotContains(t, "<html")

	// A single row comes back only while it matches the filter.
	f.get(f.dev, f.base()+"/backlog/fragments/row?id="+f.items[0].ID+"&type=bug").wantStatus(t, http.StatusOK).
		wantContains(t, `data-item="`+f.items[0].ID+`"`)
	f.get(f.dev, f.base()+"/backlog/fragments/row?id="+f.items[0].ID+"&type=chore").wantStatus(t, http.StatusNoContent)
	f.get(f.dev, f.base()+"/backlog/fragments/row?id=nope").wantStatus(t, http.StatusNotFound)
	f.get(f.dev, f.base()+"/backlog/fragments/nope").wantStatus(t, http.StatusNotFound)
}

func TestBacklogPaging(t *testing.T) {
	a := newApp(t)
	po := a.signUp("Priya Shah")
	team := a.team("Orion", po)
	for i := range 230 {
		a.item(po, team.ID, fmt.Sprint("Item ", i+1), scrum.ItemInput{})
	}
	base := "/teams/" + team.ID
	res := a.get(po, base+"/backlog").wantStatus(t, http.StatusOK)
	rows := res.rowNumbers()
	if len(rows) != 200 || rows[0] != "1" || rows[199] != "200" {
		t.Fatalf("got %d rows (%v…), want the first 200", len(rows), rows[:3])
	}
	res.wantContains(t, "Showing 1–200 of 230", "Show more", `data-more="`)
	// Without script, "Show more" is a page of its own that numbers on.
	more := regexpFind(t, res.Body, `href="([^"]*)" data-more-link`)
	next := a.get(po, strings.ReplaceAll(more, "&amp;", "&")).wantStatus(t, http.StatusOK)
	if got := next.rowNumbers(); len(got) != 30 || got[0] != "201" {
		t.Errorf("next page: got %d rows starting %v, want 30 from #201", len(got), got[:1])
	}
	next.wantContains(t, `<span class="brow__pos" data-pos>201</span>`, "Showing 201–230 of 230")
	// The script's fragment for the same rows.
	frag := regexpFind(t, res.Body, `data-more="([^"]*)"`)
	rr := a.get(po, strings.ReplaceAll(frag, "&amp;", "&")).wantStatus(t, http.StatusOK)
	if got := rr.rowNumbers(); len(got) != 30 || got[0] != "201" {
		t.Errorf("rows fragment: got %d rows, want 30 from #201", len(got))
	}
	rr.wantContains(t, `data-next="" data-total="230">`)
	a.get(po, base+"/backlog?cursor=%21%21").wantStatus(t, http.StatusUnprocessableEntity)
}

func TestQuickAdd(t *testing.T) {
	f := newBacklogFixture(t)
	res := f.post(f.dev, f.base()+"/backlog/items", url.Values{"type": {"spike"}, "title": {"  Evaluate   carrier API  "}})
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != f.base()+"/backlog#item-4" {
		t.Fatalf("got %d to %q, want a redirect to the new row", res.Status, res.Header.Get("Location"))
	}
	it, err := f.svc.ItemByNumber(context.Background(), f.dev.Actor, f.team.ID, 4)
	if err != nil || it.Title != "Evaluate carrier API" || it.Type != scrum.TypeSpike {
		t.Errorf("got %+v (%v), want the spike, tidied", it, err)
	}
	// An empty title comes back with the field's message and nothing is written.
	res = f.post(f.dev, f.base()+"/backlog/items", url.Values{"type": {"bug"}, "title": {"   "}}).wantStatus(t, http.StatusUnprocessableEntity)
	res.wantContains(t, "The item could not be added.", `id="e-qa-title"`, "title is required", `aria-invalid="true"`,
		`<option value="bug" selected>`)
	if n, _ := f.svc.CountItems(context.Background(), f.dev.Actor, f.team.ID, scrum.ItemFilter{}); n != 4 {
		t.Errorf("got %d items after a refused add, want 4", n)
	}
	long := strings.Repeat("x", 201)
	f.post(f.dev, f.base()+"/backlog/items", url.Values{"title": {long}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "title is longer than 200 characters", `value="`+long+`"`)
	f.post(f.outsider, f.base()+"/backlog/items", url.Values{"title": {"Sneaky"}}).wantStatus(t, http.StatusNotFound)
}

func TestMoveForms(t *testing.T) {
	f := newBacklogFixture(t)
	res := f.post(f.po, f.base()+"/items/"+f.items[2].ID+"/move", url.Values{"to": {"top"}, "back": {f.base() + "/backlog?type=chore"}})
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != f.base()+"/backlog?type=chore#item-3" {
		t.Fatalf("got %d to %q, want back to the filtered list", res.Status, res.Header.Get("Location"))
	}
	if got := f.get(f.po, f.base()+"/backlog").rowNumbers(); !slices.Equal(got, []string{"3", "1", "2"}) {
		t.Errorf("after move to top: got %v, want 3 1 2", got)
	}
	f.post(f.po, f.base()+"/items/1/move", url.Values{"after": {f.items[1].ID}})
	if got := f.get(f.po, f.base()+"/backlog").rowNumbers(); !slices.Equal(got, []string{"3", "2", "1"}) {
		t.Errorf("after move after #2: got %v, want 3 2 1", got)
	}
	f.get(f.po, f.base()+"/items/3").wantContains(t, "Priya Shah</span> moved it to the top")
	f.get(f.po, f.base()+"/items/1").wantContains(t, "Priya Shah</span> moved it just below #2 Reschedule a delivery")
	// A developer is refused, and told who orders the backlog.
	res = f.post(f.dev, f.base()+"/items/1/move", url.Values{"to": {"top"}}).wantStatus(t, http.StatusForbidden)
	res.wantContains(t, "backlog.ordering", "Priya Shah")
	// A return address elsewhere is ignored.
	res = f.post(f.po, f.base()+"/items/1/move", url.Values{"to": {"top"}, "back": {"https://evil.example/"}})
	if loc := res.Header.Get("Location"); loc != f.base()+"/backlog#item-1" {
		t.Errorf("got redirect %q, want the backlog", loc)
	}
	// Removing checks the version: the moves above made #1's stale.
	f.post(f.po, f.base()+"/items/"+f.items[0].ID+"/remove", url.Values{"version": {strconv.Itoa(f.items[0].Version)}}).
		wantStatus(t, http.StatusConflict)
	// Removing takes it out of the list; the item page still shows it.
	cur, _ := f.svc.Item(context.Background(), f.po.Actor, f.team.ID, f.items[0].ID)
	res = f.post(f.po, f.base()+"/items/"+f.items[0].ID+"/remove", url.Values{"version": {strconv.Itoa(cur.Version)}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("remove: got %d", res.Status)
	}
	if got := f.get(f.po, f.base()+"/backlog").rowNumbers(); slices.Contains(got, "1") {
		t.Errorf("after removing #1: got %v", got)
	}
	f.get(f.po, f.base()+"/items/1").wantStatus(t, http.StatusOK).wantContains(t, "Not in the backlog", `badge--removed`)
}

func regexpFind(t *testing.T, s, re string) string {
	t.Helper()
	m := regexpMust(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("nothing matches %s", re)
	}
	return m[1]
}
