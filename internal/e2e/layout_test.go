package e2e_test

import (
	"testing"

	"github.com/tandemhq/tandem/internal/e2e"
)

// On a phone, pages without the team's bottom tab bar reserve no room for
// it, and the sign-in pages show the product's name under its mark.
func TestPhoneLayoutWithoutTabBar(t *testing.T) {
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
	}{{"/teams", false}, {"/settings/tokens", false}, {"/teams/" + team, true}} {
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
