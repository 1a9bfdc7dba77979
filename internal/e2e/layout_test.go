package e2e_test

import (
	"testing"

	"github.com/tandemhq/tandem/internal/e2e"
)

// On a phone, pages without the team's bottom tab bar reserve no room for
// it, and the sign-in pages show the product's name under its mark.
func TestPhoneLayoutWithoutTabBar(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	visitor := s.Visitor(t)
	visitor.Viewport(390, 844, true)
	for _, path := range []string{"/signin", "/signup"} {
		visitor.Open(path)
		if w := e2e.Eval[float64](visitor, `document.querySelector(".auth__brand .brand__name").getBoundingClientRect().width`); w == 0 {
			t.Errorf("%s: the brand's name is hidden on a phone", path)
		}
		if extra := e2e.Eval[int](visitor, `document.documentElement.scrollHeight - innerHeight`); extra > 0 {
			t.Errorf("%s scrolls %dpx on a 390x844 phone, want it to fit the screen", path, extra)
		}
	}

	u := s.SignedIn(t, "Priya Shah")
	u.Viewport(390, 844, true)
	team := s.SeedTeam(t, "Orion", u)
	for _, tc := range []struct {
		path   string
		tabBar bool
	}{{"/teams", false}, {"/settings/tokens", false}, {"/teams/" + team, true}, {"/teams/" + team + "/estimation", true}} {
		u.Open(tc.path)
		if got := u.Exists(`nav.nav`); got != tc.tabBar {
			t.Fatalf("%s has a tab bar: %t, want %t", tc.path, got, tc.tabBar)
		}
		pad := e2e.Eval[float64](u.Tab, `parseFloat(getComputedStyle(document.body).paddingBottom)`)
		if tc.tabBar && pad == 0 {
			t.Errorf("%s: the tab bar covers the end of the page: body has no bottom padding", tc.path)
		}
		if !tc.tabBar && pad != 0 {
			t.Errorf("%s: %gpx reserved at the bottom for a tab bar that is not there", tc.path, pad)
		}
	}
}

// The teams page shows each team as a card that opens the team from
// anywhere on it, set in the card's own type rather than as one big link.
func TestTeamsPageCards(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	u := s.SignedIn(t, "Priya Shah")
	team := s.SeedTeam(t, "Orion", u)
	u.Open("/teams")
	underlined := e2e.Eval[[]string](u.Tab, `[...document.querySelectorAll(".team-card, .team-card *")]
		.filter((el) => getComputedStyle(el).textDecorationLine.includes("underline"))
		.map((el) => el.tagName + " " + el.textContent.trim())`)
	if len(underlined) > 0 {
		t.Errorf("team card text is underlined: %q", underlined)
	}
	gap := e2e.Eval[float64](u.Tab, `document.querySelector("#create").getBoundingClientRect().top -
		document.querySelector(".team-card").getBoundingClientRect().bottom`)
	if gap < 16 {
		t.Errorf("the create-a-team card sits %gpx below the team cards, want a section's spacing", gap)
	}
	if st := u.ClickNav(`.team-card .text-sm`); st != 200 || u.Path() != "/teams/"+team {
		t.Errorf("clicking the card's date: status %d, at %s; want the team page", st, u.Path())
	}
}
