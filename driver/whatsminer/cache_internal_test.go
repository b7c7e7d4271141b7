package whatsminer

import (
	"strconv"
	"testing"
	"time"
)

// Expired entries go once the cache reaches cacheSweepAt, and a cache of
// more live miners than that sweeps again only after doubling, not on
// every store: a 100,000-miner fleet stores a token per write.
func TestTTLCacheSweeps(t *testing.T) {
	var c ttlCache[int]
	for i := range cacheSweepAt {
		c.put("expired-"+strconv.Itoa(i), i, -time.Second)
	}
	c.put("live", 1, time.Minute)
	if len(c.entries) != 1 {
		t.Fatalf("%d entries after the sweep, want only the live one", len(c.entries))
	}
	if v, ok := c.get("live"); !ok || v != 1 {
		t.Fatalf("live entry: %v %v", v, ok)
	}

	var big ttlCache[int]
	for i := range 3 * cacheSweepAt {
		big.put("m"+strconv.Itoa(i), i, time.Minute)
	}
	// Sweeps at 4,096 and 8,192 live entries found nothing to drop; the
	// next waits for 16,384.
	if len(big.entries) != 3*cacheSweepAt || big.sweepAt != 4*cacheSweepAt {
		t.Errorf("%d entries, next sweep at %d; want %d and %d", len(big.entries), big.sweepAt, 3*cacheSweepAt, 4*cacheSweepAt)
	}
}

// BenchmarkTTLCachePutLarge stores into a cache of 20,000 live miners.
func BenchmarkTTLCachePutLarge(b *testing.B) {
	var c ttlCache[int]
	keys := make([]string, 20000)
	for i := range keys {
		keys[i] = "10.0." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250) + ":4433"
		c.put(keys[i], i, time.Hour)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c.put(keys[i%len(keys)], i, time.Hour)
	}
}
