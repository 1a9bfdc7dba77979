package api

import (
	"slices"
	"sync"

	"github.com/tandemhq/tandem/internal/scrum"
)

// itemJSONCache keeps each listed item's encoded JSON, so a backlog page
// of unchanged items is copied rather than encoded again. An entry is
// used only while the item's version, rank, ready flag and readiness
// checks match: the JSON is made of nothing else, and every write to an
// item changes one of the first three (see the store's item cache), while
// the checks follow the team's Definition of Ready.
type itemJSONCache struct {
	mu sync.Mutex
	m  map[string]encodedItem
}

type encodedItem struct {
	version   int
	rank      string
	ready     bool
	readiness []scrum.ReadinessCheck
	json      []byte
}

// maxEncodedItems bounds the cache (about a kilobyte an item); past it
// the cache starts over.
const maxEncodedItems = 10000

func newItemJSONCache() *itemJSONCache { return &itemJSONCache{m: map[string]encodedItem{}} }

// appendItems appends the JSON of its, each from the cache when current.
func (c *itemJSONCache) appendItems(b []byte, its []scrum.Item) []byte {
	var fresh []encodedItem
	var ids []string
	c.mu.Lock()
	cached := make([][]byte, len(its))
	for i := range its {
		it := &its[i]
		if e, ok := c.m[it.ID]; ok && e.version == it.Version && e.rank == it.Rank && e.ready == it.Ready &&
			slices.Equal(e.readiness, it.Readiness) {
			cached[i] = e.json
		}
	}
	c.mu.Unlock()
	// Grow b once to what the page needs: cached bytes plus a generous
	// guess for each item to encode.
	need := len(its) + 256 // commas, and the list's end
	for _, j := range cached {
		if j == nil {
			need += 1024
		}
		need += len(j)
	}
	b = slices.Grow(b, need)
	for i := range its {
		if i > 0 {
			b = append(b, ',')
		}
		if cached[i] != nil {
			b = append(b, cached[i]...)
			continue
		}
		it := &its[i]
		start := len(b)
		j := toItem(*it)
		b = appendItem(b, &j)
		fresh = append(fresh, encodedItem{version: it.Version, rank: it.Rank, ready: it.Ready,
			readiness: slices.Clone(it.Readiness), json: slices.Clone(b[start:])})
		ids = append(ids, it.ID)
	}
	if len(fresh) > 0 {
		c.mu.Lock()
		if len(c.m)+len(fresh) > maxEncodedItems {
			clear(c.m)
		}
		for i, e := range fresh {
			c.m[ids[i]] = e
		}
		c.mu.Unlock()
	}
	return b
}
