package whatsminer

import (
	"sync"
	"time"
)

// How long the driver reuses what it learned from a miner. The API
// generation and firmware (get_version) change only with a firmware
// upgrade, which reboots the miner, so a minute saves a round trip on
// every poll and write without missing one for long. An API v2 token is
// honoured by btminer for as long as pyasic reuses one (30 minutes), and
// the API v3 salt is fixed per miner; both are kept a little less than
// that and dropped at once when the miner refuses a write signed with
// them (a reboot forgets btminer's tokens), after which the write is
// retried once with fresh ones.
const (
	versionTTL = time.Minute
	tokenTTL   = 20 * time.Minute
	saltTTL    = 20 * time.Minute
)

// cacheSweepAt is the number of entries past which a store drops the
// expired ones, so that a driver watching a changing fleet stays small.
// After a sweep the next one waits until the cache has doubled, so that a
// fleet with more live miners than this does not scan the whole cache on
// every store.
const cacheSweepAt = 4096

// ttlCache is a small map of values with an expiry, keyed by a miner's
// host:port, safe for concurrent use. The zero value is ready.
type ttlCache[V any] struct {
	mu      sync.Mutex
	entries map[string]ttlEntry[V]
	// sweepAt is the size at which the next store sweeps; 0 means
	// cacheSweepAt.
	sweepAt int
}

type ttlEntry[V any] struct {
	value   V
	expires time.Time
}

// get returns the live value under key.
func (c *ttlCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || time.Now().After(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

// put stores v under key for ttl.
func (c *ttlCache[V]) put(key string, v V, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.entries == nil {
		c.entries = make(map[string]ttlEntry[V])
	}
	if len(c.entries) >= max(c.sweepAt, cacheSweepAt) {
		for k, e := range c.entries {
			if now.After(e.expires) {
				delete(c.entries, k)
			}
		}
		c.sweepAt = 2 * len(c.entries)
	}
	c.entries[key] = ttlEntry[V]{value: v, expires: now.Add(ttl)}
}

// drop forgets key.
func (c *ttlCache[V]) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}
