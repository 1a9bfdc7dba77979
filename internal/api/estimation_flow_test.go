package api_test

import (
	"strings"
	"testing"
)

// TestEstimationFlow walks one item through a session: a Scrum Master
// facilitates, two developers vote, nobody sees a card before the reveal,
// the accepted card becomes the item's estimate.
func TestEstimationFlow(t *testing.T) {
	e := newBEnv(t)
	sm := e.signup("Sofia Marin", "sofia@example.com")
	e.join(sm, "scrum_master")
	dev2 := e.signup("Dev Two", "dev2@example.com")
	e.join(dev2, "developer")
	it := e.item(e.po, `{"title":"Export invoices","acceptance_criteria":[{"text":"CSV has totals","done":false}]}`)
	it2 := e.item(e.po, `{"title":"Import invoices"}`)

	p := e.refused(e.dev, "POST", "/teams/"+e.team+"/estimations", `{"item_ids":["`+it.ID+`"]}`, 403)
	e.wantNeed(p, "facilitation.refinement", sm)

	var ses struct {
		ID      string
		State   string
		Version int
	}
	e.ok(sm, "POST", "/teams/"+e.team+"/estimations", `{"deck":"modified_fibonacci","item_ids":["`+it.ID+`","`+it2.ID+`"]}`, 201, &ses)
	if ses.State != "waiting" {
		t.Fatalf("a new session is %q, want waiting", ses.State)
	}
	base := "/estimations/" + ses.ID
	// Async: a vote ahead of the meeting on the second item.
	e.ok(e.dev, "POST", base+"/votes", `{"item_id":"`+it2.ID+`","value":"8"}`, 200, nil)
	e.ok(sm, "POST", base+"/next", ``, 200, &ses)
	if ses.State != "live" {
		t.Fatalf("after next the session is %q, want live", ses.State)
	}
	e.wantField(e.refused(e.dev, "POST", base+"/votes", `{"item_id":"`+it.ID+`","value":"7"}`, 422), "value")
	e.ok(e.dev, "POST", base+"/votes", `{"item_id":"`+it.ID+`","value":"½"}`, 200, nil)
	e.ok(dev2, "POST", base+"/votes", `{"item_id":"`+it.ID+`","value":"13"}`, 200, nil)
	e.wantNeed(e.refused(sm, "POST", base+"/votes", `{"item_id":"`+it.ID+`","value":"3"}`, 403), "estimation", dev2)

	for _, u := range []buser{e.po, sm, e.holder, dev2} {
		r := e.do(u, "GET", base, "")
		if r.Status != 200 {
			t.Fatalf("GET as %s: %d %s", u.Name, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), `"card":"½"`) || strings.Contains(string(r.Body), `"my_vote":"½"`) {
			t.Errorf("%s sees the unrevealed card ½: %s", u.Name, r.Body)
		}
	}
	e.wantNeed(e.refused(e.dev, "POST", base+"/reveal", ``, 403), "facilitation.refinement", sm)
	r := e.ok(sm, "POST", base+"/reveal", ``, 200, nil)
	if !strings.Contains(string(r.Body), `"card":"½","outlier":true`) {
		t.Errorf("after the reveal, got %s", r.Body)
	}
	e.ok(sm, "POST", base+"/accept", `{"item_id":"`+it.ID+`","value":"5"}`, 200, &ses)
	r = e.ok(e.dev, "GET", "/teams/"+e.team+"/items/"+it.ID, "", 200, nil)
	if !strings.Contains(string(r.Body), `"estimate":5`) {
		t.Errorf("the accepted estimate is not on the item: %s", r.Body)
	}
	e.refused(e.dev, "POST", base+"/votes", `{"item_id":"`+it.ID+`","value":"3"}`, 409)
	e.ok(sm, "POST", base+"/close", ``, 200, nil)
	e.refused(e.dev, "POST", base+"/votes", `{"item_id":"`+it2.ID+`","value":"3"}`, 409)
	e.refused(e.out, "GET", base, "", 404)
}

// TestAcceptWithoutRevealRevealsTheRound: agreeing on a card without a
// reveal still ends the round in the open, with a votes.revealed event, so
// no client learns the cards only from a later read.
func TestAcceptWithoutRevealRevealsTheRound(t *testing.T) {
	e := newBEnv(t)
	sm := e.signup("Sofia Marin", "sofia@example.com")
	e.join(sm, "scrum_master")
	it := e.item(e.po, `{"title":"Export invoices"}`)
	var ses struct{ ID string }
	e.ok(sm, "POST", "/teams/"+e.team+"/estimations", `{"item_ids":["`+it.ID+`"]}`, 201, &ses)
	base := "/estimations/" + ses.ID
	e.ok(sm, "POST", base+"/next", ``, 200, nil)
	e.ok(e.dev, "POST", base+"/votes", `{"item_id":"`+it.ID+`","value":"13"}`, 200, nil)
	e.ok(sm, "POST", base+"/accept", `{"item_id":"`+it.ID+`","value":"8"}`, 200, nil)
	r := e.do(e.po, "GET", "/teams/"+e.team+"/items/"+it.ID+"/history", "")
	if r.Status != 200 {
		t.Fatalf("history: %d %s", r.Status, r.Body)
	}
	body := string(r.Body)
	if !strings.Contains(body, `"type":"votes.revealed"`) || !strings.Contains(body, `"card":"13"`) {
		t.Errorf("accepting without a reveal: history %s, want a votes.revealed event with the card", body)
	}
	if !strings.Contains(body, `"type":"estimate.accepted"`) {
		t.Errorf("history %s, want the agreed estimate too", body)
	}
}
