package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
)

// TestPlanningPoker is estimation's story, in four browsers: the Scrum
// Master opens a session from the form and facilitates, the Product Owner
// watches, two Developers vote. Each Developer sees that the other voted,
// never the card; the Scrum Master reveals and all four see every value
// within a second; the Scrum Master accepts the suggested card and the
// backlog shows it as the item's estimate. A Developer who reloads comes
// back to exactly the state of the room.
func TestPlanningPoker(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	po := s.SignedIn(t, "Priya Shah")
	sm := s.SignedIn(t, "Marco Rossi")
	lena := s.SignedIn(t, "Lena Vogel")
	sam := s.SignedIn(t, "Sam Okafor")
	team := s.SeedTeam(t, "Orion", po)
	s.SeedMember(t, team, po, sm, scrum.ScrumMaster)
	s.SeedMember(t, team, po, lena)
	s.SeedMember(t, team, po, sam)
	ctx := context.Background()
	for _, title := range []string{"Reschedule a delivery", "Redirect a parcel"} {
		if _, err := s.App.Service.CreateItem(ctx, po.Actor(), team, scrum.ItemInput{Title: title, Description: "Customers **pick** a day."}); err != nil {
			t.Fatal(err)
		}
	}

	// The Scrum Master opens a session over the top 2 unestimated items.
	base := "/teams/" + team
	sm.Open(base + "/estimation")
	sm.WaitText(`[data-fragment=sessions]`, "No session is open")
	sm.Fill(`#f-top_n`, "2")
	sm.ClickNav(`#open button[type=submit]`)
	room := sm.WaitPath(`^/teams/[^/]+/estimation/[a-z0-9]+$`)
	sm.WaitText(`.toasts`, "Session opened with 2 items.")

	everyone := []*e2e.User{sm, po, lena, sam}
	for _, u := range everyone {
		if u != sm {
			u.Open(room)
		}
		u.WaitAttr(`[data-live]`, "data-state", "connected")
		u.WaitAttr(`[data-fragment=room]`, "data-state", "waiting")
	}
	// Everyone is shown present to everyone.
	for _, u := range everyone {
		for _, other := range everyone {
			u.WaitFor(`.presence--online[data-presence="` + other.ID + `"]`)
		}
	}
	if po.Exists(`[data-deck]`) {
		t.Error("the Product Owner, an observer, is offered a deck")
	}
	if lena.Exists(`[data-act]`) {
		t.Error("a Developer is offered facilitator controls")
	}

	sm.Click(`[data-act=next]`)
	for _, u := range everyone {
		u.WaitAttr(`[data-fragment=room]`, "data-state", "live")
		u.WaitText(`#item-title`, "Reschedule a delivery")
	}
	if got := lena.Text(`.current-item__cols .prose strong`); got != "pick" {
		t.Errorf("the description is not rendered from Markdown: <strong> holds %q", got)
	}

	// Both developers vote; each sees the other has voted, not the card.
	lena.Click(`[data-vote="5"]`)
	lena.WaitAttr(`[data-vote="5"]`, "aria-pressed", "true")
	sam.Click(`[data-vote="8"]`)
	sam.WaitAttr(`[data-vote="8"]`, "aria-pressed", "true")
	seat := func(u *e2e.User) string { return `.seat[data-user="` + u.ID + `"]` }
	for _, u := range everyone {
		for _, voter := range []*e2e.User{lena, sam} {
			u.WaitAttr(seat(voter), "data-voted", "true")
		}
		u.WaitText(`[data-voted-count]`, "2 of 2 voted")
	}
	for _, c := range []struct {
		who, other *e2e.User
		card       string
	}{{lena, sam, "8"}, {sam, lena, "5"}} {
		if got := c.who.Text(seat(c.other)); strings.Contains(got, c.card) {
			t.Errorf("%s sees %s's seat as %q: the card shows before the reveal", c.who.Name, c.other.Name, got)
		}
		if got := c.who.Text(seat(c.other) + ` .seat__card`); got != "" {
			t.Errorf("%s sees %s's card face %q before the reveal", c.who.Name, c.other.Name, got)
		}
	}
	// A reload brings Lena back to the same room: her card, Sam's vote.
	lena.Reload()
	lena.WaitAttr(`[data-live]`, "data-state", "connected")
	lena.WaitAttr(`[data-vote="5"]`, "aria-pressed", "true")
	lena.WaitAttr(seat(sam), "data-voted", "true")

	// The Scrum Master reveals: all four see both cards within a second.
	sm.Click(`[data-act=reveal]`)
	revealed := time.Now()
	for _, u := range everyone {
		u.Timeout = max(time.Second-time.Since(revealed), 50*time.Millisecond)
		u.WaitText(seat(lena)+` .seat__card`, "5")
		u.WaitText(seat(sam)+` .seat__card`, "8")
		u.Timeout = e2e.DefaultTimeout
	}
	t.Logf("FIGURE poker_reveal_to_all_four=%d ms", time.Since(revealed).Milliseconds())
	for _, u := range everyone {
		u.WaitFor(`[data-result] .dist`)
		if n := u.Count(`.seat--outlier`); n != 2 {
			t.Errorf("%s sees %d outliers, want 2 (5 and 8 are the extremes)", u.Name, n)
		}
	}
	if po.Exists(`[data-deck]`) {
		t.Error("the Product Owner is offered a deck after the reveal")
	}

	// Accept the suggested card, preselected.
	card, _ := sm.Attr(`#accept-card option[selected]`, "value")
	if card == "" {
		t.Fatal("no card is preselected to accept")
	}
	if got := e2e.Eval[string](sm.Tab, `document.querySelector("#accept-card").value`); got != card {
		t.Errorf("the accept control holds %q, want the suggestion %q", got, card)
	}
	sm.Click(`[data-act=accept]`)
	for _, u := range everyone {
		u.WaitText(`#item-title`, "Redirect a parcel")
		u.WaitText(`[data-queue] li:first-child .estimate`, card)
	}

	// The backlog shows the estimate.
	po.Open(base + "/backlog")
	po.WaitText(`#item-1 .estimate`, card)
}
