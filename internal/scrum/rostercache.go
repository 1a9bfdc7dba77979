package scrum

import (
	"context"
	"slices"
	"sync"
	"time"
)

// rosterCache keeps each team's roster (members and map) tagged with the
// team's roster version, which the store bumps with every write to the
// team's name, members or map. A cached roster is current exactly while
// the version read from the database still matches: one primary-key read
// instead of three queries, correct across instances because the database
// stays the judge, and untouched by the team's other traffic (items,
// votes).
//
// Reads (View) also trust an entry checked less than Config.RosterCacheTTL
// ago (1 s) without reading the version at all. Roster changes made on
// this instance drop the entry when they commit, so they show at once
// here; another instance sees them within the TTL, inside the 2 s the
// reliability bar allows for a revoked member's live access. Writes always
// check the version, so no write is authorized from a stale roster.
//
// Only reads of committed state fill the cache; a write transaction may
// use a matching entry but never stores one, since what it reads may still
// roll back.
type rosterCache struct {
	mu  sync.Mutex
	m   map[string]cachedRoster
	gen uint64 // bumped by drop, so a read that began before a drop cannot store what it read
}

type cachedRoster struct {
	version int64
	checked time.Time
	r       Roster
}

const maxRosterCache = 10000

func newRosterCache() *rosterCache { return &rosterCache{m: map[string]cachedRoster{}} }

// fresh returns the cached roster if it was checked within ttl.
func (c *rosterCache) fresh(teamID string, ttl time.Duration, now time.Time) (Roster, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[teamID]
	if !ok || now.Sub(e.checked) >= ttl {
		return Roster{}, false
	}
	return e.r.clone(), true
}

// checkedWithin reports whether the team's roster was checked within ttl,
// without the copy fresh makes.
func (c *rosterCache) checkedWithin(teamID string, ttl time.Duration, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[teamID]
	return ok && now.Sub(e.checked) < ttl
}

// get returns the cached roster if it has the given version; a read
// (check) marks it checked now and gets a copy. A write gets the cached
// roster itself: write closures only read their roster, and the copy (the
// team's whole responsibility map) was a twentieth of the single writer's
// time per created item.
func (c *rosterCache) get(teamID string, version int64, check bool, now time.Time) (Roster, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[teamID]
	if !ok || e.version != version {
		return Roster{}, false
	}
	if !check {
		return e.r, true
	}
	e.checked = now
	c.m[teamID] = e
	return e.r.clone(), true
}

func (c *rosterCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put stores a roster read at generation gen, unless a drop came since.
func (c *rosterCache) put(teamID string, version int64, r Roster, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.m) >= maxRosterCache {
		clear(c.m)
	}
	c.m[teamID] = cachedRoster{version: version, checked: now, r: r.clone()}
}

// drop forgets a team's roster after a change to it committed here.
func (c *rosterCache) drop(teamID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, teamID)
	c.gen++
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
	now := time.Now()
	read := tx.ReadOnly()
	if read && s.cfg.RosterCacheTTL > 0 {
		if r, ok := s.rosters.fresh(teamID, s.cfg.RosterCacheTTL, now); ok {
			return r, nil
		}
	}
	gen := s.rosters.generation()
	version, err := tx.RosterVersion(ctx, teamID)
	if err != nil {
		return Roster{}, err
	}
	if r, ok := s.rosters.get(teamID, version, read, now); ok {
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
	if read {
		s.rosters.put(teamID, version, r, gen, now)
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
