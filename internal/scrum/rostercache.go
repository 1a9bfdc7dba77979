package scrum

import (
	"context"
	"slices"
	"sync"
)

// rosterCache keeps each team's roster (members and map) tagged with the
// team's roster version, which the store bumps with every write to the
// team's name, members or map. A cached roster is current exactly while
// the version read from the database still matches: one primary-key read
// instead of three queries, correct across instances because the database
// stays the judge, and untouched by the team's other traffic (items,
// votes).
//
// Only reads of committed state (View) fill the cache; a write transaction
// may use a matching entry but never stores one, since what it reads may
// still roll back.
type rosterCache struct {
	mu sync.Mutex
	m  map[string]cachedRoster
}

type cachedRoster struct {
	version int64
	r       Roster
}

const maxRosterCache = 10000

func newRosterCache() *rosterCache { return &rosterCache{m: map[string]cachedRoster{}} }

func (c *rosterCache) get(teamID string, version int64) (Roster, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[teamID]
	if !ok || e.version != version {
		return Roster{}, false
	}
	return e.r.clone(), true
}

func (c *rosterCache) put(teamID string, version int64, r Roster) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxRosterCache {
		clear(c.m)
	}
	c.m[teamID] = cachedRoster{version: version, r: r.clone()}
}

// clone copies the slices callers might modify.
func (r Roster) clone() Roster {
	out := Roster{Team: r.Team, Members: slices.Clone(r.Members), Map: slices.Clone(r.Map)}
	for i := range out.Members {
		out.Members[i].Accountabilities = slices.Clone(out.Members[i].Accountabilities)
	}
	return out
}

// loadRoster returns the team's roster, from the cache when its version still
// matches; reads of committed state fill the cache.
func (s *Service) loadRoster(ctx context.Context, tx Tx, teamID string) (Roster, error) {
	version, err := tx.RosterVersion(ctx, teamID)
	if err != nil {
		return Roster{}, err
	}
	if r, ok := s.rosters.get(teamID, version); ok {
		return r, nil
	}
	t, err := tx.Team(ctx, teamID)
	if err != nil {
		return Roster{}, err
	}
	members, err := tx.Members(ctx, teamID)
	if err != nil {
		return Roster{}, err
	}
	stored, err := tx.Responsibilities(ctx, teamID)
	if err != nil {
		return Roster{}, err
	}
	r := NewRoster(t, members, stored)
	if tx.ReadOnly() {
		s.rosters.put(teamID, version, r)
	}
	return r, nil
}

// roster loads a team's roster and checks that actor is on it. A team the
// actor is not on is reported as not found, so existence does not leak.
func (s *Service) roster(ctx context.Context, tx Tx, actor Actor, teamID string) (Roster, error) {
	if !ValidID(teamID) {
		return Roster{}, NotFound("team")
	}
	r, err := s.loadRoster(ctx, tx, teamID)
	if err != nil {
		return Roster{}, err
	}
	if _, ok := r.Member(actor.User.ID); !ok {
		return Roster{}, NotFound("team")
	}
	return r, nil
}
