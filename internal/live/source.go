package live

import (
	"context"

	"github.com/tandemhq/tandem/internal/scrum"
)

// StoreSource reads events straight from a scrum.Store, without an actor:
// the hub serves only members, checked when they subscribe.
type StoreSource struct{ Store scrum.Store }

// Events implements Source.
func (s StoreSource) Events(ctx context.Context, teamID string, after int64, limit int) ([]scrum.Event, error) {
	var es []scrum.Event
	err := s.Store.View(ctx, func(tx scrum.Tx) error {
		var err error
		es, err = tx.AllEvents(ctx, teamID, after, limit)
		return err
	})
	return es, err
}

// LastSeq implements Source.
func (s StoreSource) LastSeq(ctx context.Context, teamID string) (int64, error) {
	var seq int64
	err := s.Store.View(ctx, func(tx scrum.Tx) error {
		var err error
		seq, err = tx.LastEventSeq(ctx, teamID)
		return err
	})
	return seq, err
}

// Member implements MemberSource: one primary-key read.
func (s StoreSource) Member(ctx context.Context, teamID, userID string) error {
	return s.Store.View(ctx, func(tx scrum.Tx) error {
		_, err := tx.Member(ctx, teamID, userID)
		return err
	})
}
