package web

import (
	"net/http"
	"strings"

	"github.com/tandemhq/tandem/internal/scrum"
)

// bulkEdit applies the bulk bar's change to the checked rows: a status,
// a label added or removed, or an epic. All or nothing.
func (w *Web) bulkEdit(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	f := r.PostForm
	b := scrum.BulkEdit{ItemIDs: f["item"]}
	if s := f.Get("status"); s != "" {
		st := scrum.Status(s)
		b.Status = &st
	}
	if l := strings.TrimSpace(f.Get("add_label")); l != "" {
		// The label menu's "Remove from them" sends the same field.
		if f.Get("remove_label_from") == "1" {
			b.RemoveLabels = []string{l}
		} else {
			b.AddLabels = []string{l}
		}
	}
	if l := strings.TrimSpace(f.Get("remove_label")); l != "" {
		b.RemoveLabels = []string{l}
	}
	switch e := f.Get("epic"); e {
	case "":
	case "none":
		none := ""
		b.ParentID = &none
	default:
		b.ParentID = &e
	}
	its, err := w.svc.BulkEditItems(r.Context(), a, team, b)
	if err != nil {
		code := scrum.ErrorCode(err)
		if code != scrum.CodeInvalid && code != scrum.CodeForbidden && code != scrum.CodeConflict {
			return err
		}
		v, lerr := w.loadBacklog(r, a, team)
		if lerr != nil {
			return lerr
		}
		status := http.StatusUnprocessableEntity
		if code == scrum.CodeForbidden {
			status = http.StatusForbidden
		}
		w.render(rw, r, status, "backlog", view{Title: "Backlog", Team: &v.Team, Nav: "backlog", Wide: true, Data: v,
			Error: "Nothing was changed: " + err.Error()})
		return nil
	}
	w.redirect(rw, r, backTo(f.Get("back"), team), "Updated "+plural(len(its), "item", "items")+".")
	return nil
}

// bulkStatuses are the statuses the bulk bar offers; ready is earned per
// item, so it is there too and refused for items that have not earned it.
func bulkStatuses() []scrum.Status {
	return []scrum.Status{scrum.StatusNew, scrum.StatusRefining, scrum.StatusReady, scrum.StatusPlanned,
		scrum.StatusInProgress, scrum.StatusDone}
}
