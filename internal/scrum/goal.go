package scrum

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// ProductGoal is a team's long-term objective; items link to it with
// Item.GoalLinked. Version is 0 while the team has set none.
type ProductGoal struct {
	TeamID    string
	Text      string
	Version   int
	UpdatedAt time.Time
	UpdatedBy string
}

// MaxGoalLen caps a product goal's text.
const MaxGoalLen = 2000

// GoalTx stores product goals.
type GoalTx interface {
	// ProductGoal returns the team's goal, or CodeNotFound if never set.
	ProductGoal(ctx context.Context, teamID string) (ProductGoal, error)
	// PutProductGoal inserts (Version 1) or updates a goal whose stored
	// version is g.Version-1; CodeConflict otherwise.
	PutProductGoal(ctx context.Context, g ProductGoal) error
}

// BacklogTx is the storage of the backlog beyond items themselves.
type BacklogTx interface {
	GoalTx
	SuggestionTx
	CommentTx
	ImportTx
}

// GoalPayload is the data of product_goal.updated.
type GoalPayload struct {
	Text    string `json:"text"`
	Version int    `json:"version"`
}

// EventProductGoalUpdated is sent when the goal changes.
const EventProductGoalUpdated = "product_goal.updated"

func productGoal(ctx context.Context, tx Tx, teamID string) (ProductGoal, error) {
	g, err := tx.ProductGoal(ctx, teamID)
	if IsCode(err, CodeNotFound) {
		return ProductGoal{TeamID: teamID}, nil
	}
	return g, err
}

// ProductGoal returns the team's product goal to a member; an empty text
// with version 0 when none was set.
func (s *Service) ProductGoal(ctx context.Context, actor Actor, teamID string) (ProductGoal, error) {
	var g ProductGoal
	err := s.store.View(ctx, func(tx Tx) error {
		if err := s.member(ctx, tx, actor, teamID); err != nil {
			return err
		}
		var err error
		g, err = productGoal(ctx, tx, teamID)
		return err
	})
	return g, err
}

// SetProductGoal changes the goal's text; it needs product.goal.
func (s *Service) SetProductGoal(ctx context.Context, actor Actor, teamID, text string, version int) (ProductGoal, error) {
	text = strings.TrimSpace(text)
	var v Validation
	v.Check(utf8.ValidString(text), "text", "text is not valid UTF-8")
	v.Check(utf8.RuneCountInString(text) <= MaxGoalLen, "text", "text is longer than %d characters", MaxGoalLen)
	if err := v.Err(); err != nil {
		return ProductGoal{}, err
	}
	var g ProductGoal
	err := s.teamWrite(ctx, actor, teamID, RespProductGoal, func(tx Tx, r Roster) error {
		var err error
		if g, err = productGoal(ctx, tx, teamID); err != nil {
			return err
		}
		if err := checkVersion("the product goal", version, g.Version); err != nil {
			return err
		}
		if g.Text == text && g.Version > 0 {
			return nil
		}
		g.Text = text
		g.Version++
		g.UpdatedAt, g.UpdatedBy = tx.Now(), actor.User.ID
		if err := tx.PutProductGoal(ctx, g); err != nil {
			return err
		}
		return emit(ctx, tx, teamID, EventProductGoalUpdated, teamID, actor.User.ID, GoalPayload{Text: g.Text, Version: g.Version})
	})
	return g, err
}
