package scrum

import (
	"context"
	"slices"
	"sync"
)

// rosterCache keeps each team's roster (members and map) tagged with the
// team's event Seq at which it was read. Every change to a roster emits one
// of rosterEvents, so a cached roster is current while the database holds
// no such event after that Seq: one index read instead of three queries,
// correct across instances because the database stays the judge. Events
// that leave the roster alone (items, votes) do not evict it, so a busy
// planning-poker room does not reload hundreds of members per read.
//
// Only reads of committed state (View) fill or advance the cache; a write
// transaction may use a current entry but never stores one, since what it
// reads may still roll back.
type rosterCache struct {
	mu sync.Mutex
	m  map[string]cachedRoster
}

type cachedRoster struct {
	seq int64
	r   Roster
}

// rosterEvents are the event types of changes to a team's name, members
// or responsibility map.
var rosterEvents = []string{EventTeamUpdated, EventMemberJoined, EventMemberUpdated, EventMemberRemoved, EventResponsibilityChanged}

const maxRosterCache = 10000

func newRosterCache() *rosterCache { return &rosterCache{m: map[string]cachedRoster{}} }

// get returns the cached entry of a team, shared: clone it before use.
func (c *rosterCache) get(teamID string) (cachedRoster, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[teamID]
	return e, ok
}

func (c *rosterCache) put(teamID string, seq int64, r Roster) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxRosterCache {
		clear(c.m)
	}
	c.m[teamID] = cachedRoster{seq: seq, r: r.clone()}
}

// advance moves an entry read at from on to seq, unless it was replaced.
func (c *rosterCache) advance(teamID string, from, seq int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[teamID]; ok && e.seq == from {
		e.seq = seq
		c.m[teamID] = e
	}
}

// clone copies the slices callers might modify.
func (r Roster) clone() Roster {
	out := Roster{Team: r.Team, Members: slices.Clone(r.Members), Map: slices.Clone(r.Map)}
	for i := range out.Members {
		out.Members[i].Accountabilities = slices.Clone(out.Members[i].Accountabilities)
	}
	return out
}

// loadRoster returns the team's roster, from the cache when its Seq still
// matches; reads of committed state fill the cache.
func (s *Service) loadRoster(ctx context.Context, tx Tx, teamID string) (Roster, error) {
	seq, err := tx.LastEventSeq(ctx, teamID)
	if err != nil {
		return Roster{}, err
	}
	if e, ok := s.rosters.get(teamID); ok && e.seq <= seq {
		changed := false
		if e.seq < seq {
			if changed, err = tx.EventTypesSince(ctx, teamID, e.seq, rosterEvents); err != nil {
				return Roster{}, err
			}
			if !changed && tx.ReadOnly() {
				s.rosters.advance(teamID, e.seq, seq)
			}
		}
		if !changed {
			return e.r.clone(), nil
		}
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
		s.rosters.put(teamID, seq, r)
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
