package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandemhq/tandem/internal/markdown"
	"github.com/tandemhq/tandem/internal/scrum"
)

// itemView is an item with everything its panel and page show.
type itemView struct {
	Item     scrum.Item
	Base     string // /teams/{id}
	Pos      int    // in the backlog; 0 when removed
	Total    int
	Epic     *scrum.Item
	Epics    []scrum.Item // candidates for the parent field
	History  []historyEntry
	CanOrder bool
	Author   string
	// Form holds what the edit form shows: the stored item, or what the
	// user sent when it was refused.
	Form   itemForm
	Stale  []staleField // fields someone else changed, after a 409
	Fields map[string]string
	Error  string
	Open   bool   // the edit form starts expanded
	Page   bool   // shown as its own page rather than a side panel
	Link   string // the item page's full address, for "Copy link"
	// LastSeq and Members let the item page follow live changes.
	LastSeq int64
	Members map[string]string

	Readiness    []readinessLine
	CanSuggest   bool // the viewer may not reorder, so suggests
	Comments     []commentView
	Mentionable  []mentionOption // the composer's @ suggestions
	MoreComments bool
	// Section errors: a refused comment, suggestion or tick comes back with
	// its message and what was typed.
	SectionError map[string]string
	Draft        map[string]string
	GoalText     string
}

// readinessLine is one Definition of Ready criterion for the item.
type readinessLine struct {
	scrum.ReadinessCheck
	Who    gapOwner
	Manual bool
}

// commentView is a comment ready to show.
type commentView struct {
	Author   string
	AuthorID string
	At       time.Time
	HTML     template.HTML
}

// historyEntry is one event in an item's timeline.
type historyEntry struct {
	Who     string
	At      time.Time
	Icon    string
	Verb    string
	Changes []changeLine
}

// staleField shows what another person changed while the user edited.
type staleField struct {
	Label  string
	Theirs string
	Yours  string
}

// itemForm is the edit form's values, as strings.
type itemForm struct {
	Version     int
	Type        string
	Title       string
	Status      string
	Value       string
	Estimate    string
	Labels      string
	Parent      string
	Description string
	Criteria    []scrum.Criterion
	GoalLinked  bool
}

func formOf(it scrum.Item) itemForm {
	f := itemForm{Version: it.Version, Type: string(it.Type), Title: it.Title, Status: string(it.Status),
		Estimate: formatEstimate(it.Estimate), Labels: strings.Join(it.Labels, ", "), Parent: it.ParentID,
		Description: it.Description, Criteria: it.AcceptanceCriteria, GoalLinked: it.GoalLinked}
	if it.Value != nil {
		f.Value = strconv.Itoa(*it.Value)
	}
	return f
}

// BlankCriteria is how many empty criterion rows the form offers.
func (f itemForm) BlankCriteria() []int { return []int{len(f.Criteria), len(f.Criteria) + 1} }

// itemRef finds an item by number (#12 as "12") or by id.
func (w *Web) itemRef(r *http.Request, a scrum.Actor, team, ref string) (scrum.Item, error) {
	if n, err := strconv.Atoi(ref); err == nil {
		return w.svc.ItemByNumber(r.Context(), a, team, n)
	}
	return w.svc.Item(r.Context(), a, team, ref)
}

// loadItem reads an item with its position, epic and history. The number
// of queries does not grow with the history's length beyond one lookup per
// distinct epic named in it, capped.
func (w *Web) loadItem(r *http.Request, a scrum.Actor, ro scrum.Roster, ref string) (itemView, error) {
	ctx := r.Context()
	team := ro.Team.ID
	it, err := w.itemRef(r, a, team, ref)
	if err != nil {
		return itemView{}, err
	}
	v := itemView{Item: it, Base: "/teams/" + team, Form: formOf(it), CanOrder: ro.Holds(a.User.ID, scrum.RespBacklogOrdering),
		Link: strings.TrimSuffix(w.cfg.BaseURL, "/") + "/teams/" + team + "/items/" + strconv.Itoa(it.Number)}
	if v.Pos, v.Total, err = w.svc.ItemPosition(ctx, a, team, it.ID); err != nil {
		return v, err
	}
	if v.Epics, err = w.epics(r, a, team); err != nil {
		return v, err
	}
	itemTitle := map[string]string{}
	for i, e := range v.Epics {
		itemTitle[e.ID] = "#" + strconv.Itoa(e.Number) + " " + e.Title
		if e.ID == it.ParentID {
			v.Epic = &v.Epics[i]
		}
	}
	lookups := 0
	itemName := func(id string) string {
		if id == "" {
			return ""
		}
		if t, ok := itemTitle[id]; ok {
			return t
		}
		itemTitle[id] = "another item"
		if lookups < 20 {
			lookups++
			if p, err := w.svc.Item(ctx, a, team, id); err == nil {
				itemTitle[id] = "#" + strconv.Itoa(p.Number) + " " + p.Title
			}
		}
		return itemTitle[id]
	}
	if it.ParentID != "" && v.Epic == nil {
		if p, err := w.svc.Item(ctx, a, team, it.ParentID); err == nil {
			v.Epic = &p
		}
	}
	v.Author = personName(ro, it.CreatedBy)
	v.CanSuggest = !v.CanOrder
	for _, c := range it.Readiness {
		v.Readiness = append(v.Readiness, readinessLine{ReadinessCheck: c, Who: gapOwnerOf(ro, c.Kind), Manual: c.Kind == scrum.KindManual})
	}
	if it.GoalLinked {
		g, err := w.svc.ProductGoal(ctx, a, team)
		if err != nil {
			return v, err
		}
		v.GoalText = g.Text
	}
	cs, next, _, err := w.svc.Comments(ctx, a, team, it.ID, scrum.Page{Limit: 200})
	if err != nil {
		return v, err
	}
	v.Mentionable = mentionOptions(ro)
	md := markdown.New(markdown.WithMentionFilter(scrum.MentionFilter(ro)))
	for _, c := range cs {
		who := c.AuthorName
		if c.ImportedAuthor != "" {
			who = c.ImportedAuthor + " (imported)"
		}
		v.Comments = append(v.Comments, commentView{Author: who, AuthorID: c.AuthorID, At: c.CreatedAt, HTML: md.HTML(c.Body)})
	}
	v.MoreComments = next != ""
	es, _, err := w.svc.ItemHistory(ctx, a, team, it.ID, scrum.Page{Limit: 200})
	if err != nil {
		return v, err
	}
	d, err := w.svc.ReadyDefinition(ctx, a, team)
	if err != nil {
		return v, err
	}
	names := map[string]string{}
	for _, c := range d.Criteria {
		names[c.ID] = c.Text
	}
	for _, e := range es {
		v.History = append(v.History, historyOf(ro, e, itemName, names))
	}
	// Newest first: the timeline reads from what just happened.
	for i, j := 0, len(v.History)-1; i < j; i, j = i+1, j-1 {
		v.History[i], v.History[j] = v.History[j], v.History[i]
	}
	return v, nil
}

func personName(ro scrum.Roster, id string) string {
	if m, ok := ro.Member(id); ok {
		return m.Name
	}
	return "A former member"
}

func historyOf(ro scrum.Roster, e scrum.Event, itemName func(string) string, criteria map[string]string) historyEntry {
	h := historyEntry{Who: personName(ro, e.ActorID), At: e.At, Icon: "i-edit"}
	switch e.Type {
	case scrum.EventItemCreated:
		h.Icon, h.Verb = "i-plus", "created the item"
	case scrum.EventItemMoved:
		h.Icon, h.Verb = "i-selector", "moved it in the backlog"
		var m scrum.ItemMoved
		if json.Unmarshal(e.Data, &m) == nil {
			switch {
			case m.To == "top":
				h.Icon, h.Verb = "i-arrow-top", "moved it to the top"
			case m.To == "bottom":
				h.Icon, h.Verb = "i-arrow-bottom", "moved it to the bottom"
			case m.Before != "":
				h.Verb = "moved it just above " + itemName(m.Before)
			case m.After != "":
				h.Verb = "moved it just below " + itemName(m.After)
			}
		}
	case scrum.EventCommentAdded:
		h.Icon, h.Verb = "i-comment", "commented"
	case scrum.EventSuggestionAdded:
		h.Icon, h.Verb = "i-flag", "suggested a new position for it"
	case scrum.EventSuggestionAccepted:
		h.Icon, h.Verb = "i-check", "accepted a suggested position"
	case scrum.EventSuggestionDismissed:
		h.Icon, h.Verb = "i-x", "dismissed a suggested position"
	case scrum.EventItemUpdated:
		var c scrum.ItemChanged
		_ = json.Unmarshal(e.Data, &c)
		for _, ch := range c.Changes {
			h.Changes = append(h.Changes, describeChange(ch, itemName, criteria))
		}
		if len(h.Changes) == 1 {
			h.Icon, h.Verb = h.Changes[0].Icon, h.Changes[0].Verb
		} else {
			h.Verb = "changed " + strconv.Itoa(len(h.Changes)) + " fields"
		}
	case scrum.EventVoteCast:
		var v scrum.VoteCast
		_ = json.Unmarshal(e.Data, &v)
		h.Icon, h.Verb = "i-cards", "voted in round "+strconv.Itoa(v.Round)
		if v.Changed {
			h.Verb = "changed their vote in round " + strconv.Itoa(v.Round)
		}
	case scrum.EventVotesRevealed:
		var rp scrum.RevealPayload
		_ = json.Unmarshal(e.Data, &rp)
		h.Icon, h.Verb = "i-eye", "revealed round "+strconv.Itoa(rp.Round)+revealSummary(ro, rp)
	case scrum.EventRoundStarted:
		var rp scrum.RoundPayload
		_ = json.Unmarshal(e.Data, &rp)
		h.Icon, h.Verb = "i-refresh", "started round "+strconv.Itoa(rp.Round)+" of estimation"
	case scrum.EventEstimateAgreed:
		var ap scrum.AgreedPayload
		_ = json.Unmarshal(e.Data, &ap)
		rounds := "1 round"
		if ap.Rounds != 1 {
			rounds = strconv.Itoa(ap.Rounds) + " rounds"
		}
		h.Icon, h.Verb = "i-poker", "recorded the team's estimate "+ap.Card+" after "+rounds
	case scrum.EventItemSkipped:
		h.Icon, h.Verb = "i-skip", "skipped it in an estimation session"
	default:
		h.Verb = strings.ReplaceAll(e.Type, ".", " ")
	}
	return h
}

// revealSummary reads a revealed round as ": Lena 3, Sam 5 (median 4)".
func revealSummary(ro scrum.Roster, rp scrum.RevealPayload) string {
	if len(rp.Votes) == 0 {
		return " with no votes"
	}
	parts := make([]string, len(rp.Votes))
	for i, v := range rp.Votes {
		parts[i] = personName(ro, v.UserID) + " " + v.Card
	}
	out := ": " + strings.Join(parts, ", ")
	if rp.Stats.Consensus {
		return out + " (consensus)"
	}
	if rp.Stats.Median != nil {
		out += " (median " + strconv.FormatFloat(*rp.Stats.Median, 'f', -1, 64) + ")"
	}
	return out
}

func (w *Web) itemPage(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	team := r.PathValue("team")
	ro, err := w.svc.Roster(r.Context(), a, team)
	if err != nil {
		return err
	}
	v, err := w.loadItem(r, a, ro, r.PathValue("item"))
	if err != nil {
		return err
	}
	if v.LastSeq, err = w.svc.LastEventSeq(r.Context(), a, team); err != nil {
		return err
	}
	v.Page, v.Members = true, memberNames(ro)
	t := ro.Team
	w.render(rw, r, http.StatusOK, "item", view{Title: "#" + strconv.Itoa(v.Item.Number) + " " + v.Item.Title, Team: &t,
		Nav: "backlog", Data: v, Form: url.Values{}})
	return nil
}

// itemPanel is the item's side panel on the backlog page.
func (w *Web) itemPanel(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	ro, err := w.svc.Roster(r.Context(), a, r.PathValue("team"))
	if err != nil {
		return err
	}
	v, err := w.loadItem(r, a, ro, r.PathValue("item"))
	if err != nil {
		return err
	}
	v.Page = r.URL.Query().Get("page") == "1"
	w.fragment(rw, r, "backlog", "item-panel", v)
	return nil
}

// readItemForm turns the edit form into a patch of every field it holds,
// and the form values to show again if the patch is refused.
func readItemForm(f url.Values) (scrum.ItemPatch, itemForm, error) {
	var p scrum.ItemPatch
	var v scrum.Validation
	form := itemForm{Type: f.Get("type"), Title: f.Get("title"), Status: f.Get("status"), Value: strings.TrimSpace(f.Get("value")),
		Estimate: strings.TrimSpace(f.Get("estimate")), Labels: f.Get("labels"), Parent: f.Get("parent_id"),
		Description: f.Get("description")}
	form.Version, _ = strconv.Atoi(f.Get("version"))
	form.GoalLinked = f.Get("goal_linked") == "on"
	p.GoalLinked = &form.GoalLinked
	typ, st := scrum.ItemType(form.Type), scrum.Status(form.Status)
	p.Type, p.Title, p.Status, p.Description, p.ParentID = &typ, &form.Title, &st, &form.Description, &form.Parent
	if form.Value == "" {
		p.ClearValue = true
	} else if n, err := strconv.Atoi(form.Value); err != nil {
		v.Add("value", "value must be a whole number")
	} else {
		p.Value = &n
	}
	if form.Estimate == "" {
		p.ClearEstimate = true
	} else if e, err := strconv.ParseFloat(strings.Replace(form.Estimate, "½", "0.5", 1), 64); err != nil {
		v.Add("estimate", "estimate must be a number, such as 3 or 0.5")
	} else {
		p.Estimate = &e
	}
	var labels []string
	for _, l := range strings.Split(form.Labels, ",") {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, l)
		}
	}
	p.Labels = &labels
	done := map[string]bool{}
	for _, d := range f["ac_done"] {
		done[d] = true
	}
	crit := []scrum.Criterion{}
	for i, text := range f["ac"] {
		if strings.TrimSpace(text) == "" {
			continue
		}
		crit = append(crit, scrum.Criterion{Text: text, Done: done[strconv.Itoa(i)]})
	}
	form.Criteria = crit
	p.AcceptanceCriteria = &crit
	return p, form, v.Err()
}

// updateItem saves the edit form. A stale version changes nothing: the
// form comes back with the user's values, what the other person changed,
// and the current version, so sending it again applies the user's change
// on top.
func (w *Web) updateItem(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	ro, err := w.svc.Roster(r.Context(), a, team)
	if err != nil {
		return err
	}
	cur, err := w.itemRef(r, a, team, r.PathValue("item"))
	if err != nil {
		return err
	}
	p, form, err := readItemForm(r.PostForm)
	if err == nil {
		if form.Version == 0 {
			err = scrum.Invalid("version", "the form has no version; reload the item and try again")
		} else {
			_, err = w.svc.UpdateItem(r.Context(), a, team, cur.ID, p, form.Version)
		}
	}
	if err == nil {
		w.redirect(rw, r, "/teams/"+team+"/items/"+strconv.Itoa(cur.Number), "Saved #"+strconv.Itoa(cur.Number)+".")
		return nil
	}
	code := scrum.ErrorCode(err)
	if code != scrum.CodeInvalid && code != scrum.CodeConflict && code != scrum.CodeForbidden {
		return err
	}
	v, lerr := w.loadItem(r, a, ro, cur.ID)
	if lerr != nil {
		return lerr
	}
	status := http.StatusUnprocessableEntity
	v.Open, v.Fields, v.Error = true, fields(err), "Please fix the fields below."
	switch code {
	case scrum.CodeConflict:
		status = http.StatusConflict
		v.Stale = staleFields(v.Item, form)
		v.Error = "Someone changed this item while you were editing it. Your changes are below, on top of the current version: check them and save again."
		form.Version = v.Item.Version
	case scrum.CodeForbidden:
		status = http.StatusForbidden
		v.Error = err.Error()
	}
	v.Form, v.Page, v.Members = form, true, memberNames(ro)
	v.LastSeq, _ = w.svc.LastEventSeq(r.Context(), a, team)
	t := ro.Team
	w.render(rw, r, status, "item", view{Title: "#" + strconv.Itoa(v.Item.Number) + " " + v.Item.Title, Team: &t,
		Nav: "backlog", Data: v, Fields: v.Fields, Error: v.Error, Form: url.Values{}})
	return nil
}

// staleFields lists the fields where the stored item differs from what the
// user sent.
func staleFields(it scrum.Item, yours itemForm) []staleField {
	theirs := formOf(it)
	var out []staleField
	add := func(label, a, b string) {
		if strings.TrimSpace(a) != strings.TrimSpace(b) {
			out = append(out, staleField{Label: label, Theirs: a, Yours: b})
		}
	}
	add("Title", theirs.Title, yours.Title)
	add("Type", typeTitle(scrum.ItemType(theirs.Type)), typeTitle(scrum.ItemType(yours.Type)))
	add("Status", statusTitle(scrum.Status(theirs.Status)), statusTitle(scrum.Status(yours.Status)))
	add("Value", theirs.Value, yours.Value)
	add("Estimate", theirs.Estimate, yours.Estimate)
	add("Labels", theirs.Labels, yours.Labels)
	if theirs.Description != yours.Description {
		out = append(out, staleField{Label: "Description", Theirs: "edited", Yours: "edited"})
	}
	if criteriaSummary(theirs.Criteria) != criteriaSummary(yours.Criteria) || len(theirs.Criteria) != len(yours.Criteria) {
		out = append(out, staleField{Label: "Acceptance criteria", Theirs: criteriaSummary(theirs.Criteria), Yours: criteriaSummary(yours.Criteria)})
	}
	return out
}

// itemFormError shows the item page again with a refused section form
// (comment, suggestion, readiness) and its message; the rest of the page
// is as stored.
func (w *Web) itemFormError(rw http.ResponseWriter, r *http.Request, a scrum.Actor, itemID string, err error, section string) error {
	team := r.PathValue("team")
	ro, rerr := w.svc.Roster(r.Context(), a, team)
	if rerr != nil {
		return rerr
	}
	v, lerr := w.loadItem(r, a, ro, itemID)
	if lerr != nil {
		return lerr
	}
	msg := err.Error()
	if fs := fields(err); len(fs) > 0 {
		var parts []string
		for _, m := range fs {
			parts = append(parts, m)
		}
		msg = strings.Join(parts, "; ")
	}
	v.SectionError = map[string]string{section: msg}
	v.Draft = map[string]string{}
	for k, vals := range r.PostForm {
		if len(vals) > 0 {
			v.Draft[k] = vals[0]
		}
	}
	v.Page, v.Members = true, memberNames(ro)
	v.LastSeq, _ = w.svc.LastEventSeq(r.Context(), a, team)
	status := http.StatusUnprocessableEntity
	switch scrum.ErrorCode(err) {
	case scrum.CodeConflict:
		status = http.StatusConflict
	case scrum.CodeForbidden:
		status = http.StatusForbidden
	}
	t := ro.Team
	w.render(rw, r, status, "item", view{Title: "#" + strconv.Itoa(v.Item.Number) + " " + v.Item.Title, Team: &t,
		Nav: "backlog", Data: v, Form: url.Values{}})
	return nil
}

// tickReadiness ticks or unticks a manual Definition of Ready criterion.
func (w *Web) tickReadiness(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	it, err := w.itemRef(r, a, team, r.PathValue("item"))
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	met := r.PostForm.Get("met") == "true"
	if _, err := w.svc.SetReadiness(r.Context(), a, team, it.ID, r.PathValue("criterion"), met, version); err != nil {
		if c := scrum.ErrorCode(err); c == scrum.CodeInvalid || c == scrum.CodeConflict {
			if c == scrum.CodeConflict {
				err = scrum.Errorf(scrum.CodeConflict, "someone changed this item meanwhile; check the list below and tick it again")
			}
			return w.itemFormError(rw, r, a, it.ID, err, "readiness")
		}
		return err
	}
	w.redirect(rw, r, backTo(r.PostForm.Get("back"), team)+"#dor-title", "")
	return nil
}

// addComment posts a comment from the item's composer.
func (w *Web) addComment(rw http.ResponseWriter, r *http.Request, a scrum.Actor) error {
	if err := r.ParseForm(); err != nil {
		return scrum.Errorf(scrum.CodeMalformed, "the form could not be read")
	}
	team := r.PathValue("team")
	it, err := w.itemRef(r, a, team, r.PathValue("item"))
	if err != nil {
		return err
	}
	if _, err := w.svc.AddComment(r.Context(), a, team, it.ID, r.PostForm.Get("body")); err != nil {
		if scrum.IsCode(err, scrum.CodeInvalid) {
			return w.itemFormError(rw, r, a, it.ID, err, "comment")
		}
		return err
	}
	w.redirect(rw, r, "/teams/"+team+"/items/"+strconv.Itoa(it.Number)+"#comments-title", "Comment added.")
	return nil
}

// mentionOption is one person the comment composer offers after "@".
type mentionOption struct {
	Handle string `json:"handle"`
	Name   string `json:"name"`
}

// mentionOptions lists the team's members with the handle that mentions
// each of them alone, by name.
func mentionOptions(ro scrum.Roster) []mentionOption {
	out := make([]mentionOption, 0, len(ro.Members))
	for _, m := range ro.Members {
		if h := scrum.MentionHandle(ro, m); h != "" {
			out = append(out, mentionOption{Handle: h, Name: m.Name})
		}
	}
	slices.SortFunc(out, func(a, b mentionOption) int { return strings.Compare(a.Name, b.Name) })
	return out
}
