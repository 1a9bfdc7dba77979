package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/tandemhq/tandem/internal/scrum"
)

// editForm is the item form as the page would post it, unchanged.
func editForm(it scrum.Item) url.Values {
	v := url.Values{"version": {strconv.Itoa(it.Version)}, "title": {it.Title}, "type": {string(it.Type)},
		"status": {string(it.Status)}, "description": {it.Description}}
	if it.Value != nil {
		v.Set("value", strconv.Itoa(*it.Value))
	}
	if it.Estimate != nil {
		v.Set("estimate", strconv.FormatFloat(*it.Estimate, 'f', -1, 64))
	}
	for i, l := range it.Labels {
		if i == 0 {
			v.Set("labels", l)
		} else {
			v.Set("labels", v.Get("labels")+", "+l)
		}
	}
	for i, c := range it.AcceptanceCriteria {
		v.Add("ac", c.Text)
		if c.Done {
			v.Add("ac_done", strconv.Itoa(i))
		}
	}
	v.Set("parent_id", it.ParentID)
	return v
}

func TestItemPage(t *testing.T) {
	f := newBacklogFixture(t)
	it := f.items[1]
	for _, ref := range []string{"2", it.ID} {
		res := f.get(f.dev, f.base()+"/items/"+ref).wantStatus(t, http.StatusOK)
		res.wantContains(t, `<h2 class="panel__title" id="panel-title">Reschedule a delivery</h2>`,
			`<span class="tnum">2</span> <span class="muted">of 3</span>`,
			`name="version" value="1"`, "Priya Shah</span> created the item",
			"Customers <strong>reschedule</strong>", `panel--page`, "http://tandem.test/teams/"+f.team.ID+"/items/2")
		res.wantNotContains(t, "<script>alert", `href="javascript:`)
		res.wantContains(t, `href="https://example.com/x"`, `rel="noopener noreferrer nofollow"`)
	}
	f.get(f.dev, f.base()+"/items/99").wantStatus(t, http.StatusNotFound)
	f.get(f.dev, f.base()+"/items/0").wantStatus(t, http.StatusNotFound)
	f.get(f.dev, f.base()+"/items/nonsense").wantStatus(t, http.StatusNotFound)
	// The panel fragment is the same section without the page around it.
	f.get(f.dev, f.base()+"/items/"+it.ID+"/panel").wantStatus(t, http.StatusOK).
		wantContains(t, `data-fragment="panel"`, `aria-label="Close panel"`).wantNotContains(t, "<html", "panel--page")
	// The backlog opens it in the side panel when asked.
	f.get(f.dev, f.base()+"/backlog?item="+it.ID).wantContains(t, `backlog-layout split`, `id="panel"`)
	f.get(f.dev, f.base()+"/backlog?item=nope").wantStatus(t, http.StatusOK).wantNotContains(t, `id="panel"`)
}

func TestItemEdit(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	it := f.items[0]
	form := editForm(it)
	form.Set("title", "Checkout fails on Safari 17")
	form.Set("status", "refining")
	form.Set("labels", "web, Safari , checkout")
	form["ac"] = []string{"Pays with Apple Pay", "", "Shows the receipt"}
	form["ac_done"] = []string{"2"}
	res := f.post(f.dev, f.base()+"/items/1", form)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != f.base()+"/items/1" {
		t.Fatalf("got %d to %q, want back to the item; body %s", res.Status, res.Header.Get("Location"), excerpt(res.Body))
	}
	got, _ := f.svc.Item(ctx, f.dev.Actor, f.team.ID, it.ID)
	if got.Title != "Checkout fails on Safari 17" || got.Status != scrum.StatusRefining || got.Version != 2 ||
		len(got.AcceptanceCriteria) != 2 || got.AcceptanceCriteria[0].Done || !got.AcceptanceCriteria[1].Done ||
		len(got.Labels) != 3 || got.Labels[1] != "safari" || *got.Value != 5 {
		t.Errorf("got %+v, want the edit applied and the rest kept", got)
	}
	page := f.get(f.dev, f.base()+"/items/1").wantStatus(t, http.StatusOK)
	page.wantContains(t, `Lena Vogel</span> changed 4 fields`, `<del class="change__from">Checkout on Safari</del>`,
		`<ins class="change__to">Checkout fails on Safari 17</ins>`, `<ins class="change__to">1 of 2 met</ins>`,
		`<span class="checklist__progress" data-ac-progress>1 of 2</span>`)

	// Field errors come back on the form, with what the user typed.
	bad := editForm(got)
	bad.Set("value", "lots")
	bad.Set("estimate", "-3")
	bad.Set("title", "Still mine")
	res = f.post(f.dev, f.base()+"/items/1", bad).wantStatus(t, http.StatusUnprocessableEntity)
	res.wantContains(t, "value must be a whole number", `id="e-value"`, `value="lots"`, `value="Still mine"`, "<details class=\"panel__section panel__edit\" data-edit open>")
	bad.Set("value", "3")
	res = f.post(f.dev, f.base()+"/items/1", bad).wantStatus(t, http.StatusUnprocessableEntity)
	res.wantContains(t, "estimate must be between 0 and 1000", `id="e-estimate"`)

	// A stale version changes nothing; the form returns with the user's
	// values, what changed meanwhile, and the current version to re-apply.
	stale := editForm(it) // version 1
	stale.Set("title", "My title")
	res = f.post(f.dev, f.base()+"/items/1", stale).wantStatus(t, http.StatusConflict)
	res.wantContains(t, "Someone changed this item while you were editing it", `value="My title"`,
		`<strong>Title</strong>: now “Checkout fails on Safari 17”; yours “My title”`, `name="version" value="2"`)
	if cur, _ := f.svc.Item(ctx, f.dev.Actor, f.team.ID, it.ID); cur.Version != 2 || cur.Title != "Checkout fails on Safari 17" {
		t.Errorf("a stale edit wrote: got version %d title %q", cur.Version, cur.Title)
	}
	// Sending it again (now with version 2) applies it.
	stale.Set("version", "2")
	stale.Set("status", "refining")
	stale["ac"] = []string{"Pays with Apple Pay", "Shows the receipt"}
	stale["ac_done"] = []string{"1"}
	stale.Set("labels", "web, safari, checkout")
	if res := f.post(f.dev, f.base()+"/items/1", stale); res.Status != http.StatusSeeOther {
		t.Fatalf("re-applied edit: got %d", res.Status)
	}
	if cur, _ := f.svc.Item(ctx, f.dev.Actor, f.team.ID, it.ID); cur.Title != "My title" || cur.Version != 3 {
		t.Errorf("got %q v%d, want the re-applied title at version 3", cur.Title, cur.Version)
	}

	// Estimates belong to the developers; the refusal names them.
	po := editForm(f.items[2])
	po.Set("estimate", "13")
	f.post(f.po, f.base()+"/items/3", po).wantStatus(t, http.StatusForbidden).wantContains(t, "estimation")
	f.post(f.outsider, f.base()+"/items/3", po).wantStatus(t, http.StatusNotFound)
	noVersion := editForm(f.items[2])
	noVersion.Del("version")
	f.post(f.dev, f.base()+"/items/3", noVersion).wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "the form has no version")
}
