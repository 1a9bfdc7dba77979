package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/internal/demo"
	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
)

// TestScreenshots saves full-page PNGs of every page for design review —
// sign-in, sign-up, an invitation, the teams list, a team, access tokens, a
// 404 and a 403, and the estimation pages (the sessions, a live room as the
// facilitator and as a Developer, and a closed session's summary) —
// at desktop and phone widths, in light and dark. It runs only when
// TANDEM_SCREENSHOTS names the directory to write them to:
//
//	TANDEM_SCREENSHOTS=/tmp/shots go test -run TestScreenshots ./internal/e2e/
func TestScreenshots(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("TANDEM_SCREENSHOTS")
	if dir == "" {
		t.Skip("set TANDEM_SCREENSHOTS=<dir> to save screenshots of every page")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := e2e.Start(t)
	if _, err := demo.Seed(context.Background(), s.App.Service); err != nil {
		t.Fatalf("seed the demo: %v", err)
	}
	visitor := s.Visitor(t)
	marco := demoUser(t, s, 1) // Scrum Master: sees every control
	lena := demoUser(t, s, 2)  // Developer: gets the 403 page
	marco.Open("/teams")
	marco.ClickNav(`.team-card`)
	teamPath := marco.Path()
	_, code, err := s.App.Service.CreateInvite(context.Background(), marco.Actor(), strings.TrimPrefix(teamPath, "/teams/"),
		scrum.InviteSpec{Accountabilities: []scrum.Accountability{scrum.Developer}})
	if err != nil {
		t.Fatal(err)
	}

	team := strings.TrimPrefix(teamPath, "/teams/")
	sessions, err := s.App.Service.Estimations(context.Background(), marco.Actor(), team)
	if err != nil {
		t.Fatal(err)
	}
	var live, closed string
	for _, ses := range sessions {
		if ses.State == scrum.SessionClosed {
			closed = ses.ID
		} else {
			live = ses.ID
		}
	}
	if live == "" || closed == "" {
		t.Fatalf("the demo has no live and closed estimation sessions: %+v", sessions)
	}
	room := func(id string) func(tb *e2e.Tab) int {
		return func(tb *e2e.Tab) int {
			st := tb.Open(teamPath + "/estimation/" + id)
			tb.WaitAttr(`[data-live]`, "data-state", "connected")
			tb.WaitUntil(`!document.querySelector("[data-presence]") || document.querySelector(".presence--online")`)
			return st
		}
	}

	type shot struct {
		name   string
		tab    *e2e.Tab
		status int
		open   func(tb *e2e.Tab) int
	}
	open := func(path string) func(tb *e2e.Tab) int {
		return func(tb *e2e.Tab) int { return tb.Open(path) }
	}
	shots := []shot{
		{"signin", visitor, http.StatusOK, open("/signin")},
		{"signup", visitor, http.StatusOK, open("/signup")},
		{"join", visitor, http.StatusOK, open("/join/" + code)},
		{"teams", marco.Tab, http.StatusOK, open("/teams")},
		{"team", marco.Tab, http.StatusOK, func(tb *e2e.Tab) int {
			st := tb.Open(teamPath)
			tb.WaitAttr(`[data-live]`, "data-state", "connected")
			return st
		}},
		{"tokens", marco.Tab, http.StatusOK, open("/settings/tokens")},
		{"estimation", marco.Tab, http.StatusOK, open(teamPath + "/estimation")},
		{"estimation-settings", marco.Tab, http.StatusOK, func(tb *e2e.Tab) int {
			st := tb.Open(teamPath + "/estimation")
			e2e.Eval[bool](tb, `document.querySelector("details#settings").open = true`)
			return st
		}},
		{"estimation-room", marco.Tab, http.StatusOK, room(live)},
		{"estimation-room-dev", lena.Tab, http.StatusOK, room(live)},
		{"estimation-summary", marco.Tab, http.StatusOK, room(closed)},
		{"404", marco.Tab, http.StatusNotFound, open("/no-such-page")},
		{"403", lena.Tab, http.StatusForbidden, func(tb *e2e.Tab) int {
			// A Developer submitting the map's reassign form, as a stale
			// page or a crafted link would.
			tb.Open(teamPath)
			e2e.Eval[bool](tb, `(() => {
				const f = document.createElement("form");
				f.method = "post";
				f.action = location.pathname + "/responsibilities/facilitation.retrospective";
				f.innerHTML = '<button id="forged" name="owner" value="acc:developer">x</button>';
				document.body.append(f);
				return true;
			})()`)
			return tb.ClickNav(`#forged`)
		}},
	}
	type screen struct {
		width, height int
		mobile        bool
		scheme        string
	}
	var screens []screen
	for _, vp := range []screen{{1280, 900, false, ""}, {390, 844, true, ""}} {
		for _, scheme := range []string{"light", "dark"} {
			vp.scheme = scheme
			screens = append(screens, vp)
		}
	}
	// Page by page, so the four pictures of a page show the same data.
	for _, sh := range shots {
		for _, sc := range screens {
			sh.tab.Viewport(sc.width, sc.height, sc.mobile)
			sh.tab.ColorScheme(sc.scheme)
			if st := sh.open(sh.tab); st != sh.status {
				t.Errorf("%s: status %d, want %d", sh.name, st, sh.status)
			}
			sh.tab.Screenshot(filepath.Join(dir, fmt.Sprintf("%s-%d-%s.png", sh.name, sc.width, sc.scheme)))
		}
	}
	t.Logf("screenshots in %s", dir)
}

// demoUser signs in as the i-th demo person through the sign-in form.
func demoUser(t *testing.T, s *e2e.Server, i int) *e2e.User {
	t.Helper()
	p := demo.People[i]
	u := s.NewUser(t, p.Name)
	u.Email, u.Password = p.Email, demo.Password
	u.SignIn()
	return u
}
