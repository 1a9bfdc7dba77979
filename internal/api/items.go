package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

type itemJSON struct {
	ID                 string            `json:"id"`
	TeamID             string            `json:"team_id"`
	Number             int               `json:"number"`
	Type               string            `json:"type"`
	Title              string            `json:"title"`
	Description        string            `json:"description"`
	AcceptanceCriteria []scrum.Criterion `json:"acceptance_criteria"`
	Value              *int              `json:"value"`
	Estimate           *float64          `json:"estimate"`
	Labels             []string          `json:"labels"`
	ParentID           *string           `json:"parent_id"`
	Status             string            `json:"status"`
	GoalLinked         bool              `json:"goal_linked"`
	Ready              bool              `json:"ready"`
	Readiness          []readinessJSON   `json:"readiness"`
	Rank               string            `json:"rank"`
	Version            int               `json:"version"`
	CreatedAt          time.Time         `json:"created_at"`
	CreatedBy          string            `json:"created_by"`
	UpdatedAt          time.Time         `json:"updated_at"`
}

// readinessJSON is one Definition of Ready criterion as it applies to an
// item: criterion is its text; id and kind let a client tick manual ones.
type readinessJSON struct {
	Criterion string `json:"criterion"`
	Met       bool   `json:"met"`
	ID        string `json:"id"`
	Kind      string `json:"kind"`
}

func toItem(it scrum.Item) itemJSON {
	j := itemJSON{ID: it.ID, TeamID: it.TeamID, Number: it.Number, Type: string(it.Type), Title: it.Title,
		Description: it.Description, AcceptanceCriteria: it.AcceptanceCriteria, Value: it.Value, Estimate: it.Estimate,
		Labels: it.Labels, Status: string(it.Status), GoalLinked: it.GoalLinked, Ready: it.Ready,
		Readiness: make([]readinessJSON, len(it.Readiness)), Rank: it.Rank, Version: it.Version,
		CreatedAt: it.CreatedAt, CreatedBy: it.CreatedBy, UpdatedAt: it.UpdatedAt}
	for i, c := range it.Readiness {
		j.Readiness[i] = readinessJSON{Criterion: c.Criterion, Met: c.Met, ID: c.ID, Kind: string(c.Kind)}
	}
	if j.AcceptanceCriteria == nil {
		j.AcceptanceCriteria = []scrum.Criterion{}
	}
	if j.Labels == nil {
		j.Labels = []string{}
	}
	if it.ParentID != "" {
		p := it.ParentID
		j.ParentID = &p
	}
	return j
}

type itemRequest struct {
	Type               string            `json:"type"`
	Title              string            `json:"title"`
	Description        string            `json:"description"`
	AcceptanceCriteria []scrum.Criterion `json:"acceptance_criteria"`
	Value              *int              `json:"value"`
	Estimate           *float64          `json:"estimate"`
	Labels             []string          `json:"labels"`
	ParentID           *string           `json:"parent_id"`
	Status             string            `json:"status"`
	GoalLinked         bool              `json:"goal_linked"`
}

func (a *API) createItem(w http.ResponseWriter, r *http.Request) error {
	var in itemRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	it, err := a.svc.CreateItem(r.Context(), actor(r), r.PathValue("team"), scrum.ItemInput{
		Type: scrum.ItemType(in.Type), Title: in.Title, Description: in.Description, AcceptanceCriteria: in.AcceptanceCriteria,
		Value: in.Value, Estimate: in.Estimate, Labels: in.Labels, ParentID: deref(in.ParentID), Status: scrum.Status(in.Status),
		GoalLinked: in.GoalLinked})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/teams/"+it.TeamID+"/items/"+it.ID)
	return writeItem(w, http.StatusCreated, it)
}

// writeItem sends one item with an ETag of its version. It writes what
// writeVersioned would, through the backlog list's appender: creating an
// item is the hottest write, and reflection was a fifth of its HTTP work.
func writeItem(w http.ResponseWriter, status int, it scrum.Item) error {
	j := toItem(it)
	b := appendItem(make([]byte, 0, 1024), &j)
	b = append(b, '\n')
	h := w.Header()
	h.Set("ETag", "\"v"+strconv.Itoa(it.Version)+"\"")
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// itemFilter reads the list filters: repeated or comma-separated values.
func itemFilter(r *http.Request) (scrum.ItemFilter, error) {
	q := r.URL.Query()
	var f scrum.ItemFilter
	var v scrum.Validation
	for _, s := range splitParam(q["type"]) {
		t := scrum.ItemType(s)
		v.Check(t.Valid(), "type", "unknown type %q", s)
		f.Types = append(f.Types, t)
	}
	for _, s := range splitParam(q["status"]) {
		st := scrum.Status(s)
		v.Check(st.Valid(), "status", "unknown status %q", s)
		f.Statuses = append(f.Statuses, st)
	}
	f.Label = strings.ToLower(strings.TrimSpace(q.Get("label")))
	f.ParentID = q.Get("parent_id")
	if epic := q.Get("epic"); epic != "" {
		v.Check(f.ParentID == "" || f.ParentID == epic, "epic", "epic and parent_id disagree")
		f.ParentID = epic
	}
	switch q.Get("ready") {
	case "":
	case "true", "false":
		b := q.Get("ready") == "true"
		f.Ready = &b
	default:
		v.Add("ready", "ready must be true or false")
	}
	f.Query = q.Get("q")
	v.Check(len(f.Query) <= 200, "q", "the search is longer than 200 characters")
	return f, v.Err()
}

func splitParam(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (a *API) listItems(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	f, err := itemFilter(r)
	if err != nil {
		return err
	}
	its, next, err := a.svc.Items(r.Context(), actor(r), r.PathValue("team"), f, p)
	if err != nil {
		return err
	}
	b := make([]byte, 0, 64)
	b = append(b, `{"items":[`...)
	b = a.itemJSON.appendItems(b, its)
	b = appendItemListEnd(b, next)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

func (a *API) getItem(w http.ResponseWriter, r *http.Request) error {
	it, err := a.svc.Item(r.Context(), actor(r), r.PathValue("team"), r.PathValue("item"))
	if err != nil {
		return err
	}
	return writeItem(w, http.StatusOK, it)
}

// optional tells an absent JSON member from an explicit null.
type optional[T any] struct {
	Set, Null bool
	V         T
}

func (n *optional[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Null = true
		return nil
	}
	return json.Unmarshal(b, &n.V)
}

type itemPatchRequest struct {
	Type               *string                     `json:"type"`
	Title              *string                     `json:"title"`
	Description        *string                     `json:"description"`
	AcceptanceCriteria optional[[]scrum.Criterion] `json:"acceptance_criteria"`
	Value              optional[int]               `json:"value"`
	Estimate           optional[float64]           `json:"estimate"`
	Labels             optional[[]string]          `json:"labels"`
	ParentID           optional[string]            `json:"parent_id"`
	Status             *string                     `json:"status"`
	GoalLinked         *bool                       `json:"goal_linked"`
	Version            int                         `json:"version"`
}

func (a *API) patchItem(w http.ResponseWriter, r *http.Request) error {
	var in itemPatchRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	var p scrum.ItemPatch
	if in.Type != nil {
		t := scrum.ItemType(*in.Type)
		p.Type = &t
	}
	p.Title, p.Description = in.Title, in.Description
	if in.AcceptanceCriteria.Set {
		c := in.AcceptanceCriteria.V
		p.AcceptanceCriteria = &c
	}
	if in.Value.Set {
		p.Value, p.ClearValue = &in.Value.V, in.Value.Null
	}
	if in.Estimate.Set {
		p.Estimate, p.ClearEstimate = &in.Estimate.V, in.Estimate.Null
	}
	if in.Labels.Set {
		l := in.Labels.V
		p.Labels = &l
	}
	if in.ParentID.Set {
		p.ParentID = &in.ParentID.V
	}
	if in.Status != nil {
		st := scrum.Status(*in.Status)
		p.Status = &st
	}
	p.GoalLinked = in.GoalLinked
	it, err := a.svc.UpdateItem(r.Context(), actor(r), r.PathValue("team"), r.PathValue("item"), p, v)
	if err != nil {
		return err
	}
	return writeItem(w, http.StatusOK, it)
}

func (a *API) deleteItem(w http.ResponseWriter, r *http.Request) error {
	v, err := expectedVersion(r, 0)
	if err != nil {
		return err
	}
	it, err := a.svc.RemoveItem(r.Context(), actor(r), r.PathValue("team"), r.PathValue("item"), v)
	if err != nil {
		return err
	}
	return writeItem(w, http.StatusOK, it)
}

type moveRequest struct {
	Before  string `json:"before,omitempty"`
	After   string `json:"after,omitempty"`
	To      string `json:"to,omitempty"`
	Version int    `json:"version,omitempty"`
}

func (a *API) moveItem(w http.ResponseWriter, r *http.Request) error {
	var in moveRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	it, err := a.svc.MoveItem(r.Context(), actor(r), r.PathValue("team"), r.PathValue("item"),
		scrum.Move{Before: in.Before, After: in.After, To: in.To}, v)
	if err != nil {
		return err
	}
	return writeItem(w, http.StatusOK, it)
}

type historyJSON struct {
	ID      int64           `json:"id"`
	Type    string          `json:"type"`
	At      time.Time       `json:"at"`
	ActorID string          `json:"actor_id"`
	Data    json.RawMessage `json:"data"`
}

func (a *API) itemHistory(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	es, next, err := a.svc.ItemHistory(r.Context(), actor(r), r.PathValue("team"), r.PathValue("item"), p)
	if err != nil {
		return err
	}
	out := make([]historyJSON, len(es))
	for i, e := range es {
		out[i] = historyJSON{ID: e.Seq, Type: e.Type, At: e.At, ActorID: e.ActorID, Data: e.Data}
	}
	return writeJSON(w, http.StatusOK, newList(out, next))
}

func (a *API) itemRoutes() []Route {
	strList := map[string]any{"type": "string"}
	return []Route{
		{Method: "GET", Path: "/teams/{team}/items", Tag: "backlog", Summary: "The backlog in order, filtered",
			Status: 200, Paged: true, Resp: "ItemList", Handle: a.listItems, Query: []Param{
				{"type", strList, "story, bug, spike, chore or epic; repeat or comma-separate"},
				{"status", strList, "new, refining, ready, planned, in_progress, done or removed"},
				{"label", strList, "one label"}, {"parent_id", strList, "children of an epic"},
				{"epic", strList, "children of an epic (same as parent_id)"},
				{"ready", enum("true", "false"), "only items that meet (or do not meet) the Definition of Ready"},
				{"q", strList, "full-text search of titles, descriptions and acceptance criteria (every word, as a prefix); results stay in rank order"}}},
		{Method: "POST", Path: "/teams/{team}/items", Tag: "backlog", Summary: "Add an item at the bottom of the backlog",
			Body: "ItemRequest", Status: 201, Resp: "Item", Handle: a.createItem},
		{Method: "GET", Path: "/teams/{team}/items/{item}", Tag: "backlog", Summary: "One item", Status: 200, Resp: "Item", Handle: a.getItem},
		{Method: "PATCH", Path: "/teams/{team}/items/{item}", Tag: "backlog", Summary: "Change an item's fields (null clears)",
			Body: "ItemPatch", Status: 200, Versioned: true, Resp: "Item", Handle: a.patchItem},
		{Method: "DELETE", Path: "/teams/{team}/items/{item}", Tag: "backlog", Summary: "Remove an item from the backlog (status removed)",
			Status: 200, Versioned: true, Resp: "Item", Handle: a.deleteItem},
		{Method: "POST", Path: "/teams/{team}/items/{item}/move", Tag: "backlog", Summary: "Reorder: before or after an item, or to top or bottom",
			Body: "MoveRequest", Status: 200, Versioned: true, Resp: "Item", Handle: a.moveItem},
		{Method: "GET", Path: "/teams/{team}/items/{item}/history", Tag: "backlog", Summary: "Every change to an item, oldest first",
			Status: 200, Paged: true, Resp: "HistoryList", Handle: a.itemHistory},
	}
}

func itemSchemas() map[string]schema {
	crit := obj([]string{"text", "done"}, "text", strMax(500), "done", boolean())
	itemTypes := enum("story", "bug", "spike", "chore", "epic")
	statuses := enum("new", "refining", "ready", "planned", "in_progress", "done", "removed")
	return map[string]schema{
		"Criterion": crit,
		"Item": obj([]string{"id", "team_id", "number", "type", "title", "description", "acceptance_criteria", "value", "estimate",
			"labels", "parent_id", "status", "goal_linked", "ready", "readiness", "rank", "version", "created_at", "created_by", "updated_at"},
			"id", str(), "team_id", str(), "number", integer(), "type", itemTypes, "title", str(), "description", str(),
			"acceptance_criteria", arr(ref("Criterion")), "value", nullable(integer()), "estimate", nullable(number()),
			"labels", arr(str()), "parent_id", nullable(str()), "status", statuses, "goal_linked", boolean(),
			"ready", boolean(), "readiness", arr(ref("Readiness")), "rank", str(), "version", integer(),
			"created_at", dateTime(), "created_by", str(), "updated_at", dateTime()),
		"Readiness": obj([]string{"criterion", "met", "id", "kind"}, "criterion", str(), "met", boolean(), "id", str(), "kind", criterionKinds()),
		"ItemList":  listOf("Item"),
		"ItemRequest": obj([]string{"title"}, "type", itemTypes, "title", strMax(200), "description", str(),
			"acceptance_criteria", arr(ref("Criterion")), "value", nullable(integer()), "estimate", nullable(number()),
			"labels", arr(str()), "parent_id", nullable(str()), "status", enum("new", "refining"), "goal_linked", boolean()),
		"ItemPatch": obj(nil, "type", itemTypes, "title", strMax(200), "description", str(),
			"acceptance_criteria", nullable(arr(ref("Criterion"))), "value", nullable(integer()), "estimate", nullable(number()),
			"labels", nullable(arr(str())), "parent_id", nullable(str()), "status", statuses, "goal_linked", boolean(), "version", integer()),
		"MoveRequest": obj(nil, "before", str(), "after", str(), "to", enum("top", "bottom"), "version", integer()),
		"HistoryEntry": obj([]string{"id", "type", "at", "actor_id", "data"},
			"id", integer(), "type", str(), "at", dateTime(), "actor_id", str(), "data", schema{"type": "object"}),
		"HistoryList": listOf("HistoryEntry"),
	}
}
