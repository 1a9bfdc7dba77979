package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tandemhq/tandem/internal/scrum"
)

// The backlog around items: Definition of Ready, readiness ticks, the
// refinement view, the product goal, suggested positions and bulk edits.

type readyCriterionJSON struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Text string `json:"text"`
}

type readyDefinitionJSON struct {
	Criteria          []readyCriterionJSON `json:"criteria"`
	MaxSprintEstimate float64              `json:"max_sprint_estimate"`
	Version           int                  `json:"version"`
	UpdatedAt         *time.Time           `json:"updated_at"`
	UpdatedBy         string               `json:"updated_by,omitempty"`
}

func toReadyDefinition(d scrum.ReadyDefinition) readyDefinitionJSON {
	j := readyDefinitionJSON{Criteria: make([]readyCriterionJSON, len(d.Criteria)), MaxSprintEstimate: d.MaxSprintEstimate,
		Version: d.Version, UpdatedBy: d.UpdatedBy}
	for i, c := range d.Criteria {
		j.Criteria[i] = readyCriterionJSON{ID: c.ID, Kind: string(c.Kind), Text: c.Text}
	}
	if !d.UpdatedAt.IsZero() {
		t := d.UpdatedAt
		j.UpdatedAt = &t
	}
	return j
}

func (a *API) getReadyDefinition(w http.ResponseWriter, r *http.Request) error {
	d, err := a.svc.ReadyDefinition(r.Context(), actor(r), r.PathValue("team"))
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, d.Version, toReadyDefinition(d))
}

type readyDefinitionRequest struct {
	Criteria          []readyCriterionJSON `json:"criteria"`
	MaxSprintEstimate *float64             `json:"max_sprint_estimate"`
	Version           int                  `json:"version"`
}

func (a *API) putReadyDefinition(w http.ResponseWriter, r *http.Request) error {
	var in readyDefinitionRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	if in.Criteria == nil {
		return scrum.Invalid("criteria", "criteria is required (an empty list means every item is ready)")
	}
	crit := make([]scrum.ReadyCriterion, len(in.Criteria))
	for i, c := range in.Criteria {
		crit[i] = scrum.ReadyCriterion{ID: c.ID, Kind: scrum.CriterionKind(c.Kind), Text: c.Text}
	}
	d, err := a.svc.PutReadyDefinition(r.Context(), actor(r), r.PathValue("team"),
		scrum.ReadyDefinitionInput{Criteria: crit, MaxSprintEstimate: in.MaxSprintEstimate}, v)
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, d.Version, toReadyDefinition(d))
}

type readinessRequest struct {
	Met     *bool `json:"met"`
	Version int   `json:"version"`
}

func (a *API) putReadiness(w http.ResponseWriter, r *http.Request) error {
	var in readinessRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.Met == nil {
		return scrum.Invalid("met", "met is required: true or false")
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	it, err := a.svc.SetReadiness(r.Context(), actor(r), r.PathValue("team"), r.PathValue("item"), r.PathValue("criterion"), *in.Met, v)
	if err != nil {
		return err
	}
	return writeItem(w, http.StatusOK, it)
}

type refinementJSON struct {
	Item    itemJSON `json:"item"`
	Missing []string `json:"missing"`
}

func (a *API) refinement(w http.ResponseWriter, r *http.Request) error {
	limit := 20
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > scrum.MaxRefinement {
			return scrum.Invalid("limit", "limit must be a whole number from 1 to %d", scrum.MaxRefinement)
		}
		limit = n
	}
	es, err := a.svc.Refinement(r.Context(), actor(r), r.PathValue("team"), limit)
	if err != nil {
		return err
	}
	out := make([]refinementJSON, len(es))
	for i, e := range es {
		out[i] = refinementJSON{Item: toItem(e.Item), Missing: e.Missing}
	}
	return writeJSON(w, http.StatusOK, newList(out, ""))
}

type goalJSON struct {
	Text      string     `json:"text"`
	Version   int        `json:"version"`
	UpdatedAt *time.Time `json:"updated_at"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

func toGoal(g scrum.ProductGoal) goalJSON {
	j := goalJSON{Text: g.Text, Version: g.Version, UpdatedBy: g.UpdatedBy}
	if !g.UpdatedAt.IsZero() {
		t := g.UpdatedAt
		j.UpdatedAt = &t
	}
	return j
}

func (a *API) getGoal(w http.ResponseWriter, r *http.Request) error {
	g, err := a.svc.ProductGoal(r.Context(), actor(r), r.PathValue("team"))
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, g.Version, toGoal(g))
}

type goalRequest struct {
	Text    *string `json:"text"`
	Version int     `json:"version"`
}

func (a *API) putGoal(w http.ResponseWriter, r *http.Request) error {
	var in goalRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.Text == nil {
		return scrum.Invalid("text", "text is required")
	}
	v, err := expectedVersion(r, in.Version)
	if err != nil {
		return err
	}
	g, err := a.svc.SetProductGoal(r.Context(), actor(r), r.PathValue("team"), *in.Text, v)
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, g.Version, toGoal(g))
}

type suggestionJSON struct {
	ID         string     `json:"id"`
	ItemID     string     `json:"item_id"`
	Before     *string    `json:"before"`
	After      *string    `json:"after"`
	To         *string    `json:"to"`
	Note       string     `json:"note"`
	State      string     `json:"state"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedBy string     `json:"resolved_by,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at"`
	Version    int        `json:"version"`
}

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toSuggestion(sg scrum.Suggestion) suggestionJSON {
	j := suggestionJSON{ID: sg.ID, ItemID: sg.ItemID, Before: optStr(sg.Move.Before), After: optStr(sg.Move.After),
		To: optStr(sg.Move.To), Note: sg.Note, State: string(sg.State), CreatedBy: sg.CreatedBy, CreatedAt: sg.CreatedAt,
		ResolvedBy: sg.ResolvedBy, Version: sg.Version}
	if !sg.ResolvedAt.IsZero() {
		t := sg.ResolvedAt
		j.ResolvedAt = &t
	}
	return j
}

type suggestionRequest struct {
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	To     string `json:"to,omitempty"`
	Note   string `json:"note,omitempty"`
}

func (a *API) createSuggestion(w http.ResponseWriter, r *http.Request) error {
	var in suggestionRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	sg, err := a.svc.SuggestPosition(r.Context(), actor(r), r.PathValue("team"), r.PathValue("item"),
		scrum.Move{Before: in.Before, After: in.After, To: in.To}, in.Note)
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusCreated, sg.Version, toSuggestion(sg))
}

func (a *API) listSuggestions(w http.ResponseWriter, r *http.Request) error {
	sgs, err := a.svc.Suggestions(r.Context(), actor(r), r.PathValue("team"))
	if err != nil {
		return err
	}
	out := make([]suggestionJSON, len(sgs))
	for i, sg := range sgs {
		out[i] = toSuggestion(sg)
	}
	return writeJSON(w, http.StatusOK, newList(out, ""))
}

type acceptedJSON struct {
	Suggestion suggestionJSON `json:"suggestion"`
	Item       itemJSON       `json:"item"`
}

func (a *API) acceptSuggestion(w http.ResponseWriter, r *http.Request) error {
	sg, it, err := a.svc.AcceptSuggestion(r.Context(), actor(r), r.PathValue("team"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acceptedJSON{Suggestion: toSuggestion(sg), Item: toItem(it)})
}

func (a *API) dismissSuggestion(w http.ResponseWriter, r *http.Request) error {
	sg, err := a.svc.DismissSuggestion(r.Context(), actor(r), r.PathValue("team"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeVersioned(w, http.StatusOK, sg.Version, toSuggestion(sg))
}

type bulkRequest struct {
	ItemIDs      []string         `json:"item_ids"`
	AddLabels    []string         `json:"add_labels"`
	RemoveLabels []string         `json:"remove_labels"`
	Status       *string          `json:"status"`
	ParentID     optional[string] `json:"parent_id"`
}

func (a *API) bulkEdit(w http.ResponseWriter, r *http.Request) error {
	var in bulkRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	b := scrum.BulkEdit{ItemIDs: in.ItemIDs, AddLabels: in.AddLabels, RemoveLabels: in.RemoveLabels}
	if in.Status != nil {
		st := scrum.Status(*in.Status)
		b.Status = &st
	}
	if in.ParentID.Set {
		b.ParentID = &in.ParentID.V
	}
	its, err := a.svc.BulkEditItems(r.Context(), actor(r), r.PathValue("team"), b)
	if err != nil {
		return err
	}
	out := make([]itemJSON, len(its))
	for i, it := range its {
		out[i] = toItem(it)
	}
	return writeJSON(w, http.StatusOK, newList(out, ""))
}

func (a *API) backlogRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/teams/{team}/definition-of-ready", Tag: "backlog", Summary: "The team's Definition of Ready",
			Status: 200, Resp: "ReadyDefinition", Handle: a.getReadyDefinition},
		{Method: "PUT", Path: "/teams/{team}/definition-of-ready", Tag: "backlog",
			Summary: "Replace the Definition of Ready (needs readiness); items are re-evaluated, unready ones go back to refining",
			Body:    "ReadyDefinitionRequest", Status: 200, Versioned: true, Resp: "ReadyDefinition", Handle: a.putReadyDefinition},
		{Method: "PUT", Path: "/teams/{team}/items/{item}/readiness/{criterion}", Tag: "backlog",
			Summary: "Tick or untick a manual readiness criterion on an item", Body: "ReadinessRequest", Status: 200, Versioned: true,
			Resp: "Item", Handle: a.putReadiness},
		{Method: "GET", Path: "/teams/{team}/refinement", Tag: "backlog",
			Summary: "The top of the backlog that is not ready, each with what is missing", Status: 200, Resp: "RefinementList",
			Handle: a.refinement, Query: []Param{{"limit", map[string]any{"type": "integer", "minimum": 1, "maximum": scrum.MaxRefinement},
				"how many items (default 20)"}}},
		{Method: "GET", Path: "/teams/{team}/product-goal", Tag: "backlog", Summary: "The team's product goal",
			Status: 200, Resp: "ProductGoal", Handle: a.getGoal},
		{Method: "PUT", Path: "/teams/{team}/product-goal", Tag: "backlog", Summary: "Set the product goal (needs product.goal)",
			Body: "ProductGoalRequest", Status: 200, Versioned: true, Resp: "ProductGoal", Handle: a.putGoal},
		{Method: "POST", Path: "/teams/{team}/items/{item}/suggestions", Tag: "backlog",
			Summary: "Suggest a position for an item (for those who may not reorder)", Body: "SuggestionRequest", Status: 201,
			Resp: "Suggestion", Handle: a.createSuggestion},
		{Method: "GET", Path: "/teams/{team}/suggestions", Tag: "backlog", Summary: "Open suggested positions, oldest first",
			Status: 200, Resp: "Suggestions", Handle: a.listSuggestions},
		{Method: "POST", Path: "/teams/{team}/suggestions/{id}/accept", Tag: "backlog",
			Summary: "Accept a suggestion: perform the move (needs backlog.ordering)", Status: 200, Resp: "AcceptedSuggestion",
			Handle: a.acceptSuggestion},
		{Method: "POST", Path: "/teams/{team}/suggestions/{id}/dismiss", Tag: "backlog",
			Summary: "Dismiss a suggestion (needs backlog.ordering)", Status: 200, Resp: "Suggestion", Handle: a.dismissSuggestion},
		{Method: "POST", Path: "/teams/{team}/items/{item}/comments", Tag: "backlog",
			Summary: "Comment on an item (Markdown, at most 10 KB; @mentions of members are resolved)", Body: "CommentRequest",
			Status: 201, Resp: "Comment", Handle: a.addComment},
		{Method: "GET", Path: "/teams/{team}/items/{item}/comments", Tag: "backlog", Summary: "An item's comments, oldest first",
			Status: 200, Paged: true, Resp: "CommentList", Handle: a.listComments},
		{Method: "GET", Path: "/teams/{team}/items/export.csv", Tag: "backlog",
			Summary: "The backlog as Tandem CSV (cells guarded against formula injection)", Status: 200, Resp: "BacklogCSV",
			Handle: a.exportItems, Query: []Param{{"include_removed", enum("true", "false"), "also export removed items"}}},
		{Method: "POST", Path: "/teams/{team}/items/import", Tag: "backlog",
			Summary: "Import a CSV (Tandem or Jira) at the bottom of the backlog, all or nothing (needs backlog.ordering); at most 20 MiB",
			Body:    "BacklogCSV", Status: 201, Also: 200, Resp: "ImportResult", Handle: a.importItems, Query: []Param{
				{"format", enum("tandem", "jira"), "the file's format (default tandem)"},
				{"date_format", map[string]any{"type": "string"}, "jira, iso, us, eu or a Go layout: the exporter's locale"},
				{"preview", enum("true", "false"), "true: report what would be created, and every problem, writing nothing (200, not 201)"}}},
		{Method: "POST", Path: "/teams/{team}/items/bulk", Tag: "backlog",
			Summary: "Change labels, status or epic of up to 500 items, all or nothing (one item.updated per changed item)",
			Body:    "BulkRequest", Status: 200, Resp: "BulkResult", Handle: a.bulkEdit},
	}
}

func criterionKinds() schema {
	return enum("has_acceptance_criteria", "estimated", "fits_in_sprint", "manual")
}

func backlogSchemas() map[string]schema {
	crit := obj([]string{"id", "kind", "text"}, "id", str(), "kind", criterionKinds(), "text", strMax(200))
	suggestion := obj([]string{"id", "item_id", "before", "after", "to", "note", "state", "created_by", "created_at", "resolved_at", "version"},
		"id", str(), "item_id", str(), "before", nullable(str()), "after", nullable(str()), "to", nullable(enum("top", "bottom")),
		"note", str(), "state", enum("open", "accepted", "dismissed"), "created_by", str(), "created_at", dateTime(),
		"resolved_by", str(), "resolved_at", nullable(dateTime()), "version", integer())
	return map[string]schema{
		"ReadyCriterion": crit,
		"ReadyDefinition": obj([]string{"criteria", "max_sprint_estimate", "version", "updated_at"},
			"criteria", arr(ref("ReadyCriterion")), "max_sprint_estimate", number(), "version", integer(),
			"updated_at", nullable(dateTime()), "updated_by", str()),
		"ReadyDefinitionRequest": obj([]string{"criteria"},
			"criteria", arr(obj([]string{"text"}, "id", str(), "kind", criterionKinds(), "text", strMax(200))),
			"max_sprint_estimate", number(), "version", integer()),
		"ReadinessRequest": obj([]string{"met"}, "met", boolean(), "version", integer()),
		"RefinementEntry":  obj([]string{"item", "missing"}, "item", ref("Item"), "missing", arr(str())),
		"RefinementList":   listOf("RefinementEntry"),
		"ProductGoal": obj([]string{"text", "version", "updated_at"}, "text", str(), "version", integer(),
			"updated_at", nullable(dateTime()), "updated_by", str()),
		"ProductGoalRequest": obj([]string{"text"}, "text", strMax(2000), "version", integer()),
		"SuggestionRequest":  obj(nil, "before", str(), "after", str(), "to", enum("top", "bottom"), "note", strMax(500)),
		"Suggestion":         suggestion,
		"Suggestions":        listOf("Suggestion"),
		"AcceptedSuggestion": obj([]string{"suggestion", "item"}, "suggestion", ref("Suggestion"), "item", ref("Item")),
		"BulkRequest": obj([]string{"item_ids"}, "item_ids", schema{"type": "array", "items": str(), "maxItems": 500},
			"add_labels", arr(str()), "remove_labels", arr(str()),
			"status", enum("new", "refining", "ready", "planned", "in_progress", "done", "removed"), "parent_id", nullable(str())),
		"BulkResult":     listOf("Item"),
		"CommentRequest": obj([]string{"body"}, "body", strMax(10240)),
		"Comment": obj([]string{"id", "item_id", "author_id", "author_name", "body", "html", "mentions", "created_at"},
			"id", str(), "item_id", str(), "author_id", str(), "author_name", str(), "imported_author", str(),
			"body", str(), "html", str(), "mentions", arr(str()), "created_at", dateTime()),
		"CommentList": listOf("Comment"),
		"ImportResult": obj([]string{"preview", "valid", "items", "epics", "comments", "unreadied", "first", "errors"},
			"preview", boolean(), "valid", boolean(), "items", integer(), "epics", integer(), "comments", integer(),
			"unreadied", integer(), "first", arr(ref("Item")),
			"errors", arr(obj([]string{"row", "field", "message"}, "row", integer(), "field", str(), "message", str()))),
	}
}
