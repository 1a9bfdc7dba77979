package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
)

// pokerTeam starts a server with team Orion: Priya its Product Owner,
// Marco its Scrum Master, Lena and Sam Developers, each signed in.
func pokerTeam(t *testing.T) (s *e2e.Server, team string, po, sm, lena, sam *e2e.User) {
	t.Helper()
	s = e2e.Start(t)
	po = s.SignedIn(t, "Priya Shah")
	sm = s.SignedIn(t, "Marco Rossi")
	lena = s.SignedIn(t, "Lena Vogel")
	sam = s.SignedIn(t, "Sam Okafor")
	team = s.SeedTeam(t, "Orion", po)
	s.SeedMember(t, team, po, sm, scrum.ScrumMaster)
	s.SeedMember(t, team, po, lena)
	s.SeedMember(t, team, po, sam)
	return s, team, po, sm, lena, sam
}

// TestPlanningPoker is estimation's story, in four browsers: the Scrum
// Master opens a session from the form and facilitates, the Product Owner
// watches, two Developers vote. Each Developer sees that the other voted,
// never the card; the Scrum Master reveals and all four see every value
// live; the Scrum Master accepts the suggested card and the
// backlog shows it as the item's estimate. A Developer who reloads comes
// back to exactly the state of the room.
func TestPlanningPoker(t *testing.T) {
	t.Parallel()
	s, team, po, sm, lena, sam := pokerTeam(t)
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

	tap(sm.Tab, `[data-act=next]`)
	for _, u := range everyone {
		u.WaitAttr(`[data-fragment=room]`, "data-state", "live")
		u.WaitText(`#item-title`, "Reschedule a delivery")
	}
	if got := lena.Text(`.current-item__cols .prose strong`); got != "pick" {
		t.Errorf("the description is not rendered from Markdown: <strong> holds %q", got)
	}

	// Both developers vote; each sees the other has voted, not the card.
	tap(lena.Tab, `[data-vote="5"]`)
	lena.WaitAttr(`[data-vote="5"]`, "aria-pressed", "true")
	tap(sam.Tab, `[data-vote="8"]`)
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

	// The Scrum Master reveals: all four see both cards, live. How fast is
	// logged, not asserted: this test shares two cores with the other
	// browser tests under the race detector, and a one-second budget failed
	// on a slow day. The estimation benchmark measures fan-out latency.
	tap(sm.Tab, `[data-act=reveal]`)
	revealed := time.Now()
	for _, u := range everyone {
		u.WaitText(seat(lena)+` .seat__card`, "5")
		u.WaitText(seat(sam)+` .seat__card`, "8")
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
	tap(sm.Tab, `[data-act=accept]`)
	for _, u := range everyone {
		u.WaitText(`#item-title`, "Redirect a parcel")
		u.WaitText(`[data-queue] li:first-child .estimate`, card)
	}

	// The backlog shows the estimate.
	po.Open(base + "/backlog")
	po.WaitText(`#item-1 .estimate`, card)
}

// TestPokerFacilitatorTools walks the rest of the room: a Developer votes
// ahead on a queued item with the keyboard while the session waits, the
// Scrum Master reorders the queue, starts the session and a round timer
// that counts down for the Developer too, skips an item; the Developer's
// page rides out a server restart and still follows the room; a re-vote
// opens a new round; closing asks first and shows everyone the summary.
// With TANDEM_SCREENSHOTS set it saves the waiting and
// the revealed room in light, dark and at phone width.
func TestPokerFacilitatorTools(t *testing.T) {
	t.Parallel()
	s, team, po, sm, lena, sam := pokerTeam(t)
	ctx := context.Background()
	var ids []string
	for _, in := range []scrum.ItemInput{
		{Title: "Reschedule a delivery from the tracking page", Description: "Customers who won’t be home call support today. Let them pick a **new day** where they track the parcel.",
			AcceptanceCriteria: []scrum.Criterion{{Text: "Offers the next 5 days the carrier can deliver"}, {Text: "Confirms by e-mail and SMS"}}},
		{Title: "Redirect a parcel to a pickup point"},
		{Title: "Tracking page shows the wrong ETA after a timezone change", Type: scrum.TypeBug},
	} {
		it, err := s.App.Service.CreateItem(ctx, po.Actor(), team, in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	ses, err := s.App.Service.OpenEstimation(ctx, sm.Actor(), team, scrum.EstimationInput{Title: "Refinement: tracking", Deck: scrum.DeckModifiedFibonacci, ItemIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	room := "/teams/" + team + "/estimation/" + ses.ID
	for _, u := range []*e2e.User{sm, lena} {
		u.Open(room)
		u.WaitAttr(`[data-live]`, "data-state", "connected")
	}
	e2e.Eval[int](lena.Tab, `window.__noReload = 1`)

	// Voting ahead, by keyboard: "1" then "3" picks 13.
	tap(lena.Tab, `[data-target="`+ids[1]+`"]`)
	lena.WaitAttr(`[data-deck]`, "data-item", ids[1])
	lena.WaitText(`#deck-title`, "Your vote on #2")
	key(lena.Tab, "1")
	key(lena.Tab, "3")
	lena.WaitAttr(`[data-vote="13"]`, "aria-pressed", "true")
	sm.WaitText(`[data-queue-item="`+ids[1]+`"] .queue__sub`, "1 of 2 voted ahead")
	lena.WaitText(`[data-target="`+ids[1]+`"]`, "Your vote: 13")
	shoot(t, lena.Tab, "estimation-room-waiting")

	// The facilitator moves the bug above #2; Lena's queue follows.
	tap(sm.Tab, `[data-move=up][data-item="`+ids[2]+`"]`)
	want := strings.Join([]string{ids[0], ids[2], ids[1]}, " ")
	for _, u := range []*e2e.User{sm, lena} {
		u.WaitUntil(`[...document.querySelectorAll("[data-queue-item]")].map(li => li.dataset.queueItem).join(" ") === ` + "`" + want + "`")
	}
	if got := e2e.Eval[string](sm.Tab, `document.activeElement.dataset.move + " " + document.activeElement.dataset.item`); got != "up "+ids[2] {
		t.Errorf("after the move the focus is on %q, want the same move button", got)
	}

	// Start, and a round timer that counts down for everyone.
	tap(sm.Tab, `[data-act=next]`)
	lena.WaitAttr(`[data-fragment=room]`, "data-current", ids[0])
	tap(sm.Tab, `[data-act=timer]`)
	lena.WaitFor(`[data-timer]`)
	first := lena.WaitText(`[data-timer-left]`, ":")
	time.Sleep(1100 * time.Millisecond)
	if again := lena.Text(`[data-timer-left]`); again == first {
		t.Errorf("the timer shows %q a second later too: it does not count down", again)
	}

	// Skip the current item: the bug comes next.
	tap(sm.Tab, `.facilitator [data-act=skip]`)
	lena.WaitAttr(`[data-fragment=room]`, "data-current", ids[2])
	lena.WaitAttr(`[data-queue-item="`+ids[0]+`"]`, "data-state", "skipped")

	// A restart: Lena's page reconnects by itself and keeps following.
	s.Restart(func() { lena.WaitAttr(`[data-live]`, "data-state", "reconnecting") })
	lena.WaitAttr(`[data-live]`, "data-state", "connected")
	if _, err := s.App.Service.CastVote(ctx, sam.Actor(), ses.ID, ids[2], "13"); err != nil {
		t.Fatal(err)
	}
	lena.WaitAttr(`.seat[data-user="`+sam.ID+`"]`, "data-voted", "true")
	tap(lena.Tab, `[data-vote="3"]`)
	sm.WaitText(`[data-act=reveal]`, "Reveal 2 of 2")
	tap(sm.Tab, `[data-act=reveal]`)
	lena.WaitText(`[data-result]`, "No consensus")
	sm.WaitFor(`#accept-card`)
	shoot(t, sm.Tab, "estimation-room-revealed")

	// Re-vote: round 2, cards face down again, Lena's deck open.
	tap(sm.Tab, `[data-act=revote]`)
	lena.WaitAttr(`[data-fragment=room]`, "data-round", "2")
	lena.WaitGone(`[data-result]`)
	lena.WaitAttr(`[data-vote="3"]`, "aria-pressed", "false")
	if lena.Exists(`[data-vote]:disabled`) {
		t.Error("the deck stays closed after a re-vote")
	}

	// Closing asks first, then everyone gets the summary.
	tap(sm.Tab, `[data-act=close]`)
	sm.WaitVisible(`dialog[open] .btn--primary`)
	tap(sm.Tab, `dialog[open] .btn--primary`)
	for _, u := range []*e2e.User{sm, lena} {
		u.WaitText(`[data-summary]`, "Session summary")
	}
	if lena.Exists(`[data-deck]`) {
		t.Error("a closed session still offers the deck")
	}
	if got := e2e.Eval[int](lena.Tab, `window.__noReload || 0`); got != 1 {
		t.Error("Lena's page reloaded")
	}
}

// tap clicks the element sel matches as the page has it right now. The
// room re-renders parts of itself as events arrive, so a node found for a
// mouse click may be gone by the time the click lands.
func tap(tb *e2e.Tab, sel string) {
	tb.WaitFor(sel)
	e2e.Eval[bool](tb, `(() => { const el = document.querySelector(`+strconv.Quote(sel)+`); el.focus(); el.click(); return true })()`)
}

// shoot saves the tab at desktop and phone width in light and dark when
// TANDEM_SCREENSHOTS names a directory.
func shoot(t *testing.T, tb *e2e.Tab, name string) {
	t.Helper()
	dir := os.Getenv("TANDEM_SCREENSHOTS")
	if dir == "" {
		return
	}
	for _, w := range []int{1280, 390} {
		for _, scheme := range []string{"light", "dark"} {
			tb.Viewport(w, 900, w < 500)
			tb.ColorScheme(scheme)
			tb.Screenshot(filepath.Join(dir, fmt.Sprintf("%s-%d-%s.png", name, w, scheme)))
		}
	}
	tb.Viewport(1280, 900, false)
	tb.ColorScheme("light")
}
