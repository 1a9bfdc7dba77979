package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// goalView is the product goal banner above the backlog.
type goalView struct {
	Base    string
	Text    string
	Version int
	By      string
	At      time.Time
	Linked  int // items linked to the goal
	Done    int // of which done
	CanEdit bool
	Owners  []scrum.Person // who holds product.goal
	Error   string
	Draft   string // the refused text, shown again
}

func (w *Web) loadGoal(r *http.Request, a scrum.Actor, ro scrum.Roster) (goalView, error) {
	ctx := r.Context()
	team := ro.Team.ID
	g, err := w.svc.ProductGoal(ctx, a, team)
	if err != nil {
		return goalView{}, err
	}
	v := goalView{Base: "/teams/" + team, Text: g.Text, Version: g.Version, At: g.UpdatedAt,
		CanEdit: ro.Holds(a.User.ID, scrum.RespProductGoal), Owners: ro.Holders(scrum.RespProductGoal)}
	if g.UpdatedBy != "" {
		v.By = personName(ro, g.UpdatedBy)
	}
	linked := true
	if v.Linked, err = w.svc.CountItems(ctx, a, team, scrum.ItemFilter{GoalLinked: &linked}); err != nil {
		return v, err
	}
	if v.Linked > 0 {
		v.Done, err = w.svc.CountItems(ctx, a, team, scrum.ItemFilter{GoalLinked: &linked, Statuses: []scrum.Status{scrum.StatusDone}})
	}
	return v, err
}

// setGoal saves the goal banner's form.
func (w *Web) setGoal(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	if version == 0 {
		// The form says 0 when the goal was never set: if it has been set
		// since, that is stale. (To the service, 0 means "not given".)
		version = scrum.Unsaved
	}
	_, err := w.svc.SetProductGoal(r.Context(), a, team, r.PostForm.Get("text"), version)
	if err == nil {
		w.redirect(rw, r, "/teams/"+team+"/backlog", "Product goal saved.")
		return nil
	}
	code := scrum.ErrorCode(err)
	if code != scrum.CodeInvalid && code != scrum.CodeConflict {
		return err
	}
	v, lerr := w.loadBacklog(r, a, team)
	if lerr != nil {
		return lerr
	}
	v.Goal.Draft, v.Goal.Error = r.PostForm.Get("text"), err.Error()
	status := http.StatusUnprocessableEntity
	if code == scrum.CodeConflict {
		status = http.StatusConflict
		v.Goal.Error = "Someone changed the goal while you were editing it; it now reads as above. Your text is below: save again to replace it."
	}
	w.render(rw, r, status, "backlog", view{Title: "Backlog", Team: &v.Team, Nav: "backlog", Wide: true, Data: v})
	return nil
}
