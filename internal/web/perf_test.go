package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/tandemhq/tandem/internal/backlogcsv"
	"github.com/tandemhq/tandem/internal/scrum"
)

// bigBacklog is a team with n items, imported in one go.
func bigBacklog(t testing.TB, n int) (*app, person, string) {
	t.Helper()
	a := newApp(t)
	po := a.signUp("Priya Shah")
	team := a.team("Orion", po)
	drafts := make([]backlogcsv.Item, n)
	est := 3.0
	for i := range drafts {
		drafts[i] = backlogcsv.Item{Row: i + 2, Key: fmt.Sprint("K", i), Title: fmt.Sprintf("Backlog item %d with a realistic length of title", i),
			Description: "As a customer I want **this** so that I get that.", Labels: []string{"web", fmt.Sprint("area-", i%9)},
			AcceptanceCriteria: []backlogcsv.Criterion{{Text: "it works"}, {Text: "it is fast", Done: i%2 == 0}}}
		if i%3 == 0 {
			drafts[i].Estimate = &est
		}
		if i%100 == 0 {
			drafts[i].Type = "epic"
		} else {
			drafts[i].ParentKey = fmt.Sprint("K", i-i%100)
		}
	}
	if _, err := a.svc.ImportItems(context.Background(), po.Actor, team.ID, drafts, false); err != nil {
		t.Fatalf("import %d items: %v", n, err)
	}
	return a, po, team.ID
}

// TestBacklogRendersInPages: whatever the backlog's size, the page renders
// the first 200 rows and the script fetches the rest 200 at a time. How
// fast that is for 10,000 items is measured by BenchmarkBacklogPage10k and
// the bench harness, not by a timed test.
func TestBacklogRendersInPages(t *testing.T) {
	a, po, team := bigBacklog(t, 450)
	res := a.get(po, "/teams/"+team+"/backlog")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	if n := len(res.rowNumbers()); n != 200 {
		t.Fatalf("rendered %d rows, want 200", n)
	}
	for _, tc := range []struct{ from, want int }{{200, 200}, {400, 50}} {
		res := a.get(po, "/teams/"+team+"/backlog/fragments/rows?from="+fmt.Sprint(tc.from+1)+"&cursor="+cursorAfter(t, a, po, team, tc.from))
		got := res.rowNumbers()
		if len(got) != tc.want {
			t.Errorf("rows after %d: got %d rows, want %d", tc.from, len(got), tc.want)
		}
	}
}

func cursorAfter(t testing.TB, a *app, po person, team string, n int) string {
	t.Helper()
	_, next, err := a.svc.Items(context.Background(), po.Actor, team, scrum.ItemFilter{Statuses: []scrum.Status{
		scrum.StatusNew, scrum.StatusRefining, scrum.StatusReady, scrum.StatusPlanned, scrum.StatusInProgress}}, scrum.Page{Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// BenchmarkBacklogPage10k is the same page as a Go benchmark:
// go test -run x -bench BacklogPage ./internal/web
func BenchmarkBacklogPage10k(b *testing.B) {
	a, po, team := bigBacklog(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		if res := a.get(po, "/teams/"+team+"/backlog"); res.Status != http.StatusOK {
			b.Fatalf("status %d", res.Status)
		}
	}
}
