package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/tandemhq/tandem/internal/scrum"
)

// refineWindows are the sizes of the top of the backlog the page looks at.
var refineWindows = []int{10, 20, 50, 100, 200}

// refinementView is the refinement page: the top of the backlog that is
// not ready, each item with what is missing and who can close each gap.
type refinementView struct {
	Base       string
	LastSeq    int64
	Window     int
	Windows    []int
	Considered int // open items in the window
	Total      int // open items in the backlog
	Entries    []refineEntry
	Gaps       []gapCount
	MaxGap     int
	DoR        []dorLine
	DoRVersion int
	DoROwners  []scrum.Person
	Legend     []gapOwner
}

type refineEntry struct {
	Item    scrum.Item
	Pos     int
	Met     int
	Missing []missingChip
}

type missingChip struct {
	Text string
	Who  gapOwner
}

type gapCount struct {
	Text  string
	Count int
	Tone  string
}

type dorLine struct {
	Text string
	Kind scrum.CriterionKind
	Who  gapOwner
}

// Next returns the next larger window, or 0 at the largest.
func (v refinementView) Next() int {
	i := slices.Index(v.Windows, v.Window)
	if i < 0 || i+1 >= len(v.Windows) {
		return 0
	}
	return v.Windows[i+1]
}

func (w *Web) loadRefinement(r *http.Request, a scrum.Actor, ro scrum.Roster) (refinementView, error) {
	ctx := r.Context()
	team := ro.Team.ID
	v := refinementView{Base: "/teams/" + team, Windows: refineWindows, Window: 20}
	if n, err := strconv.Atoi(r.URL.Query().Get("top")); err == nil && slices.Contains(refineWindows, n) {
		v.Window = n
	}
	var err error
	if v.LastSeq, err = w.svc.LastEventSeq(ctx, a, team); err != nil {
		return v, err
	}
	open := scrum.ItemFilter{Statuses: openStatuses}
	its, _, err := w.svc.Items(ctx, a, team, open, scrum.Page{Limit: v.Window})
	if err != nil {
		return v, err
	}
	if v.Total, err = w.svc.CountItems(ctx, a, team, open); err != nil {
		return v, err
	}
	d, err := w.svc.ReadyDefinition(ctx, a, team)
	if err != nil {
		return v, err
	}
	v.DoRVersion, v.DoROwners = d.Version, ro.Holders(scrum.RespReadiness)
	owners := map[scrum.CriterionKind]gapOwner{}
	for _, k := range scrum.CriterionKinds() {
		owners[k] = gapOwnerOf(ro, k)
	}
	counts := map[string]int{}
	for _, c := range d.Criteria {
		v.DoR = append(v.DoR, dorLine{Text: c.Text, Kind: c.Kind, Who: owners[c.Kind]})
	}
	seen := map[string]bool{}
	for _, c := range d.Criteria {
		g := owners[c.Kind]
		if !seen[g.Key] {
			seen[g.Key] = true
			v.Legend = append(v.Legend, g)
		}
	}
	v.Considered = len(its)
	for i, it := range its {
		if it.Ready {
			continue
		}
		e := refineEntry{Item: it, Pos: i + 1, Met: metCount(it.Readiness)}
		for _, c := range it.Readiness {
			if !c.Met {
				e.Missing = append(e.Missing, missingChip{Text: c.Criterion, Who: owners[c.Kind]})
				counts[c.Criterion]++
			}
		}
		v.Entries = append(v.Entries, e)
	}
	for _, c := range d.Criteria {
		if n := counts[c.Text]; n > 0 {
			v.Gaps = append(v.Gaps, gapCount{Text: c.Text, Count: n, Tone: owners[c.Kind].Tone})
			v.MaxGap = max(v.MaxGap, n)
		}
	}
	slices.SortStableFunc(v.Gaps, func(a, b gapCount) int { return b.Count - a.Count })
	return v, nil
}

func (w *Web) refinementPage(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	ro, err := w.svc.Roster(r.Context(), a, r.PathValue("team"))
	if err != nil {
		return err
	}
	v, err := w.loadRefinement(r, a, ro)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("fragment") == "main" {
		w.fragment(rw, r, "refinement", "refine-main", v)
		return nil
	}
	t := ro.Team
	w.render(rw, r, http.StatusOK, "refinement", view{Title: "Refinement", Team: &t, Nav: "refinement", Data: v})
	return nil
}
