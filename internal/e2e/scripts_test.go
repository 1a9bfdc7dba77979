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
	t.Parallel()
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

	dev.AnswerDialogs(false) // Cancel
	dev.Click(`form[data-confirm] button[type=submit]`)
	if got := dev.Dialogs(); len(got) != 1 || got[0] != "Leave Orion?" {
		t.Errorf("leaving the team asked %q, want to be asked once %q", got, "Leave Orion?")
	}
	if got := dev.Path(); got != "/teams/"+team {
		t.Errorf("after declining to leave, the page is %s, want the team page", got)
	}
}
