package scrum

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/tandemhq/tandem/internal/rank"
)

// RankTx rewrites a whole team's ranks.
type RankTx interface {
	// ItemRanks lists the ids and ranks of every item of the team
	// (removed ones too) in rank order.
	ItemRanks(ctx context.Context, teamID string) (ids, ranks []string, err error)
	// Rerank gives the items ids[i] the ranks keys[i], without touching
	// their versions: a rebalance changes no item's place.
	Rerank(ctx context.Context, teamID string, ids, keys []string) error
}

// ItemsRebalanced is the data of items.rebalanced: every rank changed (the
// order did not), so UIs refetch.
type ItemsRebalanced struct {
	Count int `json:"count"`
}

// EventItemsRebalanced is sent after a rebalance.
const EventItemsRebalanced = "items.rebalanced"

// rebalanceLater respreads a team's ranks after the move that made a key
// long has committed, in its own write transaction, off the request path.
func (s *Service) rebalanceLater(teamID string) {
	if _, running := s.rebalancing.LoadOrStore(teamID, true); running {
		return // the running one will cover this key too
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer s.rebalancing.Delete(teamID)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.Rebalance(ctx, teamID); err != nil {
			s.log().Warn("rebalance backlog ranks", "team", teamID, "err", err)
		}
	}()
}

// Rebalance gives every item of the team a fresh short rank from
// rank.Spread, keeping the order, in one transaction, and emits one
// items.rebalanced event. It reports how many items it rewrote (0 when no
// key needed it). It runs as the system, not as a person.
func (s *Service) Rebalance(ctx context.Context, teamID string) (int, error) {
	n := 0
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.LockTeam(ctx, teamID); err != nil {
			return err
		}
		ids, ranks, err := tx.ItemRanks(ctx, teamID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(ranks, rank.NeedsRebalance) {
			return nil
		}
		keys := rank.Spread(len(ids))
		if err := tx.Rerank(ctx, teamID, ids, keys); err != nil {
			return err
		}
		n = len(ids)
		return emit(ctx, tx, teamID, EventItemsRebalanced, teamID, "", ItemsRebalanced{Count: n})
	})
	return n, err
}

// Wait blocks until background work (rebalancing) has finished; servers
// call it before closing the store, tests before checking the result.
func (s *Service) Wait() { s.bg.Wait() }

func (s *Service) log() *slog.Logger {
	if s.cfg.Log != nil {
		return s.cfg.Log
	}
	return slog.Default()
}
