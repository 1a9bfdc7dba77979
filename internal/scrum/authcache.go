package scrum

import (
	"sync"
	"time"
)

// authCache remembers recently authenticated credentials for a moment, so
// a burst of requests costs one database lookup instead of two per
// request. Sign-out and token revocation evict entries here at once; on
// other instances an ended session stays usable for at most the TTL.
type authCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]authEntry // by secret hash
}

type authEntry struct {
	actor Actor
	until time.Time
}

const maxAuthCache = 10000

func newAuthCache(ttl time.Duration) *authCache {
	return &authCache{ttl: ttl, m: map[string]authEntry{}}
}

func (c *authCache) get(hash string) (Actor, bool) {
	if c.ttl <= 0 {
		return Actor{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || time.Now().After(e.until) {
		return Actor{}, false
	}
	return e.actor, true
}

func (c *authCache) put(hash string, a Actor) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if len(c.m) >= maxAuthCache {
		for k, e := range c.m {
			if now.After(e.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxAuthCache {
			clear(c.m)
		}
	}
	a.IP = ""
	c.m[hash] = authEntry{actor: a, until: now.Add(c.ttl)}
}

// drop evicts entries for which match is true.
func (c *authCache) drop(match func(hash string, a Actor) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if match(k, e.actor) {
			delete(c.m, k)
		}
	}
}
