package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tandemhq/tandem/internal/scrum"
)

// suggestionView is an open suggested position, worded for the list.
type suggestionView struct {
	ID     string
	ItemID string
	Number int
	Title  string
	Pos    int    // where the item is now, when this page shows it
	Who    string // who suggested it
	WhoID  string
	Note   string
	Where  string // "to the top", "before #12 Checkout…"
	Before string // the move, for the script
	After  string
	To     string
	Base   string
	CanDo  bool // the viewer holds backlog.ordering: Accept and Dismiss
	Mine   bool
	// Anchor is the row the suggestion sits next to ("" when that row is
	// not on the page); AnchorAfter puts it below that row.
	Anchor      string
	AnchorAfter bool
}

// suggestions words the team's open suggestions for the rows of l. Items
// not on the page are looked up, a bounded number of them.
func (w *Web) suggestions(r *http.Request, a scrum.Actor, ro scrum.Roster, l listView) ([]suggestionView, error) {
	ctx := r.Context()
	sgs, err := w.svc.Suggestions(ctx, a, ro.Team.ID)
	if err != nil || len(sgs) == 0 {
		return nil, err
	}
	rows := map[string]rowView{}
	for _, rv := range l.Rows {
		rows[rv.Item.ID] = rv
	}
	lookups := 0
	item := func(id string) (scrum.Item, bool) {
		if rv, ok := rows[id]; ok {
			return rv.Item, true
		}
		if lookups >= 50 {
			return scrum.Item{}, false
		}
		lookups++
		it, err := w.svc.Item(ctx, a, ro.Team.ID, id)
		if err != nil {
			return scrum.Item{}, false
		}
		rows[id] = rowView{Item: it}
		return it, true
	}
	can := ro.Holds(a.User.ID, scrum.RespBacklogOrdering)
	var out []suggestionView
	for _, sg := range sgs {
		it, ok := item(sg.ItemID)
		if !ok {
			continue
		}
		v := suggestionView{ID: sg.ID, ItemID: it.ID, Number: it.Number, Title: it.Title, Who: personName(ro, sg.CreatedBy),
			WhoID: sg.CreatedBy, Note: sg.Note, Before: sg.Move.Before, After: sg.Move.After, To: sg.Move.To,
			Base: l.Base, CanDo: can, Mine: sg.CreatedBy == a.User.ID, Pos: rows[it.ID].Pos}
		switch {
		case sg.Move.To == "top":
			v.Where = "to the top of the backlog"
			if len(l.Rows) > 0 && l.Rows[0].Pos == 1 && !l.Filter.Active() {
				v.Anchor = l.Rows[0].Item.ID
			}
		case sg.Move.To == "bottom":
			v.Where = "to the bottom of the backlog"
			if len(l.Rows) > 0 && l.Next == "" && !l.Filter.Active() {
				v.Anchor, v.AnchorAfter = l.Rows[len(l.Rows)-1].Item.ID, true
			}
		case sg.Move.Before != "":
			if ref, ok := item(sg.Move.Before); ok {
				v.Where = "just above #" + strconv.Itoa(ref.Number) + " " + ref.Title
			}
			if _, ok := rowsOnPage(l, sg.Move.Before); ok {
				v.Anchor = sg.Move.Before
			}
		default:
			if ref, ok := item(sg.Move.After); ok {
				v.Where = "just below #" + strconv.Itoa(ref.Number) + " " + ref.Title
			}
			if _, ok := rowsOnPage(l, sg.Move.After); ok {
				v.Anchor, v.AnchorAfter = sg.Move.After, true
			}
		}
		if v.Where == "" {
			v.Where = "elsewhere in the backlog"
		}
		out = append(out, v)
	}
	return out, nil
}

func rowsOnPage(l listView, id string) (rowView, bool) {
	for _, rv := range l.Rows {
		if rv.Item.ID == id {
			return rv, true
		}
	}
	return rowView{}, false
}

// suggestPosition is the item panel's "Suggest a position" form for those
// who may not reorder: to the top, the bottom, or above item #n.
func (w *Web) suggestPosition(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	it, err := w.itemRef(r, a, team, r.PathValue("item"))
	if err != nil {
		return err
	}
	f := r.PostForm
	var mv scrum.Move
	switch f.Get("where") {
	case "top", "bottom":
		mv.To = f.Get("where")
	case "before":
		n, _ := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(f.Get("before_number")), "#"))
		ref, err := w.svc.ItemByNumber(r.Context(), a, team, n)
		if err != nil {
			return w.itemFormError(rw, r, a, it.ID, scrum.Invalid("before_number", "there is no item #%s on this team", f.Get("before_number")), "suggest")
		}
		mv.Before = ref.ID
	default:
		mv.Before, mv.After = f.Get("before"), f.Get("after")
	}
	if _, err := w.svc.SuggestPosition(r.Context(), a, team, it.ID, mv, f.Get("note")); err != nil {
		if c := scrum.ErrorCode(err); c == scrum.CodeInvalid || c == scrum.CodeConflict {
			return w.itemFormError(rw, r, a, it.ID, err, "suggest")
		}
		return err
	}
	w.redirect(rw, r, backTo(f.Get("back"), team), "Suggested a position for #"+strconv.Itoa(it.Number)+"; the Product Owner will see it in the backlog.")
	return nil
}

// resolveSuggestion accepts or dismisses a suggestion.
func (w *Web) resolveSuggestion(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team, id := r.PathValue("team"), r.PathValue("id")
	back := backTo(r.PostForm.Get("back"), team)
	switch r.PathValue("action") {
	case "accept":
		_, it, err := w.svc.AcceptSuggestion(r.Context(), a, team, id)
		if err != nil {
			return err
		}
		w.redirect(rw, r, back+"#item-"+strconv.Itoa(it.Number), "Moved #"+strconv.Itoa(it.Number)+" as suggested.")
	case "dismiss":
		if _, err := w.svc.DismissSuggestion(r.Context(), a, team, id); err != nil {
			return err
		}
		w.redirect(rw, r, back, "Suggestion dismissed.")
	default:
		return scrum.NotFound("page")
	}
	return nil
}
