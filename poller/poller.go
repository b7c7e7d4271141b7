// Package poller turns the fleet into readings on a schedule: every miner is
// polled once per interval on a jittered phase, by a bounded pool of workers,
// with a deadline per poll and exponential backoff for miners that do not
// answer. It keeps the live status of every miner for the API and hands each
// reading to a sink (the metrics store).
package poller

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
)

// Defaults chosen for a farm LAN: a 15 s cadence is what operators expect
// from fleet managers, and a poll that has not finished in 10 s is not
// going to.
const (
	DefaultInterval    = 15 * time.Second
	DefaultTimeout     = 10 * time.Second
	DefaultConcurrency = 256
	// DefaultMaxBackoff keeps an offline miner's "down" sample, written
	// at each failed poll, within PromQL's five-minute lookback even with
	// jitter and a full poll timeout added, so that the miner never drops
	// out of instant queries while it is down.
	DefaultMaxBackoff = 4 * time.Minute
	// MaxInterval is the longest poll interval hearth accepts, for the
	// same reason: every series needs a sample within the lookback.
	MaxInterval = 4 * time.Minute
)

// DownRecorder is implemented by sinks that also record failed polls, so
// that an offline miner shows as down in the metrics rather than frozen at
// its last values.
type DownRecorder interface {
	StoreDown(ctx context.Context, m *hearth.Miner, t time.Time) error
}

// Poller schedules and runs polls. Set the exported fields before Run; the
// zero values take the defaults above.
type Poller struct {
	// Interval is the time between two polls of a healthy miner.
	Interval time.Duration
	// Timeout bounds one whole poll of one miner.
	Timeout time.Duration
	// Concurrency is the number of polls in flight at most.
	Concurrency int
	// MaxBackoff caps the wait between polls of a miner that keeps failing.
	MaxBackoff time.Duration
	// Sink receives every reading; it may also implement DownRecorder.
	Sink hearth.ReadingSink
	// Lookup finds the driver for a family; nil means driver.Lookup.
	Lookup func(hearth.Family) (hearth.Driver, error)
	// Credentials, when set, supplies each miner's stored credentials for
	// its polls (miner over site over family); nil means the family
	// defaults.
	Credentials hearth.CredentialService
	Logger      *slog.Logger
	// Now is the clock, replaceable in tests.
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
	queue   schedule
	wake    chan struct{}
	started bool

	statsMu sync.Mutex
	stats   Stats

	creds credentialCache
}

// Stats counts what the poller has done since it started.
type Stats struct {
	PollsOK     uint64
	PollsFailed uint64
	// PollSeconds is the total time spent in polls, for an average.
	PollSeconds float64
}

// entry is the poller's state for one miner. Fields after mu are guarded by
// it; the schedule fields (next, index) by the poller's mu.
type entry struct {
	// id is the miner's ID, which never changes; miner is replaced by Add
	// and read under mu.
	id    string
	miner *hearth.Miner

	next    time.Time
	index   int // position in the heap, -1 when not queued
	running bool
	removed bool

	mu     sync.Mutex
	status hearth.MinerStatus
}

func (p *Poller) init() {
	if p.entries == nil {
		p.entries = map[string]*entry{}
		p.wake = make(chan struct{}, 1)
	}
}

func (p *Poller) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Poller) interval() time.Duration {
	if p.Interval > 0 {
		return p.Interval
	}
	return DefaultInterval
}

func (p *Poller) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

func (p *Poller) concurrency() int {
	if p.Concurrency > 0 {
		return p.Concurrency
	}
	return DefaultConcurrency
}

func (p *Poller) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

func (p *Poller) lookup(f hearth.Family) (hearth.Driver, error) {
	if p.Lookup != nil {
		return p.Lookup(f)
	}
	return driver.Lookup(f)
}

// Add starts polling m, or updates the miner's details if it is polled
// already. A new miner's first poll lands at a stable random point of the
// first interval, so that a fleet added at once does not poll at once.
func (p *Poller) Add(m *hearth.Miner) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	if e, ok := p.entries[m.ID]; ok {
		e.mu.Lock()
		e.miner = m
		e.mu.Unlock()
		return
	}
	e := &entry{id: m.ID, miner: m, index: -1}
	e.status = hearth.MinerStatus{MinerID: m.ID, State: hearth.StateUnknown}
	e.next = p.now().Add(phase(m.ID, p.interval()))
	p.entries[m.ID] = e
	heap.Push(&p.queue, e)
	p.signal()
}

// Remove stops polling the miner with this id.
func (p *Poller) Remove(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[id]
	if !ok {
		return
	}
	e.removed = true
	if e.index >= 0 {
		heap.Remove(&p.queue, e.index)
	}
	delete(p.entries, id)
	p.forgetCredentials(id)
}

// SiteMiners returns the miners of site being polled, ordered by ID: the
// poller holds the whole inventory in memory, kept current by MinerService,
// so that the power controller reads no database on each cycle.
func (p *Poller) SiteMiners(site string) []*hearth.Miner {
	p.mu.Lock()
	var out []*hearth.Miner
	for _, e := range p.entries {
		e.mu.Lock()
		if e.miner.Site == site {
			out = append(out, e.miner)
		}
		e.mu.Unlock()
	}
	p.mu.Unlock()
	slices.SortFunc(out, func(a, b *hearth.Miner) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Len returns the number of miners being polled.
func (p *Poller) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.entries)
}

// MinerStatus implements hearth.StatusService. A miner last seen online
// whose next poll is long overdue (the poller is overloaded, or a driver
// ignores its deadline) is reported as unknown rather than online, so that
// an old reading is never shown as current.
func (p *Poller) MinerStatus(id string) hearth.MinerStatus {
	p.mu.Lock()
	e, ok := p.entries[id]
	p.mu.Unlock()
	if !ok {
		return hearth.MinerStatus{MinerID: id, State: hearth.StateUnknown}
	}
	e.mu.Lock()
	st := e.status
	e.mu.Unlock()
	if overdue := 3*p.interval() + p.timeout(); st.State == hearth.StateOnline && p.now().Sub(st.LastPoll) > overdue {
		st.State = hearth.StateUnknown
		st.LastError = fmt.Sprintf("Not polled for %s: hearth is behind on polling.", p.now().Sub(st.LastPoll).Round(time.Second))
	}
	return st
}

// Stats returns the counters since start.
func (p *Poller) Stats() Stats {
	p.statsMu.Lock()
	defer p.statsMu.Unlock()
	return p.stats
}

func (p *Poller) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run polls until ctx ends. Polls in flight finish (each bounded by the
// poll timeout) before Run returns.
func (p *Poller) Run(ctx context.Context) error {
	p.mu.Lock()
	p.init()
	if p.started {
		p.mu.Unlock()
		return errors.New("poller: already running")
	}
	p.started = true
	p.mu.Unlock()

	work := make(chan *entry)
	var wg sync.WaitGroup
	for range p.concurrency() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				p.pollEntry(ctx, e)
				p.reschedule(e)
			}
		}()
	}
	defer func() {
		close(work)
		wg.Wait()
	}()

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e, wait := p.due()
		if e != nil {
			select {
			case work <- e:
				continue
			case <-ctx.Done():
				p.requeue(e)
				return nil
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-p.wake:
		case <-timer.C:
		}
	}
}

// due pops the next miner whose poll time has come, or says how long to
// wait for it.
func (p *Poller) due() (*entry, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.queue.Len() == 0 {
		return nil, time.Hour
	}
	e := p.queue[0]
	if wait := e.next.Sub(p.now()); wait > 0 {
		return nil, wait
	}
	heap.Pop(&p.queue)
	e.running = true
	return e, 0
}

func (p *Poller) requeue(e *entry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e.running = false
	if !e.removed && e.index < 0 {
		heap.Push(&p.queue, e)
	}
}

// reschedule puts e back in the queue: one interval after its last start
// when healthy (so the phase holds), later and later while it keeps
// failing.
func (p *Poller) reschedule(e *entry) {
	e.mu.Lock()
	failures := e.status.Failures
	started := e.status.LastPoll
	e.mu.Unlock()

	interval := p.interval()
	next := started.Add(interval)
	if failures > 0 {
		next = p.now().Add(p.backoff(e.id, failures, interval))
	}
	if now := p.now(); next.Before(now) {
		// A poll that ran longer than an interval: go again soon, on a
		// jittered offset rather than all at once.
		next = now.Add(phase(e.id, interval/10))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e.running = false
	if e.removed {
		return
	}
	e.next = next
	heap.Push(&p.queue, e)
	p.signal()
}

// backoff doubles the wait with each consecutive failure, from one interval
// up to MaxBackoff, with ±10 % jitter so offline miners do not move in step.
func (p *Poller) backoff(id string, failures int, interval time.Duration) time.Duration {
	max := p.MaxBackoff
	if max <= 0 {
		max = DefaultMaxBackoff
	}
	d := interval
	for i := 1; i < failures && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	jitter := time.Duration(float64(d) * 0.2 * (float64(hashOf(id, uint64(failures))%1000)/1000 - 0.5))
	return d + jitter
}

// PollOnce polls one miner now, records the result like a scheduled poll
// and returns it. The bench and the API's "poll now" use it. A miner whose
// scheduled poll is under way is not polled twice at once: PollOnce then
// returns EUNAVAILABLE.
func (p *Poller) PollOnce(ctx context.Context, m *hearth.Miner) (*hearth.Reading, error) {
	p.mu.Lock()
	p.init()
	e, ok := p.entries[m.ID]
	if ok && e.running {
		p.mu.Unlock()
		return nil, hearth.Errorf(hearth.EUNAVAILABLE, "A poll of miner %s is under way.", m.ID)
	}
	if ok {
		e.running = true
		if e.index >= 0 {
			heap.Remove(&p.queue, e.index)
		}
	}
	p.mu.Unlock()
	if !ok {
		return p.pollEntry(ctx, &entry{id: m.ID, miner: m, index: -1, status: hearth.MinerStatus{MinerID: m.ID, State: hearth.StateUnknown}})
	}
	defer p.reschedule(e)
	return p.pollEntry(ctx, e)
}

// pollEntry runs one poll and records its outcome in the entry's status
// and the sink. A poll cut short because hearth is stopping records
// nothing: it says nothing about the miner. Nor is anything written for a
// miner removed while its poll ran, so that it does not come back.
func (p *Poller) pollEntry(ctx context.Context, e *entry) (*hearth.Reading, error) {
	e.mu.Lock()
	m := e.miner
	e.mu.Unlock()

	start := p.now()
	r, err := p.poll(ctx, m, start)
	elapsed := p.now().Sub(start)
	if ctx.Err() != nil {
		return r, err
	}

	e.mu.Lock()
	e.status.LastPoll = start
	if err != nil {
		e.status.State = hearth.StateOffline
		e.status.LastError = hearth.ErrorMessage(err)
		e.status.ErrorCode = hearth.ErrorCode(err)
		e.status.Failures++
	} else {
		e.status.State = hearth.StateOnline
		e.status.LastSeen = start
		e.status.Failures = 0
		e.status.Latest = r
		e.status.LastError, e.status.ErrorCode = "", ""
		if len(r.PollErrors) > 0 {
			e.status.LastError = r.PollErrors[0]
		}
	}
	failures := e.status.Failures
	e.mu.Unlock()

	p.statsMu.Lock()
	if err != nil {
		p.stats.PollsFailed++
	} else {
		p.stats.PollsOK++
	}
	p.stats.PollSeconds += elapsed.Seconds()
	p.statsMu.Unlock()

	p.mu.Lock()
	removed := e.removed
	p.mu.Unlock()
	if p.Sink != nil && !removed {
		if err == nil {
			if serr := p.Sink.StoreReading(ctx, m, r); serr != nil {
				p.logger().Warn("store reading", "miner", m.ID, "err", serr)
			}
		} else if dr, ok := p.Sink.(DownRecorder); ok {
			if serr := dr.StoreDown(ctx, m, start); serr != nil {
				p.logger().Warn("store down", "miner", m.ID, "err", serr)
			}
		}
	}
	if err != nil && failures == 1 {
		p.logger().Info("miner not answering", "miner", m.ID, "address", m.Address, "err", err)
	}
	return r, err
}

func (p *Poller) poll(ctx context.Context, m *hearth.Miner, start time.Time) (*hearth.Reading, error) {
	d, err := p.lookup(m.Family)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()
	t := hearth.TargetOf(m)
	if t.Credentials, err = p.credentials(ctx, m, start); err != nil {
		return nil, fmt.Errorf("poll %s: %w", m.ID, err)
	}
	r, err := d.Poll(ctx, t)
	if err != nil {
		// Only the poll's own deadline is a timeout; a parent cancelled
		// because hearth is stopping is not the miner's fault.
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && hearth.ErrorCode(err) == hearth.EINTERNAL {
			err = hearth.WrapError(hearth.ETIMEOUT, err, "Poll timed out after %s.", p.timeout())
		}
		return nil, fmt.Errorf("poll %s: %w", m.ID, err)
	}
	r.MinerID = m.ID
	// Every family's fans get their names by position here, in one place,
	// so that the UI, the API and the metrics' fan label agree.
	r.NameFans(m.Model)
	if r.Time.IsZero() {
		r.Time = start
	}
	return r, nil
}

// phase maps an id to a stable offset in [0, span), so that a miner keeps
// its place in the interval across restarts.
func phase(id string, span time.Duration) time.Duration {
	if span <= 0 {
		return 0
	}
	return time.Duration(hashOf(id, 0) % uint64(span))
}

func hashOf(id string, salt uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	var b [8]byte
	for i := range b {
		b[i] = byte(salt >> (8 * i))
	}
	h.Write(b[:])
	return h.Sum64()
}
