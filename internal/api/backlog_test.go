package api_test

import (
	"fmt"
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
