package e2e_test

import (
	"context"
	"testing"

	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
)

// TestPokerAddToQueue: mid-session the facilitator adds a backlog item to
// the queue from the room; a Developer's open room shows it at the end of
// the queue without a reload. Developers have no such control.
func TestPokerAddToQueue(t *testing.T) {
	t.Parallel()
	s, team, po, sm, lena, _ := pokerTeam(t)
	ctx := context.Background()
	var ids []string
	for _, title := range []string{"Reschedule a delivery", "Redirect a parcel", "Show the driver on a map"} {
		it, err := s.App.Service.CreateItem(ctx, po.Actor(), team, scrum.ItemInput{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	ses, err := s.App.Service.OpenEstimation(ctx, sm.Actor(), team, scrum.EstimationInput{Title: "Tracking", Deck: scrum.DeckModifiedFibonacci, ItemIDs: ids[:2]})
	if err != nil {
		t.Fatal(err)
	}
	room := "/teams/" + team + "/estimation/" + ses.ID
	for _, u := range []*e2e.User{sm, lena} {
		u.Open(room)
		u.WaitAttr(`[data-live]`, "data-state", "connected")
	}
	if lena.Exists(`[data-queue-add]`) {
		t.Error("a Developer is offered to add to the queue")
	}
	e2e.Eval[int](lena.Tab, `window.__noReload = 1`)
	if got := sm.Texts(`#queue-add-item option`); len(got) != 1 || got[0] != "#3 Show the driver on a map" {
		t.Fatalf("the facilitator may add %q, want only #3", got)
	}
	sm.Click(`[data-queue-add] button[type=submit]`)
	want := ids[0] + " " + ids[1] + " " + ids[2]
	for _, u := range []*e2e.User{sm, lena} {
		u.WaitUntil(`[...document.querySelectorAll("[data-queue-item]")].map(li => li.dataset.queueItem).join(" ") === "` + want + `"`)
	}
	sm.WaitText(`[data-announce]`, "Added #3 Show the driver on a map to the queue.")
	if sm.Exists(`[data-queue-add]`) {
		t.Error("with every open item queued, the add control stays")
	}
	if got := e2e.Eval[int](lena.Tab, `window.__noReload || 0`); got != 1 {
		t.Error("the Developer's room reloaded to show the change")
	}
}
