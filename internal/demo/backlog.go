package demo

import (
	"context"
	"fmt"

	"github.com/tandemhq/tandem/internal/scrum"
)

// epic is a demo epic with its stories, top of the backlog first.
type epic struct {
	title   string
	stories []story
}

// story is a demo item. crit are acceptance criteria; est < 0 means not
// estimated; deps ticks "Dependencies known"; ready asks for status ready
// (granted only when every criterion is met).
type story struct {
	typ    scrum.ItemType
	title  string
	desc   string
	crit   []string
	est    float64
	value  int
	labels []string
	deps   bool
	goal   bool
}

var backlog = []epic{
	{"Self-service refunds", []story{
		{scrum.TypeStory, "Customer requests a refund from the order page", "As a **customer** I want to ask for a refund without calling support, so that I get my money back quickly.",
			[]string{"A refund button shows on delivered orders younger than 30 days", "The request confirms the amount before sending"}, 5, 80, []string{"refunds", "web"}, true, true},
		{scrum.TypeStory, "Support agent approves or rejects a refund", "Agents see pending refunds in a queue, oldest first.",
			[]string{"Approve and reject need a reason", "The customer gets an email either way"}, 3, 70, []string{"refunds", "backoffice"}, true, true},
		{scrum.TypeStory, "Partial refunds for multi-item orders", "", []string{"Each line can be refunded on its own"}, 8, 50, []string{"refunds"}, false, true},
		{scrum.TypeBug, "Refund amount rounds wrongly for JPY", "Amounts in currencies without minor units are divided by 100.\n\n```\n¥1200 → ¥12\n```",
			[]string{"Zero-decimal currencies refund the exact amount"}, 2, 60, []string{"refunds", "payments"}, true, true},
		{scrum.TypeSpike, "Which PSPs support refunds via API?", "Timebox: 2 days. Compare Stripe, Adyen and Mollie.", nil, 2, 20, []string{"refunds", "research"}, false, true},
		{scrum.TypeStory, "Refund status page", "", nil, -1, 30, []string{"refunds", "web"}, false, true},
		{scrum.TypeStory, "Refunds in the monthly finance export", "", []string{"Refunds are a separate sheet"}, -1, 25, []string{"refunds", "finance"}, false, false},
	}},
	{"Checkout speed", []story{
		{scrum.TypeStory, "Remember the last used payment method", "Pre-select it at checkout.", []string{"Only for signed-in customers", "Customers can change it"}, 3, 65, []string{"checkout"}, true, false},
		{scrum.TypeStory, "One-page checkout on mobile", "", []string{"Shipping, payment and review fit on one screen", "Works with the keyboard alone"}, 13, 75, []string{"checkout", "mobile"}, false, false},
		{scrum.TypeBug, "Address autocomplete freezes on Safari 17", "Typing fast in the street field hangs the tab.", []string{"No freeze when typing 10 characters per second"}, 2, 55, []string{"checkout", "safari"}, true, false},
		{scrum.TypeChore, "Upgrade the payment SDK to v5", "v4 is out of support in March.", []string{"All payment tests pass"}, 3, 30, []string{"checkout", "tech-debt"}, true, false},
		{scrum.TypeStory, "Apple Pay on the web", "", nil, 8, 45, []string{"checkout", "payments"}, false, false},
		{scrum.TypeSpike, "Measure where checkout time goes", "Add timing marks and collect a week of data.", nil, 1, 35, []string{"checkout", "research"}, true, false},
		{scrum.TypeStory, "Guest checkout without an account", "", nil, -1, 40, []string{"checkout"}, false, false},
		{scrum.TypeStory, "Show delivery date before payment", "", []string{"Date comes from the carrier API"}, 20, 50, []string{"checkout", "shipping"}, true, false},
	}},
	{"Loyalty programme", []story{
		{scrum.TypeStory, "Earn points on every order", "One point per euro, rounded down.", []string{"Points appear after delivery"}, 5, 40, []string{"loyalty"}, true, false},
		{scrum.TypeStory, "Redeem points at checkout", "", []string{"100 points = €1", "Cannot go below €0"}, 8, 45, []string{"loyalty", "checkout"}, false, false},
		{scrum.TypeStory, "Points balance in the account menu", "", nil, 2, 20, []string{"loyalty", "web"}, false, false},
		{scrum.TypeStory, "Birthday bonus", "", nil, -1, 10, []string{"loyalty", "marketing"}, false, false},
		{scrum.TypeSpike, "Legal check: points as a liability", "Ask finance how to book unredeemed points.", nil, -1, 15, []string{"loyalty", "finance"}, false, false},
		{scrum.TypeStory, "Tiers: silver and gold", "", nil, -1, 25, []string{"loyalty"}, false, false},
	}},
	{"Warehouse integration", []story{
		{scrum.TypeStory, "Send orders to the new warehouse API", "", []string{"Orders arrive within a minute", "Failures retry with back-off"}, 8, 60, []string{"warehouse", "integration"}, true, false},
		{scrum.TypeStory, "Stock levels sync every 15 minutes", "", []string{"A product out of stock cannot be ordered"}, 5, 55, []string{"warehouse"}, false, false},
		{scrum.TypeBug, "Duplicate shipments when the API times out", "Idempotency keys are not sent.", []string{"A retried order ships once"}, 3, 70, []string{"warehouse", "integration"}, true, false},
		{scrum.TypeChore, "Dashboards for the order queue", "", nil, 2, 20, []string{"warehouse", "ops"}, false, false},
		{scrum.TypeStory, "Split shipments from two warehouses", "", nil, 40, 35, []string{"warehouse", "shipping"}, false, false},
		{scrum.TypeSpike, "Evaluate the carrier label API", "", nil, -1, 15, []string{"warehouse", "shipping", "research"}, false, false},
	}},
	{"Accessibility", []story{
		{scrum.TypeStory, "Keyboard navigation for the product grid", "", []string{"Arrow keys move between products", "Focus is always visible"}, 5, 45, []string{"a11y", "web"}, true, false},
		{scrum.TypeBug, "Images without alt text on category pages", "", []string{"axe reports no missing alt texts"}, 1, 40, []string{"a11y"}, true, false},
		{scrum.TypeStory, "Screen reader labels on the cart", "", nil, 3, 35, []string{"a11y", "checkout"}, false, false},
		{scrum.TypeChore, "Contrast audit of the new theme", "", nil, -1, 20, []string{"a11y", "design"}, false, false},
		{scrum.TypeStory, "Reduced motion setting", "", nil, -1, 10, []string{"a11y"}, false, false},
	}},
	{"Search", []story{
		{scrum.TypeStory, "Typo-tolerant product search", "", []string{"'sheos' finds shoes"}, 8, 55, []string{"search"}, false, false},
		{scrum.TypeStory, "Filter by size and colour", "", []string{"Filters combine", "Counts update live"}, 5, 50, []string{"search", "web"}, true, false},
		{scrum.TypeBug, "Search returns discontinued products", "", []string{"Discontinued products never show"}, 2, 45, []string{"search"}, true, false},
		{scrum.TypeStory, "Recent searches", "", nil, 2, 15, []string{"search", "mobile"}, false, false},
		{scrum.TypeSpike, "Compare hosted search vendors", "", nil, 3, 20, []string{"search", "research"}, false, false},
	}},
}

// loose items live outside any epic, at the bottom.
var loose = []story{
	{scrum.TypeChore, "Rotate the API keys of staging", "", []string{"Old keys are revoked"}, 1, 10, []string{"ops", "security"}, true, false},
	{scrum.TypeBug, "Newsletter signup shows a blank page on Firefox", "", []string{"Signup works on Firefox ESR"}, 2, 25, []string{"web"}, true, false},
	{scrum.TypeStory, "Dark mode for the shop", "", nil, -1, 15, []string{"design", "web"}, false, false},
	{scrum.TypeChore, "Remove the old recommendation service", "", nil, 3, 10, []string{"tech-debt"}, false, false},
	{scrum.TypeStory, "Gift cards", "", nil, -1, 30, []string{"payments"}, false, false},
	{scrum.TypeStory, "Wish list sharing", "", nil, -1, 10, []string{"social"}, false, false},
	{scrum.TypeBug, "Cookie banner covers the checkout button on small phones", "", []string{"Button is reachable at 320 px wide"}, 1, 30, []string{"mobile", "checkout"}, true, false},
	{scrum.TypeChore, "Move CI to the new runners", "", nil, 2, 5, []string{"ops"}, false, false},
	{scrum.TypeStory, "Product reviews with photos", "", nil, -1, 20, []string{"social", "web"}, false, false},
	{scrum.TypeStory, "Back-in-stock notifications", "", []string{"Email when stock returns", "One email per product"}, 5, 35, []string{"warehouse", "marketing"}, false, false},
	{scrum.TypeSpike, "Can we drop IE mode support?", "", nil, 1, 5, []string{"research"}, false, false},
	{scrum.TypeStory, "Invoice PDF in the order history", "", nil, 3, 25, []string{"finance", "web"}, false, false},
	{scrum.TypeChore, "Archive orders older than 7 years", "", nil, -1, 5, []string{"ops", "finance"}, false, false},
	{scrum.TypeStory, "Store pickup option", "", nil, -1, 20, []string{"shipping"}, false, false},
	{scrum.TypeStory, "Size guide per brand", "", nil, -1, 15, []string{"web"}, false, false},
}

// seedBacklog gives the demo team a product goal, a Definition of Ready and
// a realistic backlog: six epics with their stories, loose items at the
// bottom, some ready and some not, a few comments and one suggestion.
// users are the demo people in People order.
func seedBacklog(ctx context.Context, svc *scrum.Service, teamID string, users []scrum.User) error {
	po := scrum.Actor{User: users[0]}
	sm := scrum.Actor{User: users[1]}
	devs := []scrum.Actor{{User: users[2]}, {User: users[3]}, {User: users[4]}}
	if _, err := svc.SetProductGoal(ctx, po, teamID, "Customers sort out order problems themselves: refunds in two clicks, no support call needed.", 0); err != nil {
		return fmt.Errorf("demo goal: %w", err)
	}
	d := scrum.DefaultReadyDefinition(teamID)
	d.Criteria = append(d.Criteria, scrum.ReadyCriterion{ID: "designs-attached", Kind: scrum.KindManual, Text: "UX designs attached (if it has a UI)"})
	if _, err := svc.PutReadyDefinition(ctx, po, teamID, scrum.ReadyDefinitionInput{Criteria: d.Criteria}, 0); err != nil {
		return fmt.Errorf("demo definition of ready: %w", err)
	}
	var created []scrum.Item
	add := func(st story, parent string, n int) error {
		in := scrum.ItemInput{Type: st.typ, Title: st.title, Description: st.desc, Labels: st.labels, ParentID: parent, GoalLinked: st.goal}
		if st.value > 0 {
			v := st.value
			in.Value = &v
		}
		for _, c := range st.crit {
			in.AcceptanceCriteria = append(in.AcceptanceCriteria, scrum.Criterion{Text: c})
		}
		if len(st.crit) > 0 || st.desc != "" {
			in.Status = scrum.StatusRefining
		}
		it, err := svc.CreateItem(ctx, po, teamID, in)
		if err != nil {
			return fmt.Errorf("demo item %q: %w", st.title, err)
		}
		dev := devs[n%len(devs)]
		if st.est >= 0 {
			e := st.est
			if it, err = svc.UpdateItem(ctx, dev, teamID, it.ID, scrum.ItemPatch{Estimate: &e}, 0); err != nil {
				return fmt.Errorf("demo estimate %q: %w", st.title, err)
			}
		}
		if st.deps {
			for _, c := range []string{"dependencies-known", "designs-attached"} {
				if it, err = svc.SetReadiness(ctx, dev, teamID, it.ID, c, true, 0); err != nil {
					return fmt.Errorf("demo readiness %q: %w", st.title, err)
				}
			}
			if it.Ready {
				ready := scrum.StatusReady
				if it, err = svc.UpdateItem(ctx, po, teamID, it.ID, scrum.ItemPatch{Status: &ready}, 0); err != nil {
					return fmt.Errorf("demo ready %q: %w", st.title, err)
				}
			}
		}
		created = append(created, it)
		return nil
	}
	n := 0
	for _, e := range backlog {
		ep, err := svc.CreateItem(ctx, po, teamID, scrum.ItemInput{Type: scrum.TypeEpic, Title: e.title, Status: scrum.StatusRefining})
		if err != nil {
			return fmt.Errorf("demo epic %q: %w", e.title, err)
		}
		for _, st := range e.stories {
			if err := add(st, ep.ID, n); err != nil {
				return err
			}
			n++
		}
	}
	for _, st := range loose {
		if err := add(st, "", n); err != nil {
			return err
		}
		n++
	}
	comments := []struct {
		who  scrum.Actor
		item int
		body string
	}{
		{devs[0], 0, "Do we also show the button for orders paid by invoice? @priya"},
		{po, 0, "Not yet, @lena: invoice refunds go through finance. I'll add a separate item."},
		{sm, 3, "@sam can you pair with Aiko on this one? It keeps coming back in support tickets."},
		{devs[2], 8, "The **mobile** designs are in Figma; the review step is still open."},
	}
	for _, c := range comments {
		if _, err := svc.AddComment(ctx, c.who, teamID, created[c.item].ID, c.body); err != nil {
			return fmt.Errorf("demo comment: %w", err)
		}
	}
	// A developer thinks the Safari freeze should come first.
	if _, err := svc.SuggestPosition(ctx, devs[1], teamID, created[9].ID, scrum.Move{To: "top"},
		"Support gets ten tickets a day about this; it is quick to fix."); err != nil {
		return fmt.Errorf("demo suggestion: %w", err)
	}
	return nil
}
