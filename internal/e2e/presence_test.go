package e2e_test

import (
	"context"
	"testing"

	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
)

// TestPresenceAcrossInstances: two Tandem instances on one PostgreSQL
// database. The Scrum Master has the estimation room open through A, a
// Developer through B: each sees the other present, and when the
// Developer leaves the room the Scrum Master sees her go, live.
func TestPresenceAcrossInstances(t *testing.T) {
	t.Parallel()
	a := e2e.Start(t, e2e.OnPostgres())
	b := e2e.Start(t, e2e.WithConfig(func(c *server.Config) { c.Database = a.App.Config.Database }))
	po := a.SignedIn(t, "Priya Shah")
	sm := a.SignedIn(t, "Marco Rossi")
	lena := b.SignedIn(t, "Lena Vogel")
	team := a.SeedTeam(t, "Orion", po)
	a.SeedMember(t, team, po, sm, scrum.ScrumMaster)
	a.SeedMember(t, team, po, lena)
	ctx := context.Background()
	if _, err := a.App.Service.CreateItem(ctx, po.Actor(), team, scrum.ItemInput{Title: "Reschedule a delivery"}); err != nil {
		t.Fatal(err)
	}

	base := "/teams/" + team
	sm.Open(base + "/estimation")
	sm.Fill(`#f-top_n`, "1")
	sm.ClickNav(`#open button[type=submit]`)
	room := sm.WaitPath(`^/teams/[^/]+/estimation/[a-z0-9]+$`)
	sm.WaitAttr(`[data-live]`, "data-state", "connected")

	lena.Open(room) // on B
	lena.WaitAttr(`[data-live]`, "data-state", "connected")
	online := func(u *e2e.User) string { return `.presence--online[data-presence="` + u.ID + `"]` }
	lena.WaitFor(online(sm))     // Marco is on A
	sm.WaitFor(online(lena))     // told through B's notification
	lena.Open(base + "/backlog") // Lena leaves the room
	sm.WaitGone(online(lena))
	sm.WaitFor(online(sm))
}
