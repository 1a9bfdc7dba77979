package e2e_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tandemhq/tandem/internal/e2e"
	"github.com/tandemhq/tandem/internal/scrum"
)

// TestMentionSuggestions: typing "@" and a few letters in a comment lists
// the team's members; Enter inserts the one highlighted, and the saved
// comment mentions that person.
func TestMentionSuggestions(t *testing.T) {
	t.Parallel()
	s := e2e.Start(t)
	po := s.SignedIn(t, "Priya Shah")
	dev := s.SignedIn(t, "Lena Vogel")
	other := s.SignedIn(t, "Lars Berg")
	team := s.SeedTeam(t, "Orion", po)
	s.SeedMember(t, team, po, dev)
	s.SeedMember(t, team, po, other)
	if _, err := s.App.Service.CreateItem(context.Background(), po.Actor(), team, scrum.ItemInput{Title: "Refund button"}); err != nil {
		t.Fatal(err)
	}
	po.Open("/teams/" + team + "/items/1")
	box := `[data-composer] textarea`
	po.Do(chromedp.SendKeys(chromedp.CSS(box), "Can you check this, @l"))
	po.WaitVisible(`.mention-list`)
	if got := po.Texts(`.mention-list [role=option]`); len(got) != 2 {
		t.Fatalf("after @l: options %q, want Lars and Lena", got)
	}
	po.Do(chromedp.SendKeys(chromedp.CSS(box), "e"))
	po.WaitText(`.mention-list [aria-selected=true]`, "Lena Vogel")
	if got, _ := po.Attr(box, "aria-expanded"); got != "true" {
		t.Errorf("aria-expanded = %q while the list shows", got)
	}
	// Enter as a browser sends it: keydown, whose default (a newline) the
	// list prevents. chromedp's KeyEvent would also send the text itself.
	po.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
				Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
			}); err != nil {
				return err
			}
		}
		return nil
	}))
	if got := e2e.Eval[string](po.Tab, `document.querySelector("[data-composer] textarea").value`); got != "Can you check this, @lena " {
		t.Fatalf("after Enter the comment reads %q", got)
	}
	if po.Exists(`.mention-list:not([hidden])`) {
		t.Error("the list stays open after a pick")
	}
	// Escape closes the list without closing anything else.
	po.Do(chromedp.SendKeys(chromedp.CSS(box), "and @pr"))
	po.WaitVisible(`.mention-list`)
	key(po.Tab, kb.Escape)
	po.WaitGone(`.mention-list:not([hidden])`)

	po.Fill(box, "Can you check this, @lena ?")
	po.Click(`[data-composer] button[type=submit]`)
	po.WaitText(`[data-comments]`, "Can you check this")
	if got := po.Text(`[data-comments] .mention`); got != "@lena" {
		t.Errorf("the saved comment's mention: %q", got)
	}
}
