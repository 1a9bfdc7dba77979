package scrum

import (
	"context"
	"fmt"
	"slices"

	"github.com/tandemhq/tandem/internal/rank"
)

// ItemTx stores backlog items. Ranks are unique per team; lists come back
// in rank order.
type ItemTx interface {
	// NextItemNumber takes the team's next item number (#1, #2…).
	NextItemNumber(ctx context.Context, teamID string) (int, error)
	CreateItem(ctx context.Context, it Item) error
	// Item returns CodeNotFound unless the item exists on the team.
	Item(ctx context.Context, teamID, id string) (Item, error)
	// UpdateItem writes every field but the rank when the stored version
	// is it.Version-1; CodeConflict (with the current version) otherwise.
	UpdateItem(ctx context.Context, it Item) error
	// SetItemRank writes only the rank and version: one row per move.
	SetItemRank(ctx context.Context, it Item) error
	// Items lists a team's items in rank order, a page at a time.
	Items(ctx context.Context, teamID string, f ItemFilter, p Page) ([]Item, string, error)
	// EdgeRank returns the first (last=false) or last rank of the team's
	// backlog, "" when it is empty.
	EdgeRank(ctx context.Context, teamID string, last bool) (string, error)
	// AdjacentRank returns the rank right after (next=true) or right
	// before r, "" when there is none.
	AdjacentRank(ctx context.Context, teamID, r string, next bool) (string, error)
}

// ItemInput is the input of CreateItem.
type ItemInput struct {
	Type               ItemType
	Title              string
	Description        string
	AcceptanceCriteria []Criterion
	Value              *int
	Estimate           *float64
	Labels             []string
	ParentID           string
	Status             Status
	GoalLinked         bool
}

// CreateItem adds an item at the bottom of the backlog. Every member may
// propose items, stakeholders included; only estimators give estimates.
func (s *Service) CreateItem(ctx context.Context, actor Actor, teamID string, in ItemInput) (Item, error) {
	it := Item{TeamID: teamID, Type: in.Type, Title: in.Title, Description: in.Description,
		AcceptanceCriteria: slices.Clone(in.AcceptanceCriteria), Value: in.Value, Estimate: in.Estimate,
		Labels: in.Labels, ParentID: in.ParentID, Status: in.Status, GoalLinked: in.GoalLinked}
	if it.Type == "" {
		it.Type = TypeStory
	}
	if it.Status == "" {
		it.Status = StatusNew
	}
	var v Validation
	normalizeItem(&it, &v)
	if it.Status != StatusNew && it.Status != StatusRefining {
		v.Add("status", "a new item starts as new or refining; %s is reached later", it.Status)
	}
	if err := v.Err(); err != nil {
		return Item{}, err
	}
	err := s.teamWrite(ctx, actor, teamID, "", func(tx Tx, r Roster) error {
		if it.Estimate != nil {
			if err := r.Authorize(actor.User.ID, RespEstimation); err != nil {
				return err
			}
		}
		if it.ParentID != "" {
			if err := checkParent(ctx, tx, teamID, "", it.ParentID); err != nil {
				return err
			}
		}
		d, err := readyDefinition(ctx, tx, teamID)
		if err != nil {
			return err
		}
		d.assess(&it)
		last, err := tx.EdgeRank(ctx, teamID, true)
		if err != nil {
			return err
		}
		if it.Rank, err = rank.Between(last, ""); err != nil {
			return fmt.Errorf("rank after %q: %w", last, err)
		}
		if it.Number, err = tx.NextItemNumber(ctx, teamID); err != nil {
			return err
		}
		now := tx.Now()
		it.ID, it.Version, it.CreatedAt, it.UpdatedAt, it.CreatedBy = NewID(), 1, now, now, actor.User.ID
		if err := tx.CreateItem(ctx, it); err != nil {
			return err
		}
		return emit(ctx, tx, teamID, EventItemCreated, it.ID, actor.User.ID, NewItemPayload(it))
	})
	return it, err
}

// checkParent refuses a parent that is not on the team, is the item
// itself, or would make a cycle.
func checkParent(ctx context.Context, tx Tx, teamID, itemID, parentID string) error {
	seen := map[string]bool{itemID: true}
	for id, depth := parentID, 0; id != ""; depth++ {
		if seen[id] {
			return Invalid("parent_id", "an item cannot be its own ancestor")
		}
		if depth > 100 {
			return Invalid("parent_id", "the parent chain is too deep")
		}
		seen[id] = true
		p, err := tx.Item(ctx, teamID, id)
		if IsCode(err, CodeNotFound) {
			return Invalid("parent_id", "parent_id is not an item of this team")
		}
		if err != nil {
			return err
		}
		id = p.ParentID
	}
	return nil
}

// Item returns one item to a member of its team.
func (s *Service) Item(ctx context.Context, actor Actor, teamID, id string) (Item, error) {
	var it Item
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		if it, err = itemOf(ctx, tx, teamID, id); err != nil {
			return err
		}
		d, err := readyDefinition(ctx, tx, teamID)
		d.assess(&it)
		return err
	})
	return it, err
}

func itemOf(ctx context.Context, tx Tx, teamID, id string) (Item, error) {
	if !ValidID(id) {
		return Item{}, NotFound("item")
	}
	return tx.Item(ctx, teamID, id)
}

// member checks that the actor is on the team; the roster cache usually
// answers it with one primary-key read.
func (s *Service) member(ctx context.Context, tx Tx, actor Actor, teamID string) error {
	_, err := s.roster(ctx, tx, actor, teamID)
	return err
}

// Items lists a team's items in backlog order.
func (s *Service) Items(ctx context.Context, actor Actor, teamID string, f ItemFilter, p Page) ([]Item, string, error) {
	var out []Item
	var next string
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		if out, next, err = tx.Items(ctx, teamID, f, p); err != nil {
			return err
		}
		d, err := readyDefinition(ctx, tx, teamID)
		for i := range out {
			d.assess(&out[i])
		}
		return err
	})
	return out, next, err
}

// UpdateItem applies a patch. Stakeholders may only edit what they
// proposed while it is new; estimates belong to whoever holds estimation.
// Status ready is earned: it is refused unless every criterion of the
// Definition of Ready is met, and an edit that makes a ready item unready
// sends it back to refining (recorded in the change list).
func (s *Service) UpdateItem(ctx context.Context, actor Actor, teamID, id string, p ItemPatch, version int) (Item, error) {
	var it Item
	err := s.teamWrite(ctx, actor, teamID, "", func(tx Tx, r Roster) error {
		d, err := readyDefinition(ctx, tx, teamID)
		if err != nil {
			return err
		}
		it, err = s.editItem(ctx, tx, r, actor, d, id, version, func(old Item) (Item, error) {
			return applyPatch(old, p), nil
		})
		return err
	})
	return it, err
}

// editItem is the one path every item edit takes (patch, readiness tick,
// bulk edit): load, check the version, change, validate, authorize, apply
// the readiness rule, write and emit item.updated with the changes.
func (s *Service) editItem(ctx context.Context, tx Tx, r Roster, actor Actor, d ReadyDefinition, id string, version int,
	change func(Item) (Item, error)) (Item, error) {
	return s.editItemAs(ctx, tx, r, actor, d, id, version, false, change)
}

// editItemAs is editItem; agreed marks an estimate the team agreed in an
// estimation session, which the facilitator writes without holding
// estimation themselves.
func (s *Service) editItemAs(ctx context.Context, tx Tx, r Roster, actor Actor, d ReadyDefinition, id string, version int, agreed bool,
	change func(Item) (Item, error)) (Item, error) {
	old, err := itemOf(ctx, tx, teamID(r), id)
	if err != nil {
		return Item{}, err
	}
	if err := checkVersion("the item", version, old.Version); err != nil {
		return Item{}, err
	}
	d.assess(&old)
	it, err := change(old)
	if err != nil {
		return Item{}, err
	}
	var v Validation
	normalizeItem(&it, &v)
	if err := v.Err(); err != nil {
		return Item{}, err
	}
	if err := s.authorizeEdit(r, actor, old, it, agreed); err != nil {
		return Item{}, err
	}
	if it.ParentID != old.ParentID && it.ParentID != "" {
		if err := checkParent(ctx, tx, old.TeamID, it.ID, it.ParentID); err != nil {
			return Item{}, err
		}
	}
	d.assess(&it)
	if it.Status == StatusReady && !it.Ready {
		if old.Status != StatusReady {
			return Item{}, readyStatusError(d.Missing(it))
		}
		it.Status = StatusRefining // the edit took away what made it ready
	}
	changes := diffItems(old, it)
	if len(changes) == 0 {
		return old, nil
	}
	it.Version++
	it.UpdatedAt = tx.Now()
	if err := tx.UpdateItem(ctx, it); err != nil {
		return Item{}, err
	}
	return it, emit(ctx, tx, it.TeamID, EventItemUpdated, it.ID, actor.User.ID, ItemChanged{Changes: changes, Item: NewItemPayload(it)})
}

func teamID(r Roster) string { return r.Team.ID }

func applyPatch(it Item, p ItemPatch) Item {
	if p.Type != nil {
		it.Type = *p.Type
	}
	if p.Title != nil {
		it.Title = *p.Title
	}
	if p.Description != nil {
		it.Description = *p.Description
	}
	if p.AcceptanceCriteria != nil {
		it.AcceptanceCriteria = slices.Clone(*p.AcceptanceCriteria)
	}
	if p.ClearValue {
		it.Value = nil
	} else if p.Value != nil {
		it.Value = p.Value
	}
	if p.ClearEstimate {
		it.Estimate = nil
	} else if p.Estimate != nil {
		it.Estimate = p.Estimate
	}
	if p.Labels != nil {
		it.Labels = slices.Clone(*p.Labels)
	}
	if p.ParentID != nil {
		it.ParentID = *p.ParentID
	}
	if p.Status != nil {
		it.Status = *p.Status
	}
	if p.GoalLinked != nil {
		it.GoalLinked = *p.GoalLinked
	}
	return it
}

// authorizeEdit decides, from the map, whether actor may turn old into it.
func (s *Service) authorizeEdit(r Roster, actor Actor, old, it Item, agreed bool) error {
	m, _ := r.Member(actor.User.ID)
	if len(m.Accountabilities) == 1 && m.Has(Stakeholder) && (old.CreatedBy != actor.User.ID || old.Status != StatusNew) {
		return r.Authorize(actor.User.ID, RespBacklogClarity)
	}
	if !agreed && !floatPtrEqual(old.Estimate, it.Estimate) {
		if err := r.Authorize(actor.User.ID, RespEstimation); err != nil {
			return err
		}
	}
	if it.Status == StatusRemoved && old.Status != StatusRemoved {
		return r.Authorize(actor.User.ID, RespBacklogOrdering)
	}
	return nil
}

func floatPtrEqual(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// Move says where an item goes: before or after another item, or to the
// top or bottom. Exactly one is set.
type Move struct {
	Before string
	After  string
	To     string // "top" or "bottom"
}

// MoveItem reorders the backlog. Only the holder of backlog.ordering may;
// the move writes the item's row and one event.
func (s *Service) MoveItem(ctx context.Context, actor Actor, teamID, id string, mv Move, version int) (Item, error) {
	if err := mv.validate(id); err != nil {
		return Item{}, err
	}
	var it Item
	err := s.teamWrite(ctx, actor, teamID, RespBacklogOrdering, func(tx Tx, r Roster) error {
		var err error
		it, err = s.move(ctx, tx, actor, teamID, id, mv, version)
		return err
	})
	if err == nil && rank.NeedsRebalance(it.Rank) {
		s.rebalanceLater(teamID)
	}
	return it, err
}

// validate checks the shape of a move of item id.
func (mv Move) validate(id string) error {
	var v Validation
	n := 0
	for _, x := range []string{mv.Before, mv.After, mv.To} {
		if x != "" {
			n++
		}
	}
	switch {
	case n != 1:
		v.Add("before", "give exactly one of before, after or to")
	case mv.To != "" && mv.To != "top" && mv.To != "bottom":
		v.Add("to", `to must be "top" or "bottom"`)
	case mv.Before == id || mv.After == id:
		v.Add("before", "an item cannot move relative to itself")
	}
	return v.Err()
}

// move does MoveItem's work inside a transaction whose actor was already
// authorized (a move, or an accepted suggestion).
func (s *Service) move(ctx context.Context, tx Tx, actor Actor, teamID, id string, mv Move, version int) (Item, error) {
	it, err := itemOf(ctx, tx, teamID, id)
	if err != nil {
		return Item{}, err
	}
	if err := checkVersion("the item", version, it.Version); err != nil {
		return Item{}, err
	}
	d, err := readyDefinition(ctx, tx, teamID)
	if err != nil {
		return Item{}, err
	}
	d.assess(&it)
	lo, hi, err := moveBounds(ctx, tx, teamID, mv)
	if err != nil {
		return Item{}, err
	}
	// Moving next to itself (before its successor, after its predecessor,
	// or to the edge it is already on) changes nothing.
	if lo == it.Rank || hi == it.Rank {
		return it, nil
	}
	r2, err := rank.Between(lo, hi)
	if err != nil {
		return Item{}, fmt.Errorf("rank between %q and %q: %w", lo, hi, err)
	}
	it.Rank = r2
	it.Version++
	it.UpdatedAt = tx.Now()
	if err := tx.SetItemRank(ctx, it); err != nil {
		return Item{}, err
	}
	return it, emit(ctx, tx, teamID, EventItemMoved, it.ID, actor.User.ID,
		ItemMoved{ID: it.ID, Rank: it.Rank, Version: it.Version, Before: mv.Before, After: mv.After, To: mv.To})
}

// moveBounds returns the ranks the moved item must fall strictly between.
func moveBounds(ctx context.Context, tx Tx, teamID string, mv Move) (lo, hi string, err error) {
	switch {
	case mv.To == "top":
		hi, err = tx.EdgeRank(ctx, teamID, false)
		return "", hi, err
	case mv.To == "bottom":
		lo, err = tx.EdgeRank(ctx, teamID, true)
		return lo, "", err
	case mv.Before != "":
		ref, err := refItem(ctx, tx, teamID, mv.Before, "before")
		if err != nil {
			return "", "", err
		}
		lo, err = tx.AdjacentRank(ctx, teamID, ref.Rank, false)
		return lo, ref.Rank, err
	default:
		ref, err := refItem(ctx, tx, teamID, mv.After, "after")
		if err != nil {
			return "", "", err
		}
		hi, err = tx.AdjacentRank(ctx, teamID, ref.Rank, true)
		return ref.Rank, hi, err
	}
}

// refItem resolves the item a move is relative to; one of another team is
// a bad field, not a leak.
func refItem(ctx context.Context, tx Tx, teamID, id, field string) (Item, error) {
	if !ValidID(id) {
		return Item{}, Invalid(field, "%s is not an item of this team", field)
	}
	it, err := tx.Item(ctx, teamID, id)
	if IsCode(err, CodeNotFound) {
		return Item{}, Invalid(field, "%s is not an item of this team", field)
	}
	return it, err
}

// RemoveItem takes an item out of the backlog (status removed); it stays in
// history and can be restored by setting another status.
func (s *Service) RemoveItem(ctx context.Context, actor Actor, teamID, id string, version int) (Item, error) {
	removed := StatusRemoved
	return s.UpdateItem(ctx, actor, teamID, id, ItemPatch{Status: &removed}, version)
}

// ItemHistory lists the events about an item, oldest first: every change
// with who made it, when, and each field's before and after.
func (s *Service) ItemHistory(ctx context.Context, actor Actor, teamID, id string, p Page) ([]Event, string, error) {
	var es []Event
	var next string
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		if _, err := itemOf(ctx, tx, teamID, id); err != nil {
			return err
		}
		var err error
		es, next, err = tx.SubjectEvents(ctx, teamID, id, actor.User.ID, p)
		return err
	})
	return es, next, err
}
