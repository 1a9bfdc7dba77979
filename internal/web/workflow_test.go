package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/scrum"
)

func TestProductGoal(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	// No goal yet: the Product Owner is offered to set it, others are told who does.
	f.get(f.po, f.base()+"/backlog").wantContains(t, "No product goal yet.", "Set the goal", `data-goal-form`)
	f.get(f.dev, f.base()+"/backlog").wantContains(t, "No product goal yet.", "<code class=\"code-key\">product.goal</code>: Priya Shah.").
		wantNotContains(t, `data-goal-form`)

	res := f.post(f.po, f.base()+"/backlog/goal", url.Values{"version": {"0"}, "text": {"  Refunds in two clicks.  "}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("set goal: got %d", res.Status)
	}
	linked := true
	if _, err := f.svc.UpdateItem(ctx, f.po.Actor, f.team.ID, f.items[1].ID, scrum.ItemPatch{GoalLinked: &linked}, 0); err != nil {
		t.Fatal(err)
	}
	page := f.get(f.dev, f.base()+"/backlog").wantStatus(t, http.StatusOK)
	page.wantContains(t, `<p class="goal__text" data-goal-text>Refunds in two clicks.</p>`, "0 of 1 linked item done", "Set by Priya Shah")
	if got := f.get(f.dev, f.base()+"/backlog?goal=true").rowNumbers(); !slices.Equal(got, []string{"2"}) {
		t.Errorf("linked to goal: got %v, want #2", got)
	}
	f.get(f.dev, f.base()+"/backlog/fragments/goal").wantStatus(t, http.StatusOK).wantContains(t, `data-fragment="goal"`, "Refunds in two clicks.")
	f.get(f.dev, f.base()+"/items/2").wantContains(t, "Linked to the product goal")

	// A stale save changes nothing and comes back with the user's text.
	res = f.post(f.po, f.base()+"/backlog/goal", url.Values{"version": {"0"}, "text": {"Something else"}}).wantStatus(t, http.StatusConflict)
	res.wantContains(t, "Someone changed the goal", ">Something else</textarea>", `name="version" value="1"`)
	res = f.post(f.po, f.base()+"/backlog/goal", url.Values{"version": {"1"}, "text": {strings.Repeat("x", 2001)}}).wantStatus(t, http.StatusUnprocessableEntity)
	res.wantContains(t, "text is longer than 2000 characters")
	f.post(f.dev, f.base()+"/backlog/goal", url.Values{"version": {"1"}, "text": {"Mine"}}).wantStatus(t, http.StatusForbidden).
		wantContains(t, "product.goal", "Priya Shah")
	if g, _ := f.svc.ProductGoal(ctx, f.po.Actor, f.team.ID); g.Text != "Refunds in two clicks." || g.Version != 1 {
		t.Errorf("got goal %q v%d after refused saves, want the first one", g.Text, g.Version)
	}
}

func TestReadinessInTheList(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	three := 3.0
	crit := []scrum.Criterion{{Text: "Pays with Apple Pay"}}
	if _, err := f.svc.UpdateItem(ctx, f.dev.Actor, f.team.ID, f.items[0].ID, scrum.ItemPatch{Estimate: &three, AcceptanceCriteria: &crit}, 0); err != nil {
		t.Fatal(err)
	}
	page := f.get(f.po, f.base()+"/backlog").wantStatus(t, http.StatusOK)
	page.wantContains(t, `3/4<span class="sr-only"> ready</span>`, `<strong>Missing</strong><ul><li>Dependencies known</li></ul>`,
		"3 items · 0 ready", `0/4<span class="sr-only"> ready</span>`)
	// The manual criterion is ticked from the item; then it is ready.
	item := f.get(f.po, f.base()+"/items/1").wantStatus(t, http.StatusOK)
	item.wantContains(t, `action="/teams/`+f.team.ID+`/items/1/readiness/dependencies-known"`, "3 of 4 met", `aria-pressed="false"`)
	cur, _ := f.svc.Item(ctx, f.po.Actor, f.team.ID, f.items[0].ID)
	res := f.post(f.po, f.base()+"/items/1/readiness/dependencies-known", url.Values{"met": {"true"}, "version": {strconv.Itoa(cur.Version)}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("tick: got %d; %s", res.Status, excerpt(res.Body))
	}
	f.get(f.po, f.base()+"/backlog").wantContains(t, "readiness--complete", "<strong>Ready</strong>Meets every Definition of Ready criterion.", "3 items · 1 ready")
	f.get(f.po, f.base()+"/items/1").wantContains(t, "Priya Shah</span> changed 2 fields", "ticked ‘Dependencies known’", "made it ready")
	if got := f.get(f.po, f.base()+"/backlog?ready=true").rowNumbers(); !slices.Equal(got, []string{"1"}) {
		t.Errorf("ready only: got %v, want #1", got)
	}
	if got := f.get(f.po, f.base()+"/backlog?ready=false").rowNumbers(); !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("not ready: got %v, want #2 #3", got)
	}
	// A stale tick is refused with a word, not applied.
	f.post(f.po, f.base()+"/items/1/readiness/dependencies-known", url.Values{"met": {"false"}, "version": {strconv.Itoa(cur.Version)}}).
		wantStatus(t, http.StatusConflict).wantContains(t, "someone changed this item meanwhile")
	// Computed criteria cannot be ticked.
	f.post(f.po, f.base()+"/items/1/readiness/estimated", url.Values{"met": {"true"}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "cannot be ticked")
	f.post(f.po, f.base()+"/items/1/readiness/nope", url.Values{"met": {"true"}}).wantStatus(t, http.StatusNotFound)
}

func TestRefinementPage(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	three := 3.0
	crit := []scrum.Criterion{{Text: "Pays with Apple Pay"}}
	if _, err := f.svc.UpdateItem(ctx, f.dev.Actor, f.team.ID, f.items[2].ID, scrum.ItemPatch{Estimate: &three, AcceptanceCriteria: &crit}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetReadiness(ctx, f.dev.Actor, f.team.ID, f.items[2].ID, "dependencies-known", true, 0); err != nil {
		t.Fatal(err)
	}
	res := f.get(f.dev, f.base()+"/refinement").wantStatus(t, http.StatusOK)
	res.wantContains(t, "2 of the top 3 items are not ready.", `aria-current="page"`,
		`<span class="refine__pos" title="Backlog position">1</span>`, `<span class="refine__pos" title="Backlog position">2</span>`,
		`Has acceptance criteria<span class="missing__who">· Priya</span>`, `Estimated<span class="missing__who">· Developers</span>`,
		"What’s missing most", "That is the whole backlog")
	res.wantNotContains(t, `<span class="refine__pos" title="Backlog position">3</span>`)
	f.get(f.dev, f.base()+"/refinement?fragment=main").wantStatus(t, http.StatusOK).wantContains(t, `data-fragment="refine"`).wantNotContains(t, "<html")
	f.get(f.outsider, f.base()+"/refinement").wantStatus(t, http.StatusNotFound)

	empty := f.team2(t)
	f.get(f.po, "/teams/"+empty+"/refinement").wantStatus(t, http.StatusOK).wantContains(t, "Nothing to refine yet")
	f.get(f.po, "/teams/"+empty+"/backlog").wantStatus(t, http.StatusOK).wantContains(t, "The backlog is empty", "0 items")
}

// team2 makes an empty team with the fixture's Product Owner.
func (f backlogFixture) team2(t *testing.T) string {
	t.Helper()
	return f.app.team("Vega", f.po).ID
}

func TestSuggestions(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	// The developer suggests #3 goes above #1, with a note, from the item page.
	res := f.post(f.dev, f.base()+"/items/3/suggest", url.Values{"where": {"before"}, "before_number": {"#1"}, "note": {"Blocks the release"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("suggest: got %d; %s", res.Status, excerpt(res.Body))
	}
	f.post(f.dev, f.base()+"/items/3/suggest", url.Values{"where": {"before"}, "before_number": {"99"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "there is no item #99 on this team", `value="99"`)
	// The Product Owner sees it next to #1 with Accept and Dismiss; the developer without.
	page := f.get(f.po, f.base()+"/backlog").wantStatus(t, http.StatusOK)
	page.wantContains(t, "<strong>Lena Vogel</strong> suggests moving", "“Blocks the release”", "Accept", "Dismiss")
	if i, j := strings.Index(page.Body, `class="suggestion"`), strings.Index(page.Body, `id="item-1"`); i < 0 || i > j {
		t.Errorf("the suggestion is not right above #1")
	}
	f.get(f.dev, f.base()+"/backlog").wantContains(t, "<strong>You</strong> suggest moving").wantNotContains(t, `data-suggestion-action="accept"`)
	f.get(f.po, f.base()+"/backlog/fragments/suggestions").wantStatus(t, http.StatusOK).wantContains(t, `<ol data-suggestions>`, `data-before="`+f.items[0].ID+`"`)
	sgs, _ := f.svc.Suggestions(ctx, f.po.Actor, f.team.ID)
	if len(sgs) != 1 {
		t.Fatalf("got %d suggestions, want 1", len(sgs))
	}
	// Only the orderer accepts; accepting moves the item.
	f.post(f.dev, f.base()+"/suggestions/"+sgs[0].ID+"/accept", nil).wantStatus(t, http.StatusForbidden).wantContains(t, "backlog.ordering")
	res = f.post(f.po, f.base()+"/suggestions/"+sgs[0].ID+"/accept", url.Values{"back": {f.base() + "/backlog"}})
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != f.base()+"/backlog#item-3" {
		t.Fatalf("accept: got %d to %q", res.Status, res.Header.Get("Location"))
	}
	if got := f.get(f.po, f.base()+"/backlog").rowNumbers(); !slices.Equal(got, []string{"3", "1", "2"}) {
		t.Errorf("after accepting: got %v, want 3 1 2", got)
	}
	f.post(f.po, f.base()+"/suggestions/"+sgs[0].ID+"/dismiss", nil).wantStatus(t, http.StatusConflict)
	f.post(f.po, f.base()+"/suggestions/"+sgs[0].ID+"/nope", nil).wantStatus(t, http.StatusNotFound)
	// The orderer moves rather than suggests.
	f.post(f.po, f.base()+"/items/2/suggest", url.Values{"where": {"top"}}).wantStatus(t, http.StatusConflict).wantContains(t, "move the item instead")
	f.get(f.po, f.base()+"/items/2").wantNotContains(t, "data-suggest-form")
	f.get(f.dev, f.base()+"/items/2").wantContains(t, "data-suggest-form")
}

func TestBulkEdit(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	ids := []string{f.items[0].ID, f.items[1].ID}
	res := f.post(f.dev, f.base()+"/backlog/bulk", url.Values{"item": ids, "add_label": {"Q3"}, "back": {f.base() + "/backlog?type=bug"}})
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != f.base()+"/backlog?type=bug" {
		t.Fatalf("bulk label: got %d to %q", res.Status, res.Header.Get("Location"))
	}
	for _, id := range ids {
		if it, _ := f.svc.Item(ctx, f.dev.Actor, f.team.ID, id); !slices.Contains(it.Labels, "q3") {
			t.Errorf("item %s labels %v, want q3 added", id, it.Labels)
		}
	}
	f.post(f.dev, f.base()+"/backlog/bulk", url.Values{"item": ids, "add_label": {"q3"}, "remove_label_from": {"1"}})
	if it, _ := f.svc.Item(ctx, f.dev.Actor, f.team.ID, ids[0]); slices.Contains(it.Labels, "q3") {
		t.Errorf("labels %v after removing q3", it.Labels)
	}
	f.post(f.dev, f.base()+"/backlog/bulk", url.Values{"item": ids, "status": {"refining"}})
	if it, _ := f.svc.Item(ctx, f.dev.Actor, f.team.ID, ids[1]); it.Status != scrum.StatusRefining {
		t.Errorf("status %s, want refining", it.Status)
	}
	// All or nothing: ready is earned, so neither item changes.
	res = f.post(f.dev, f.base()+"/backlog/bulk", url.Values{"item": ids, "status": {"ready"}}).wantStatus(t, http.StatusUnprocessableEntity)
	res.wantContains(t, "Nothing was changed", "not ready")
	for _, id := range ids {
		if it, _ := f.svc.Item(ctx, f.dev.Actor, f.team.ID, id); it.Status != scrum.StatusRefining {
			t.Errorf("a refused bulk edit changed %s to %s", id, it.Status)
		}
	}
	// Removing needs backlog.ordering.
	f.post(f.dev, f.base()+"/backlog/bulk", url.Values{"item": ids, "status": {"removed"}}).wantStatus(t, http.StatusForbidden).
		wantContains(t, "backlog.ordering")
	f.post(f.dev, f.base()+"/backlog/bulk", url.Values{"status": {"new"}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "select at least one item")
	f.get(f.po, f.base()+"/backlog").wantContains(t, `id="bulk"`, `form="bulk"`, `value="removed" data-bulk-remove`)
	f.get(f.dev, f.base()+"/backlog").wantNotContains(t, "data-bulk-remove")
}

func TestComments(t *testing.T) {
	f := newBacklogFixture(t)
	res := f.post(f.dev, f.base()+"/items/1/comments", url.Values{"body": {"@priya can we ship this **today**? <script>x</script>"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("comment: got %d; %s", res.Status, excerpt(res.Body))
	}
	page := f.get(f.po, f.base()+"/items/1").wantStatus(t, http.StatusOK)
	page.wantContains(t, `<span class="comment__author">Lena Vogel</span>`, `<span class="mention">@priya</span>`,
		"<strong>today</strong>", "Lena Vogel</span> commented").wantNotContains(t, "<script>x")
	f.post(f.dev, f.base()+"/items/1/comments", url.Values{"body": {"   "}}).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "the comment is empty")
	f.post(f.outsider, f.base()+"/items/1/comments", url.Values{"body": {"hi"}}).wantStatus(t, http.StatusNotFound)
}

func TestImport(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	upload := func(p person, fields map[string]string, name, content string) response {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		if name != "" {
			fw, _ := mw.CreateFormFile("file", name)
			_, _ = fw.Write([]byte(content))
		}
		_ = mw.Close()
		return f.do(&p, http.MethodPost, f.base()+"/backlog/import", &buf, mw.FormDataContentType())
	}
	count := func() int {
		n, _ := f.svc.CountItems(ctx, f.po.Actor, f.team.ID, scrum.ItemFilter{WithRemoved: true})
		return n
	}
	f.get(f.po, f.base()+"/backlog/import").wantStatus(t, http.StatusOK).wantContains(t, "Import items", `enctype="multipart/form-data"`)
	f.get(f.dev, f.base()+"/backlog/import").wantContains(t, "Importing sets the backlog’s order", "Priya Shah")

	// One bad row: the preview lists each row and field; nothing is written.
	bad := "title,type,estimate,status\nFirst,story,3,new\n,bug,2,new\nThird,saga,x,new\n"
	res := upload(f.po, map[string]string{"format": "tandem", "step": "preview"}, "bad.csv", bad).wantStatus(t, http.StatusUnprocessableEntity)
	res.wantContains(t, "Nothing will be imported", "in the file. Fix them and preview again; nothing was written.", "row 3", "row 4",
		`<code class="code-key">title</code>`, `<code class="code-key">type</code>`, `<code class="code-key">estimate</code>`).
		wantNotContains(t, "data-import-confirm")
	// Importing it anyway (as a crafted confirm) writes nothing either.
	upload(f.po, map[string]string{"format": "tandem", "step": "import", "csv": bad}, "", "").wantStatus(t, http.StatusUnprocessableEntity)
	if n := count(); n != 3 {
		t.Fatalf("got %d items after a bad import, want 3", n)
	}

	// A good file: the preview shows what would be created, then confirm.
	good := "title,type,estimate,labels,acceptance_criteria\nImported one,story,3,web;checkout,\"[x] works\n[ ] fast\"\nImported two,bug,,,\n"
	res = upload(f.po, map[string]string{"format": "tandem", "step": "preview"}, "good.csv", good).wantStatus(t, http.StatusOK)
	res.wantContains(t, "Ready to import", "<code>good.csv</code>", "Imported one", "Import 2 items", `name="csv" hidden>title,type`)
	if n := count(); n != 3 {
		t.Fatalf("a preview wrote: %d items", n)
	}
	res = upload(f.po, map[string]string{"format": "tandem", "step": "import", "csv": good, "file_name": "good.csv"}, "", "")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), f.base()+"/backlog") {
		t.Fatalf("import: got %d to %q; %s", res.Status, res.Header.Get("Location"), excerpt(res.Body))
	}
	if n := count(); n != 5 {
		t.Errorf("got %d items after importing 2, want 5", n)
	}
	if got := f.get(f.po, f.base()+"/backlog?status=all").rowNumbers(); !slices.Equal(got, []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("after import: got %v, want the two at the bottom", got)
	}

	// Real Jira exports.
	read := func(name string) string {
		b, err := os.ReadFile("../backlogcsv/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	res = upload(f.po, map[string]string{"format": "jira", "step": "preview"}, "server.csv", read("jira_server.csv")).wantStatus(t, http.StatusOK)
	res.wantContains(t, "Ready to import", "Jira CSV", "Guest checkout", "Import 12 items")
	// One with a parent outside the file: the row and field, nothing written.
	res = upload(f.po, map[string]string{"format": "jira", "step": "preview"}, "cloud.csv", read("jira_cloud.csv")).wantStatus(t, http.StatusUnprocessableEntity)
	res.wantContains(t, "Nothing will be imported", "row 7", `<code class="code-key">parent</code>`, "is not an item of this file")
	// The date format option: ISO dates fail as Jira's default, pass as ISO.
	team := read("jira_team.csv")
	upload(f.po, map[string]string{"format": "jira", "step": "preview"}, "team.csv", team).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "row 2", `<code class="code-key">Created</code>`, "is not a date like")
	upload(f.po, map[string]string{"format": "jira", "date_format": "iso", "step": "preview"}, "team.csv", team).wantStatus(t, http.StatusOK).
		wantContains(t, "Ready to import", `<option value="iso" selected>`)
	upload(f.po, map[string]string{"format": "jira", "date_format": "custom", "date_custom": "2006-01-02 15:04", "step": "preview"}, "team.csv", team).
		wantStatus(t, http.StatusOK)
	upload(f.po, map[string]string{"format": "jira", "date_format": "custom", "date_custom": "dd/mm", "step": "preview"}, "team.csv", team).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "Give the date format as a Go time layout")

	// Only the orderer imports; a developer may preview.
	upload(f.dev, map[string]string{"format": "tandem", "step": "preview"}, "good.csv", good).wantStatus(t, http.StatusForbidden).
		wantContains(t, "backlog.ordering")
	upload(f.po, map[string]string{"format": "tandem", "step": "preview"}, "", "").wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "Choose a CSV file to import.")
	upload(f.outsider, map[string]string{"format": "tandem", "step": "preview"}, "good.csv", good).wantStatus(t, http.StatusNotFound)
}

func TestDefinitionOfReadyEditor(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	// Only whoever holds readiness (the Product Owner here) gets the editor.
	f.get(f.dev, f.base()+"/refinement").wantStatus(t, http.StatusOK).wantNotContains(t, "data-dor-editor")
	page := f.get(f.po, f.base()+"/refinement").wantStatus(t, http.StatusOK)
	page.wantContains(t, "data-dor-editor", "Edit the checklist", `id="dor-text-4" name="text" maxlength="200" value="Dependencies known"`,
		`id="dor-text-6"`, `placeholder="Add a criterion"`, `name="max_sprint_estimate" inputmode="decimal" value="13"`)
	page.wantNotContains(t, `id="dor-text-7"`)

	form := func(version string, rows [][3]string, max string) url.Values {
		v := url.Values{"version": {version}, "max_sprint_estimate": {max}}
		for _, r := range rows {
			v.Add("id", r[0])
			v.Add("kind", r[1])
			v.Add("text", r[2])
		}
		return v
	}
	// Keep two, clear two (removed), fill a blank row (added).
	rows := [][3]string{
		{"acceptance-criteria", "has_acceptance_criteria", "Has acceptance criteria"},
		{"estimated", "estimated", "Estimated"},
		{"fits-in-sprint", "fits_in_sprint", ""},
		{"dependencies-known", "manual", "  "},
		{"", "manual", "Design reviewed"},
		{"", "manual", ""},
	}
	res := f.post(f.po, f.base()+"/refinement/definition", form("0", rows, "8"))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save: got %d; %s", res.Status, excerpt(res.Body))
	}
	d, err := f.svc.ReadyDefinition(ctx, f.po.Actor, f.team.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range d.Criteria {
		got = append(got, string(c.Kind)+":"+c.Text)
	}
	if want := "has_acceptance_criteria:Has acceptance criteria estimated:Estimated manual:Design reviewed"; strings.Join(got, " ") != want || d.Version != 1 || d.MaxSprintEstimate != 8 {
		t.Errorf("saved: %q v%d max %v, want %q v1 max 8", strings.Join(got, " "), d.Version, d.MaxSprintEstimate, want)
	}
	f.get(f.dev, f.base()+"/refinement").wantContains(t, `<span class="checklist__text">Design reviewed</span>`, "when it meets all 3").
		wantNotContains(t, `<span class="checklist__text">Dependencies known</span>`)
	f.get(f.dev, f.base()+"/items/1").wantContains(t, "0 of 3 met")

	// A form opened before that save is stale: nothing changes.
	f.post(f.po, f.base()+"/refinement/definition", form("0", rows[:2], "8")).wantStatus(t, http.StatusConflict).
		wantContains(t, "Someone changed the Definition of Ready", `value="Design reviewed"`)
	// Bad input comes back with what was typed and names the problem.
	bad := [][3]string{{"estimated", "estimated", "Estimated"}, {"", "guesswork", "Feels right"}}
	f.post(f.po, f.base()+"/refinement/definition", form("1", bad, "8")).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "criterion 2 has an unknown kind", `value="Feels right"`)
	f.post(f.po, f.base()+"/refinement/definition", form("1", rows, "eight")).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "must be a number", `value="eight"`)
	f.post(f.po, f.base()+"/refinement/definition", url.Values{"version": {"1"}, "id": {"a", "b"}, "kind": {"manual"}, "text": {"x", "y"}}).
		wantStatus(t, http.StatusBadRequest)
	// Others are refused, and told who keeps it.
	f.post(f.dev, f.base()+"/refinement/definition", form("1", rows, "8")).wantStatus(t, http.StatusForbidden).
		wantContains(t, "readiness", "Priya Shah")
	if d, _ := f.svc.ReadyDefinition(ctx, f.po.Actor, f.team.ID); d.Version != 1 {
		t.Errorf("refused saves changed the definition: v%d", d.Version)
	}
}

// The Product Owner, the team's only Product Owner or Scrum Master, cannot
// leave it to the Developers with nobody to run it; a Developer can leave.
func TestLastAdministratorCannotLeave(t *testing.T) {
	f := newBacklogFixture(t)
	// The team page says so instead of offering "Leave team".
	f.get(f.po, f.base()).wantStatus(t, http.StatusOK).wantContains(t, "You are the team’s only Product Owner or Scrum Master")
	res := f.post(f.po, f.base()+"/members/"+f.po.Actor.User.ID+"/remove", url.Values{}).wantStatus(t, http.StatusConflict)
	res.wantContains(t, "make someone else Product Owner or Scrum Master first")
	f.get(f.po, f.base()).wantStatus(t, http.StatusOK)
	if res := f.post(f.dev, f.base()+"/members/"+f.dev.Actor.User.ID+"/remove", url.Values{}); res.Status != http.StatusSeeOther {
		t.Errorf("a Developer leaving: got %d", res.Status)
	}
}
