package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

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
	// The Definition of Ready editor, for whoever holds readiness.
	CanEditDoR bool
	DoRForm    dorForm
}

// dorForm is the Definition of Ready editor: the criteria as rows (a
// refused form shows what was typed), and blank rows for new ones.
type dorForm struct {
	Version   int
	Rows      []scrum.ReadyCriterion
	MaxSprint string
	Error     string
}

// dorBlankRows is how many empty rows the editor offers for new criteria.
const dorBlankRows = 2

// KindTitle names a criterion kind in the editor.
func (dorForm) KindTitle(k scrum.CriterionKind) string {
	switch k {
	case scrum.KindHasAcceptanceCriteria:
		return "Computed: has acceptance criteria"
	case scrum.KindEstimated:
		return "Computed: estimated"
	case scrum.KindFitsInSprint:
		return "Computed: estimate fits in a sprint"
	}
	return "Ticked by people"
}

// Kinds lists the criterion kinds, in the editor's order.
func (dorForm) Kinds() []scrum.CriterionKind { return scrum.CriterionKinds() }

// dorRow is one row of the editor.
type dorRow struct {
	N    int // 1-based, for ids and labels
	ID   string
	Kind scrum.CriterionKind
	Text string
	New  bool
}

// Lines are the editor's rows: the criteria, then dorBlankRows blank ones.
func (f dorForm) Lines() []dorRow {
	var out []dorRow
	for i, c := range f.Rows {
		out = append(out, dorRow{N: i + 1, ID: c.ID, Kind: c.Kind, Text: c.Text})
	}
	for i := range dorBlankRows {
		out = append(out, dorRow{N: len(f.Rows) + i + 1, Kind: scrum.KindManual, New: true})
	}
	return out
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
	v.CanEditDoR = ro.Holds(a.User.ID, scrum.RespReadiness)
	v.DoRForm = dorForm{Version: d.Version, Rows: d.Criteria, MaxSprint: strconv.FormatFloat(d.MaxSprintEstimate, 'f', -1, 64)}
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

// saveDoR saves the Definition of Ready editor. A row whose text is empty
// is left out: that is how a criterion is removed, and how the blank rows
// stay unused.
func (w *Web) saveDoR(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	f := r.PostForm
	ids, kinds, texts := f["id"], f["kind"], f["text"]
	if len(ids) != len(texts) || len(kinds) != len(texts) {
		return scrum.Errorf(scrum.CodeMalformed, "the form's criteria rows are incomplete")
	}
	var in scrum.ReadyDefinitionInput
	var rows []scrum.ReadyCriterion
	for i := range texts {
		c := scrum.ReadyCriterion{ID: ids[i], Kind: scrum.CriterionKind(kinds[i]), Text: texts[i]}
		rows = append(rows, c)
		if strings.TrimSpace(c.Text) != "" {
			in.Criteria = append(in.Criteria, c)
		}
	}
	if in.Criteria == nil {
		in.Criteria = []scrum.ReadyCriterion{}
	}
	maxText := strings.TrimSpace(f.Get("max_sprint_estimate"))
	var err error
	if maxText != "" {
		m, perr := strconv.ParseFloat(maxText, 64)
		if perr != nil {
			err = scrum.Invalid("max_sprint_estimate", "the largest estimate that fits in a sprint must be a number")
		}
		in.MaxSprintEstimate = &m
	}
	version, _ := strconv.Atoi(f.Get("version"))
	expect := version
	if expect == 0 {
		// The form says 0 while the team has the defaults: a definition
		// saved since is stale. (To the service, 0 means "not given".)
		expect = scrum.Unsaved
	}
	if err == nil {
		_, err = w.svc.PutReadyDefinition(r.Context(), a, team, in, expect)
	}
	if err == nil {
		w.redirect(rw, r, "/teams/"+team+"/refinement", "Definition of Ready saved. Every item’s readiness was checked again.")
		return nil
	}
	code := scrum.ErrorCode(err)
	if code != scrum.CodeInvalid && code != scrum.CodeConflict {
		return err
	}
	ro, rerr := w.svc.Roster(r.Context(), a, team)
	if rerr != nil {
		return rerr
	}
	v, lerr := w.loadRefinement(r, a, ro)
	if lerr != nil {
		return lerr
	}
	status := http.StatusConflict
	if code == scrum.CodeInvalid {
		status = http.StatusUnprocessableEntity
		v.DoRForm.Rows, v.DoRForm.MaxSprint, v.DoRForm.Version = trimBlankRows(rows), maxText, version
		v.DoRForm.Error = err.Error()
	} else {
		v.DoRForm.Error = "Someone changed the Definition of Ready while you were editing it. It now reads as shown: make your change again."
	}
	t := ro.Team
	w.render(rw, r, status, "refinement", view{Title: "Refinement", Team: &t, Nav: "refinement", Data: v})
	return nil
}

// trimBlankRows drops empty rows, which the editor offers again anyway.
func trimBlankRows(rows []scrum.ReadyCriterion) []scrum.ReadyCriterion {
	var out []scrum.ReadyCriterion
	for _, c := range rows {
		if strings.TrimSpace(c.Text) != "" {
			out = append(out, c)
		}
	}
	return out
}
