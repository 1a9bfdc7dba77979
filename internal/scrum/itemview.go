package scrum

import "context"

// ItemViewTx answers the questions a backlog page asks besides the list
// itself: how many items match, where an item stands, which labels exist.
type ItemViewTx interface {
	// CountItems counts the items Items would list for f.
	CountItems(ctx context.Context, teamID string, f ItemFilter) (int, error)
	// CountItemsBefore counts the items that are not removed and rank
	// before r.
	CountItemsBefore(ctx context.Context, teamID, r string) (int, error)
	// ItemByNumber returns CodeNotFound unless the team has item #number.
	ItemByNumber(ctx context.Context, teamID string, number int) (Item, error)
	// ItemLabels lists up to limit labels used on the team's items, in
	// alphabetical order.
	ItemLabels(ctx context.Context, teamID string, limit int) ([]string, error)
}

// MaxLabelsListed caps ItemLabels.
const MaxLabelsListed = 500

// CountItems counts the items that Items lists for f.
func (s *Service) CountItems(ctx context.Context, actor Actor, teamID string, f ItemFilter) (int, error) {
	var n int
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		n, err = tx.CountItems(ctx, teamID, f)
		return err
	})
	return n, err
}

// ItemPosition returns where an item stands in the backlog, 1-based, and
// how many items the backlog holds. A removed item has position 0.
func (s *Service) ItemPosition(ctx context.Context, actor Actor, teamID, id string) (pos, total int, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		it, err := itemOf(ctx, tx, teamID, id)
		if err != nil {
			return err
		}
		if total, err = tx.CountItems(ctx, teamID, ItemFilter{}); err != nil {
			return err
		}
		if it.Status == StatusRemoved {
			return nil
		}
		before, err := tx.CountItemsBefore(ctx, teamID, it.Rank)
		pos = before + 1
		return err
	})
	return pos, total, err
}

// ItemByNumber returns the team's item #number to a member.
func (s *Service) ItemByNumber(ctx context.Context, actor Actor, teamID string, number int) (Item, error) {
	var it Item
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		if number <= 0 {
			return NotFound("item")
		}
		var err error
		if it, err = tx.ItemByNumber(ctx, teamID, number); err != nil {
			return err
		}
		d, err := readyDefinition(ctx, tx, teamID)
		d.assess(&it)
		return err
	})
	return it, err
}

// ItemLabels lists the labels used on a team's items, for filters and
// suggestions.
func (s *Service) ItemLabels(ctx context.Context, actor Actor, teamID string) ([]string, error) {
	var out []string
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		out, err = tx.ItemLabels(ctx, teamID, MaxLabelsListed)
		return err
	})
	return out, err
}
