package antminer

import (
	"sync"
	"time"
)

// Bounds of the Digest challenge cache.
const (
	// challengeTTL is how long a miner's challenge is answered without
	// asking again; stock firmware's nonces live ten minutes, and a stale
	// one only costs the 401 a fresh request would have cost anyway.
	challengeTTL = 5 * time.Minute
	// maxChallenges bounds the cache; past it, the oldest half goes. It
	// holds a farm's Antminers (an entry is a few hundred bytes), so that
	// a fleet-wide curtailment does not evict the challenges it is about
	// to answer.
	maxChallenges = 65536
)

// challenges remembers the last Digest challenge of each miner's web
// interface with its nonce count, so that a verb's requests (a
// get_miner_conf and a set_miner_conf, a poll of the web pages) answer it
// at once instead of each first drawing a 401, as HTTP clients with
// Digest support do (RFC 7616 section 3.4: a nonce may serve several
// requests with an increasing nc). The zero value is ready to use.
type challenges struct {
	mu sync.Mutex
	m  map[string]*cachedChallenge
}

// cachedChallenge is one miner's challenge, its last nonce count and when
// it was received.
type cachedChallenge struct {
	ch digestChallenge
	nc int
	at time.Time
}

// next returns addr's challenge and the next nonce count to answer it
// with, or false when none is cached or it is too old.
func (c *challenges) next(addr string, now time.Time) (digestChallenge, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[addr]
	if !ok || now.Sub(e.at) > challengeTTL {
		return digestChallenge{}, 0, false
	}
	e.nc++
	return e.ch, e.nc, true
}

// put remembers ch as addr's challenge, answered once already (nc 1).
func (c *challenges) put(addr string, ch digestChallenge, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*cachedChallenge{}
	}
	if len(c.m) >= maxChallenges {
		c.evict()
	}
	c.m[addr] = &cachedChallenge{ch: ch, nc: 1, at: now}
}

// evict drops the older half of the cache. c.mu is held.
func (c *challenges) evict() {
	var total time.Duration
	var base time.Time
	for _, e := range c.m {
		if base.IsZero() {
			base = e.at
		}
		total += e.at.Sub(base)
	}
	mean := base.Add(total / time.Duration(len(c.m)))
	for addr, e := range c.m {
		if !e.at.After(mean) {
			delete(c.m, addr)
		}
	}
}
