package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tandemhq/tandem/internal/scrum"
)

// TestItemHistoryShowsEstimation: the rounds of an estimation session are
// part of the item's history, cards only once revealed.
func TestItemHistoryShowsEstimation(t *testing.T) {
	f := newBacklogFixture(t)
	ctx := context.Background()
	sam := f.signUp("Sam Okafor")
	_, code, err := f.svc.CreateInvite(ctx, f.po.Actor, f.team.ID, scrum.InviteSpec{Accountabilities: []scrum.Accountability{scrum.Developer}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AcceptInvite(ctx, sam.Actor, code); err != nil {
		t.Fatal(err)
	}
	// The Product Owner facilitates in this small team.
	if _, err := f.svc.Reassign(ctx, f.po.Actor, f.team.ID, scrum.RespFacilitateRefine, scrum.Owner{UserID: f.po.User.ID}, 0); err != nil {
		t.Fatal(err)
	}
	it := f.items[1]
	ses, err := f.svc.OpenEstimation(ctx, f.po.Actor, f.team.ID, scrum.EstimationInput{Deck: scrum.DeckModifiedFibonacci, ItemIDs: []string{it.ID}})
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ scrum.Estimation, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.svc.NextItem(ctx, f.po.Actor, ses.ID, 0))
	if _, err := f.svc.CastVote(ctx, f.dev.Actor, ses.ID, it.ID, "3"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CastVote(ctx, sam.Actor, ses.ID, it.ID, "13"); err != nil {
		t.Fatal(err)
	}
	page := f.get(f.dev, f.base()+"/items/"+it.ID).wantStatus(t, http.StatusOK)
	page.wantContains(t, "voted in round 1").wantNotContains(t, "Sam Okafor 13")
	_, _, err = f.svc.Reveal(ctx, f.po.Actor, ses.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	must(f.svc.Revote(ctx, f.po.Actor, ses.ID, 0))
	must(f.svc.AcceptEstimate(ctx, f.po.Actor, ses.ID, it.ID, "5", 0))
	f.get(f.dev, f.base()+"/items/"+it.ID).wantStatus(t, http.StatusOK).wantContains(t,
		"revealed round 1: Lena Vogel 3, Sam Okafor 13 (median 8)", "started round 2 of estimation",
		"recorded the team&#39;s estimate 5 after 2 rounds")
}
