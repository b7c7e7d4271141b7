package openadr

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Sink receives what the VEN learns from the VTN. hearth's power
// controller implements it; every method must return quickly.
type Sink interface {
	// ReplaceRequests replaces every OpenADR request of a site with reqs
	// (possibly none: the events ended or were deleted). It is called
	// when the set changes, on the first poll, and when the VTN is back
	// after a silence.
	ReplaceRequests(ctx context.Context, site string, reqs []hearth.PowerRequest) error
	// ReplacePrices replaces the prices of a program (keyed by its
	// configured name, or ID when it has no name).
	ReplacePrices(ctx context.Context, program string, prices []hearth.PricePoint) error
	// Silent says the VTN of a site's program has not answered since
	// since, longer than the program's SilentAfter: the site should apply
	// mode. It is called once per silence; the next ReplaceRequests for
	// the site ends it.
	Silent(ctx context.Context, site string, mode hearth.FailMode, since time.Time) error
}

// VEN is hearth's OpenADR 3 client of one VTN.
type VEN struct {
	cfg    Config
	client *client
	wake   chan struct{}

	// Now is the clock; tests may replace it before the first use.
	Now func() time.Time
	// Logger receives poll failures; nil logs nowhere.
	Logger *slog.Logger
	// OnPoll, when set before Run, is called by Run after every poll,
	// whether or not anything changed, so that a caller can record
	// contact with the VTN (Snapshot.Heard) and its failures. It must
	// return quickly.
	OnPoll func(ctx context.Context, snap *Snapshot)

	mu      sync.Mutex
	progs   map[string]*Program        // by program label
	seen    map[string]time.Time       // event ID and version → first seen
	signals map[string]Signals         // by program label: the last good poll
	reports map[string][]ReportRequest // by program label
	lastOK  map[string]time.Time       // by program label
	silent  map[string]bool            // by program label
	sent    map[string][]hearth.PowerRequest
	sentP   map[string][]hearth.PricePoint
	subIDs  []string
	subbed  map[string]bool // program labels with a subscription
	started time.Time
}

// New returns a VEN for cfg, which it validates (filling defaults).
func New(cfg Config) (*VEN, error) {
	cfg.Programs = append([]ProgramConfig(nil), cfg.Programs...)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	v := &VEN{
		cfg: cfg, wake: make(chan struct{}, 1), Now: time.Now,
		progs: map[string]*Program{}, seen: map[string]time.Time{}, signals: map[string]Signals{},
		reports: map[string][]ReportRequest{}, lastOK: map[string]time.Time{}, silent: map[string]bool{},
		sent: map[string][]hearth.PowerRequest{}, sentP: map[string][]hearth.PricePoint{}, subbed: map[string]bool{},
	}
	c, err := newClient(&v.cfg)
	if err != nil {
		return nil, err
	}
	c.auth.now = func() time.Time { return v.Now() }
	v.client = c
	return v, nil
}

// Config returns the VEN's configuration with defaults filled.
func (v *VEN) Config() Config { return v.cfg }

// Snapshot is the outcome of one poll: the requests per site, the prices
// per program and the events that ask for reports. A program whose poll
// failed keeps its last good values and adds an error to Errors.
type Snapshot struct {
	Requests map[string][]hearth.PowerRequest
	Prices   map[string][]hearth.PricePoint
	Reports  []ReportRequest
	Errors   []error
	// Heard is true when the VTN answered the events query of every
	// program in this poll (an event it could not read is an error but
	// the VTN was heard): the source is alive.
	Heard bool
}

// Poll reads every configured program's events once and returns what
// they ask now. Run calls it; a caller without a loop may too.
func (v *VEN) Poll(ctx context.Context) *Snapshot {
	now := v.Now()
	var errs []error
	heard := true
	for i := range v.cfg.Programs {
		pc := &v.cfg.Programs[i]
		answered, err := v.pollProgram(ctx, pc, now)
		if err != nil {
			err = wrapProgram(pc, err)
			v.logf("OpenADR poll failed", "program", pc.label(), "err", err)
			errs = append(errs, err)
		}
		heard = heard && answered
	}
	snap := v.snapshot()
	snap.Errors, snap.Heard = errs, heard
	return snap
}

// pollProgram reads one program's events and keeps their signals. It
// reports whether the VTN answered the events query, even when an event
// in the answer could not be read.
func (v *VEN) pollProgram(ctx context.Context, pc *ProgramConfig, now time.Time) (answered bool, err error) {
	label := pc.label()
	v.mu.Lock()
	prog := v.progs[label]
	v.mu.Unlock()
	if prog == nil {
		p, err := v.client.resolveProgram(ctx, pc)
		if err != nil {
			return false, err
		}
		prog = p
	}
	evs, err := v.client.events(ctx, prog.ID)
	if hearth.ErrorCode(err) == hearth.ENOTFOUND {
		// The program may have been replaced: look it up again next time.
		v.mu.Lock()
		delete(v.progs, label)
		v.mu.Unlock()
	}
	if err != nil {
		return false, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.progs[label] = prog
	v.lastOK[label] = now
	var sig Signals
	var reqs []prioritized
	var reps []ReportRequest
	var bad error
	live := map[string]bool{}
	for i := range evs {
		e := &evs[i]
		key := label + "\x00" + e.ID + "\x00" + e.ModificationDateTime
		live[key] = true
		seen, ok := v.seen[key]
		if !ok {
			seen = now
			v.seen[key] = now
		}
		s, err := EventSignals(e, prog, pc, seen, now, v.cfg.VENName)
		if err != nil {
			// One unreadable event must not hide the others.
			if bad == nil {
				bad = err
			}
			continue
		}
		for _, r := range s.Requests {
			reqs = append(reqs, prioritized{req: r, priority: eventPriority(e)})
		}
		sig.Prices = append(sig.Prices, s.Prices...)
		if rr, ok := reportRequest(e, prog, pc, seen, v.cfg.VENName); ok {
			reps = append(reps, rr)
		}
	}
	for key := range v.seen {
		if strings.HasPrefix(key, label+"\x00") && !live[key] {
			delete(v.seen, key)
		}
	}
	sig.Requests = byPriority(reqs)
	v.signals[label] = sig
	v.reports[label] = reps
	return true, bad
}

// snapshot assembles the current requests of every site and the prices of
// every program.
func (v *VEN) snapshot() *Snapshot {
	v.mu.Lock()
	defer v.mu.Unlock()
	snap := &Snapshot{Requests: map[string][]hearth.PowerRequest{}, Prices: map[string][]hearth.PricePoint{}}
	for i := range v.cfg.Programs {
		pc := &v.cfg.Programs[i]
		sig := v.signals[pc.label()]
		for _, site := range pc.Sites {
			reqs := snap.Requests[site]
			for _, r := range sig.Requests {
				if r.Site == site {
					reqs = append(reqs, r)
				}
			}
			snap.Requests[site] = reqs
		}
		snap.Prices[pc.label()] = append([]hearth.PricePoint(nil), sig.Prices...)
		snap.Reports = append(snap.Reports, v.reports[pc.label()]...)
	}
	return snap
}

// Run polls the VTN every PollInterval, and at once when the webhook
// receives a notification, and tells sink what changed, until ctx ends.
// When the VTN has not answered a program's poll for longer than its
// SilentAfter, sink.Silent is called once for each of its sites; the
// first good poll after that replaces their requests again. With a
// CallbackURL the VEN subscribes to the programs' event and program
// changes (retrying on every poll until it succeeds). Run returns
// ctx.Err().
func (v *VEN) Run(ctx context.Context, sink Sink) error {
	v.mu.Lock()
	v.started = v.Now()
	v.mu.Unlock()
	t := time.NewTicker(v.cfg.PollInterval)
	defer t.Stop()
	for {
		snap := v.Poll(ctx)
		if v.OnPoll != nil {
			v.OnPoll(ctx, snap)
		}
		if v.cfg.CallbackURL != "" {
			if err := v.Subscribe(ctx); err != nil {
				v.logf("OpenADR subscription failed", "err", err)
			}
		}
		v.deliver(ctx, sink, snap)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-v.wake:
		}
	}
}

// deliver hands the sink what changed and signals silences.
func (v *VEN) deliver(ctx context.Context, sink Sink, snap *Snapshot) {
	now := v.Now()
	v.mu.Lock()
	var silences []func() error
	resend := map[string]bool{}
	for i := range v.cfg.Programs {
		pc := &v.cfg.Programs[i]
		label := pc.label()
		last, ok := v.lastOK[label]
		if !ok {
			last = v.started
		}
		quiet := now.Sub(last) > pc.SilentAfter
		switch {
		case quiet && !v.silent[label]:
			v.silent[label] = true
			for _, site := range pc.Sites {
				silences = append(silences, func() error { return sink.Silent(ctx, site, pc.FailMode, last) })
			}
		case !quiet && v.silent[label]:
			v.silent[label] = false
			for _, site := range pc.Sites {
				resend[site] = true
			}
		}
	}
	var calls []func() error
	for site, reqs := range snap.Requests {
		prev, sentBefore := v.sent[site]
		if sentBefore && !resend[site] && reflect.DeepEqual(prev, reqs) {
			continue
		}
		if !v.reachable(site) && !sentBefore {
			// Nothing heard yet: leave the site to its fail mode.
			continue
		}
		v.sent[site] = reqs
		calls = append(calls, func() error { return sink.ReplaceRequests(ctx, site, reqs) })
	}
	for prog, prices := range snap.Prices {
		if prev, ok := v.sentP[prog]; ok && reflect.DeepEqual(prev, prices) {
			continue
		}
		if _, heard := v.lastOK[prog]; !heard {
			continue
		}
		v.sentP[prog] = prices
		calls = append(calls, func() error { return sink.ReplacePrices(ctx, prog, prices) })
	}
	v.mu.Unlock()
	for _, f := range append(silences, calls...) {
		if err := f(); err != nil {
			v.logf("OpenADR sink failed", "err", err)
		}
	}
}

// reachable reports whether every program of a site has answered at
// least once. The caller holds v.mu.
func (v *VEN) reachable(site string) bool {
	for i := range v.cfg.Programs {
		pc := &v.cfg.Programs[i]
		for _, s := range pc.Sites {
			if s == site {
				if _, ok := v.lastOK[pc.label()]; !ok {
					return false
				}
			}
		}
	}
	return true
}

// ReportRequests returns the events of the last poll that ask for
// reports, for the caller that measures site power and calls Report.
func (v *VEN) ReportRequests() []ReportRequest {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []ReportRequest
	for i := range v.cfg.Programs {
		out = append(out, v.reports[v.cfg.Programs[i].label()]...)
	}
	return out
}

// Wake asks Run to poll now, as a notification does.
func (v *VEN) Wake() {
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

func (v *VEN) logf(msg string, args ...any) {
	if v.Logger != nil {
		v.Logger.Warn(msg, args...)
	}
}
