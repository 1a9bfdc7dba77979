package e2e_test

import (
	"context"
	"testing"

	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
)

// TestDefinitionOfReadyEdit: the Product Owner, who holds readiness, adds a
// criterion to the Definition of Ready from the refinement page; a
// Developer's open refinement page shows it, and the item's new gap,
// without a reload. The Developer has no editor.
func TestDefinitionOfReadyEdit(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	po := s.SignedIn(t, "Priya Shah")
	dev := s.SignedIn(t, "Lena Vogel")
	team := s.SeedTeam(t, "Orion", po)
	s.SeedMember(t, team, po, dev)
	if _, err := s.App.Service.CreateItem(context.Background(), po.Actor(), team, scrum.ItemInput{Title: "Refund button"}); err != nil {
		t.Fatal(err)
	}
	page := "/teams/" + team + "/refinement"
	for _, u := range []*e2e.User{po, dev} {
		u.Open(page)
		u.WaitAttr(`[data-live]`, "data-state", "connected")
	}
	if dev.Exists(`[data-dor-editor]`) {
		t.Error("a Developer, who does not hold readiness, is offered the editor")
	}
	e2e.Eval[int](dev.Tab, `window.__noReload = 1`)

	po.Click(`[data-dor-editor] > summary`)
	po.WaitVisible(`#dor-text-5`)
	po.Fill(`#dor-text-5`, "Design reviewed")
	po.ClickNav(`.dor-form button[type=submit]`)
	po.WaitText(`[data-toasts]`, "Definition of Ready saved")
	po.WaitText(`.checklist`, "Design reviewed")

	dev.WaitText(`.checklist`, "Design reviewed")
	dev.WaitText(`.refine__missing`, "Design reviewed")
	if got := e2e.Eval[int](dev.Tab, `window.__noReload || 0`); got != 1 {
		t.Error("the Developer's page reloaded to show the change")
	}
}
