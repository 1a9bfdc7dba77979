package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func (e *benv) csv(u buser, path, body string) bresponse {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+u.Token)
	return e.send(req)
}

const tandemCSV = "id,type,title,status,estimate,labels,parent_id,acceptance_criteria,description\r\n" +
	"E1,epic,Payments,new,,,,,\r\n" +
	"S1,story,Pay by card,ready,3,pay;web,E1,\"[ ] receipt\n[x] 3-D Secure\",Card **payments**\r\n" +
	"S2,bug,\"=HYPERLINK(\"\"x\"\")\",new,,,E1,,\r\n"

type importResult struct {
	Preview, Valid                    bool
	Items, Epics, Comments, Unreadied int
	First                             []bitem
	Errors                            []struct {
		Row            int
		Field, Message string
	}
}

func TestImportExport(t *testing.T) {
	e := newBEnv(t)
	base := "/teams/" + e.team
	var res importResult
	// Preview writes nothing.
	r := e.csv(e.po, base+"/items/import?preview=true", tandemCSV)
	if r.Status != 200 || r.JSON(&res) != nil || !res.Valid || res.Items != 3 || res.Epics != 1 || len(res.First) != 3 {
		t.Fatalf("preview: got %d %s", r.Status, r.Body)
	}
	var list struct{ Items []bitem }
	e.ok(e.po, "GET", base+"/items", "", 200, &list)
	if len(list.Items) != 0 {
		t.Fatalf("preview wrote %d items", len(list.Items))
	}
	// Only the holder of backlog.ordering imports.
	if r := e.csv(e.dev, base+"/items/import", tandemCSV); r.Status != 403 || !strings.Contains(string(r.Body), "backlog.ordering") {
		t.Errorf("developer import: got %d %s, want 403 naming backlog.ordering", r.Status, r.Body)
	}
	if r := e.csv(e.out, base+"/items/import", tandemCSV); r.Status != 404 {
		t.Errorf("outsider import: got %d", r.Status)
	}
	r = e.csv(e.po, base+"/items/import", tandemCSV)
	if r.Status != 201 || r.JSON(&res) != nil || res.Items != 3 || res.Unreadied != 1 {
		t.Fatalf("import: got %d %s, want 201 with the ready row made refining", r.Status, r.Body)
	}
	e.ok(e.po, "GET", base+"/items", "", 200, &list)
	if len(list.Items) != 3 || list.Items[1].Title != "Pay by card" || *list.Items[1].ParentID != list.Items[0].ID ||
		list.Items[1].Status != "refining" || list.Items[2].Title != `=HYPERLINK("x")` {
		t.Fatalf("got %+v, want the file in order with parents resolved", list.Items)
	}
	// Export guards formulas and round-trips.
	r = e.do(e.holder, "GET", base+"/items/export.csv", "")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(string(r.Body), `'=HYPERLINK`) || !strings.Contains(string(r.Body), "[x] 3-D Secure") {
		t.Fatalf("export: got %d %q", r.Status, r.Body)
	}
	r2 := e.csv(e.po, base+"/items/import", string(r.Body))
	if r2.Status != 201 {
		t.Fatalf("re-import of the export: got %d %s", r2.Status, r2.Body)
	}
	e.ok(e.po, "GET", base+"/items?limit=10", "", 200, &list)
	if len(list.Items) != 6 || list.Items[5].Title != `=HYPERLINK("x")` {
		t.Errorf("got %d items after re-import", len(list.Items))
	}
	e.refused(e.out, "GET", base+"/items/export.csv", "", 404)
}

func TestImportRefusals(t *testing.T) {
	e := newBEnv(t)
	base := "/teams/" + e.team
	// One bad row: 422 listing row and field, nothing written.
	bad := "title,type,estimate,parent_id\r\nGood,story,,\r\n,story,,\r\nAlso bad,saga,-1,\r\nOrphan,story,,X9\r\n"
	r := e.csv(e.po, base+"/items/import", bad)
	var p bproblem
	var raw struct {
		Errors []struct {
			Row   int
			Field string
		}
	}
	if r.Status != 422 || r.JSON(&p) != nil || r.JSON(&raw) != nil {
		t.Fatalf("got %d %s, want 422", r.Status, r.Body)
	}
	got := fmt.Sprint(raw.Errors)
	for _, want := range []string{"{3 title}", "{4 type}", "{4 estimate}"} {
		if !strings.Contains(got, want) {
			t.Errorf("got errors %s, want %s among them", got, want)
		}
	}
	var list struct{ Items []bitem }
	e.ok(e.po, "GET", base+"/items", "", 200, &list)
	if len(list.Items) != 0 {
		t.Errorf("a refused import wrote %d items", len(list.Items))
	}
	// The preview lists the same problems with 200.
	var res importResult
	r = e.csv(e.po, base+"/items/import?preview=true", bad)
	if r.Status != 200 || r.JSON(&res) != nil || res.Valid || len(res.Errors) < 3 {
		t.Errorf("preview of a bad file: got %d %s", r.Status, r.Body)
	}
	// A parent that is not in the file is caught by the service.
	r = e.csv(e.po, base+"/items/import", "id,title,parent_id\r\nA,One,\r\nB,Two,ZZ\r\n")
	if r.Status != 422 || !strings.Contains(string(r.Body), `"row":3`) || !strings.Contains(string(r.Body), `"field":"parent"`) {
		t.Errorf("unknown parent: got %d %s", r.Status, r.Body)
	}
	// Wrong media type, bad options, an empty file, an oversized body.
	if r := e.do(e.po, "POST", base+"/items/import", `{"a":1}`); r.Status != 415 {
		t.Errorf("JSON body: got %d, want 415", r.Status)
	}
	e.wantField(e.refusedCSV(e.po, base+"/items/import?format=excel", "title\r\nx\r\n", 422), "format")
	e.wantField(e.refusedCSV(e.po, base+"/items/import?date_format=soon", "title\r\nx\r\n", 422), "date_format")
	big := "title,description\r\n" + strings.Repeat("t,"+strings.Repeat("x", 10000)+"\r\n", 21<<20/10000)
	if r := e.csv(e.po, base+"/items/import", big); r.Status != 413 {
		t.Errorf("21 MiB import: got %d %.200s, want 413", r.Status, r.Body)
	}
}

func (e *benv) refusedCSV(u buser, path, body string, status int) bproblem {
	e.t.Helper()
	r := e.csv(u, path, body)
	var p bproblem
	if r.Status != status || r.JSON(&p) != nil {
		e.t.Fatalf("%s: got %d %s, want %d", path, r.Status, r.Body, status)
	}
	return p
}

func TestJiraImport(t *testing.T) {
	e := newBEnv(t)
	base := "/teams/" + e.team
	jira := "Summary,Issue key,Issue id,Issue Type,Status,Custom field (Story Points),Custom field (Rank),Parent id,Created,Comment\r\n" +
		"Second,P-2,1002,Story,To Do,5,0|i0002:,1001,12/03/24 09:15,\"12/03/24 10:00;alice;Looks good to @lena\"\r\n" +
		"Epic one,P-1,1001,Epic,To Do,,0|i0001:,,12/03/24 09:00,\r\n"
	r := e.csv(e.po, base+"/items/import?format=jira&date_format=02/01/06+15:04&preview=true", jira)
	var res importResult
	if r.Status != 200 || r.JSON(&res) != nil {
		t.Fatalf("jira preview: got %d %s", r.Status, r.Body)
	}
	if !res.Valid || res.Items != 2 || res.Epics != 1 || res.Comments != 1 {
		t.Fatalf("jira preview: got %+v", res)
	}
	r = e.csv(e.po, base+"/items/import?format=jira&date_format=02/01/06+15:04", jira)
	if r.Status != 201 {
		t.Fatalf("jira import: got %d %s", r.Status, r.Body)
	}
	var list struct{ Items []bitem }
	e.ok(e.po, "GET", base+"/items", "", 200, &list)
	if len(list.Items) != 2 || list.Items[0].Title != "Epic one" {
		t.Fatalf("got %+v, want the Jira rank order (epic first)", list.Items)
	}
	var cs struct {
		Items []struct {
			Body           string
			ImportedAuthor string    `json:"imported_author"`
			CreatedAt      time.Time `json:"created_at"`
		}
	}
	e.ok(e.dev, "GET", base+"/items/"+list.Items[1].ID+"/comments", "", 200, &cs)
	if len(cs.Items) != 1 || cs.Items[0].ImportedAuthor != "alice" || !strings.Contains(cs.Items[0].Body, "Looks good") ||
		!cs.Items[0].CreatedAt.Equal(time.Date(2024, 3, 12, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("got comments %+v, want alice's imported comment", cs.Items)
	}
}

func TestComments(t *testing.T) {
	e := newBEnv(t)
	base := "/teams/" + e.team
	it := e.item(e.dev, `{"title":"Refunds"}`)
	var c struct {
		ID, Body, HTML string
		Mentions       []string
	}
	// Stakeholders comment too; @lena (first name) and @priya.shah resolve,
	// @nobody does not; raw HTML is dropped.
	e.ok(e.holder, "POST", base+"/items/"+it.ID+"/comments",
		`{"body":"Ask @lena and @priya.shah, not @nobody <script>alert(1)</script> [x](javascript:alert(1))"}`, 201, &c)
	if fmt.Sprint(c.Mentions) != fmt.Sprint([]string{e.dev.ID, e.po.ID}) {
		t.Errorf("got mentions %v, want Lena and Priya", c.Mentions)
	}
	if strings.Contains(c.HTML, "<script") || strings.Contains(c.HTML, "javascript:") {
		t.Errorf("unsafe HTML: %s", c.HTML)
	}
	e.wantField(e.refused(e.dev, "POST", base+"/items/"+it.ID+"/comments", `{"body":"  "}`, 422), "body")
	e.wantField(e.refused(e.dev, "POST", base+"/items/"+it.ID+"/comments", `{"body":"`+strings.Repeat("b", 10241)+`"}`, 422), "body")
	e.refused(e.out, "POST", base+"/items/"+it.ID+"/comments", `{"body":"hi"}`, 404)
	e.refused(e.out, "GET", base+"/items/"+it.ID+"/comments", "", 404)
	e.refused(e.dev, "POST", base+"/items/aaaaaaaaaaaaaaaa/comments", `{"body":"hi"}`, 404)
	for i := range 3 {
		e.ok(e.dev, "POST", base+"/items/"+it.ID+"/comments", fmt.Sprintf(`{"body":"note %d"}`, i), 201, nil)
	}
	var page struct {
		Items      []struct{ Body, HTML string }
		NextCursor *string `json:"next_cursor"`
	}
	e.ok(e.dev, "GET", base+"/items/"+it.ID+"/comments?limit=2", "", 200, &page)
	if len(page.Items) != 2 || page.NextCursor == nil || !strings.Contains(page.Items[0].HTML, `mention`) {
		t.Fatalf("got %+v", page)
	}
	e.ok(e.dev, "GET", base+"/items/"+it.ID+"/comments?limit=2&cursor="+*page.NextCursor, "", 200, &page)
	if len(page.Items) != 2 || page.Items[1].Body != "note 2" || page.NextCursor != nil {
		t.Errorf("second page: got %+v", page)
	}
	// Comments appear in the item's history.
	var hist struct{ Items []struct{ Type string } }
	e.ok(e.dev, "GET", base+"/items/"+it.ID+"/history", "", 200, &hist)
	if len(hist.Items) != 5 || hist.Items[1].Type != "comment.added" {
		t.Errorf("got history %+v, want created then 4 comments", hist.Items)
	}
}

const (
	export    = items + "/export.csv"
	importURL = items + "/import"
	importCSV = "title,type,labels,acceptance_criteria\r\nImported one,story,web;api,[ ] done\r\nImported two,bug,,\r\n"
)

func transferScenarios() []scenario {
	return []scenario{
		// GET /teams/{team}/items/export.csv
		{name: "export the backlog", method: "GET", path: export, actor: "stkA", wantStatus: 200,
			wantContains:    []string{"{item1},story,Checkout " + canaryA + ",new,,3,payments,,[ ] a receipt " + canaryA, "Refunds " + canaryA},
			wantNotContains: []string{canaryB},
			check: func(t *testing.T, e *env, res response) {
				if ct := res.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
					t.Errorf("got Content-Type %q, want text/csv; charset=utf-8", ct)
				}
				if cd := res.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
					t.Errorf("got Content-Disposition %q, want an attachment", cd)
				}
				if n := strings.Count(string(res.body), "\r\n"); n != 4 {
					t.Errorf("got %d lines, want a header and three items", n)
				}
			}},
		{name: "export the backlog with removed items", method: "GET", path: export + "?include_removed=true", actor: "dev1A",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "DELETE", path: item2, actor: "poA"}, 200)
			},
			wantStatus: 200, wantContains: []string{"Refunds " + canaryA + ",removed"}},
		{name: "export the backlog without removed items", method: "GET", path: export, actor: "dev1A",
			setup: func(t *testing.T, e *env) {
				e.mustDo(t, request{method: "DELETE", path: item2, actor: "poA"}, 200)
			},
			wantStatus: 200, wantNotContains: []string{"Refunds"}},
		{name: "export the backlog as an outsider", method: "GET", path: export, actor: "devB", wantStatus: 404},
		{name: "export the backlog signed out", method: "GET", path: export, wantStatus: 401},

		// POST /teams/{team}/items/import
		{name: "import a CSV file", method: "POST", path: importURL, actor: "poA", body: importCSV, ct: "text/csv", wantStatus: 201,
			wantContains: []string{`"preview":false`, `"valid":true`, `"items":2`, `"title":"Imported one"`, `"labels":["web","api"]`,
				`"number":4`, `"errors":[]`},
			check: all(wantEvent("items.imported"), func(t *testing.T, e *env, res response) {
				var out struct {
					First []struct {
						ID string `json:"id"`
					} `json:"first"`
				}
				res.json(t, &out)
				if len(out.First) != 2 {
					t.Fatalf("got %d items back, want 2", len(out.First))
				}
				wantOrder("{item1}", "{item2}", "{item3}", out.First[0].ID, out.First[1].ID)(t, e, res)
			})},
		{name: "preview an import", method: "POST", path: importURL + "?preview=true", actor: "poA", body: importCSV, ct: "text/csv; charset=utf-8",
			wantStatus: 200, wantContains: []string{`"preview":true`, `"valid":true`, `"items":2`},
			check: func(t *testing.T, e *env, res response) {
				if n := e.count(`SELECT count(*) FROM items WHERE team_id = $1`, fx.TeamA.ID); n != 3 {
					t.Errorf("got %d items after a preview, want the fixture's 3", n)
				}
			}},
		{name: "preview a bad import", method: "POST", path: importURL + "?preview=true", actor: "poA", body: "title,type\r\n,saga\r\n", ct: "text/csv",
			wantStatus: 200, wantContains: []string{`"valid":false`, `{"row":2,"field":"title"`, `{"row":2,"field":"type"`}},
		{name: "import a Jira export", method: "POST", path: importURL + "?format=jira&date_format=iso", actor: "poA", ct: "text/csv",
			body:       "Summary,Issue key,Issue Type,Status,Created\r\nFrom Jira,P-1,Story,To Do,2024-03-12 09:00\r\n",
			wantStatus: 201, wantContains: []string{`"title":"From Jira"`}},
		{name: "import as a developer", method: "POST", path: importURL, actor: "dev1A", body: importCSV, ct: "text/csv",
			wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "preview an import as a developer", method: "POST", path: importURL + "?preview=true", actor: "dev1A", body: importCSV, ct: "text/csv",
			wantStatus: 403, wantNeed: "backlog.ordering", wantHolders: owner},
		{name: "import a file with bad rows", method: "POST", path: importURL, actor: "poA", ct: "text/csv",
			body:       "title,type,estimate\r\nGood,story,\r\n,story,\r\nAlso bad,saga,-1\r\n",
			wantStatus: 422, wantFields: []string{"title", "type", "estimate"}, wantContains: []string{`"row":3`, `"row":4`}},
		{name: "import an empty file", method: "POST", path: importURL, actor: "poA", body: "title\r\n", ct: "text/csv",
			wantStatus: 422, wantFields: []string{"file"}},
		{name: "import with an unknown format", method: "POST", path: importURL + "?format=excel&preview=maybe", actor: "poA", body: importCSV,
			ct: "text/csv", wantStatus: 422, wantFields: []string{"format", "preview"}},
		{name: "import with a bad date format", method: "POST", path: importURL + "?date_format=soon", actor: "poA", body: importCSV,
			ct: "text/csv", wantStatus: 422, wantFields: []string{"date_format"}},
		{name: "import JSON", method: "POST", path: importURL, actor: "poA", body: `{"title":"x"}`, wantStatus: 415},
		{name: "import as text/plain", method: "POST", path: importURL, actor: "poA", body: importCSV, ct: "text/plain", wantStatus: 415},
		{name: "import a form", method: "POST", path: importURL, actor: "poA", body: "title=x", ct: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "import without a content type", method: "POST", path: importURL, actor: "poA", body: importCSV, ct: " ", wantStatus: 415},
		{name: "import a 21 MiB file", method: "POST", path: importURL, actor: "poA", ct: "text/csv",
			body:       "title,description\r\n" + strings.Repeat("t,"+strings.Repeat("x", 10000)+"\r\n", 21<<20/10000),
			wantStatus: 413},
		{name: "import as an outsider", method: "POST", path: importURL, actor: "poB", body: importCSV, ct: "text/csv", wantStatus: 404},
		{name: "import signed out", method: "POST", path: importURL, body: importCSV, ct: "text/csv", wantStatus: 401},
	}
}
