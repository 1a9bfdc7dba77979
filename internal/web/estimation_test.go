package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/scrum"
)

// pokerTeam is a team with a Product Owner, a Scrum Master (who holds
// facilitation.refinement) and two Developers, and three items.
type pokerTeam struct {
	a              *app
	team           scrum.Team
	po, sm, d1, d2 person
	items          []scrum.Item
}

func newPokerTeam(t *testing.T) *pokerTeam {
	t.Helper()
	a := newApp(t)
	p := &pokerTeam{a: a, po: a.signUp("Priya Shah"), sm: a.signUp("Marco Rossi"), d1: a.signUp("Lena Vogel"), d2: a.signUp("Sam Okafor")}
	p.team = a.team("Orion", p.po, p.d1, p.d2)
	ctx := context.Background()
	_, code, err := a.svc.CreateInvite(ctx, p.po.Actor, p.team.ID, scrum.InviteSpec{Accountabilities: []scrum.Accountability{scrum.ScrumMaster}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.AcceptInvite(ctx, p.sm.Actor, code); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Reschedule a delivery", "Redirect a parcel", "Wrong ETA after a timezone change"} {
		p.items = append(p.items, a.item(p.po, p.team.ID, title, scrum.ItemInput{Description: "Customers **pick** a day."}))
	}
	return p
}

func (p *pokerTeam) open(t *testing.T) scrum.Estimation {
	t.Helper()
	ses, err := p.a.svc.OpenEstimation(context.Background(), p.sm.Actor, p.team.ID, scrum.EstimationInput{Deck: scrum.DeckModifiedFibonacci,
		ItemIDs: []string{p.items[0].ID, p.items[1].ID}})
	if err != nil {
		t.Fatal(err)
	}
	return ses
}

func TestEstimationPageOpensASession(t *testing.T) {
	p := newPokerTeam(t)
	a, base := p.a, "/teams/"+p.team.ID+"/estimation"

	a.get(p.sm, base).wantStatus(t, http.StatusOK).wantContains(t, "No session is open", "Open a session", "#3", "Modified Fibonacci")
	// A Developer sees the page without the form, and who opens sessions.
	a.get(p.d1, base).wantStatus(t, http.StatusOK).wantContains(t, "Marco Rossi opens sessions").wantNotContains(t, "Open a session")

	// Nothing chosen: the form comes back with the problem.
	a.post(p.sm, base, url.Values{"source": {"items"}, "deck": {"fibonacci"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantContains(t, "choose at least one item")
	// A Developer posting the form is refused with the responsibility and its holder.
	a.post(p.d1, base, url.Values{"source": {"top"}, "top_n": {"2"}, "deck": {"fibonacci"}}).
		wantStatus(t, http.StatusForbidden).wantContains(t, "facilitation.refinement", "Marco Rossi")

	r := a.post(p.sm, base, url.Values{"source": {"items"}, "item": {p.items[2].ID, p.items[0].ID}, "deck": {"tshirt"}, "title": {"Thursday"}}).
		wantStatus(t, http.StatusSeeOther)
	room := r.Header.Get("Location")
	if !regexp.MustCompile(`^/teams/[a-z0-9]+/estimation/[a-z0-9]+$`).MatchString(room) {
		t.Fatalf("redirected to %q, want the room", room)
	}
	a.get(p.d1, room).wantStatus(t, http.StatusOK).
		wantContains(t, "Thursday", "T-shirt sizes", `data-state="waiting"`, "Wrong ETA after a timezone change", "Vote ahead", `data-vote="XL"`)
	a.get(p.d1, base).wantContains(t, "Thursday", "Voting ahead")
	// The sessions fragment, for live refreshes, is the lists alone.
	a.get(p.d1, base+"?fragment=sessions").wantStatus(t, http.StatusOK).wantContains(t, `data-fragment="sessions"`, "Thursday").wantNotContains(t, "<html")
}

func TestEstimationSettingsForm(t *testing.T) {
	p := newPokerTeam(t)
	a, base := p.a, "/teams/"+p.team.ID+"/estimation"
	form := url.Values{"version": {"0"}, "custom_decks": {"Hours: 1, 2, 4, 8, ?"}, "po_votes": {"on"},
		"tshirt_XS": {"1"}, "tshirt_S": {"2"}, "tshirt_M": {"3"}, "tshirt_L": {"5"}, "tshirt_XL": {"8"}, "tshirt_XXL": {"20"}}
	a.post(p.sm, base+"/settings", form).wantStatus(t, http.StatusSeeOther)
	a.get(p.sm, base).wantContains(t, `value="custom:Hours"`, "Hours (custom)", `name="tshirt_XXL" inputmode="decimal" value="20"`)

	bad := url.Values{"version": {"1"}, "custom_decks": {"no colon here"}, "tshirt_XS": {"x"}}
	a.post(p.sm, base+"/settings", bad).wantStatus(t, http.StatusUnprocessableEntity).
		wantContains(t, "write a name, a colon", "give XS a number of points")
}

var seatRe = regexp.MustCompile(`<li class="seat([^"]*)" data-user="([^"]+)" data-voted="(true|false)">\s*<span class="seat__card" aria-hidden="true">([^<]*)</span>`)

// seats maps each voter to their seat's classes and card face.
func seats(body string) map[string][2]string {
	out := map[string][2]string{}
	for _, m := range seatRe.FindAllStringSubmatch(body, -1) {
		out[m[2]] = [2]string{m[1], m[4]}
	}
	return out
}

func TestRoomKeepsVotesSecretUntilReveal(t *testing.T) {
	p := newPokerTeam(t)
	a, ctx := p.a, context.Background()
	ses := p.open(t)
	room := "/teams/" + p.team.ID + "/estimation/" + ses.ID
	s, err := a.svc.NextItem(ctx, p.sm.Actor, ses.ID, ses.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.CastVote(ctx, p.d1.Actor, ses.ID, p.items[0].ID, "13"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.CastVote(ctx, p.d2.Actor, ses.ID, p.items[0].ID, "3"); err != nil {
		t.Fatal(err)
	}

	// Sam sees that Lena voted, not what; his own card is pressed.
	r := a.get(p.d2, room+"?fragment=room").wantStatus(t, http.StatusOK).wantNotContains(t, "<html")
	st := seats(r.Body)
	if got := st[p.d1.User.ID]; !strings.Contains(got[0], "seat--voted") || got[1] != "" {
		t.Errorf("Sam sees Lena's seat as %q with face %q, want voted and face down", got[0], got[1])
	}
	r.wantContains(t, `data-vote="3" aria-pressed="true"`, "You voted 3").wantNotContains(t, `data-vote="13" aria-pressed="true"`)
	// The Product Owner watches: no deck, no facilitator controls, and is listed as watching.
	a.get(p.po, room).wantStatus(t, http.StatusOK).wantContains(t, "Watching", "Priya Shah", "Facilitated by Marco Rossi").
		wantNotContains(t, "data-deck", `data-act="reveal"`)
	// The facilitator gets the reveal with the count.
	a.get(p.sm, room).wantContains(t, `data-act="reveal"`, "Reveal 2 of 2", "<strong>pick</strong>")

	if _, _, err := a.svc.Reveal(ctx, p.sm.Actor, ses.ID, s.Version); err != nil {
		t.Fatal(err)
	}
	r = a.get(p.po, room+"?fragment=room")
	st = seats(r.Body)
	if got := st[p.d1.User.ID]; got[1] != "13" || !strings.Contains(got[0], "seat--outlier") {
		t.Errorf("after the reveal Lena's seat is %q with face %q, want 13, an outlier", got[0], got[1])
	}
	r.wantContains(t, "No consensus", "Lena and Sam are the outliers", "Distribution", `<meter class="meter" min="0" max="2" value="1">`, `data-stat="average">8<`)
	a.get(p.sm, room).wantContains(t, `data-act="accept"`, `data-act="revote"`, `<option value="8" selected>`)
}

func TestRoomSummaryAndErrors(t *testing.T) {
	p := newPokerTeam(t)
	a, ctx := p.a, context.Background()
	ses := p.open(t)
	room := "/teams/" + p.team.ID + "/estimation/" + ses.ID
	s, err := a.svc.NextItem(ctx, p.sm.Actor, ses.ID, ses.Version)
	if err == nil {
		s, err = a.svc.SkipItem(ctx, p.sm.Actor, ses.ID, p.items[0].ID, s.Version)
	}
	if err == nil {
		_, err = a.svc.CloseEstimation(ctx, p.sm.Actor, ses.ID, s.Version)
	}
	if err != nil {
		t.Fatal(err)
	}
	a.get(p.d1, room).wantStatus(t, http.StatusOK).wantContains(t, "Session summary", "Skipped", "Not reached").wantNotContains(t, "data-deck")

	// Another team's session is not found here; an unknown one neither.
	other := a.signUp("Olga Other")
	ot := a.team("Vega", other)
	a.get(other, "/teams/"+ot.ID+"/estimation/"+ses.ID).wantStatus(t, http.StatusNotFound)
	a.get(p.d1, "/teams/"+p.team.ID+"/estimation/nosuchsession").wantStatus(t, http.StatusNotFound)
}
