package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/tandemhq/tandem/internal/scrum"
)

// backlogPageSize is how many rows the server renders at once; the page
// asks for the next rows as the reader scrolls near the end.
const backlogPageSize = 200

// registerBacklog adds the backlog, item and refinement pages.
func (w *Web) registerBacklog(mux Mux) {
	mux.HandleFunc("GET /teams/{team}/backlog", w.page(w.backlogPage))
	mux.HandleFunc("GET /teams/{team}/backlog/fragments/{name}", w.page(w.backlogFragment))
	mux.HandleFunc("POST /teams/{team}/backlog/items", w.page(w.createItem))
	mux.HandleFunc("GET /teams/{team}/items/{item}", w.page(w.itemPage))
	mux.HandleFunc("GET /teams/{team}/items/{item}/panel", w.page(w.itemPanel))
	mux.HandleFunc("POST /teams/{team}/items/{item}", w.page(w.updateItem))
	mux.HandleFunc("POST /teams/{team}/items/{item}/move", w.page(w.moveItem))
	mux.HandleFunc("POST /teams/{team}/items/{item}/remove", w.page(w.removeItem))
	mux.HandleFunc("POST /teams/{team}/items/{item}/readiness/{criterion}", w.page(w.tickReadiness))
	mux.HandleFunc("POST /teams/{team}/items/{item}/comments", w.page(w.addComment))
	mux.HandleFunc("POST /teams/{team}/items/{item}/suggest", w.page(w.suggestPosition))
	mux.HandleFunc("POST /teams/{team}/suggestions/{id}/{action}", w.page(w.resolveSuggestion))
	mux.HandleFunc("POST /teams/{team}/backlog/goal", w.page(w.setGoal))
	mux.HandleFunc("POST /teams/{team}/backlog/bulk", w.page(w.bulkEdit))
	mux.HandleFunc("GET /teams/{team}/refinement", w.page(w.refinementPage))
	mux.HandleFunc("POST /teams/{team}/refinement/definition", w.page(w.saveDoR))
	mux.HandleFunc("GET /teams/{team}/backlog/import", w.page(w.importPage))
	mux.HandleFunc("POST /teams/{team}/backlog/import", w.page(w.importFile))
}

// backlogFilter is what the filter bar asks for, as it appears in the URL.
type backlogFilter struct {
	Q      string
	Type   string // "" for every type
	Status string // "" for open items (not done), "all", or one status
	Label  string
	Epic   string // a parent item's id
	Ready  string // "" for any, "true" or "false"
	Goal   string // "" for any, "true" for items linked to the product goal
}

// openStatuses are the statuses of the default view: work not yet done.
var openStatuses = []scrum.Status{scrum.StatusNew, scrum.StatusRefining, scrum.StatusReady, scrum.StatusPlanned, scrum.StatusInProgress}

func parseBacklogFilter(q url.Values) backlogFilter {
	f := backlogFilter{Q: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Status: q.Get("status"),
		Label: strings.ToLower(strings.TrimSpace(q.Get("label"))), Epic: q.Get("epic"), Ready: q.Get("ready"), Goal: q.Get("goal")}
	if f.Ready != "true" && f.Ready != "false" {
		f.Ready = ""
	}
	if f.Goal != "true" {
		f.Goal = ""
	}
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	if !scrum.ItemType(f.Type).Valid() {
		f.Type = ""
	}
	if f.Status != "all" && !scrum.Status(f.Status).Valid() {
		f.Status = ""
	}
	if !scrum.ValidID(f.Epic) {
		f.Epic = ""
	}
	return f
}

// Domain is the filter as the service takes it.
func (f backlogFilter) Domain() scrum.ItemFilter {
	var d scrum.ItemFilter
	if f.Type != "" {
		d.Types = []scrum.ItemType{scrum.ItemType(f.Type)}
	}
	switch f.Status {
	case "":
		d.Statuses = openStatuses
	case "all":
	default:
		d.Statuses = []scrum.Status{scrum.Status(f.Status)}
	}
	d.Label, d.ParentID, d.Query = f.Label, f.Epic, f.Q
	if f.Ready != "" {
		ready := f.Ready == "true"
		d.Ready = &ready
	}
	if f.Goal == "true" {
		linked := true
		d.GoalLinked = &linked
	}
	return d
}

// Active reports whether the view is narrower than the default one.
func (f backlogFilter) Active() bool {
	return f.Q != "" || f.Type != "" || (f.Status != "" && f.Status != "all") || f.Label != "" || f.Epic != "" ||
		f.Ready != "" || f.Goal != ""
}

// Toggle returns the filter's query string with key set to value, or
// cleared when it already has that value: the chips' links.
func (f backlogFilter) Toggle(key, value string) string {
	v := f.Values()
	if v.Get(key) == value {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	if e := v.Encode(); e != "" {
		return "?" + e
	}
	return ""
}

// Values encodes the filter for links, leaving defaults out.
func (f backlogFilter) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "type": f.Type, "status": f.Status, "label": f.Label, "epic": f.Epic,
		"ready": f.Ready, "goal": f.Goal} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Query is the filter as a query string with a leading "?", or "".
func (f backlogFilter) Query() string {
	if e := f.Values().Encode(); e != "" {
		return "?" + e
	}
	return ""
}

// matches reports whether it belongs in the filtered list, as the store
// would decide: the live script asks for single rows and needs the same
// answer without a list query.
func (f backlogFilter) matches(it scrum.Item) bool {
	d := f.Domain()
	if len(d.Types) > 0 && !slices.Contains(d.Types, it.Type) {
		return false
	}
	if len(d.Statuses) > 0 && !slices.Contains(d.Statuses, it.Status) {
		return false
	}
	if len(d.Statuses) == 0 && it.Status == scrum.StatusRemoved {
		return false
	}
	if d.Label != "" && !slices.Contains(it.Labels, d.Label) {
		return false
	}
	if d.ParentID != "" && it.ParentID != d.ParentID {
		return false
	}
	if d.Ready != nil && it.Ready != *d.Ready {
		return false
	}
	if d.GoalLinked != nil && it.GoalLinked != *d.GoalLinked {
		return false
	}
	return matchesSearch(it, d.Query)
}

// matchesSearch answers as the store's full-text search does: every word
// of the query starts some word of the title, description or criteria.
func matchesSearch(it scrum.Item, q string) bool {
	terms := words(q)
	if len(terms) == 0 {
		return strings.TrimSpace(q) == ""
	}
	text := []string{it.Title, it.Description}
	for _, c := range it.AcceptanceCriteria {
		text = append(text, c.Text)
	}
	have := words(strings.Join(text, " "))
	for _, t := range terms {
		if !slices.ContainsFunc(have, func(w string) bool { return strings.HasPrefix(w, t) }) {
			return false
		}
	}
	return true
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// backlogView is the backlog page's data.
type backlogView struct {
	Team     scrum.Team
	Roster   scrum.Roster
	LastSeq  int64
	CanOrder bool
	Orderers []scrum.Person
	Filter   backlogFilter
	List     listView
	Labels   []string
	Epics    []scrum.Item
	Open     *itemView         // the item shown in the side panel
	Members  map[string]string // user id → name, for live notices
	Goal     goalView
	CanBulk  bool
}

// listView is the ordered list with its head and foot: the fragment that
// filtering replaces.
type listView struct {
	Base     string // /teams/{id}
	Rows     []rowView
	Next     string // cursor of the next rows, "" at the end
	Total    int    // items matching the filter
	All      int    // items in the backlog, not counting done and removed ones
	Ready    int    // items matching the filter that are ready
	Filter   backlogFilter
	CanOrder bool
	// Suggestions are the open suggested positions; the template puts each
	// next to the row it refers to, or at the top when that row is not on
	// this page.
	Suggestions []suggestionView
}

// SuggestionsBefore returns the suggestions to show right above row id.
func (l listView) SuggestionsBefore(id string) []suggestionView {
	var out []suggestionView
	for _, s := range l.Suggestions {
		if s.Anchor == id && !s.AnchorAfter {
			out = append(out, s)
		}
	}
	return out
}

// SuggestionsAfter returns the suggestions to show right below row id.
func (l listView) SuggestionsAfter(id string) []suggestionView {
	var out []suggestionView
	for _, s := range l.Suggestions {
		if s.Anchor == id && s.AnchorAfter {
			out = append(out, s)
		}
	}
	return out
}

// SuggestionsElsewhere returns the suggestions about rows this page does
// not show.
func (l listView) SuggestionsElsewhere() []suggestionView {
	var out []suggestionView
	for _, s := range l.Suggestions {
		if s.Anchor == "" {
			out = append(out, s)
		}
	}
	return out
}

// rowView is one row of the backlog.
type rowView struct {
	Item     scrum.Item
	Pos      int
	Total    int
	Base     string
	CanOrder bool
	Prev     string // the ids of the rows around it, for the no-script
	Next     string // move buttons
	Back     string // where the row's forms return to
}

// FirstPos is the position of the list's first row.
func (l listView) FirstPos() int {
	if len(l.Rows) == 0 {
		return 0
	}
	return l.Rows[0].Pos
}

// LastPos is the position of the list's last row.
func (l listView) LastPos() int {
	if len(l.Rows) == 0 {
		return 0
	}
	return l.Rows[len(l.Rows)-1].Pos
}

// EndRank is the rank of the last row loaded: live changes past it belong
// to rows the page has not loaded yet.
func (l listView) EndRank() string {
	if len(l.Rows) == 0 {
		return ""
	}
	return l.Rows[len(l.Rows)-1].Item.Rank
}

// MoreURL is where the next rows come from: the page itself without
// script, with the cursor and the position to count from.
func (l listView) MoreURL(fragment bool) string {
	v := l.Filter.Values()
	v.Set("cursor", l.Next)
	v.Set("from", strconv.Itoa(l.LastPos()+1))
	if fragment {
		return l.Base + "/backlog/fragments/rows?" + v.Encode()
	}
	return l.Base + "/backlog?" + v.Encode()
}

// loadList reads one page of rows starting at cursor, numbered from first.
func (w *Web) loadList(r *http.Request, a scrum.Actor, ro scrum.Roster, f backlogFilter, cursor string, first int) (listView, error) {
	ctx := r.Context()
	team := ro.Team.ID
	l := listView{Base: "/teams/" + team, Filter: f, CanOrder: ro.Holds(a.User.ID, scrum.RespBacklogOrdering)}
	its, next, err := w.svc.Items(ctx, a, team, f.Domain(), scrum.Page{Cursor: cursor, Limit: backlogPageSize})
	if err != nil {
		if scrum.IsCode(err, scrum.CodeInvalid) && cursor != "" {
			return l, scrum.Invalid("cursor", "that page of the backlog no longer exists; start from the top")
		}
		return l, err
	}
	if l.Total, err = w.svc.CountItems(ctx, a, team, f.Domain()); err != nil {
		return l, err
	}
	l.All = l.Total
	if f.Active() {
		if l.All, err = w.svc.CountItems(ctx, a, team, scrum.ItemFilter{Statuses: openStatuses}); err != nil {
			return l, err
		}
	}
	switch f.Ready {
	case "true":
		l.Ready = l.Total
	case "false":
	default:
		rf := f.Domain()
		ready := true
		rf.Ready = &ready
		if l.Ready, err = w.svc.CountItems(ctx, a, team, rf); err != nil {
			return l, err
		}
	}
	l.Next = next
	if first < 1 {
		first = 1
	}
	back := l.Base + "/backlog" + f.Query()
	for i, it := range its {
		rv := rowView{Item: it, Pos: first + i, Total: l.Total, Base: l.Base, CanOrder: l.CanOrder, Back: back}
		if i > 0 {
			rv.Prev = its[i-1].ID
		}
		if i+1 < len(its) {
			rv.Next = its[i+1].ID
		}
		l.Rows = append(l.Rows, rv)
	}
	return l, nil
}

// loadBacklog reads everything the backlog page shows.
func (w *Web) loadBacklog(r *http.Request, a scrum.Actor, teamID string) (backlogView, error) {
	ctx := r.Context()
	ro, err := w.svc.Roster(ctx, a, teamID)
	if err != nil {
		return backlogView{}, err
	}
	seq, err := w.svc.LastEventSeq(ctx, a, teamID)
	if err != nil {
		return backlogView{}, err
	}
	q := r.URL.Query()
	v := backlogView{Team: ro.Team, Roster: ro, LastSeq: seq, Filter: parseBacklogFilter(q),
		CanOrder: ro.Holds(a.User.ID, scrum.RespBacklogOrdering), Orderers: ro.Holders(scrum.RespBacklogOrdering),
		Members: memberNames(ro)}
	first, _ := strconv.Atoi(q.Get("from"))
	if v.List, err = w.loadList(r, a, ro, v.Filter, q.Get("cursor"), first); err != nil {
		return v, err
	}
	if v.List.Suggestions, err = w.suggestions(r, a, ro, v.List); err != nil {
		return v, err
	}
	if v.Goal, err = w.loadGoal(r, a, ro); err != nil {
		return v, err
	}
	if v.Labels, err = w.svc.ItemLabels(ctx, a, teamID); err != nil {
		return v, err
	}
	if v.Epics, err = w.epics(r, a, teamID); err != nil {
		return v, err
	}
	if id := q.Get("item"); id != "" {
		iv, err := w.loadItem(r, a, ro, id)
		if err != nil && !scrum.IsCode(err, scrum.CodeNotFound) {
			return v, err
		}
		if err == nil {
			v.Open = &iv
		}
	}
	return v, nil
}

// epics lists the team's epics, for the epic filter and the parent field.
func (w *Web) epics(r *http.Request, a scrum.Actor, teamID string) ([]scrum.Item, error) {
	its, _, err := w.svc.Items(r.Context(), a, teamID, scrum.ItemFilter{Types: []scrum.ItemType{scrum.TypeEpic}}, scrum.Page{Limit: 200})
	return its, err
}

func (w *Web) backlogPage(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	v, err := w.loadBacklog(r, a, r.PathValue("team"))
	if err != nil {
		return err
	}
	w.render(rw, r, http.StatusOK, "backlog", view{Title: "Backlog", Team: &v.Team, Nav: "backlog", Wide: true, Data: v, Form: url.Values{}})
	return nil
}

// backlogFragment serves the parts of the backlog page that the page's
// script swaps in: the whole list (after filtering), the next rows, and
// single rows (after a live event).
func (w *Web) backlogFragment(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	ctx := r.Context()
	team := r.PathValue("team")
	q := r.URL.Query()
	f := parseBacklogFilter(q)
	ro, err := w.svc.Roster(ctx, a, team)
	if err != nil {
		return err
	}
	switch r.PathValue("name") {
	case "list", "rows", "suggestions":
		first, _ := strconv.Atoi(q.Get("from"))
		l, err := w.loadList(r, a, ro, f, q.Get("cursor"), first)
		if err != nil {
			return err
		}
		if l.Suggestions, err = w.suggestions(r, a, ro, l); err != nil {
			return err
		}
		name := map[string]string{"list": "backlog-list", "rows": "backlog-rows", "suggestions": "backlog-suggestions"}[r.PathValue("name")]
		w.fragment(rw, r, "backlog", name, l)
		return nil
	case "goal":
		g, err := w.loadGoal(r, a, ro)
		if err != nil {
			return err
		}
		w.fragment(rw, r, "backlog", "backlog-goal", g)
		return nil
	case "row":
		it, err := w.svc.Item(ctx, a, team, q.Get("id"))
		if err != nil {
			return err
		}
		if !f.matches(it) {
			rw.WriteHeader(http.StatusNoContent)
			return nil
		}
		base := "/teams/" + team
		w.fragment(rw, r, "backlog", "brow", rowView{Item: it, Base: base, Back: base + "/backlog" + f.Query(),
			CanOrder: ro.Holds(a.User.ID, scrum.RespBacklogOrdering)})
		return nil
	}
	return scrum.NotFound("fragment")
}

// createItem is the quick-add form under the list.
func (w *Web) createItem(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	in := scrum.ItemInput{Type: scrum.ItemType(r.PostForm.Get("type")), Title: r.PostForm.Get("title")}
	it, err := w.svc.CreateItem(r.Context(), a, team, in)
	if err != nil {
		if fs := fields(err); fs != nil {
			v, lerr := w.loadBacklog(r, a, team)
			if lerr != nil {
				return lerr
			}
			w.render(rw, r, http.StatusUnprocessableEntity, "backlog", view{Title: "Backlog", Team: &v.Team, Nav: "backlog", Wide: true,
				Data: v, Fields: fs, Form: r.PostForm, Error: "The item could not be added."})
			return nil
		}
		return err
	}
	w.redirect(rw, r, "/teams/"+team+"/backlog#item-"+strconv.Itoa(it.Number), "Added #"+strconv.Itoa(it.Number)+" at the bottom of the backlog.")
	return nil
}

// moveItem is the no-script way to reorder: the row menu's buttons.
func (w *Web) moveItem(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	it, err := w.itemRef(r, a, team, r.PathValue("item"))
	if err != nil {
		return err
	}
	f := r.PostForm
	if _, err := w.svc.MoveItem(r.Context(), a, team, it.ID, scrum.Move{Before: f.Get("before"), After: f.Get("after"), To: f.Get("to")}, 0); err != nil {
		return err
	}
	w.redirect(rw, r, backTo(f.Get("back"), team)+"#item-"+strconv.Itoa(it.Number), "Moved #"+strconv.Itoa(it.Number)+".")
	return nil
}

// removeItem takes an item out of the backlog; it can be restored.
func (w *Web) removeItem(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	it, err := w.itemRef(r, a, team, r.PathValue("item"))
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	if _, err := w.svc.RemoveItem(r.Context(), a, team, it.ID, version); err != nil {
		return err
	}
	w.redirect(rw, r, backTo(r.PostForm.Get("back"), team), "Removed #"+strconv.Itoa(it.Number)+" from the backlog.")
	return nil
}

// backTo accepts only a path under the team as a form's return address.
func backTo(back, team string) string {
	prefix := "/teams/" + team + "/"
	if strings.HasPrefix(back, prefix) && !strings.ContainsAny(back, "\\\r\n") {
		return strings.SplitN(back, "#", 2)[0]
	}
	return prefix + "backlog"
}

func memberNames(ro scrum.Roster) map[string]string {
	out := make(map[string]string, len(ro.Members))
	for _, m := range ro.Members {
		out[m.UserID] = m.Name
	}
	return out
}
