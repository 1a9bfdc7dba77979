package demo

import (
	"context"
	"fmt"

	"github.com/tandemhq/tandem/internal/scrum"
)

// seedEstimation runs planning poker the way the team would: a finished
// session (three items estimated, one of them after a second round, one
// skipped) and an open one, live, where two Developers have voted on the
// current item and nothing is revealed yet. users are People, in order.
func seedEstimation(ctx context.Context, svc *scrum.Service, teamID string, users []scrum.User) error {
	sm := scrum.Actor{User: users[1]}
	marco, lena, sam, aiko := sm, scrum.Actor{User: users[2]}, scrum.Actor{User: users[3]}, scrum.Actor{User: users[4]}
	its, _, err := svc.Items(ctx, sm, teamID, scrum.ItemFilter{Open: true}, scrum.Page{Limit: 200})
	if err != nil {
		return fmt.Errorf("demo estimation items: %w", err)
	}
	var todo []string
	for _, it := range its {
		if it.Estimate == nil && it.Type != scrum.TypeEpic {
			todo = append(todo, it.ID)
		}
	}
	if len(todo) < 8 {
		return fmt.Errorf("demo estimation: %d unestimated items, want 8", len(todo))
	}

	// The finished session.
	ses, err := svc.OpenEstimation(ctx, sm, teamID, scrum.EstimationInput{Title: "Refinement: refunds and loyalty",
		Deck: scrum.DeckModifiedFibonacci, ItemIDs: todo[:4]})
	if err != nil {
		return fmt.Errorf("demo session: %w", err)
	}
	v := ses.Version
	step := func(what string, f func(version int) (scrum.Estimation, error)) error {
		s, err := f(v)
		if err != nil {
			return fmt.Errorf("demo session %s: %w", what, err)
		}
		v = s.Version
		return nil
	}
	votes := func(item string, cards map[scrum.Actor]string) error {
		for a, c := range cards {
			if _, err := svc.CastVote(ctx, a, ses.ID, item, c); err != nil {
				return fmt.Errorf("demo vote: %w", err)
			}
		}
		return nil
	}
	reveal := func(version int) (scrum.Estimation, error) {
		s, _, err := svc.Reveal(ctx, sm, ses.ID, version)
		return s, err
	}
	accept := func(item, card string) func(int) (scrum.Estimation, error) {
		return func(version int) (scrum.Estimation, error) {
			return svc.AcceptEstimate(ctx, sm, ses.ID, item, card, version)
		}
	}
	next := func(version int) (scrum.Estimation, error) { return svc.NextItem(ctx, sm, ses.ID, version) }
	if err := step("start", next); err != nil {
		return err
	}
	// First item: everyone agrees.
	if err := votes(todo[0], map[scrum.Actor]string{marco: "3", lena: "3", sam: "3", aiko: "3"}); err != nil {
		return err
	}
	if err := step("reveal", reveal); err != nil {
		return err
	}
	if err := step("accept", accept(todo[0], "3")); err != nil {
		return err
	}
	// Second item: 2 and 13 explain, the second round converges.
	if err := votes(todo[1], map[scrum.Actor]string{marco: "5", lena: "2", sam: "13", aiko: "5"}); err != nil {
		return err
	}
	if err := step("reveal", reveal); err != nil {
		return err
	}
	if err := step("revote", func(version int) (scrum.Estimation, error) { return svc.Revote(ctx, sm, ses.ID, version) }); err != nil {
		return err
	}
	if err := votes(todo[1], map[scrum.Actor]string{marco: "5", lena: "5", sam: "8", aiko: "5"}); err != nil {
		return err
	}
	if err := step("reveal", reveal); err != nil {
		return err
	}
	if err := step("accept", accept(todo[1], "5")); err != nil {
		return err
	}
	// Third item: needs a spike first.
	if err := step("skip", func(version int) (scrum.Estimation, error) { return svc.SkipItem(ctx, sm, ses.ID, todo[2], version) }); err != nil {
		return err
	}
	if err := votes(todo[3], map[scrum.Actor]string{marco: "8", lena: "8", sam: "5", aiko: "8"}); err != nil {
		return err
	}
	if err := step("reveal", reveal); err != nil {
		return err
	}
	if err := step("accept", accept(todo[3], "8")); err != nil {
		return err
	}
	if err := step("close", func(version int) (scrum.Estimation, error) { return svc.CloseEstimation(ctx, sm, ses.ID, version) }); err != nil {
		return err
	}

	// The open session, live: Lena and Sam have voted on the first item,
	// Aiko voted ahead on the second.
	ses, err = svc.OpenEstimation(ctx, sm, teamID, scrum.EstimationInput{Title: "Refinement: checkout",
		Deck: scrum.DeckModifiedFibonacci, ItemIDs: todo[4:8]})
	if err != nil {
		return fmt.Errorf("demo open session: %w", err)
	}
	v = ses.Version
	if err := votes(todo[5], map[scrum.Actor]string{aiko: "8"}); err != nil {
		return err
	}
	if err := step("start", next); err != nil {
		return err
	}
	return votes(todo[4], map[scrum.Actor]string{lena: "5", sam: "8"})
}
