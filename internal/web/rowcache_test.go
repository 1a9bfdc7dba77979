package web

import (
	"bytes"
	"io"
	"log/slog"
	"testing"

	"github.com/tandemhq/tandem/internal/scrum"
)

// TestRowCache: a backlog row from the cache is byte for byte the
// template's rendering of the same row, after every kind of change a row
// can see: an edit (new version), a move (rank, position, neighbours), a
// Definition of Ready change (ready flag and checks), a new item (total)
// and a viewer who may not order.
func TestRowCache(t *testing.T) {
	w := New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{})
	est := 3.0
	rv := rowView{Base: "/teams/t1", Pos: 2, Total: 10, CanOrder: true, Prev: "prevprevprevprev", Next: "nextnextnextnext",
		Back: "/teams/t1/backlog", Item: scrum.Item{ID: "itemitemitemitem", Number: 7, Type: scrum.TypeStory, Title: "Export <CSV>",
			Labels: []string{"web"}, Estimate: &est, Status: scrum.StatusRefining, Rank: "a0", Version: 3,
			Readiness: []scrum.ReadinessCheck{{ID: "estimated", Kind: scrum.KindEstimated, Criterion: "Estimated", Met: true}}}}
	direct := func(rv rowView) string {
		t.Helper()
		set, _ := w.pages.get("backlog")
		var b bytes.Buffer
		if err := set.ExecuteTemplate(&b, "brow", rv); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	step := func(name string, rv rowView) {
		t.Helper()
		for range 2 { // the first call may fill the cache, the second reads it
			got, err := w.row(rv)
			if err != nil {
				t.Fatal(err)
			}
			if want := direct(rv); string(got) != want {
				t.Fatalf("%s: cached row differs from the template:\n got %s\nwant %s", name, got, want)
			}
		}
	}
	step("first", rv)
	rv.Item.Title, rv.Item.Version = "Export CSV and JSON", 4
	step("edited", rv)
	rv.Item.Rank, rv.Pos, rv.Prev, rv.Next = "a00", 1, "", "prevprevprevprev"
	step("moved", rv)
	rv.Item.Ready = true
	rv.Item.Readiness = []scrum.ReadinessCheck{{ID: "estimated", Kind: scrum.KindEstimated, Criterion: "Has an estimate", Met: true}}
	step("definition of ready", rv)
	rv.Total = 11
	step("an item added", rv)
	rv.CanOrder = false
	step("a viewer who may not order", rv)
}
