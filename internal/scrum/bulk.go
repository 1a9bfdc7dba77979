package scrum

import (
	"context"
	"fmt"
	"slices"
)

// MaxBulkItems caps one bulk edit.
const MaxBulkItems = 500

// BulkEdit is a change applied to a selection of items.
type BulkEdit struct {
	ItemIDs      []string
	AddLabels    []string
	RemoveLabels []string
	Status       *Status
	ParentID     *string // "" clears
}

// BulkEditItems applies one change to many items, all or nothing: each item
// goes through the same rules as a single edit (permissions, readiness,
// parent cycles), and the first refusal rolls every item back. Each changed
// item emits its own item.updated, so live views apply a bulk edit exactly
// as they apply single edits. Unchanged items are returned as they were.
func (s *Service) BulkEditItems(ctx context.Context, actor Actor, teamID string, b BulkEdit) ([]Item, error) {
	var v Validation
	switch {
	case len(b.ItemIDs) == 0:
		v.Add("item_ids", "select at least one item")
	case len(b.ItemIDs) > MaxBulkItems:
		v.Add("item_ids", "at most %d items at once", MaxBulkItems)
	}
	if len(b.AddLabels) == 0 && len(b.RemoveLabels) == 0 && b.Status == nil && b.ParentID == nil {
		v.Add("item_ids", "say what to change: add_labels, remove_labels, status or parent_id")
	}
	add := normalizeLabels(b.AddLabels, &v)
	remove := normalizeLabels(b.RemoveLabels, &v)
	if b.Status != nil && !b.Status.Valid() {
		v.Add("status", "unknown status %q", string(*b.Status))
	}
	ids := slices.Clone(b.ItemIDs)
	slices.Sort(ids)
	if len(slices.Compact(ids)) != len(b.ItemIDs) {
		v.Add("item_ids", "an item is listed twice")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := make([]Item, 0, len(b.ItemIDs))
	err := s.teamWrite(ctx, actor, teamID, "", func(tx Tx, r Roster) error {
		d, err := readyDefinition(ctx, tx, teamID)
		if err != nil {
			return err
		}
		for i, id := range b.ItemIDs {
			it, err := s.editItem(ctx, tx, r, actor, d, id, 0, func(it Item) (Item, error) {
				labels := slices.DeleteFunc(slices.Clone(it.Labels), func(l string) bool { return slices.Contains(remove, l) })
				for _, l := range add {
					if !slices.Contains(labels, l) {
						labels = append(labels, l)
					}
				}
				it.Labels = labels
				if b.Status != nil {
					it.Status = *b.Status
				}
				if b.ParentID != nil {
					it.ParentID = *b.ParentID
				}
				return it, nil
			})
			if err != nil {
				return bulkError(i, id, err)
			}
			out = append(out, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// bulkError says which selected item a refusal is about.
func bulkError(i int, id string, err error) error {
	var de *Error
	if !asError(err, &de) {
		return err
	}
	c := *de
	if c.Code == CodeNotFound {
		return Invalid(fmt.Sprintf("item_ids[%d]", i), "%s is not an item of this team", id)
	}
	c.Message = fmt.Sprintf("item %d (%s): %s", i+1, id, de.Message)
	c.Fields = slices.Clone(de.Fields)
	for j := range c.Fields {
		c.Fields[j].Message = fmt.Sprintf("item %d (%s): %s", i+1, id, c.Fields[j].Message)
	}
	return &c
}
