package reconcile_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sqlite"
)

// t0 is when the fake clock starts.
var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// fakeClock advances only when slept on, so that staggers and backoffs
// cost no real time.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.slept += d
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) Advance(d time.Duration) { c.Sleep(context.Background(), d) }

// fakeMiner is the state of one simulated machine.
type fakeMiner struct {
	pools      []hearth.PoolConfig
	paused     bool
	powerLimit float64
	bootedAt   time.Time
	commands   map[hearth.Verb]int
}

// fakeFleet is an Applier over fake miners that checks the reconciler's
// limits: it counts commands in flight per site and per miner.
type fakeFleet struct {
	clock *fakeClock
	delay time.Duration // real time each command takes, so they overlap

	mu          sync.Mutex
	miners      map[string]*fakeMiner
	inFlight    map[string]int
	maxInFlight map[string]int
	perMiner    map[string]int
	overlapped  []string // miners that got two commands at once
	fail        func(m *hearth.Miner, a hearth.Action, attempt int) string
	attempts    map[string]int
	total       int
	// noEffect is a verb the miners accept but do not apply, as a firmware
	// that reports a setting differently from how it was written.
	noEffect hearth.Verb
}

func newFakeFleet(clock *fakeClock) *fakeFleet {
	return &fakeFleet{clock: clock, miners: map[string]*fakeMiner{}, inFlight: map[string]int{}, maxInFlight: map[string]int{},
		perMiner: map[string]int{}, attempts: map[string]int{}}
}

func (f *fakeFleet) add(m *hearth.Miner, pools []hearth.PoolConfig) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.miners[m.ID] = &fakeMiner{pools: pools, bootedAt: t0.Add(-24 * time.Hour), commands: map[hearth.Verb]int{}}
}

// reading is what a poll of miner id would return now.
func (f *fakeFleet) reading(id string) *hearth.Reading {
	f.mu.Lock()
	defer f.mu.Unlock()
	fm := f.miners[id]
	now := f.clock.Now()
	r := &hearth.Reading{MinerID: id, Time: now, Uptime: now.Sub(fm.bootedAt), Paused: fm.paused, PowerLimit: fm.powerLimit, Power: 3000, PowerEstimated: true}
	for i, p := range fm.pools {
		r.Pools = append(r.Pools, hearth.Pool{Index: i, Priority: i, URL: p.URL, User: p.User, Status: "alive"})
	}
	return r
}

func (f *fakeFleet) count(id string, v hearth.Verb) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.miners[id].commands[v]
}

func (f *fakeFleet) Apply(ctx context.Context, m *hearth.Miner, a hearth.Action) hearth.ActionResult {
	f.mu.Lock()
	f.inFlight[m.Site]++
	f.maxInFlight[m.Site] = max(f.maxInFlight[m.Site], f.inFlight[m.Site])
	f.perMiner[m.ID]++
	if f.perMiner[m.ID] > 1 {
		f.overlapped = append(f.overlapped, m.ID)
	}
	key := m.ID + "/" + string(a.Verb)
	f.attempts[key]++
	attempt := f.attempts[key]
	fail := f.fail
	f.mu.Unlock()

	time.Sleep(f.delay)

	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight[m.Site]--
	f.perMiner[m.ID]--
	f.total++
	if fail != nil {
		if code := fail(m, a, attempt); code != "" {
			return hearth.ActionResult{MinerID: m.ID, Error: "simulated " + code, Code: code}
		}
	}
	fm := f.miners[m.ID]
	fm.commands[a.Verb]++
	if a.Verb == f.noEffect {
		return hearth.ActionResult{MinerID: m.ID, OK: true}
	}
	switch a.Verb {
	case hearth.VerbSetPools:
		fm.pools = append([]hearth.PoolConfig(nil), a.Pools...)
	case hearth.VerbPause:
		fm.paused = true
	case hearth.VerbResume:
		fm.paused = false
	case hearth.VerbPowerTarget:
		fm.powerLimit = a.Watts
	case hearth.VerbReboot:
		fm.bootedAt = f.clock.Now()
	}
	return hearth.ActionResult{MinerID: m.ID, OK: true}
}

// openDB opens a new SQLite store in the test's directory.
func openDB(tb testing.TB) (*sqlite.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "hearth.db")
	return openDBAt(tb, path), path
}

func openDBAt(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// simMiners returns n miners spread over sites, named like the simulator's.
func simMiners(n int, sites ...string) []*hearth.Miner {
	ms := make([]*hearth.Miner, n)
	for i := range ms {
		id := fmt.Sprintf("sim-%05d", i)
		ms[i] = &hearth.Miner{ID: id, Hostname: id, Address: "127.0.0.1", Family: hearth.FamilyAntminer, Site: sites[i%len(sites)]}
	}
	return ms
}

// MinerStatus makes the fleet a hearth.StatusService, as the poller is.
func (f *fakeFleet) MinerStatus(id string) hearth.MinerStatus {
	return hearth.MinerStatus{MinerID: id, State: hearth.StateOnline, Latest: f.reading(id)}
}

// statusFunc adapts a function to hearth.StatusService.
type statusFunc func(id string) hearth.MinerStatus

func (f statusFunc) MinerStatus(id string) hearth.MinerStatus { return f(id) }
