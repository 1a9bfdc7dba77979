package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

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

// TestBacklogRender10k measures the backlog page of a team with 10,000
// items: the server renders the first 200 rows, with a constant number of
// queries whatever the backlog's size. It reports p50 and p95 and fails
// only on a gross regression (such as a query per row), since the machine
// running it may be shared.
func TestBacklogRender10k(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 items")
	}
	a, po, team := bigBacklog(t, 10000)
	var took []time.Duration
	var size int
	for i := range 25 {
		start := time.Now()
		res := a.get(po, "/teams/"+team+"/backlog")
		d := time.Since(start)
		if res.Status != http.StatusOK {
			t.Fatalf("status %d", res.Status)
		}
		if i == 0 {
			if n := len(res.rowNumbers()); n != 200 {
				t.Fatalf("rendered %d rows, want 200", n)
			}
			size = len(res.Body)
			continue // warm-up
		}
		took = append(took, d)
	}
	slices.Sort(took)
	p50, p95 := took[len(took)/2], took[len(took)*95/100]
	t.Logf("FIGURE backlog_page_10k_p50=%.1f ms p95=%.1f ms html=%d KB", ms(p50), ms(p95), size/1024)
	// The rows that follow, as the script loads them while scrolling.
	start := time.Now()
	res := a.get(po, "/teams/"+team+"/backlog/fragments/rows?from=201&cursor="+cursorAfter(t, a, po, team, 200))
	t.Logf("FIGURE backlog_rows_fragment_200=%.1f ms", ms(time.Since(start)))
	if n := len(res.rowNumbers()); n != 200 {
		t.Errorf("rows fragment: %d rows, want 200", n)
	}
	if p50 > 2*time.Second {
		t.Errorf("p50 %v: the page no longer renders in a fraction of a second", p50)
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

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

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
