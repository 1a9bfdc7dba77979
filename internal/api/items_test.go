package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// More fixture names in wanted bodies: the Developers hold estimation.
const (
	lena = "{dev1A.name}"
	sam  = "{dev2A.name}"
)

var (
	developers = []string{lena, sam}
	owner      = []string{priya}
)

// wantOrder checks team A's backlog order (items that are not removed).
func wantOrder(ids ...string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		got := e.mustDo(t, request{method: "GET", path: "/api/v1/teams/{teamA}/items", actor: "stkA"}, 200)
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		got.json(t, &page)
		var have, want []string
		for _, it := range page.Items {
			have = append(have, it.ID)
		}
		for _, id := range ids {
			want = append(want, expand(id))
		}
		if !slices.Equal(have, want) {
			t.Errorf("got backlog order %v, want %v", have, want)
		}
	}
}

// wantItem reads item id of team A back and checks it contains want.
func wantItem(id string, want ...string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		got := e.mustDo(t, request{method: "GET", path: "/api/v1/teams/{teamA}/items/" + id, actor: "stkA"}, 200)
		for _, w := range want {
			if !strings.Contains(string(got.body), expand(w)) {
				t.Errorf("got item %s, want %q in it", truncate(string(got.body), 600), expand(w))
			}
		}
	}
}

func wantETag(etag string) func(t *testing.T, e *env, res response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		if got := res.header.Get("ETag"); got != etag {
			t.Errorf("got ETag %q, want %s", got, etag)
		}
	}
}

// pages follows next_cursor from the first page res to the end and
// returns every id seen, failing on an id seen twice or a page over limit.
func pages(t *testing.T, e *env, res response, path, actor string, limit int) []string {
	t.Helper()
	var ids []string
	for n := 0; ; n++ {
		var page struct {
			Items []struct {
				ID json.RawMessage `json:"id"`
			} `json:"items"`
			Next *string `json:"next_cursor"`
		}
		res.json(t, &page)
		if len(page.Items) > limit {
			t.Fatalf("got %d entries on a page, want at most %d", len(page.Items), limit)
		}
		for _, it := range page.Items {
			if slices.Contains(ids, string(it.ID)) {
				t.Fatalf("%s on two pages", it.ID)
			}
			ids = append(ids, string(it.ID))
		}
		if page.Next == nil {
			return ids
		}
		if n > 50 {
			t.Fatal("no end to the pages")
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		res = e.mustDo(t, request{method: "GET", path: path + sep + "cursor=" + *page.Next, actor: actor}, 200)
	}
}

const (
	items = "/api/v1/teams/{teamA}/items"
	item1 = items + "/{item1}"
	item2 = items + "/{item2}"
	item3 = items + "/{item3}"
)

func itemScenarios() []scenario {
	return []scenario{
		// GET /teams/{team}/items
		{name: "list the backlog in rank order", method: "GET", path: items, actor: "stkA", wantStatus: 200,
			wantContains: []string{`"title":"Checkout ` + canaryA + `"`, `"ready":false`, `"criterion":"Dependencies known"`,
				`"labels":["payments"]`, `"next_cursor":null`},
			wantNotContains: []string{canaryB}, check: wantOrder("{item1}", "{item2}", "{item3}")},
		{name: "list bugs only", method: "GET", path: items + "?type=bug", actor: "dev1A", wantStatus: 200,
			wantContains: []string{`"id":"{item2}"`}, wantNotContains: []string{"{item1}", "{item3}"}},
		{name: "search the backlog", method: "GET", path: items + "?q=checkout", actor: "dev1A", wantStatus: 200,
			wantContains: []string{`"id":"{item1}"`}, wantNotContains: []string{"{item2}", "{item3}"}},
		{name: "list items by label and status", method: "GET", path: items + "?label=Payments&status=new,refining", actor: "dev1A",
			wantStatus: 200, wantContains: []string{`"id":"{item1}"`}, wantNotContains: []string{"{item2}"}},
		{name: "list the backlog a page at a time", method: "GET", path: items + "?limit=2", actor: "poA", wantStatus: 200,
			wantNotContains: []string{`"next_cursor":null`, "{item3}"},
			check: func(t *testing.T, e *env, res response) {
				if ids := pages(t, e, res, items+"?limit=2", "poA", 2); len(ids) != 3 {
					t.Errorf("got %d items over all pages, want 3", len(ids))
				}
			}},
		{name: "list items of an unknown type", method: "GET", path: items + "?type=saga", actor: "poA", wantStatus: 422, wantFields: []string{"type"}},
		{name: "list items with every filter wrong", method: "GET", path: items + "?status=limbo&ready=maybe", actor: "poA",
			wantStatus: 422, wantFields: []string{"status", "ready"}},
		{name: "list items with limit 0", method: "GET", path: items + "?limit=0", actor: "poA", wantStatus: 422, wantFields: []string{"limit"}},
		{name: "list items with a garbage cursor", method: "GET", path: items + "?cursor=%21%21", actor: "poA", wantStatus: 422, wantFields: []string{"cursor"}},
		{name: "list items as an outsider", method: "GET", path: items, actor: "devB", wantStatus: 404},
		{name: "list items as someone on no team", method: "GET", path: items, actor: "loner", wantStatus: 404},
		{name: "list items signed out", method: "GET", path: items, wantStatus: 401},

		// POST /teams/{team}/items
		{name: "add an estimated item as a developer", method: "POST", path: items, actor: "dev2A",
			body: `{"type":"spike","title":"  Try   webhooks ","acceptance_criteria":[{"text":"a note","done":false}],"estimate":2,` +
				`"value":40,"labels":["Tech Debt","tech debt"],"parent_id":"{item1}","goal_linked":true}`,
			wantStatus: 201, wantContains: []string{`"title":"Try webhooks"`, `"number":4`, `"status":"new"`, `"version":1`,
				`"labels":["tech-debt"]`, `"parent_id":"{item1}"`, `"estimate":2`, `"goal_linked":true`, `"created_by":"{dev2A}"`},
			check: all(wantEvent("item.created"), wantETag(`"v1"`), func(t *testing.T, e *env, res response) {
				var it struct{ ID string }
				res.json(t, &it)
				if got := res.header.Get("Location"); got != expand(items)+"/"+it.ID {
					t.Errorf("got Location %q, want the item's URL", got)
				}
				wantOrder("{item1}", "{item2}", "{item3}", it.ID)(t, e, res)
			})},
		{name: "a stakeholder proposes an item", method: "POST", path: items, actor: "stkA", body: `{"title":"Dark mode","status":"refining"}`,
			wantStatus: 201, wantContains: []string{`"type":"story"`, `"status":"refining"`, `"estimate":null`}},
		{name: "a stakeholder adds an estimated item", method: "POST", path: items, actor: "stkA", body: `{"title":"Dark mode","estimate":5}`,
			wantStatus: 403, wantNeed: "estimation", wantHolders: developers},
		{name: "the product owner adds an estimated item", method: "POST", path: items, actor: "poA", body: `{"title":"Dark mode","estimate":5}`,
			wantStatus: 403, wantNeed: "estimation", wantHolders: developers},
		{name: "add an item without a title", method: "POST", path: items, actor: "poA", body: `{"title":"   "}`,
			wantStatus: 422, wantFields: []string{"title"}},
		{name: "add an item with every field wrong", method: "POST", path: items, actor: "dev1A",
			body:       `{"type":"saga","title":"` + strings.Repeat("t", 201) + `","status":"ready","value":-1,"estimate":1001,"labels":["a,b"],"acceptance_criteria":[{"text":" "}]}`,
			wantStatus: 422, wantFields: []string{"type", "title", "status", "value", "estimate", "labels", "acceptance_criteria"}},
		{name: "add an item under team B's item", method: "POST", path: items, actor: "poA", body: `{"title":"Sneaky","parent_id":"{itemB}"}`,
			wantStatus: 422, wantFields: []string{"parent_id"}, wantNotContains: []string{canaryB}},
		{name: "add an item with a number for the title", method: "POST", path: items, actor: "poA", body: `{"title":7}`,
			wantStatus: 422, wantFields: []string{"title"}},
		{name: "add an item choosing its rank", method: "POST", path: items, actor: "poA", body: `{"title":"First!","rank":"0"}`,
			wantStatus: 422, wantFields: []string{"rank"}},
		{name: "add an item with malformed JSON", method: "POST", path: items, actor: "poA", body: `{"title":"x"`, wantStatus: 400},
		{name: "add an item form-encoded", method: "POST", path: items, actor: "poA", body: "title=x", ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "add an item as text/plain", method: "POST", path: items, actor: "poA", body: `{"title":"x"}`, ct: "text/plain", wantStatus: 415},
		{name: "add an item with a 2 MiB body", method: "POST", path: items, actor: "poA", body: bigBody(2 << 20), wantStatus: 413},
		{name: "add an item as an outsider", method: "POST", path: items, actor: "poB", body: `{"title":"x"}`, wantStatus: 404},
		{name: "add an item signed out", method: "POST", path: items, body: `{"title":"x"}`, wantStatus: 401},

		// GET /teams/{team}/items/{item}
		{name: "get an item", method: "GET", path: item1, actor: "stkA", wantStatus: 200,
			wantContains: []string{`"id":"{item1}"`, `"team_id":"{teamA}"`, `"number":1`, `"description":"Pay for the cart ` + canaryA + `"`,
				`"acceptance_criteria":[{"text":"a receipt ` + canaryA + `","done":false}]`, `"estimate":3`,
				`{"criterion":"Estimated","met":true,"id":"estimated","kind":"estimated"}`,
				`{"criterion":"Dependencies known","met":false,"id":"dependencies-known","kind":"manual"}`},
			check: wantETag(`"v1"`)},
		{name: "get team B's item through team A", method: "GET", path: items + "/{itemB}", actor: "poA", wantStatus: 404,
			wantNotContains: []string{canaryB}},
		{name: "get team A's item through team B", method: "GET", path: "/api/v1/teams/{teamB}/items/{item1}", actor: "poB", wantStatus: 404,
			wantNotContains: []string{canaryA}},
		{name: "get an unknown item", method: "GET", path: items + "/aaaaaaaaaaaaaaaa", actor: "poA", wantStatus: 404},
		{name: "get an item by a garbage id", method: "GET", path: items + "/..%2F..", actor: "poA", wantStatus: 404},
		{name: "get an item as an outsider", method: "GET", path: item1, actor: "devB", wantStatus: 404},
		{name: "get an item signed out", method: "GET", path: item1, wantStatus: 401},

		// PATCH /teams/{team}/items/{item}
		{name: "edit an item with If-Match", method: "PATCH", path: item2, actor: "dev2A", headers: H{"If-Match": `"v1"`},
			body: `{"title":"Refunds to card","description":"**fast**","labels":["payments"],"value":8}`, wantStatus: 200,
			wantContains: []string{`"title":"Refunds to card"`, `"version":2`, `"value":8`},
			check: all(wantEvent("item.updated"), wantETag(`"v2"`), func(t *testing.T, e *env, res response) {
				h := e.mustDo(t, request{method: "GET", path: item2 + "/history", actor: "poA"}, 200)
				if !strings.Contains(string(h.body), `{"field":"title","from":"Refunds `+canaryA+`","to":"Refunds to card"}`) {
					t.Errorf("got history %s, want the title change recorded", truncate(string(h.body), 800))
				}
			})},
		{name: "edit an item with a body version", method: "PATCH", path: item2, actor: "poA", body: `{"type":"story","version":1}`,
			wantStatus: 200, wantContains: []string{`"type":"story"`, `"version":2`}},
		{name: "clear an item's estimate", method: "PATCH", path: item1, actor: "dev1A", body: `{"estimate":null,"labels":null}`,
			wantStatus: 200, wantContains: []string{`"estimate":null`, `"labels":[]`, `"version":2`}},
		{name: "an edit that changes nothing", method: "PATCH", path: item1, actor: "dev1A", body: `{"title":"Checkout ` + canaryA + `"}`,
			wantStatus: 200, wantContains: []string{`"version":1`}},
		{name: "a stakeholder edits their own new item", method: "PATCH", path: item3, actor: "stkA", body: `{"title":"Receipts by email"}`,
			wantStatus: 200, wantContains: []string{`"title":"Receipts by email"`}},
		{name: "a stakeholder edits someone else's item", method: "PATCH", path: item2, actor: "stkA", body: `{"title":"Mine now"}`,
			wantStatus: 403, wantNeed: "backlog.clarity", wantHolders: owner},
		{name: "the product owner estimates", method: "PATCH", path: item2, actor: "poA", body: `{"estimate":8}`,
			wantStatus: 403, wantNeed: "estimation", wantHolders: developers},
		{name: "a developer removes an item by status", method: "PATCH", path: item2, actor: "dev1A", body: `{"status":"removed"}`,
			wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "edit an item with a stale If-Match", method: "PATCH", path: item2, actor: "poA", headers: H{"If-Match": `"v9"`},
			body: `{"title":"Stale"}`, wantStatus: 409, wantContains: []string{`"current_version":1`}},
		{name: "edit an item with a stale body version", method: "PATCH", path: item2, actor: "poA",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "PATCH", path: item2, actor: "smA", body: `{"title":"Refunds v2"}`}, 200)
			},
			body: `{"title":"Stale","version":1}`, wantStatus: 409, wantContains: []string{`"current_version":2`},
			check: wantItem("{item2}", `"title":"Refunds v2"`)},
		{name: "mark an unready item ready", method: "PATCH", path: item1, actor: "poA", body: `{"status":"ready"}`,
			wantStatus: 422, wantFields: []string{"status"}, wantContains: []string{"Dependencies known"}},
		{name: "make an item its own parent", method: "PATCH", path: item1, actor: "poA", body: `{"parent_id":"{item1}"}`,
			wantStatus: 422, wantFields: []string{"parent_id"}},
		{name: "edit an item with every field wrong", method: "PATCH", path: item1, actor: "poA",
			body: `{"title":" ","type":"saga","status":"limbo","value":-5}`, wantStatus: 422, wantFields: []string{"title", "type", "status", "value"}},
		{name: "edit an item's rank", method: "PATCH", path: item1, actor: "poA", body: `{"rank":"0"}`,
			wantStatus: 422, wantFields: []string{"rank"}},
		{name: "edit an item with a bad If-Match", method: "PATCH", path: item1, actor: "poA", headers: H{"If-Match": "soon"},
			body: `{"title":"X"}`, wantStatus: 422, wantFields: []string{"If-Match"}},
		{name: "edit an item with malformed JSON", method: "PATCH", path: item1, actor: "poA", body: `{"title":`, wantStatus: 400},
		{name: "edit an item form-encoded", method: "PATCH", path: item1, actor: "poA", body: "title=x", ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "edit an item with a 2 MiB body", method: "PATCH", path: item1, actor: "poA", body: bigBody(2 << 20), wantStatus: 413},
		{name: "edit team B's item through team A", method: "PATCH", path: items + "/{itemB}", actor: "poA", body: `{"title":"x"}`,
			wantStatus: 404, wantNotContains: []string{canaryB}},
		{name: "edit an item as an outsider", method: "PATCH", path: item1, actor: "devB", body: `{"title":"x"}`, wantStatus: 404},
		{name: "edit an item signed out", method: "PATCH", path: item1, body: `{"title":"x"}`, wantStatus: 401},

		// DELETE /teams/{team}/items/{item}
		{name: "remove an item", method: "DELETE", path: item2, actor: "poA", headers: H{"If-Match": `"v1"`}, wantStatus: 200,
			wantContains: []string{`"status":"removed"`, `"version":2`},
			check:        all(wantEvent("item.updated"), wantOrder("{item1}", "{item3}"))},
		{name: "remove an item as a developer", method: "DELETE", path: item2, actor: "dev1A",
			wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "remove an item as a stakeholder", method: "DELETE", path: item3, actor: "stkA",
			wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "remove an item with a stale If-Match", method: "DELETE", path: item2, actor: "poA", headers: H{"If-Match": `"v4"`},
			wantStatus: 409, wantContains: []string{`"current_version":1`}},
		{name: "remove an item with a bad If-Match", method: "DELETE", path: item2, actor: "poA", headers: H{"If-Match": "x"},
			wantStatus: 422, wantFields: []string{"If-Match"}},
		{name: "remove an unknown item", method: "DELETE", path: items + "/aaaaaaaaaaaaaaaa", actor: "poA", wantStatus: 404},
		{name: "remove an item as an outsider", method: "DELETE", path: item2, actor: "poB", wantStatus: 404},
		{name: "remove an item signed out", method: "DELETE", path: item2, wantStatus: 401},

		// POST /teams/{team}/items/{item}/move
		{name: "move an item to the top", method: "POST", path: item3 + "/move", actor: "poA", headers: H{"If-Match": `"v1"`},
			body: `{"to":"top"}`, wantStatus: 200, wantContains: []string{`"id":"{item3}"`, `"version":2`},
			check: all(wantEvent("item.moved"), wantETag(`"v2"`), wantOrder("{item3}", "{item1}", "{item2}"))},
		{name: "move an item before another", method: "POST", path: item3 + "/move", actor: "poA", body: `{"before":"{item2}"}`,
			wantStatus: 200, check: wantOrder("{item1}", "{item3}", "{item2}")},
		{name: "move an item after another", method: "POST", path: item1 + "/move", actor: "poA", body: `{"after":"{item3}","version":1}`,
			wantStatus: 200, check: wantOrder("{item2}", "{item3}", "{item1}")},
		{name: "move an item where it already is", method: "POST", path: item3 + "/move", actor: "poA", body: `{"to":"bottom"}`,
			wantStatus: 200, wantContains: []string{`"version":1`}, check: wantOrder("{item1}", "{item2}", "{item3}")},
		{name: "move an item as a developer", method: "POST", path: item3 + "/move", actor: "dev1A", body: `{"to":"top"}`,
			wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "move an item as the scrum master", method: "POST", path: item3 + "/move", actor: "smA", body: `{"to":"top"}`,
			wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "move an item with a stale If-Match", method: "POST", path: item3 + "/move", actor: "poA", headers: H{"If-Match": `"v2"`},
			body: `{"to":"top"}`, wantStatus: 409, wantContains: []string{`"current_version":1`}},
		{name: "move an item with a stale body version", method: "POST", path: item3 + "/move", actor: "poA", body: `{"to":"top","version":3}`,
			wantStatus: 409},
		{name: "move an item two ways at once", method: "POST", path: item3 + "/move", actor: "poA", body: `{"to":"top","before":"{item1}"}`,
			wantStatus: 422, wantFields: []string{"before"}},
		{name: "move an item nowhere", method: "POST", path: item3 + "/move", actor: "poA", body: `{}`, wantStatus: 422, wantFields: []string{"before"}},
		{name: "move an item to the middle", method: "POST", path: item3 + "/move", actor: "poA", body: `{"to":"middle"}`,
			wantStatus: 422, wantFields: []string{"to"}},
		{name: "move an item before itself", method: "POST", path: item3 + "/move", actor: "poA", body: `{"before":"{item3}"}`,
			wantStatus: 422, wantFields: []string{"before"}},
		{name: "move an item after team B's item", method: "POST", path: item3 + "/move", actor: "poA", body: `{"after":"{itemB}"}`,
			wantStatus: 422, wantFields: []string{"after"}, wantNotContains: []string{canaryB}},
		{name: "move an item with malformed JSON", method: "POST", path: item3 + "/move", actor: "poA", body: `{"to":`, wantStatus: 400},
		{name: "move an item form-encoded", method: "POST", path: item3 + "/move", actor: "poA", body: "to=top",
			ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "move an unknown item", method: "POST", path: items + "/aaaaaaaaaaaaaaaa/move", actor: "poA", body: `{"to":"top"}`, wantStatus: 404},
		{name: "move an item as an outsider", method: "POST", path: item3 + "/move", actor: "poB", body: `{"to":"top"}`, wantStatus: 404},
		{name: "move an item signed out", method: "POST", path: item3 + "/move", body: `{"to":"top"}`, wantStatus: 401},

		// GET /teams/{team}/items/{item}/history
		{name: "an item's history, oldest first", method: "GET", path: item1 + "/history", actor: "stkA", wantStatus: 200,
			wantContains: []string{`"type":"item.created"`, `"type":"comment.added"`, `"actor_id":"{dev1A}"`, `"next_cursor":null`},
			check: func(t *testing.T, e *env, res response) {
				var page struct {
					Items []struct {
						ID   int64  `json:"id"`
						Type string `json:"type"`
					} `json:"items"`
				}
				res.json(t, &page)
				if len(page.Items) != 2 || page.Items[0].Type != "item.created" || page.Items[0].ID > page.Items[1].ID {
					t.Errorf("got %+v, want item.created then comment.added", page.Items)
				}
			}},
		{name: "an item's history a page at a time", method: "GET", path: item3 + "/history?limit=1", actor: "poA", wantStatus: 200,
			setup: func(t *testing.T, e *env) {
				for _, title := range []string{"Receipts A", "Receipts B", "Receipts C"} {
					e.mustDo(t, request{method: "PATCH", path: item3, actor: "stkA", body: `{"title":"` + title + `"}`}, 200)
				}
			},
			check: func(t *testing.T, e *env, res response) {
				if ids := pages(t, e, res, item3+"/history?limit=1", "poA", 1); len(ids) != 5 {
					t.Errorf("got %d entries over all pages, want 5 (created, suggested, three edits)", len(ids))
				}
			}},
		{name: "an item's history with a garbage cursor", method: "GET", path: item1 + "/history?cursor=%21", actor: "poA",
			wantStatus: 422, wantFields: []string{"cursor"}},
		{name: "an item's history with limit 1001", method: "GET", path: item1 + "/history?limit=1001", actor: "poA",
			wantStatus: 422, wantFields: []string{"limit"}},
		{name: "the history of team B's item through team A", method: "GET", path: items + "/{itemB}/history", actor: "poA",
			wantStatus: 404, wantNotContains: []string{canaryB}},
		{name: "an item's history as an outsider", method: "GET", path: item1 + "/history", actor: "loner", wantStatus: 404},
		{name: "an item's history signed out", method: "GET", path: item1 + "/history", wantStatus: 401},
	}
}
