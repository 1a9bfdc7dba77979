package store

import (
	"slices"
	"sync"

	"github.com/tandemhq/tandem/internal/scrum"
)

// itemCache keeps items as last read, so a backlog page steps through four
// columns a row instead of twenty and decodes no JSON lists. An entry is
// trusted only while the row's version, rank and ready flag still match:
// every write to an item changes at least one of them (edits and moves
// bump the version; re-ranking and Definition of Ready changes write rank
// and ready alone), so an entry can never be stale, on one instance or
// several sharing a database. Only reads outside a write transaction fill
// it, so a rolled-back write cannot leave a version behind that a later
// write reuses.
type itemCache struct {
	mu sync.RWMutex
	m  map[string]scrum.Item
}

// maxCachedItems bounds the cache (an item takes about a kilobyte); past
// it the cache starts over.
const maxCachedItems = 10000

func newItemCache() *itemCache { return &itemCache{m: map[string]scrum.Item{}} }

// lookup returns the cached item when it matches what a page read learnt
// of its row: id, rank, version and ready flag. The caller holds c.mu
// (read); id and rank are the driver's bytes, so a page of hits copies no
// strings.
func (c *itemCache) lookup(id, rank []byte, version int, ready bool) (scrum.Item, bool) {
	it, ok := c.m[string(id)]
	if !ok || it.Version != version || it.Rank != string(rank) || it.Ready != ready {
		return scrum.Item{}, false
	}
	return it, true
}

// put stores items as read. Their lists are clipped, so a caller that
// appends to one gets a new array rather than writing into the cache's.
func (c *itemCache) put(its []scrum.Item) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m)+len(its) > maxCachedItems {
		clear(c.m)
	}
	for _, it := range its {
		it.AcceptanceCriteria = slices.Clip(it.AcceptanceCriteria)
		it.Labels = slices.Clip(it.Labels)
		it.ReadyTicks = slices.Clip(it.ReadyTicks)
		it.Readiness = nil
		c.m[it.ID] = it
	}
}
