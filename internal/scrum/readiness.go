package scrum

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// CriterionKind says how a readiness criterion is decided: computed from
// the item, or ticked by people.
type CriterionKind string

// Readiness criterion kinds. The computed ones are evaluated from the item
// every time it is read; manual ones are ticked per item.
const (
	KindHasAcceptanceCriteria CriterionKind = "has_acceptance_criteria"
	KindEstimated             CriterionKind = "estimated"
	KindFitsInSprint          CriterionKind = "fits_in_sprint"
	KindManual                CriterionKind = "manual"
)

// CriterionKinds lists every kind.
func CriterionKinds() []CriterionKind {
	return []CriterionKind{KindHasAcceptanceCriteria, KindEstimated, KindFitsInSprint, KindManual}
}

// Valid reports whether k is a known kind.
func (k CriterionKind) Valid() bool { return slices.Contains(CriterionKinds(), k) }

// ReadyCriterion is one line of a Definition of Ready.
type ReadyCriterion struct {
	ID   string        `json:"id"`
	Kind CriterionKind `json:"kind"`
	Text string        `json:"text"`
}

// ReadyDefinition is a team's Definition of Ready. Version is 0 while the
// team still has the defaults.
type ReadyDefinition struct {
	TeamID   string
	Criteria []ReadyCriterion
	// MaxSprintEstimate is the largest estimate that fits in one sprint
	// (fits_in_sprint).
	MaxSprintEstimate float64
	Version           int
	UpdatedAt         time.Time
	UpdatedBy         string
}

// Limits of a Definition of Ready.
const (
	MaxReadyCriteria         = 20
	MaxReadyCriterionLen     = 200
	DefaultMaxSprintEstimate = 13
)

// DefaultReadyDefinition is the checklist a team starts with.
func DefaultReadyDefinition(teamID string) ReadyDefinition {
	return ReadyDefinition{TeamID: teamID, MaxSprintEstimate: DefaultMaxSprintEstimate, Criteria: []ReadyCriterion{
		{ID: "acceptance-criteria", Kind: KindHasAcceptanceCriteria, Text: "Has acceptance criteria"},
		{ID: "estimated", Kind: KindEstimated, Text: "Estimated"},
		{ID: "fits-in-sprint", Kind: KindFitsInSprint, Text: "Fits in a sprint"},
		{ID: "dependencies-known", Kind: KindManual, Text: "Dependencies known"},
	}}
}

// ReadinessCheck is one criterion as it applies to one item.
type ReadinessCheck struct {
	ID        string
	Kind      CriterionKind
	Criterion string // the criterion's text
	Met       bool
}

// Evaluate checks it against every criterion.
func (d ReadyDefinition) Evaluate(it Item) []ReadinessCheck {
	out := make([]ReadinessCheck, len(d.Criteria))
	for i, c := range d.Criteria {
		var met bool
		switch c.Kind {
		case KindHasAcceptanceCriteria:
			met = len(it.AcceptanceCriteria) > 0
		case KindEstimated:
			met = it.Estimate != nil
		case KindFitsInSprint:
			met = it.Estimate != nil && *it.Estimate <= d.MaxSprintEstimate
		case KindManual:
			met = slices.Contains(it.ReadyTicks, c.ID)
		}
		out[i] = ReadinessCheck{ID: c.ID, Kind: c.Kind, Criterion: c.Text, Met: met}
	}
	return out
}

// Missing lists the texts of the criteria it does not meet.
func (d ReadyDefinition) Missing(it Item) []string {
	var out []string
	for _, c := range d.Evaluate(it) {
		if !c.Met {
			out = append(out, c.Criterion)
		}
	}
	return out
}

// Criterion returns the criterion with the id.
func (d ReadyDefinition) Criterion(id string) (ReadyCriterion, bool) {
	for _, c := range d.Criteria {
		if c.ID == id {
			return c, true
		}
	}
	return ReadyCriterion{}, false
}

// assess fills in it.Readiness and it.Ready from d.
func (d ReadyDefinition) assess(it *Item) {
	it.Readiness = d.Evaluate(*it)
	it.Ready = true
	for _, c := range it.Readiness {
		it.Ready = it.Ready && c.Met
	}
}

// ReadyTx stores Definitions of Ready.
type ReadyTx interface {
	// ReadyDefinition returns the team's stored definition, or CodeNotFound
	// while it has the defaults.
	ReadyDefinition(ctx context.Context, teamID string) (ReadyDefinition, error)
	// PutReadyDefinition inserts (Version 1) or updates a definition whose
	// stored version is d.Version-1; CodeConflict otherwise.
	PutReadyDefinition(ctx context.Context, d ReadyDefinition) error
	// SetItemsReady writes the derived ready flag of the given items
	// without touching their versions.
	SetItemsReady(ctx context.Context, teamID string, ready map[string]bool) error
}

// readyDefinition returns the team's definition, defaults included.
func readyDefinition(ctx context.Context, tx Tx, teamID string) (ReadyDefinition, error) {
	d, err := tx.ReadyDefinition(ctx, teamID)
	if IsCode(err, CodeNotFound) {
		return DefaultReadyDefinition(teamID), nil
	}
	return d, err
}

// ReadyDefinition returns the team's Definition of Ready to a member.
func (s *Service) ReadyDefinition(ctx context.Context, actor Actor, teamID string) (ReadyDefinition, error) {
	var d ReadyDefinition
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		d, err = readyDefinition(ctx, tx, teamID)
		return err
	})
	return d, err
}

// ReadyDefinitionInput is what PutReadyDefinition takes. Criteria without
// an id are new ones.
type ReadyDefinitionInput struct {
	Criteria          []ReadyCriterion
	MaxSprintEstimate *float64 // nil keeps the current value
}

// ReadyDefinitionChanged is the data of definition_of_ready.updated; UIs
// refetch items, whose readiness may have changed.
type ReadyDefinitionChanged struct {
	Criteria          []ReadyCriterion `json:"criteria"`
	MaxSprintEstimate float64          `json:"max_sprint_estimate"`
	Version           int              `json:"version"`
	// Unreadied lists the items that fell back from ready to refining.
	Unreadied []string `json:"unreadied"`
}

// EventReadyDefinitionUpdated is sent when a team's checklist changes.
const EventReadyDefinitionUpdated = "definition_of_ready.updated"

// PutReadyDefinition replaces the team's checklist (needs readiness). Every
// item's readiness is re-evaluated in the same transaction; items whose
// status was ready and no longer meet it go back to refining.
func (s *Service) PutReadyDefinition(ctx context.Context, actor Actor, teamID string, in ReadyDefinitionInput, version int) (ReadyDefinition, error) {
	var v Validation
	crit := normalizeReadyCriteria(in.Criteria, &v)
	if in.MaxSprintEstimate != nil {
		m := *in.MaxSprintEstimate
		v.Check(m > 0 && m <= MaxEstimate && m == m, "max_sprint_estimate", "max_sprint_estimate must be above 0 and at most %d", MaxEstimate)
	}
	if err := v.Err(); err != nil {
		return ReadyDefinition{}, err
	}
	var d ReadyDefinition
	err := s.teamWrite(ctx, actor, teamID, RespReadiness, func(tx Tx, r Roster) error {
		var err error
		if d, err = readyDefinition(ctx, tx, teamID); err != nil {
			return err
		}
		if err := checkVersion("the Definition of Ready", version, d.Version); err != nil {
			return err
		}
		d.Criteria = crit
		if in.MaxSprintEstimate != nil {
			d.MaxSprintEstimate = *in.MaxSprintEstimate
		}
		d.Version++
		d.UpdatedAt, d.UpdatedBy = tx.Now(), actor.User.ID
		if err := tx.PutReadyDefinition(ctx, d); err != nil {
			return err
		}
		unreadied, err := s.reassessAll(ctx, tx, actor, teamID, d)
		if err != nil {
			return err
		}
		return emit(ctx, tx, teamID, EventReadyDefinitionUpdated, teamID, actor.User.ID, ReadyDefinitionChanged{
			Criteria: d.Criteria, MaxSprintEstimate: d.MaxSprintEstimate, Version: d.Version, Unreadied: nonNil(unreadied)})
	})
	return d, err
}

// reassessAll re-evaluates every item of the team against d.
func (s *Service) reassessAll(ctx context.Context, tx Tx, actor Actor, teamID string, d ReadyDefinition) ([]string, error) {
	flags := map[string]bool{}
	var unreadied []string
	for p := (Page{Limit: 1000}); ; {
		its, next, err := tx.Items(ctx, teamID, ItemFilter{WithRemoved: true}, p)
		if err != nil {
			return nil, err
		}
		for _, old := range its {
			it := old
			d.assess(&it)
			if it.Status == StatusReady && !it.Ready {
				it.Status = StatusRefining
				it.Version++
				it.UpdatedAt = tx.Now()
				changes := diffItems(old, it)
				if err := tx.UpdateItem(ctx, it); err != nil {
					return nil, err
				}
				if err := emit(ctx, tx, teamID, EventItemUpdated, it.ID, actor.User.ID, ItemChanged{Changes: changes, Item: NewItemPayload(it)}); err != nil {
					return nil, err
				}
				unreadied = append(unreadied, it.ID)
			} else if it.Ready != old.Ready {
				flags[it.ID] = it.Ready
			}
		}
		if next == "" {
			break
		}
		p.Cursor = next
	}
	return unreadied, tx.SetItemsReady(ctx, teamID, flags)
}

func normalizeReadyCriteria(in []ReadyCriterion, v *Validation) []ReadyCriterion {
	if len(in) > MaxReadyCriteria {
		v.Add("criteria", "at most %d criteria", MaxReadyCriteria)
		return nil
	}
	out := make([]ReadyCriterion, 0, len(in))
	seen := map[string]bool{}
	for i, c := range in {
		c.Text = strings.Join(strings.Fields(c.Text), " ")
		if c.Kind == "" {
			c.Kind = KindManual
		}
		switch {
		case !c.Kind.Valid():
			v.Add("criteria", "criterion %d has an unknown kind %q (want %s)", i+1, string(c.Kind), joinKinds())
			continue
		case c.Text == "":
			v.Add("criteria", "criterion %d has no text", i+1)
			continue
		case utf8.RuneCountInString(c.Text) > MaxReadyCriterionLen:
			v.Add("criteria", "criterion %d is longer than %d characters", i+1, MaxReadyCriterionLen)
			continue
		}
		if c.ID == "" {
			c.ID = NewID()
		}
		if len(c.ID) > 64 || strings.ContainsFunc(c.ID, func(r rune) bool {
			return !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		}) {
			v.Add("criteria", "criterion %d has an id that is not lower-case letters, digits, '-' or '_'", i+1)
			continue
		}
		if seen[c.ID] {
			v.Add("criteria", "criterion id %q appears twice", c.ID)
			continue
		}
		seen[c.ID] = true
		out = append(out, c)
	}
	return out
}

func joinKinds() string {
	ks := CriterionKinds()
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// SetReadiness ticks or unticks a manual criterion on one item; anyone who
// may edit the item may. Computed criteria cannot be ticked.
func (s *Service) SetReadiness(ctx context.Context, actor Actor, teamID, itemID, criterionID string, met bool, version int) (Item, error) {
	var it Item
	err := s.teamWrite(ctx, actor, teamID, "", func(tx Tx, r Roster) error {
		d, err := readyDefinition(ctx, tx, teamID)
		if err != nil {
			return err
		}
		c, ok := d.Criterion(criterionID)
		if !ok {
			return NotFound("readiness criterion")
		}
		if c.Kind != KindManual {
			return Invalid("met", "%q is computed from the item (%s) and cannot be ticked", c.Text, c.Kind)
		}
		ticks := func(old Item) []string {
			t := slices.DeleteFunc(slices.Clone(old.ReadyTicks), func(x string) bool { return x == criterionID })
			if met {
				t = append(t, criterionID)
			}
			slices.Sort(t)
			return t
		}
		it, err = s.editItem(ctx, tx, r, actor, d, itemID, version, func(old Item) (Item, error) {
			old.ReadyTicks = ticks(old)
			return old, nil
		})
		return err
	})
	return it, err
}

// readyStatusError refuses status ready for an item that has not earned it.
func readyStatusError(missing []string) error {
	return Invalid("status", "the item is not ready: missing %s", strings.Join(missing, ", "))
}

// RefinementEntry is an item that is not ready yet, with what it lacks.
type RefinementEntry struct {
	Item    Item
	Missing []string
}

// MaxRefinement caps the refinement view.
const MaxRefinement = 200

// Refinement returns the top of the backlog (rank order) that is not ready
// and not done or removed, each with the criteria it does not meet yet.
func (s *Service) Refinement(ctx context.Context, actor Actor, teamID string, limit int) ([]RefinementEntry, error) {
	if limit <= 0 || limit > MaxRefinement {
		limit = min(max(limit, 0), MaxRefinement)
		if limit == 0 {
			limit = 20
		}
	}
	notReady := false
	its, _, err := s.Items(ctx, actor, teamID, ItemFilter{Ready: &notReady, Open: true}, Page{Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]RefinementEntry, len(its))
	for i, it := range its {
		var missing []string
		for _, c := range it.Readiness {
			if !c.Met {
				missing = append(missing, c.Criterion)
			}
		}
		out[i] = RefinementEntry{Item: it, Missing: nonNil(missing)}
	}
	return out, nil
}
