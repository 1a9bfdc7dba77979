package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
)

const retro = `li[data-responsibility="facilitation.retrospective"]`

// The foundation's story: a Product Owner signs up, creates a team and
// invites; a second person accepts; the PO reassigns the retrospective to
// them, and the second person's open team page shows it without a reload.
func TestReassignmentShowsLiveToTheTeam(t *testing.T) {
	t.Parallel()
	for _, engine := range []struct {
		name string
		opts []e2e.Option
	}{
		{"sqlite", nil},
		{"postgres", []e2e.Option{e2e.OnPostgres()}},
	} {
		t.Run(engine.name, func(t *testing.T) {
			t.Parallel()
			s := e2e.Start(t, engine.opts...)

			// The PO signs up and creates the team.
			po := s.NewUser(t, "Priya Shah")
			po.SignUp()
			team := po.CreateTeam("Orion")
			if got := po.Text(".page-subtitle"); !strings.Contains(got, "You are Product Owner") {
				t.Fatalf("new team's subtitle = %q, want it to say the creator is Product Owner", got)
			}

			// The invite card: "Invite people" leads to it; it makes a link.
			po.Click(`.page-header__actions a[href="#invite"]`)
			po.WaitVisible(`#invite`)
			link := po.CreateInvite(scrum.Developer)
			if !strings.HasPrefix(link, s.URL+"/join/") {
				t.Fatalf("invite link = %q, want it under %s/join/", link, s.URL)
			}

			// The second person, in their own browser, opens the link and
			// signs up from the join page.
			lena := s.NewUser(t, "Lena Vogel")
			if st := lena.Open(link); st != http.StatusOK {
				t.Fatalf("open invite link: status %d, want 200", st)
			}
			lena.WaitText("h1", "Join Orion")
			create := `a[href^="/signup?next=/join/"]`
			if got := lena.Text(create); got != "Create an account to join" {
				t.Fatalf("join page's sign-up button says %q, want %q", got, "Create an account to join")
			}
			lena.ClickNav(create)
			lena.WaitPath(`^/signup\?next=/join/`)
			lena.FillSignUp()
			lena.WaitPath(`^/join/`) // back at the invite, signed in
			lena.ClickNav(`form[action^="/join/"] button[type=submit]`)
			lena.WaitPath(`^/teams/` + team + `$`)
			lena.WaitFor(`[data-team-page]`)

			// Lena keeps the team page open; a reload would lose the marker.
			e2e.Eval[int](lena.Tab, `window.__noReload = 1`)
			lena.WaitAttr(`[data-live]`, "data-state", "connected")
			if got := lena.Text(retro + ` [data-owner]`); strings.Contains(got, "Lena") {
				t.Fatalf("retrospective owner before the reassignment = %q, want someone other than Lena", got)
			}

			// The PO's page learned live that Lena joined: the Reassign
			// menu offers her without a reload.
			lena.RecordAppearing(`.toast`) // toasts go away after a few seconds
			lenaOption := retro + ` button[name=owner][value="user:` + lena.ID + `"]`
			po.WaitFor(lenaOption)
			po.Click(retro + ` summary`)
			po.WaitVisible(lenaOption)
			if st := po.ClickNav(lenaOption); st != http.StatusOK {
				t.Fatalf("reassign: status %d, want 200 after the redirect", st)
			}
			po.WaitText(retro+` [data-owner]`, "Lena Vogel")

			// Lena's page shows the new owner, a toast and the history
			// entry, on the same document, still live.
			lena.WaitText(retro+` [data-owner]`, "Lena Vogel")
			lena.WaitAppeared(`.toast`, "facilitation.retrospective now belongs to Lena Vogel")
			lena.WaitText(`[data-fragment="history"]`, "reassigned facilitation.retrospective: Scrum Master → Lena Vogel")
			if got := e2e.Eval[int](lena.Tab, `window.__noReload ?? 0`); got != 1 {
				t.Fatalf("window.__noReload = %d after the change, want 1: the page reloaded", got)
			}
			if state, _ := lena.Attr(`[data-live]`, "data-state"); state != "connected" {
				t.Fatalf("live indicator state = %q, want connected", state)
			}
		})
	}
}

// Only those who may change the map see its controls: the Product Owner
// and the Scrum Master get a Reassign menu on every row and the invite
// card; a Developer or a Stakeholder gets neither, and a forged form post
// is refused.
func TestReassignControlsFollowAccountability(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	po := s.SignedIn(t, "Priya Shah")
	team := s.SeedTeam(t, "Orion", po)
	rows := len(scrum.Responsibilities())

	for _, tc := range []struct {
		acc       scrum.Accountability
		canChange bool
	}{
		{scrum.ProductOwner, true},
		{scrum.ScrumMaster, true},
		{scrum.Developer, false},
		{scrum.Stakeholder, false},
	} {
		t.Run(string(tc.acc), func(t *testing.T) {
			var u *e2e.Tab
			if tc.acc == scrum.ProductOwner {
				u = po.NewTab(t)
			} else {
				m := s.SignedIn(t, "Member "+tc.acc.Title())
				s.SeedMember(t, team, po, m, tc.acc)
				u = m.Tab
			}
			u.Open("/teams/" + team)
			u.WaitFor(`[data-fragment="map"]`)

			want := 0
			if tc.canChange {
				want = rows
			}
			if got := u.Count(`[data-fragment="map"] summary[aria-label^="Reassign"]`); got != want {
				t.Errorf("%s sees %d Reassign menus, want %d", tc.acc, got, want)
			}
			if got := u.Count(`form[action*="/responsibilities/"]`); got != want {
				t.Errorf("%s sees %d reassign forms, want %d", tc.acc, got, want)
			}
			if got := u.Exists(`#invite`); got != tc.canChange {
				t.Errorf("%s sees the invite card: %t, want %t", tc.acc, got, tc.canChange)
			}
			if tc.canChange {
				return
			}
			// Hidden is not enough: the same post from their browser is refused.
			status := e2e.Eval[int](u, `fetch("/teams/`+team+`/responsibilities/facilitation.retrospective", {
				method: "POST", body: new URLSearchParams({owner: "acc:developer"}), redirect: "manual"}).then((r) => r.status)`)
			if status != http.StatusForbidden {
				t.Errorf("%s posting a reassignment: status %d, want 403", tc.acc, status)
			}
		})
	}
}

// A deploy restarts the server under an open page: the live indicator says
// so, the page reconnects by itself, and changes made afterwards still
// arrive without a reload.
func TestLivePageRecoversFromRestart(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	po := s.SignedIn(t, "Priya Shah")
	team := s.SeedTeam(t, "Orion", po)
	po.Open("/teams/" + team)
	e2e.Eval[int](po.Tab, `window.__noReload = 1`)
	po.WaitAttr(`[data-live]`, "data-state", "connected")

	s.Restart(func() {
		po.WaitAttr(`[data-live]`, "data-state", "reconnecting")
	})
	// Reconnecting backs off 1 s, 2 s, 4 s…; the default timeout covers it.
	po.WaitAttr(`[data-live]`, "data-state", "connected")

	if _, err := s.App.Service.Reassign(context.Background(), po.Actor(), team, scrum.RespFacilitateRetro,
		scrum.Owner{UserID: po.ID}, 0); err != nil {
		t.Fatal(err)
	}
	po.WaitText(retro+` [data-owner]`, "Priya Shah")
	if got := e2e.Eval[int](po.Tab, `window.__noReload ?? 0`); got != 1 {
		t.Fatalf("window.__noReload = %d, want 1: the page reloaded", got)
	}
}

// Removing a member is live too: the PO removes Sam through the member
// menu; Sam's open team page takes him to his teams, and Lena's page drops
// him from the member list without a reload.
func TestRemovedMemberLeavesTheTeamPage(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	po := s.SignedIn(t, "Priya Shah")
	sam := s.SignedIn(t, "Sam Okafor")
	lena := s.SignedIn(t, "Lena Vogel")
	team := s.SeedTeam(t, "Orion", po)
	s.SeedMember(t, team, po, sam, scrum.Developer)
	s.SeedMember(t, team, po, lena, scrum.Developer)

	for _, u := range []*e2e.User{sam, lena} {
		u.Open("/teams/" + team)
		e2e.Eval[int](u.Tab, `window.__noReload = 1`)
		u.WaitAttr(`[data-live]`, "data-state", "connected")
	}
	samRow := `tr[data-member="` + sam.ID + `"]`
	lena.WaitFor(samRow)

	po.Open("/teams/" + team)
	po.Click(samRow + ` summary`)
	po.AnswerDialogs(true)
	if st := po.ClickNav(samRow + ` form[action$="/remove"] button`); st != http.StatusOK {
		t.Fatalf("remove Sam: status %d, want 200", st)
	}
	if got := po.Dialogs(); len(got) != 1 || !strings.HasPrefix(got[0], "Remove Sam Okafor from Orion?") {
		t.Errorf("removing Sam asked %q, want one confirmation naming him", got)
	}
	po.WaitGone(samRow)

	sam.WaitPath(`^/teams$`)
	lena.WaitGone(samRow)
	lena.WaitText(`[data-fragment="history"]`, "removed Sam Okafor from the team")
	if got := e2e.Eval[int](lena.Tab, `window.__noReload ?? 0`); got != 1 {
		t.Fatalf("Lena's page reloaded (window.__noReload = %d)", got)
	}
}

// A refresh that fails — the network drops between the event and the
// fetch of the changed section — neither throws on the page nor leaves it
// stale: the page fetches again and catches up.
func TestLivePageRetriesAFailedRefresh(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	po := s.SignedIn(t, "Priya Shah")
	dev := s.SignedIn(t, "Sam Okafor")
	team := s.SeedTeam(t, "Orion", po)
	s.SeedMember(t, team, po, dev, scrum.Developer)
	dev.Open("/teams/" + team)
	dev.WaitAttr(`[data-live]`, "data-state", "connected")
	e2e.Eval[int](dev.Tab, `window.__noReload = 1`)

	dev.BlockRequests("/teams/*/fragments/*")
	dev.RecordAppearing(`.toast`)
	if _, err := s.App.Service.Reassign(context.Background(), po.Actor(), team, scrum.RespFacilitateRetro,
		scrum.Owner{UserID: po.ID}, 0); err != nil {
		t.Fatal(err)
	}
	// The event arrived (its toast shows) but the section could not be
	// fetched; then the network comes back.
	dev.WaitAppeared(`.toast`, "facilitation.retrospective now belongs to Priya Shah")
	dev.CheckConsole()
	dev.BlockRequests()
	dev.WaitText(retro+` [data-owner]`, "Priya Shah")
	if got := e2e.Eval[int](dev.Tab, `window.__noReload ?? 0`); got != 1 {
		t.Fatalf("the page reloaded (window.__noReload = %d)", got)
	}
}

// A team page whose session ends elsewhere (signed out through the API, as
// another device would) does not keep reconnecting: it goes to the sign-in
// page, and signing in again comes back to the team.
func TestSignedOutPageGoesToSignIn(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t, e2e.WithConfig(func(c *server.Config) { c.Heartbeat = 200 * time.Millisecond }))
	po := s.SignedIn(t, "Priya Shah")
	team := s.SeedTeam(t, "Orion", po)
	po.Open("/teams/" + team)
	po.WaitAttr(`[data-live]`, "data-state", "connected")

	req, err := http.NewRequest("POST", s.URL+"/api/v1/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+po.SessionSecret())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("sign out through the API: status %d, want 204", res.StatusCode)
	}

	// The stream ends at the next heartbeat; the page checks the session
	// and goes to sign in instead of showing "Reconnecting" for ever.
	po.WaitPath(`^/signin\?next=%2Fteams%2F` + team + `$`)
	po.Fill(`#f-email`, po.Email)
	po.Fill(`#f-password`, po.Password)
	if st := po.ClickNav(`form[action="/signin"] button[type=submit]`); st != http.StatusOK {
		t.Fatalf("sign in again: status %d, want 200", st)
	}
	po.WaitPath(`^/teams/` + team + `$`)
	po.WaitAttr(`[data-live]`, "data-state", "connected")
}
