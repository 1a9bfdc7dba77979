package scrum

import (
	"context"
	"github.com/tandemhq/tandem/internal/rank"
	"strings"
	"time"
	"unicode/utf8"
)

// Suggestion is a position for an item proposed by someone who may not
// reorder the backlog; whoever holds backlog.ordering accepts (performing
// the move) or dismisses it.
type Suggestion struct {
	ID         string
	TeamID     string
	ItemID     string
	Move       Move
	Note       string
	State      SuggestionState
	CreatedBy  string
	CreatedAt  time.Time
	ResolvedBy string
	ResolvedAt time.Time
	Version    int
}

// SuggestionState is where a suggestion is in its life.
type SuggestionState string

// Suggestion states.
const (
	SuggestionOpen      SuggestionState = "open"
	SuggestionAccepted  SuggestionState = "accepted"
	SuggestionDismissed SuggestionState = "dismissed"
)

// Limits of suggestions.
const (
	MaxSuggestionNote    = 500
	MaxOpenSuggestions   = 200 // per team
	MaxSuggestionsPerGet = 200
)

// SuggestionTx stores suggested positions.
type SuggestionTx interface {
	CreateSuggestion(ctx context.Context, sg Suggestion) error
	// Suggestion returns CodeNotFound unless it exists on the team.
	Suggestion(ctx context.Context, teamID, id string) (Suggestion, error)
	// UpdateSuggestion writes state and resolution when the stored version
	// is sg.Version-1; CodeConflict otherwise.
	UpdateSuggestion(ctx context.Context, sg Suggestion) error
	// OpenSuggestions lists a team's open suggestions, oldest first.
	OpenSuggestions(ctx context.Context, teamID string, limit int) ([]Suggestion, error)
}

// SuggestionPayload is the data of suggestion.* events.
type SuggestionPayload struct {
	ID        string          `json:"id"`
	ItemID    string          `json:"item_id"`
	Before    string          `json:"before,omitempty"`
	After     string          `json:"after,omitempty"`
	To        string          `json:"to,omitempty"`
	Note      string          `json:"note"`
	State     SuggestionState `json:"state"`
	CreatedBy string          `json:"created_by"`
	Version   int             `json:"version"`
	// Item is the moved item after an accepted suggestion.
	Item *ItemMoved `json:"item,omitempty"`
}

// Suggestion event types.
const (
	EventSuggestionAdded     = "suggestion.added"
	EventSuggestionAccepted  = "suggestion.accepted"
	EventSuggestionDismissed = "suggestion.dismissed"
)

func suggestionPayload(sg Suggestion) SuggestionPayload {
	return SuggestionPayload{ID: sg.ID, ItemID: sg.ItemID, Before: sg.Move.Before, After: sg.Move.After, To: sg.Move.To,
		Note: sg.Note, State: sg.State, CreatedBy: sg.CreatedBy, Version: sg.Version}
}

// SuggestPosition records where the actor thinks an item belongs. Anyone on
// the team may suggest, except whoever holds backlog.ordering: they just
// move (a 409 tells them so).
func (s *Service) SuggestPosition(ctx context.Context, actor Actor, teamID, itemID string, mv Move, note string) (Suggestion, error) {
	note = strings.TrimSpace(note)
	if err := mv.validate(itemID); err != nil {
		return Suggestion{}, err
	}
	var v Validation
	v.Check(utf8.ValidString(note) && utf8.RuneCountInString(note) <= MaxSuggestionNote, "note",
		"note must be valid text of at most %d characters", MaxSuggestionNote)
	if err := v.Err(); err != nil {
		return Suggestion{}, err
	}
	var sg Suggestion
	err := s.teamWrite(ctx, actor, teamID, "", func(tx Tx, r Roster) error {
		if r.Authorize(actor.User.ID, RespBacklogOrdering) == nil {
			return Errorf(CodeConflict, "you hold backlog.ordering: move the item instead of suggesting a position")
		}
		if _, err := itemOf(ctx, tx, teamID, itemID); err != nil {
			return err
		}
		if _, _, err := moveBounds(ctx, tx, teamID, mv); err != nil {
			return err
		}
		open, err := tx.OpenSuggestions(ctx, teamID, MaxOpenSuggestions)
		if err != nil {
			return err
		}
		if len(open) >= MaxOpenSuggestions {
			return Errorf(CodeConflict, "the team already has %d open suggestions; ask the Product Owner to go through them", len(open))
		}
		sg = Suggestion{ID: NewID(), TeamID: teamID, ItemID: itemID, Move: mv, Note: note, State: SuggestionOpen,
			CreatedBy: actor.User.ID, CreatedAt: tx.Now(), Version: 1}
		if err := tx.CreateSuggestion(ctx, sg); err != nil {
			return err
		}
		return emit(ctx, tx, teamID, EventSuggestionAdded, itemID, actor.User.ID, suggestionPayload(sg))
	})
	return sg, err
}

// Suggestions lists the team's open suggestions, oldest first.
func (s *Service) Suggestions(ctx context.Context, actor Actor, teamID string) ([]Suggestion, error) {
	var out []Suggestion
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		out, err = tx.OpenSuggestions(ctx, teamID, MaxSuggestionsPerGet)
		return err
	})
	return out, err
}

// AcceptSuggestion performs the suggested move (needs backlog.ordering).
// A suggestion relative to an item that has since left the team is a 422.
func (s *Service) AcceptSuggestion(ctx context.Context, actor Actor, teamID, id string) (Suggestion, Item, error) {
	var sg Suggestion
	var it Item
	err := s.teamWrite(ctx, actor, teamID, RespBacklogOrdering, func(tx Tx, r Roster) error {
		var err error
		if sg, err = openSuggestion(ctx, tx, teamID, id); err != nil {
			return err
		}
		if it, err = s.move(ctx, tx, actor, teamID, sg.ItemID, sg.Move, 0); err != nil {
			return err
		}
		sg.State, sg.ResolvedBy, sg.ResolvedAt = SuggestionAccepted, actor.User.ID, tx.Now()
		sg.Version++
		if err := tx.UpdateSuggestion(ctx, sg); err != nil {
			return err
		}
		p := suggestionPayload(sg)
		p.Item = &ItemMoved{ID: it.ID, Rank: it.Rank, Version: it.Version, Before: sg.Move.Before, After: sg.Move.After, To: sg.Move.To}
		return emit(ctx, tx, teamID, EventSuggestionAccepted, sg.ItemID, actor.User.ID, p)
	})
	if err == nil && rank.NeedsRebalance(it.Rank) {
		s.rebalanceLater(teamID)
	}
	return sg, it, err
}

// DismissSuggestion closes a suggestion without moving (needs
// backlog.ordering).
func (s *Service) DismissSuggestion(ctx context.Context, actor Actor, teamID, id string) (Suggestion, error) {
	var sg Suggestion
	err := s.teamWrite(ctx, actor, teamID, RespBacklogOrdering, func(tx Tx, r Roster) error {
		var err error
		if sg, err = openSuggestion(ctx, tx, teamID, id); err != nil {
			return err
		}
		sg.State, sg.ResolvedBy, sg.ResolvedAt = SuggestionDismissed, actor.User.ID, tx.Now()
		sg.Version++
		if err := tx.UpdateSuggestion(ctx, sg); err != nil {
			return err
		}
		return emit(ctx, tx, teamID, EventSuggestionDismissed, sg.ItemID, actor.User.ID, suggestionPayload(sg))
	})
	return sg, err
}

func openSuggestion(ctx context.Context, tx Tx, teamID, id string) (Suggestion, error) {
	if !ValidID(id) {
		return Suggestion{}, NotFound("suggestion")
	}
	sg, err := tx.Suggestion(ctx, teamID, id)
	if err != nil {
		return Suggestion{}, err
	}
	if sg.State != SuggestionOpen {
		return Suggestion{}, Errorf(CodeConflict, "this suggestion was already %s", sg.State)
	}
	return sg, nil
}
