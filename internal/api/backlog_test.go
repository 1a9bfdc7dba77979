package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestItemReadiness(t *testing.T) {
	e := newBEnv(t)
	base := "/teams/" + e.team
	it := e.item(e.dev, `{"title":"Pay by card","acceptance_criteria":[{"text":"a receipt","done":false}],"estimate":5}`)
	if it.Ready || len(it.Readiness) != 4 || it.Readiness[0].Criterion != "Has acceptance criteria" || !it.Readiness[0].Met || it.Readiness[3].Met {
		t.Fatalf("got %+v, want readiness with only the manual criterion unmet", it)
	}
	// Status ready is earned, not typed.
	p := e.refused(e.po, "PATCH", base+"/items/"+it.ID, `{"status":"ready"}`, 422)
	e.wantField(p, "status")
	if !strings.Contains(p.Errors[0].Message, "Dependencies known") {
		t.Errorf("got %q, want the missing criterion listed", p.Errors[0].Message)
	}
	// Ticks: stakeholders may not edit others' items; computed criteria
	// cannot be ticked; unknown criteria are 404; a stale version is 409.
	e.wantNeed(e.refused(e.holder, "PUT", base+"/items/"+it.ID+"/readiness/dependencies-known", `{"met":true}`, 403), "backlog.clarity", e.po)
	e.wantField(e.refused(e.dev, "PUT", base+"/items/"+it.ID+"/readiness/estimated", `{"met":true}`, 422), "met")
	e.refused(e.dev, "PUT", base+"/items/"+it.ID+"/readiness/nope", `{"met":true}`, 404)
	e.wantField(e.refused(e.dev, "PUT", base+"/items/"+it.ID+"/readiness/dependencies-known", `{}`, 422), "met")
	if p := e.refused(e.dev, "PUT", base+"/items/"+it.ID+"/readiness/dependencies-known", `{"met":true,"version":7}`, 409); p.CurrentVersion != 1 {
		t.Errorf("got current_version %d, want 1", p.CurrentVersion)
	}
	e.ok(e.dev, "PUT", base+"/items/"+it.ID+"/readiness/dependencies-known", `{"met":true,"version":1}`, 200, &it)
	if !it.Ready {
		t.Fatalf("got %+v, want ready once every criterion is met", it)
	}
	e.ok(e.po, "PATCH", base+"/items/"+it.ID, `{"status":"ready"}`, 200, &it)
	// Clearing the estimate sends it back to refining.
	e.ok(e.dev, "PATCH", base+"/items/"+it.ID, `{"estimate":null}`, 200, &it)
	if it.Status != "refining" || it.Ready {
		t.Errorf("got %s ready=%v, want refining and not ready", it.Status, it.Ready)
	}
	var hist struct {
		Items []struct{ Data map[string]any }
	}
	e.ok(e.dev, "GET", base+"/items/"+it.ID+"/history", "", 200, &hist)
	if last := fmt.Sprint(hist.Items[len(hist.Items)-1].Data["changes"]); !strings.Contains(last, "status from:\"ready\"") &&
		!strings.Contains(last, "refining") {
		t.Errorf("got last change %s, want status ready → refining recorded", last)
	}
	// Filters: ready=, bad values are 422.
	var list struct{ Items []bitem }
	e.ok(e.dev, "GET", base+"/items?ready=false", "", 200, &list)
	if len(list.Items) != 1 {
		t.Errorf("ready=false: got %d items, want 1", len(list.Items))
	}
	e.wantField(e.refused(e.dev, "GET", base+"/items?ready=maybe", "", 422), "ready")
	e.refused(e.out, "GET", base+"/items/"+it.ID, "", 404)
}

func TestDefinitionOfReady(t *testing.T) {
	e := newBEnv(t)
	path := "/teams/" + e.team + "/definition-of-ready"
	var d struct {
		Criteria []struct{ ID, Kind, Text string }
		Max      float64 `json:"max_sprint_estimate"`
		Version  int
	}
	e.ok(e.holder, "GET", path, "", 200, &d)
	if len(d.Criteria) != 4 || d.Max != 13 || d.Version != 0 {
		t.Fatalf("got %+v, want the defaults", d)
	}
	e.refused(e.out, "GET", path, "", 404)
	body := `{"criteria":[{"id":"estimated","kind":"estimated","text":"Estimated"},{"text":"Designs attached"}],"max_sprint_estimate":8}`
	e.wantNeed(e.refused(e.dev, "PUT", path, body, 403), "readiness", e.po)
	e.refused(e.out, "PUT", path, body, 404)
	e.wantField(e.refused(e.po, "PUT", path, `{"criteria":[{"kind":"psychic","text":"x"}]}`, 422), "criteria")
	e.wantField(e.refused(e.po, "PUT", path, `{"criteria":[],"max_sprint_estimate":-1}`, 422), "max_sprint_estimate")
	e.wantField(e.refused(e.po, "PUT", path, `{"max_sprint_estimate":5}`, 422), "criteria")
	e.ok(e.po, "PUT", path, body, 200, &d)
	if d.Version != 1 || len(d.Criteria) != 2 || d.Criteria[1].Kind != "manual" || d.Max != 8 {
		t.Fatalf("got %+v", d)
	}
	stale := strings.Replace(body, `"max_sprint_estimate":8`, `"max_sprint_estimate":8,"version":5`, 1)
	if p := e.refused(e.po, "PUT", path, stale, 409); p.CurrentVersion != 1 {
		t.Errorf("got current_version %d, want 1", p.CurrentVersion)
	}
}

func TestRefinementView(t *testing.T) {
	e := newBEnv(t)
	base := "/teams/" + e.team
	e.item(e.dev, `{"title":"One","acceptance_criteria":[{"text":"ok"}],"estimate":3}`)
	e.item(e.dev, `{"title":"Two"}`)
	e.item(e.dev, `{"title":"Three","estimate":40}`)
	var ref struct {
		Items []struct {
			Item    bitem
			Missing []string
		}
	}
	e.ok(e.holder, "GET", base+"/refinement?limit=2", "", 200, &ref)
	if len(ref.Items) != 2 || ref.Items[0].Item.Title != "One" || fmt.Sprint(ref.Items[0].Missing) != "[Dependencies known]" ||
		len(ref.Items[1].Missing) != 4 {
		t.Errorf("got %+v, want One (missing dependencies) then Two (missing everything)", ref.Items)
	}
	e.wantField(e.refused(e.dev, "GET", base+"/refinement?limit=0", "", 422), "limit")
	e.refused(e.out, "GET", base+"/refinement", "", 404)
}

func TestProductGoal(t *testing.T) {
	e := newBEnv(t)
	path := "/teams/" + e.team + "/product-goal"
	var g struct {
		Text    string
		Version int
	}
	e.ok(e.dev, "GET", path, "", 200, &g)
	if g.Text != "" || g.Version != 0 {
		t.Errorf("got %+v, want no goal yet", g)
	}
	e.wantNeed(e.refused(e.dev, "PUT", path, `{"text":"x"}`, 403), "product.goal", e.po)
	e.refused(e.out, "PUT", path, `{"text":"x"}`, 404)
	e.wantField(e.refused(e.po, "PUT", path, `{}`, 422), "text")
	e.wantField(e.refused(e.po, "PUT", path, `{"text":"`+strings.Repeat("g", 2001)+`"}`, 422), "text")
	e.ok(e.po, "PUT", path, `{"text":"Self-service refunds"}`, 200, &g)
	if p := e.refused(e.po, "PUT", path, `{"text":"Other","version":3}`, 409); p.CurrentVersion != 1 {
		t.Errorf("got current_version %d, want 1", p.CurrentVersion)
	}
	e.ok(e.holder, "GET", path, "", 200, &g)
	if g.Text != "Self-service refunds" || g.Version != 1 {
		t.Errorf("got %+v", g)
	}
	it := e.item(e.dev, `{"title":"Refund button","goal_linked":true}`)
	if !it.GoalLinked {
		t.Error("goal_linked not set on create")
	}
	e.ok(e.dev, "PATCH", "/teams/"+e.team+"/items/"+it.ID, `{"goal_linked":false}`, 200, &it)
	if it.GoalLinked {
		t.Error("goal_linked not cleared")
	}
}

func TestSuggestions(t *testing.T) {
	e := newBEnv(t)
	base := "/teams/" + e.team
	a := e.item(e.dev, `{"title":"A"}`)
	b := e.item(e.dev, `{"title":"B"}`)
	// Reordering is the PO's; the refusal names backlog.ordering and its holder.
	e.wantNeed(e.refused(e.dev, "POST", base+"/items/"+b.ID+"/move", `{"to":"top"}`, 403), "backlog.ordering", e.po)
	var sg struct {
		ID, State string
		To        *string
	}
	e.ok(e.holder, "POST", base+"/items/"+b.ID+"/suggestions", `{"to":"top","note":"customers ask"}`, 201, &sg)
	if sg.State != "open" || sg.To == nil || *sg.To != "top" {
		t.Fatalf("got %+v", sg)
	}
	e.refused(e.po, "POST", base+"/items/"+b.ID+"/suggestions", `{"to":"top"}`, 409)
	e.wantField(e.refused(e.dev, "POST", base+"/items/"+b.ID+"/suggestions", `{"to":"middle"}`, 422), "to")
	e.wantField(e.refused(e.dev, "POST", base+"/items/"+b.ID+"/suggestions", `{"before":"`+b.ID+`","to":"top"}`, 422), "before")
	e.refused(e.out, "POST", base+"/items/"+b.ID+"/suggestions", `{"to":"top"}`, 404)
	var open struct{ Items []struct{ ID string } }
	e.ok(e.dev, "GET", base+"/suggestions", "", 200, &open)
	if len(open.Items) != 1 {
		t.Fatalf("got %d open, want 1", len(open.Items))
	}
	e.wantNeed(e.refused(e.dev, "POST", base+"/suggestions/"+sg.ID+"/accept", "", 403), "backlog.ordering", e.po)
	e.refused(e.out, "POST", base+"/suggestions/"+sg.ID+"/accept", "", 404)
	var acc struct {
		Suggestion struct{ State string }
		Item       bitem
	}
	e.ok(e.po, "POST", base+"/suggestions/"+sg.ID+"/accept", "", 200, &acc)
	if acc.Suggestion.State != "accepted" || acc.Item.ID != b.ID {
		t.Errorf("got %+v", acc)
	}
	var list struct{ Items []bitem }
	e.ok(e.dev, "GET", base+"/items", "", 200, &list)
	if list.Items[0].ID != b.ID {
		t.Errorf("got %s first, want B after accepting", list.Items[0].Title)
	}
	e.refused(e.po, "POST", base+"/suggestions/"+sg.ID+"/dismiss", "", 409)
	e.ok(e.dev, "POST", base+"/items/"+a.ID+"/suggestions", `{"after":"`+b.ID+`"}`, 201, &sg)
	e.wantNeed(e.refused(e.dev, "POST", base+"/suggestions/"+sg.ID+"/dismiss", "", 403), "backlog.ordering", e.po)
	e.ok(e.po, "POST", base+"/suggestions/"+sg.ID+"/dismiss", "", 200, &sg)
	if sg.State != "dismissed" {
		t.Errorf("got %s", sg.State)
	}
	e.refused(e.po, "POST", base+"/suggestions/nonexistentxxxx/accept", "", 404)
}

func TestBulkEdit(t *testing.T) {
	e := newBEnv(t)
	base := "/teams/" + e.team
	epic := e.item(e.po, `{"type":"epic","title":"Payments"}`)
	a := e.item(e.dev, `{"title":"A","labels":["old"]}`)
	b := e.item(e.dev, `{"title":"B"}`)
	var res struct{ Items []bitem }
	e.ok(e.dev, "POST", base+"/items/bulk", bJSON(map[string]any{"item_ids": []string{a.ID, b.ID},
		"add_labels": []string{"Q3"}, "remove_labels": []string{"old"}, "status": "refining", "parent_id": epic.ID}), 200, &res)
	if len(res.Items) != 2 || fmt.Sprint(res.Items[0].Labels) != "[q3]" || *res.Items[1].ParentID != epic.ID || res.Items[1].Status != "refining" {
		t.Fatalf("got %+v", res.Items)
	}
	var list struct{ Items []bitem }
	e.ok(e.dev, "GET", base+"/items?epic="+epic.ID, "", 200, &list)
	if len(list.Items) != 2 {
		t.Errorf("epic filter: got %d, want 2", len(list.Items))
	}
	// All or nothing, naming the field; too many ids; unknown ids; cycles.
	e.wantField(e.refused(e.dev, "POST", base+"/items/bulk", bJSON(map[string]any{"item_ids": []string{a.ID, b.ID}, "status": "ready"}), 422), "status")
	ids := make([]string, 501)
	for i := range ids {
		ids[i] = a.ID
	}
	e.wantField(e.refused(e.dev, "POST", base+"/items/bulk", bJSON(map[string]any{"item_ids": ids, "status": "new"}), 422), "item_ids")
	e.wantField(e.refused(e.dev, "POST", base+"/items/bulk", `{"item_ids":["aaaaaaaaaaaaaaaa"],"status":"new"}`, 422), "item_ids[0]")
	e.wantField(e.refused(e.po, "POST", base+"/items/bulk", bJSON(map[string]any{"item_ids": []string{epic.ID}, "parent_id": a.ID}), 422), "parent_id")
	e.wantField(e.refused(e.dev, "POST", base+"/items/bulk", `{"item_ids":[],"status":"new"}`, 422), "item_ids")
	e.wantNeed(e.refused(e.dev, "POST", base+"/items/bulk", bJSON(map[string]any{"item_ids": []string{a.ID}, "status": "removed"}), 403), "backlog.ordering", e.po)
	e.refused(e.out, "POST", base+"/items/bulk", bJSON(map[string]any{"item_ids": []string{a.ID}, "status": "new"}), 404)
	e.ok(e.dev, "GET", base+"/items/"+a.ID, "", 200, &a)
	if a.Status != "refining" {
		t.Errorf("got %s, want refused bulk edits to write nothing", a.Status)
	}
}

func TestSearchAndStaleEdits(t *testing.T) {
	e := newBEnv(t)
	base := "/teams/" + e.team
	a := e.item(e.dev, `{"title":"Checkout with PayPal"}`)
	e.item(e.dev, `{"title":"Invoices","acceptance_criteria":[{"text":"checkout sends an invoice"}]}`)
	e.item(e.dev, `{"title":"Login"}`)
	var list struct{ Items []bitem }
	e.ok(e.dev, "GET", base+"/items?q=checkout", "", 200, &list)
	if len(list.Items) != 2 || list.Items[0].ID != a.ID {
		t.Errorf("got %+v, want both checkout items in rank order", list.Items)
	}
	// A stale edit (body version or If-Match) gets 409 with the current
	// version and changes nothing.
	if p := e.refused(e.dev, "PATCH", base+"/items/"+a.ID, `{"title":"X","version":4}`, 409); p.CurrentVersion != 1 {
		t.Errorf("got current_version %d, want 1", p.CurrentVersion)
	}
	if r := e.do(e.dev, "PATCH", base+"/items/"+a.ID, `{"title":"X"}`, "If-Match", `"v9"`); r.Status != 409 {
		t.Errorf("If-Match stale: got %d", r.Status)
	}
	// Bad input names the field and writes nothing.
	e.wantField(e.refused(e.dev, "PATCH", base+"/items/"+a.ID, `{"title":"   "}`, 422), "title")
	e.wantField(e.refused(e.dev, "PATCH", base+"/items/"+a.ID, `{"title":"`+strings.Repeat("t", 201)+`"}`, 422), "title")
	e.wantField(e.refused(e.dev, "PATCH", base+"/items/"+a.ID, `{"type":"saga"}`, 422), "type")
	e.wantField(e.refused(e.dev, "PATCH", base+"/items/"+a.ID, `{"status":"limbo"}`, 422), "status")
	e.wantField(e.refused(e.dev, "PATCH", base+"/items/"+a.ID, `{"parent_id":"`+a.ID+`"}`, 422), "parent_id")
	e.ok(e.dev, "GET", base+"/items/"+a.ID, "", 200, &a)
	if a.Title != "Checkout with PayPal" || a.Version != 1 {
		t.Errorf("got %q v%d, want nothing written", a.Title, a.Version)
	}
}

const (
	dor         = "/api/v1/teams/{teamA}/definition-of-ready"
	goal        = "/api/v1/teams/{teamA}/product-goal"
	suggestions = "/api/v1/teams/{teamA}/suggestions"
	suggestion  = suggestions + "/{suggestion}"
	tick        = item1 + "/readiness/dependencies-known"
)

const newDoR = `{"criteria":[{"id":"estimated","kind":"estimated","text":"Estimated"},{"id":"small","kind":"fits_in_sprint","text":"Small"},` +
	`{"text":"Designs attached ` + canaryA + `"}],"max_sprint_estimate":2}`

func backlogScenarios() []scenario {
	return []scenario{
		// GET /teams/{team}/definition-of-ready
		{name: "read the definition of ready", method: "GET", path: dor, actor: "stkA", wantStatus: 200,
			wantContains: []string{`{"id":"acceptance-criteria","kind":"has_acceptance_criteria","text":"Has acceptance criteria"}`,
				`"max_sprint_estimate":13`, `"version":0`, `"updated_at":null`},
			check: wantETag(`"v0"`)},
		{name: "read the definition of ready as an outsider", method: "GET", path: dor, actor: "devB", wantStatus: 404},
		{name: "read the definition of ready signed out", method: "GET", path: dor, wantStatus: 401},

		// PUT /teams/{team}/definition-of-ready
		{name: "replace the definition of ready", method: "PUT", path: dor, actor: "poA", body: newDoR, wantStatus: 200,
			wantContains: []string{`"kind":"manual","text":"Designs attached ` + canaryA + `"`, `"max_sprint_estimate":2`, `"version":1`,
				`"updated_by":"{poA}"`},
			check: all(wantEvent("definition_of_ready.updated"), wantETag(`"v1"`),
				// Item 1 (estimate 3) no longer fits a sprint of 2.
				wantItem("{item1}", `{"criterion":"Estimated","met":true`, `{"criterion":"Small","met":false,"id":"small","kind":"fits_in_sprint"}`))},
		{name: "replace the definition of ready sends unready items back to refining", method: "PUT", path: dor, actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: tick, actor: "dev1A", body: `{"met":true}`}, 200)
				e.mustDo(t, request{method: "PATCH", path: item1, actor: "poA", body: `{"status":"ready"}`}, 200)
			},
			body: `{"criteria":[{"kind":"fits_in_sprint","text":"Small"}],"max_sprint_estimate":2}`, wantStatus: 200,
			wantContains: []string{`"version":1`},
			check: all(wantItem("{item1}", `"status":"refining"`, `"ready":false`), func(t *testing.T, e *env, res response) {
				if got := e.eventTypes(t, fx.TeamA.ID); !slices.Equal(got[len(got)-2:], []string{"item.updated", "definition_of_ready.updated"}) {
					t.Errorf("got events %v, want item.updated then definition_of_ready.updated", got)
				}
			})},
		{name: "an empty definition of ready makes every item ready", method: "PUT", path: dor, actor: "poA", body: `{"criteria":[]}`,
			wantStatus: 200, wantContains: []string{`"criteria":[]`, `"max_sprint_estimate":13`},
			check: wantItem("{item2}", `"ready":true`, `"readiness":[]`, `"status":"new"`)},
		{name: "replace the definition of ready with the ETag it had while never saved", method: "PUT", path: dor, actor: "poA",
			headers: H{"If-Match": `"v0"`}, body: `{"criteria":[]}`, wantStatus: 200, wantContains: []string{`"version":1`}},
		{name: "replace the definition of ready with If-Match v0 after someone saved it", method: "PUT", path: dor, actor: "poA",
			headers: H{"If-Match": `"v0"`},
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: dor, actor: "poA", body: newDoR}, 200)
			},
			body: `{"criteria":[]}`, wantStatus: 409, wantContains: []string{`"current_version":1`}},
		{name: "replace the definition of ready with a negative body version", method: "PUT", path: dor, actor: "poA",
			body: `{"criteria":[],"version":-1}`, wantStatus: 422, wantFields: []string{"version"}},
		{name: "replace the definition of ready with a malformed If-Match", method: "PUT", path: dor, actor: "poA",
			headers: H{"If-Match": `"v-1"`}, body: `{"criteria":[]}`, wantStatus: 422, wantFields: []string{"If-Match"}},
		{name: "replace the definition of ready with a stale If-Match", method: "PUT", path: dor, actor: "poA", headers: H{"If-Match": `"v1"`},
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: dor, actor: "poA", body: `{"criteria":[]}`}, 200)
				e.mustDo(t, request{method: "PUT", path: dor, actor: "poA", body: newDoR}, 200)
			},
			body: `{"criteria":[]}`, wantStatus: 409, wantContains: []string{`"current_version":2`}},
		{name: "replace the definition of ready with a stale body version", method: "PUT", path: dor, actor: "poA",
			body: `{"criteria":[],"version":3}`, wantStatus: 409},
		{name: "replace the definition of ready as a developer", method: "PUT", path: dor, actor: "dev1A", body: newDoR,
			wantStatus: 403, wantNeed: "readiness", wantHolders: owner},
		{name: "replace the definition of ready as the scrum master", method: "PUT", path: dor, actor: "smA", body: newDoR,
			wantStatus: 403, wantNeed: "readiness", wantHolders: owner},
		{name: "replace the definition of ready without criteria", method: "PUT", path: dor, actor: "poA", body: `{"max_sprint_estimate":5}`,
			wantStatus: 422, wantFields: []string{"criteria"}},
		{name: "replace the definition of ready with every field wrong", method: "PUT", path: dor, actor: "poA",
			body:       `{"criteria":[{"kind":"psychic","text":"x"},{"text":""},{"id":"Bad Id","text":"x"}],"max_sprint_estimate":-1}`,
			wantStatus: 422, wantFields: []string{"criteria", "max_sprint_estimate"}},
		{name: "replace the definition of ready with a criterion twice", method: "PUT", path: dor, actor: "poA",
			body: `{"criteria":[{"id":"a","text":"x"},{"id":"a","text":"y"}]}`, wantStatus: 422, wantFields: []string{"criteria"}},
		{name: "replace the definition of ready with malformed JSON", method: "PUT", path: dor, actor: "poA", body: `{"criteria":[`, wantStatus: 400},
		{name: "replace the definition of ready form-encoded", method: "PUT", path: dor, actor: "poA", body: "criteria=x",
			ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "replace the definition of ready with a 2 MiB body", method: "PUT", path: dor, actor: "poA", body: bigBody(2 << 20), wantStatus: 413},
		{name: "replace the definition of ready as an outsider", method: "PUT", path: dor, actor: "poB", body: newDoR, wantStatus: 404},
		{name: "replace the definition of ready signed out", method: "PUT", path: dor, body: newDoR, wantStatus: 401},

		// PUT /teams/{team}/items/{item}/readiness/{criterion}
		{name: "tick a readiness criterion", method: "PUT", path: tick, actor: "dev2A", headers: H{"If-Match": `"v1"`}, body: `{"met":true}`,
			wantStatus: 200, wantContains: []string{`"ready":true`, `"version":2`, `{"criterion":"Dependencies known","met":true`},
			check: all(wantEvent("item.updated"), wantETag(`"v2"`))},
		{name: "untick a readiness criterion", method: "PUT", path: tick, actor: "poA", body: `{"met":false,"version":2}`,
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: tick, actor: "dev1A", body: `{"met":true}`}, 200)
			},
			wantStatus: 200, wantContains: []string{`"ready":false`, `"version":3`}},
		{name: "tick a readiness criterion as a stakeholder", method: "PUT", path: tick, actor: "stkA", body: `{"met":true}`,
			wantStatus: 403, wantNeed: "backlog.clarity", wantHolders: owner},
		{name: "tick a computed criterion", method: "PUT", path: item1 + "/readiness/estimated", actor: "dev1A", body: `{"met":true}`,
			wantStatus: 422, wantFields: []string{"met"}},
		{name: "tick a readiness criterion without met", method: "PUT", path: tick, actor: "dev1A", body: `{}`,
			wantStatus: 422, wantFields: []string{"met"}},
		{name: "tick a readiness criterion with a string", method: "PUT", path: tick, actor: "dev1A", body: `{"met":"yes"}`,
			wantStatus: 422, wantFields: []string{"met"}},
		{name: "tick a readiness criterion with a stale If-Match", method: "PUT", path: tick, actor: "dev1A", headers: H{"If-Match": `"v7"`},
			body: `{"met":true}`, wantStatus: 409, wantContains: []string{`"current_version":1`}},
		{name: "tick a readiness criterion with a stale body version", method: "PUT", path: tick, actor: "dev1A",
			body: `{"met":true,"version":7}`, wantStatus: 409},
		{name: "tick an unknown criterion", method: "PUT", path: item1 + "/readiness/nope", actor: "dev1A", body: `{"met":true}`, wantStatus: 404},
		{name: "tick a criterion of team B's item", method: "PUT", path: items + "/{itemB}/readiness/dependencies-known", actor: "poA",
			body: `{"met":true}`, wantStatus: 404, wantNotContains: []string{canaryB}},
		{name: "tick a readiness criterion with malformed JSON", method: "PUT", path: tick, actor: "dev1A", body: `{"met":tru`, wantStatus: 400},
		{name: "tick a readiness criterion as text/plain", method: "PUT", path: tick, actor: "dev1A", body: `{"met":true}`, ct: "text/plain", wantStatus: 415},
		{name: "tick a readiness criterion as an outsider", method: "PUT", path: tick, actor: "devB", body: `{"met":true}`, wantStatus: 404},
		{name: "tick a readiness criterion signed out", method: "PUT", path: tick, body: `{"met":true}`, wantStatus: 401},

		// GET /teams/{team}/refinement
		{name: "the refinement view", method: "GET", path: "/api/v1/teams/{teamA}/refinement", actor: "stkA", wantStatus: 200,
			wantContains: []string{`"missing":["Dependencies known"]`, `"missing":["Has acceptance criteria","Estimated","Fits in a sprint","Dependencies known"]`},
			check: func(t *testing.T, e *env, res response) {
				var page struct {
					Items []struct {
						Item struct {
							ID string `json:"id"`
						} `json:"item"`
					} `json:"items"`
				}
				res.json(t, &page)
				if len(page.Items) != 3 || page.Items[0].Item.ID != fx.Item1.ID {
					t.Errorf("got %+v, want the three items in rank order", page.Items)
				}
			}},
		{name: "the refinement view leaves ready items out", method: "GET", path: "/api/v1/teams/{teamA}/refinement?limit=5", actor: "dev1A",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PUT", path: tick, actor: "dev1A", body: `{"met":true}`}, 200)
			},
			wantStatus: 200, wantNotContains: []string{"{item1}"}, wantContains: []string{"{item2}", "{item3}"}},
		{name: "the refinement view with limit 0", method: "GET", path: "/api/v1/teams/{teamA}/refinement?limit=0", actor: "dev1A",
			wantStatus: 422, wantFields: []string{"limit"}},
		{name: "the refinement view with limit 201", method: "GET", path: "/api/v1/teams/{teamA}/refinement?limit=201", actor: "dev1A",
			wantStatus: 422, wantFields: []string{"limit"}},
		{name: "the refinement view as an outsider", method: "GET", path: "/api/v1/teams/{teamA}/refinement", actor: "poB", wantStatus: 404},
		{name: "the refinement view signed out", method: "GET", path: "/api/v1/teams/{teamA}/refinement", wantStatus: 401},

		// GET /teams/{team}/product-goal
		{name: "read the product goal", method: "GET", path: goal, actor: "stkA", wantStatus: 200,
			wantContains: []string{`"text":"Self-service payments ` + canaryA + `"`, `"version":1`, `"updated_by":"{poA}"`},
			check:        wantETag(`"v1"`)},
		{name: "read team B's goal, never set", method: "GET", path: "/api/v1/teams/{teamB}/product-goal", actor: "devB", wantStatus: 200,
			wantContains: []string{`"text":""`, `"version":0`, `"updated_at":null`}},
		{name: "read the product goal as an outsider", method: "GET", path: goal, actor: "devB", wantStatus: 404},
		{name: "read the product goal signed out", method: "GET", path: goal, wantStatus: 401},

		// PUT /teams/{team}/product-goal
		{name: "set the product goal", method: "PUT", path: goal, actor: "poA", headers: H{"If-Match": `"v1"`},
			body: `{"text":"  Refunds without a call  "}`, wantStatus: 200, wantContains: []string{`"text":"Refunds without a call"`, `"version":2`},
			check: all(wantEvent("product_goal.updated"), wantETag(`"v2"`))},
		{name: "clear the product goal", method: "PUT", path: goal, actor: "poA", body: `{"text":"","version":1}`,
			wantStatus: 200, wantContains: []string{`"text":""`, `"version":2`}},
		{name: "set the product goal as a developer", method: "PUT", path: goal, actor: "dev1A", body: `{"text":"Mine"}`,
			wantStatus: 403, wantNeed: "product.goal", wantHolders: owner},
		{name: "set the product goal as the scrum master", method: "PUT", path: goal, actor: "smA", body: `{"text":"Mine"}`,
			wantStatus: 403, wantNeed: "product.goal", wantHolders: owner},
		{name: "set the product goal with a stale If-Match", method: "PUT", path: goal, actor: "poA", headers: H{"If-Match": `"v5"`},
			body: `{"text":"Stale"}`, wantStatus: 409, wantContains: []string{`"current_version":1`}},
		{name: "set the product goal with a stale body version", method: "PUT", path: goal, actor: "poA", body: `{"text":"Stale","version":2}`,
			wantStatus: 409},
		{name: "set the product goal without text", method: "PUT", path: goal, actor: "poA", body: `{}`, wantStatus: 422, wantFields: []string{"text"}},
		{name: "set a 2001-character product goal", method: "PUT", path: goal, actor: "poA", body: `{"text":"` + strings.Repeat("g", 2001) + `"}`,
			wantStatus: 422, wantFields: []string{"text"}},
		{name: "set the product goal with malformed JSON", method: "PUT", path: goal, actor: "poA", body: `{"text":}`, wantStatus: 400},
		{name: "set the product goal form-encoded", method: "PUT", path: goal, actor: "poA", body: "text=x",
			ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "set the product goal with a 2 MiB body", method: "PUT", path: goal, actor: "poA", body: bigBody(2 << 20), wantStatus: 413},
		{name: "set the product goal as an outsider", method: "PUT", path: goal, actor: "poB", body: `{"text":"x"}`, wantStatus: 404},
		{name: "set the product goal signed out", method: "PUT", path: goal, body: `{"text":"x"}`, wantStatus: 401},

		// POST /teams/{team}/items/{item}/suggestions
		{name: "suggest a position", method: "POST", path: item2 + "/suggestions", actor: "stkA", body: `{"after":"{item3}","note":" later "}`,
			wantStatus: 201, wantContains: []string{`"item_id":"{item2}"`, `"after":"{item3}"`, `"before":null`, `"to":null`, `"note":"later"`,
				`"state":"open"`, `"created_by":"{stkA}"`, `"resolved_at":null`, `"version":1`},
			check: wantEvent("suggestion.added")},
		{name: "suggest a position as the holder of ordering", method: "POST", path: item2 + "/suggestions", actor: "poA", body: `{"to":"top"}`,
			wantStatus: 409, wantContains: []string{"backlog.ordering"}},
		{name: "suggest the middle", method: "POST", path: item2 + "/suggestions", actor: "dev1A", body: `{"to":"middle"}`,
			wantStatus: 422, wantFields: []string{"to"}},
		{name: "suggest a position next to itself", method: "POST", path: item2 + "/suggestions", actor: "dev1A", body: `{"before":"{item2}"}`,
			wantStatus: 422, wantFields: []string{"before"}},
		{name: "suggest a position next to team B's item", method: "POST", path: item2 + "/suggestions", actor: "dev1A", body: `{"before":"{itemB}"}`,
			wantStatus: 422, wantFields: []string{"before"}, wantNotContains: []string{canaryB}},
		{name: "suggest a position with a long note", method: "POST", path: item2 + "/suggestions", actor: "dev1A",
			body: `{"to":"top","note":"` + strings.Repeat("n", 501) + `"}`, wantStatus: 422, wantFields: []string{"note"}},
		{name: "suggest a position for an unknown item", method: "POST", path: items + "/aaaaaaaaaaaaaaaa/suggestions", actor: "dev1A",
			body: `{"to":"top"}`, wantStatus: 404},
		{name: "suggest a position with malformed JSON", method: "POST", path: item2 + "/suggestions", actor: "dev1A", body: `{"to"`, wantStatus: 400},
		{name: "suggest a position form-encoded", method: "POST", path: item2 + "/suggestions", actor: "dev1A", body: "to=top",
			ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "suggest a position as an outsider", method: "POST", path: item2 + "/suggestions", actor: "devB", body: `{"to":"top"}`, wantStatus: 404},
		{name: "suggest a position signed out", method: "POST", path: item2 + "/suggestions", body: `{"to":"top"}`, wantStatus: 401},

		// GET /teams/{team}/suggestions
		{name: "list open suggestions", method: "GET", path: suggestions, actor: "poA", wantStatus: 200,
			wantContains: []string{`"id":"{suggestion}"`, `"item_id":"{item3}"`, `"to":"top"`, `"note":"customers ask ` + canaryA + `"`, `"next_cursor":null`}},
		{name: "list suggestions once resolved", method: "GET", path: suggestions, actor: "dev1A",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "POST", path: suggestion + "/dismiss", actor: "poA"}, 200)
			},
			wantStatus: 200, wantContains: []string{`{"items":[],"next_cursor":null}`}},
		{name: "list suggestions as an outsider", method: "GET", path: suggestions, actor: "loner", wantStatus: 404},
		{name: "list suggestions signed out", method: "GET", path: suggestions, wantStatus: 401},

		// POST /teams/{team}/suggestions/{id}/accept
		{name: "accept a suggestion", method: "POST", path: suggestion + "/accept", actor: "poA", wantStatus: 200,
			wantContains: []string{`"state":"accepted"`, `"resolved_by":"{poA}"`, `"item":{"id":"{item3}"`},
			check:        all(wantEvent("suggestion.accepted"), wantOrder("{item3}", "{item1}", "{item2}"))},
		{name: "accept a suggestion as a developer", method: "POST", path: suggestion + "/accept", actor: "dev1A",
			wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "accept a dismissed suggestion", method: "POST", path: suggestion + "/accept", actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "POST", path: suggestion + "/dismiss", actor: "poA"}, 200)
			},
			wantStatus: 409, wantContains: []string{"dismissed"}},
		{name: "accept an unknown suggestion", method: "POST", path: suggestions + "/aaaaaaaaaaaaaaaa/accept", actor: "poA", wantStatus: 404},
		{name: "accept a suggestion as an outsider", method: "POST", path: suggestion + "/accept", actor: "poB", wantStatus: 404},
		{name: "accept a suggestion signed out", method: "POST", path: suggestion + "/accept", wantStatus: 401},

		// POST /teams/{team}/suggestions/{id}/dismiss
		{name: "dismiss a suggestion", method: "POST", path: suggestion + "/dismiss", actor: "poA", wantStatus: 200,
			wantContains: []string{`"state":"dismissed"`, `"version":2`},
			check:        all(wantEvent("suggestion.dismissed"), wantOrder("{item1}", "{item2}", "{item3}"))},
		{name: "dismiss a suggestion as its author", method: "POST", path: suggestion + "/dismiss", actor: "dev1A",
			wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "dismiss a suggestion twice", method: "POST", path: suggestion + "/dismiss", actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "POST", path: suggestion + "/dismiss", actor: "poA"}, 200)
			},
			wantStatus: 409},
		{name: "dismiss a suggestion as an outsider", method: "POST", path: suggestion + "/dismiss", actor: "devB", wantStatus: 404},
		{name: "dismiss a suggestion signed out", method: "POST", path: suggestion + "/dismiss", wantStatus: 401},

		// POST /teams/{team}/items/bulk
		{name: "bulk edit items", method: "POST", path: items + "/bulk", actor: "dev1A",
			body:       `{"item_ids":["{item1}","{item2}"],"add_labels":["Q3"],"remove_labels":["payments"],"status":"refining","parent_id":"{item3}"}`,
			wantStatus: 200, wantContains: []string{`"labels":["q3"]`, `"status":"refining"`, `"parent_id":"{item3}"`},
			check: func(t *testing.T, e *env, res response) {
				if got := e.eventTypes(t, fx.TeamA.ID); !slices.Equal(got[len(got)-2:], []string{"item.updated", "item.updated"}) {
					t.Errorf("got events %v, want one item.updated per item", got)
				}
			}},
		{name: "bulk remove items as a developer", method: "POST", path: items + "/bulk", actor: "dev1A",
			body: `{"item_ids":["{item1}","{item2}"],"status":"removed"}`, wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "bulk estimate nothing as a stakeholder", method: "POST", path: items + "/bulk", actor: "stkA",
			body: `{"item_ids":["{item3}","{item2}"],"add_labels":["x"]}`, wantStatus: 403, wantNeed: "backlog.clarity", wantHolders: owner},
		{name: "bulk edit to ready", method: "POST", path: items + "/bulk", actor: "poA", body: `{"item_ids":["{item1}"],"status":"ready"}`,
			wantStatus: 422, wantFields: []string{"status"}},
		{name: "bulk edit nothing", method: "POST", path: items + "/bulk", actor: "poA", body: `{"item_ids":[],"status":"new"}`,
			wantStatus: 422, wantFields: []string{"item_ids"}},
		{name: "bulk edit without a change", method: "POST", path: items + "/bulk", actor: "poA", body: `{"item_ids":["{item1}"]}`,
			wantStatus: 422, wantFields: []string{"item_ids"}},
		{name: "bulk edit an item twice", method: "POST", path: items + "/bulk", actor: "poA", body: `{"item_ids":["{item1}","{item1}"],"status":"new"}`,
			wantStatus: 422, wantFields: []string{"item_ids"}},
		{name: "bulk edit team B's item", method: "POST", path: items + "/bulk", actor: "poA", body: `{"item_ids":["{item1}","{itemB}"],"status":"new"}`,
			wantStatus: 422, wantFields: []string{"item_ids[1]"}, wantNotContains: []string{canaryB}},
		{name: "bulk edit 501 items", method: "POST", path: items + "/bulk", actor: "poA",
			body:       `{"item_ids":["` + strings.Repeat(`{item1}","`, 500) + `{item1}"],"status":"new"}`,
			wantStatus: 422, wantFields: []string{"item_ids"}},
		{name: "bulk edit with an unknown status", method: "POST", path: items + "/bulk", actor: "poA", body: `{"item_ids":["{item1}"],"status":"limbo"}`,
			wantStatus: 422, wantFields: []string{"status"}},
		{name: "bulk edit with malformed JSON", method: "POST", path: items + "/bulk", actor: "poA", body: `{"item_ids":[`, wantStatus: 400},
		{name: "bulk edit form-encoded", method: "POST", path: items + "/bulk", actor: "poA", body: "item_ids=x",
			ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "bulk edit with a 2 MiB body", method: "POST", path: items + "/bulk", actor: "poA", body: bigBody(2 << 20), wantStatus: 413},
		{name: "bulk edit as an outsider", method: "POST", path: items + "/bulk", actor: "poB", body: `{"item_ids":["{item1}"],"status":"new"}`, wantStatus: 404},
		{name: "bulk edit signed out", method: "POST", path: items + "/bulk", body: `{"item_ids":["{item1}"],"status":"new"}`, wantStatus: 401},
	}
}
