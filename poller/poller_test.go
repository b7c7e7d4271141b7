package poller_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/poller"
)

// fakeDriver answers polls from a function and counts them.
type fakeDriver struct {
	driver.Unsupported
	poll     func(ctx context.Context, t hearth.Target) (*hearth.Reading, error)
	mu       sync.Mutex
	polls    map[string]int
	inflight atomic.Int64
	maxIn    atomic.Int64
}

func (d *fakeDriver) Family() hearth.Family             { return "fake" }
func (d *fakeDriver) Capabilities() []hearth.Capability { return nil }
func (d *fakeDriver) DefaultPort() int                  { return 4028 }
func (d *fakeDriver) Identify(context.Context, hearth.Target) (*hearth.Identity, error) {
	return nil, hearth.Errorf(hearth.EUNSUPPORTED, "fake")
}
func (d *fakeDriver) Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error) {
	n := d.inflight.Add(1)
	defer d.inflight.Add(-1)
	for {
		m := d.maxIn.Load()
		if n <= m || d.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	d.mu.Lock()
	if d.polls == nil {
		d.polls = map[string]int{}
	}
	d.polls[t.Address]++
	d.mu.Unlock()
	return d.poll(ctx, t)
}

func (d *fakeDriver) count(addr string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.polls[addr]
}

// sink records readings and downs.
type sink struct {
	mu       sync.Mutex
	readings map[string]int
	downs    map[string]int
}

func (s *sink) StoreReading(_ context.Context, m *hearth.Miner, r *hearth.Reading) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readings == nil {
		s.readings = map[string]int{}
	}
	if r.MinerID != m.ID {
		panic("reading for the wrong miner")
	}
	s.readings[m.ID]++
	return nil
}

func (s *sink) StoreDown(_ context.Context, m *hearth.Miner, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.downs == nil {
		s.downs = map[string]int{}
	}
	s.downs[m.ID]++
	return nil
}

func newPoller(d *fakeDriver, s *sink) *poller.Poller {
	return &poller.Poller{
		Interval:    100 * time.Millisecond,
		Timeout:     50 * time.Millisecond,
		Concurrency: 4,
		MaxBackoff:  400 * time.Millisecond,
		Sink:        s,
		Lookup:      func(hearth.Family) (hearth.Driver, error) { return d, nil },
	}
}

func miner(i int) *hearth.Miner {
	return &hearth.Miner{ID: fmt.Sprintf("m%d", i), Address: fmt.Sprintf("10.0.0.%d", i), Family: "fake"}
}

func runFor(t *testing.T, p *poller.Poller, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestPollerPollsEveryMinerEachInterval(t *testing.T) {
	d := &fakeDriver{poll: func(context.Context, hearth.Target) (*hearth.Reading, error) {
		return &hearth.Reading{HashRate: 1e12}, nil
	}}
	s := &sink{}
	p := newPoller(d, s)
	for i := range 20 {
		p.Add(miner(i))
	}
	runFor(t, p, 1050*time.Millisecond)
	for i := range 20 {
		// Ten intervals, first poll within the first: 10 or 11 polls.
		if n := d.count(miner(i).Address); n < 9 || n > 11 {
			t.Errorf("miner %d polled %d times in ~10 intervals", i, n)
		}
		st := p.MinerStatus(miner(i).ID)
		if st.State != hearth.StateOnline || st.Latest == nil || st.Latest.HashRate != 1e12 {
			t.Errorf("miner %d status %+v", i, st)
		}
	}
	if got := s.readings["m3"]; got < 9 {
		t.Errorf("sink got %d readings for m3", got)
	}
	if max := d.maxIn.Load(); max > 4 {
		t.Errorf("%d polls in flight, concurrency is 4", max)
	}
}

func TestPollerOfflineMinerBacksOffAndKeepsLastSeen(t *testing.T) {
	var down atomic.Bool
	d := &fakeDriver{poll: func(_ context.Context, tg hearth.Target) (*hearth.Reading, error) {
		if tg.Address == "10.0.0.1" && down.Load() {
			return nil, hearth.Errorf(hearth.EUNAVAILABLE, "Connection refused.")
		}
		return &hearth.Reading{HashRate: 5}, nil
	}}
	s := &sink{}
	p := newPoller(d, s)
	p.Add(miner(0))
	p.Add(miner(1))
	go func() { time.Sleep(250 * time.Millisecond); down.Store(true) }()
	runFor(t, p, 2*time.Second)

	st := p.MinerStatus("m1")
	if st.State != hearth.StateOffline {
		t.Fatalf("state %q, want offline", st.State)
	}
	if st.LastSeen.IsZero() || time.Since(st.LastSeen) < time.Second {
		t.Errorf("last seen %v should be the last good poll, well before now", st.LastSeen)
	}
	if st.ErrorCode != hearth.EUNAVAILABLE || st.LastError == "" {
		t.Errorf("error %q (%s)", st.LastError, st.ErrorCode)
	}
	healthy, failing := d.count("10.0.0.0"), d.count("10.0.0.1")
	// The failing miner is polled at 100, 200, 400, 400 ms... so far fewer
	// times than the healthy one's ~20.
	if failing >= healthy*2/3 {
		t.Errorf("failing miner polled %d times vs healthy %d: no backoff", failing, healthy)
	}
	if s.downs["m1"] == 0 || s.downs["m0"] != 0 {
		t.Errorf("downs recorded: %v", s.downs)
	}
}

func TestPollerTimeoutDoesNotStallTheFleet(t *testing.T) {
	d := &fakeDriver{poll: func(ctx context.Context, tg hearth.Target) (*hearth.Reading, error) {
		if tg.Address == "10.0.0.0" {
			<-ctx.Done() // a miner that never answers
			return nil, hearth.WrapError(hearth.ETIMEOUT, ctx.Err(), "No answer.")
		}
		return &hearth.Reading{}, nil
	}}
	p := newPoller(d, &sink{})
	p.Concurrency = 1 // even with one worker, the stuck miner cannot block the rest
	for i := range 3 {
		p.Add(miner(i))
	}
	runFor(t, p, 600*time.Millisecond)
	if st := p.MinerStatus("m0"); st.State != hearth.StateOffline || st.ErrorCode != hearth.ETIMEOUT {
		t.Errorf("stuck miner: %+v", st)
	}
	for _, id := range []string{"m1", "m2"} {
		if n := d.count("10.0.0." + id[1:]); n < 4 {
			t.Errorf("%s polled %d times in 6 intervals next to a stuck miner", id, n)
		}
	}
}

func TestPollerKeepsPartialReadings(t *testing.T) {
	d := &fakeDriver{poll: func(context.Context, hearth.Target) (*hearth.Reading, error) {
		return &hearth.Reading{HashRate: 7, PollErrors: []string{"pools: connection reset"}}, nil
	}}
	p := newPoller(d, &sink{})
	m := miner(0)
	r, err := p.PollOnce(context.Background(), m)
	if err != nil || r.HashRate != 7 {
		t.Fatalf("PollOnce = %v, %v", r, err)
	}
	p.Add(m)
	runFor(t, p, 150*time.Millisecond)
	st := p.MinerStatus("m0")
	if st.State != hearth.StateOnline || st.LastError != "pools: connection reset" || st.Latest.HashRate != 7 {
		t.Errorf("status %+v", st)
	}
}

func TestPollerRemove(t *testing.T) {
	d := &fakeDriver{poll: func(context.Context, hearth.Target) (*hearth.Reading, error) { return &hearth.Reading{}, nil }}
	p := newPoller(d, &sink{})
	p.Add(miner(0))
	p.Add(miner(1))
	p.Remove("m0")
	if p.Len() != 1 {
		t.Fatalf("len %d", p.Len())
	}
	runFor(t, p, 250*time.Millisecond)
	if n := d.count("10.0.0.0"); n != 0 {
		t.Errorf("removed miner polled %d times", n)
	}
	if st := p.MinerStatus("m0"); st.State != hearth.StateUnknown {
		t.Errorf("removed miner status %q", st.State)
	}
}

// A miner removed while its poll is under way writes nothing afterwards,
// so it does not come back in the metrics; adding and removing miners
// while the poller runs is safe.
func TestPollerRemoveDuringPoll(t *testing.T) {
	release := make(chan struct{})
	d := &fakeDriver{poll: func(_ context.Context, tg hearth.Target) (*hearth.Reading, error) {
		if tg.Address == "10.0.0.0" {
			<-release
		}
		return &hearth.Reading{}, nil
	}}
	s := &sink{}
	p := newPoller(d, s)
	p.Timeout = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	p.Add(miner(0))
	for i := 1; i < 20; i++ {
		p.Add(miner(i))
	}
	// Wait until the first miner's poll is blocked in the driver.
	for d.count("10.0.0.0") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	p.Remove("m0")
	for i := 10; i < 20; i++ {
		p.Remove(miner(i).ID)
		p.Add(miner(i))
	}
	close(release)
	time.Sleep(300 * time.Millisecond)
	cancel()
	<-done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readings["m0"] != 0 {
		t.Errorf("removed miner wrote %d readings", s.readings["m0"])
	}
	if s.readings["m15"] == 0 {
		t.Errorf("re-added miner never polled")
	}
}

// An online miner whose polls stopped (the poller fell behind) is not
// shown as online on an old reading.
func TestPollerOverdueMinerIsNotOnline(t *testing.T) {
	d := &fakeDriver{poll: func(context.Context, hearth.Target) (*hearth.Reading, error) {
		return &hearth.Reading{HashRate: 1}, nil
	}}
	now := time.Now()
	p := newPoller(d, &sink{})
	p.Now = func() time.Time { return now }
	m := miner(0)
	p.Add(m)
	if _, err := p.PollOnce(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if st := p.MinerStatus("m0"); st.State != hearth.StateOnline {
		t.Fatalf("state %s after a good poll", st.State)
	}
	now = now.Add(10 * time.Minute)
	st := p.MinerStatus("m0")
	if st.State != hearth.StateUnknown || !strings.Contains(st.LastError, "behind") || st.Latest == nil {
		t.Errorf("overdue miner: %s, %q, latest kept: %v", st.State, st.LastError, st.Latest != nil)
	}
}

// The power controller lists a site's miners from the poller's memory: the
// list follows additions, moves between sites and removals, in ID order.
func TestPollerSiteMiners(t *testing.T) {
	p := &poller.Poller{}
	for _, m := range []*hearth.Miner{
		{ID: "m3", Site: "barn"}, {ID: "m1", Site: "barn"}, {ID: "m2", Site: "garage"}, {ID: "m4"},
	} {
		p.Add(m)
	}
	ids := func(site string) string {
		var out []string
		for _, m := range p.SiteMiners(site) {
			out = append(out, m.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids("barn"); got != "m1,m3" {
		t.Errorf("barn has %q, want m1,m3", got)
	}
	p.Add(&hearth.Miner{ID: "m2", Site: "barn"}) // moved
	p.Remove("m3")
	if got := ids("barn"); got != "m1,m2" {
		t.Errorf("after a move and a removal barn has %q, want m1,m2", got)
	}
	if got := ids("garage"); got != "" {
		t.Errorf("garage still has %q", got)
	}
}
