package e2e_test

import (
	"testing"

	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
)

// The team page's modules share one instance of app.js: a second copy
// would register every page behaviour twice, and a confirm prompt would
// ask twice.
func TestTeamPageRunsEachScriptOnce(t *testing.T) {
	s := e2e.Start(t)
	po := s.SignedIn(t, "Priya Shah")
	dev := s.SignedIn(t, "Sam Okafor")
	team := s.SeedTeam(t, "Orion", po)
	s.SeedMember(t, team, po, dev, scrum.Developer)

	dev.Open("/teams/" + team)
	dev.WaitAttr(`[data-live]`, "data-state", "connected")
	for _, name := range []string{"app.js", "live.js", "team.js"} {
		urls := e2e.Eval[[]string](dev.Tab, `performance.getEntriesByType("resource").map((e) => e.name).filter((u) => new URL(u).pathname === "/static/js/`+name+`")`)
		if len(urls) != 1 {
			t.Errorf("the team page loaded %s %d times (%v), want once", name, len(urls), urls)
		}
	}

	e2e.Eval[bool](dev.Tab, `(window.confirm = () => { window.__confirms = (window.__confirms ?? 0) + 1; return false }, true)`)
	dev.Click(`form[data-confirm] button[type=submit]`)
	if got := e2e.Eval[int](dev.Tab, `window.__confirms ?? 0`); got != 1 {
		t.Errorf("leaving the team asked to confirm %d times, want once", got)
	}
	if got := dev.Path(); got != "/teams/"+team {
		t.Errorf("after declining to leave, the page is %s, want the team page", got)
	}
}
