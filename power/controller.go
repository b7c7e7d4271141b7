package power

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Defaults of a Controller.
const (
	// DefaultInterval is how often a controller looks at every site: the
	// closed loop's period when no request changes.
	DefaultInterval = 5 * time.Second
	// DefaultSettle is how long after a change of setpoints a site's
	// measured power is given to follow before the controller judges it:
	// a poll to apply, a poll to show the effect, at the default 15 s
	// poll interval.
	DefaultSettle = 45 * time.Second
	// DefaultTolerance is how far above its target, as a fraction, a
	// site's measured power may be and still count as reached: power
	// readings of miners are rarely better than a few per cent.
	DefaultTolerance = 0.03
	// DefaultTrimFloor is the lowest power target, as a fraction of full
	// power, the controller gives a miner whose model's range it does not
	// know: most tuners take half their stock power.
	DefaultTrimFloor = 0.5
)

// Recorder keeps a site's power over time, for charts: the metrics store
// is one.
type Recorder interface {
	// RecordSitePower records at t the site's target (NaN when it has
	// none), the power measured from its miners' readings and the power
	// the setpoints plan.
	RecordSitePower(ctx context.Context, site string, t time.Time, target, measured, planned float64) error
}

// SiteInventory lists a site's miners. The poller is one: it holds every
// managed miner in memory, so that a control cycle, and the first answer to
// a signal, reads no database.
type SiteInventory interface {
	SiteMiners(site string) []*hearth.Miner
}

// SiteFinder lists the sites with their budgets and ramp limits;
// hearth.SiteService is one.
type SiteFinder interface {
	FindSites(ctx context.Context) ([]*hearth.Site, error)
}

// Controller holds every site to the power request in force for it (see
// hearth.ResolvePowerRequests) and to its power budget: each Interval, and
// at once after Notify, it allocates the site's target across its miners
// (Allocate) from their latest readings, hands the changed setpoints to
// Apply, and compares the measured power with the target.
//
// The setpoints reach miners as desired state: the Controller is the
// reconciler's PowerLimit (Limit), which lowers a miner's desired power
// after schedules and named profiles have had their say, and Apply (the reconciler's ReconcileNow) sends the commands
// through the journal and the site's batch limit.
//
// Set the exported fields before Run; a Controller must not be copied.
type Controller struct {
	Requests  hearth.PowerRequestService
	Inventory SiteInventory
	// Sites gives each site's budget and ramp limits; nil means none.
	Sites  SiteFinder
	Status hearth.StatusService
	// Apply sends the setpoints of miners whose setpoint changed.
	Apply func(ctx context.Context, miners []*hearth.Miner)
	// Capabilities returns what a miner can do, by its driver and
	// firmware release; the controller sleeps only miners that can pause
	// (trimming the others to their lowest power) and trims only those
	// that take a power target.
	Capabilities func(*hearth.Miner) []hearth.Capability
	// Recorder, when set, receives every site's power each cycle.
	Recorder Recorder

	Interval  time.Duration
	Settle    time.Duration
	Tolerance float64
	// TrimFloor: see DefaultTrimFloor.
	TrimFloor float64
	Now       func() time.Time
	Logger    *slog.Logger

	mu sync.Mutex
	// setpoints holds the miners the controller curtails.
	setpoints map[string]minerSetpoint
	// released holds the miners it stopped curtailing, with what to ask
	// for when nothing stored sets their power.
	released map[string]release
	// full remembers each miner's uncurtailed power and hash rate, and
	// asleep what it draws asleep.
	full   map[string]fullPower
	asleep map[string]float64
	sites  map[string]*SiteStatus
	wake   chan struct{}
}

// minerSetpoint is a setpoint and the site it was chosen for.
type minerSetpoint struct {
	Setpoint
	site string
}

// release is a miner the controller stopped curtailing.
type release struct {
	// watts is the power target to restore, 0 when the miner was only
	// slept (resuming it is enough).
	watts float64
	at    time.Time
}

// fullPower is a miner's draw and hash rate at its uncurtailed setting.
type fullPower struct {
	watts, hashRate float64
}

// State says where a site stands against its target.
type State string

// The states of a site.
const (
	// StateFree: no request limits the site.
	StateFree State = "free"
	// StateSettling: setpoints changed less than Settle ago.
	StateSettling State = "settling"
	// StateReached: the measured power is at or under the target.
	StateReached State = "reached"
	// StateOver: the measured power stays above the target although the
	// plan meets it; the controller sheds more to correct.
	StateOver State = "over"
	// StateShort: even the plan cannot meet the target (fixed load,
	// miners without telemetry, miners that cannot sleep).
	StateShort State = "short"
)

// SiteStatus is where a site's power stands, for the API and the page.
type SiteStatus struct {
	Site string `json:"site"`
	// Request is the request that holds, nil when none does.
	Request *hearth.PowerRequest `json:"request,omitempty"`
	// TargetWatts is the power the site is held to (the request's or the
	// budget's, the lower, then the ramp's), absent when none.
	TargetWatts *float64 `json:"target_w,omitempty"`
	// BudgetWatts is the site's power budget, 0 when it has none.
	BudgetWatts float64 `json:"budget_w,omitempty"`
	// FlexibleWatts is the full power of the miners the controller may
	// curtail; FixedWatts the measured power of the rest.
	FlexibleWatts float64 `json:"flexible_w"`
	FixedWatts    float64 `json:"fixed_w"`
	PlannedWatts  float64 `json:"planned_w"`
	MeasuredWatts float64 `json:"measured_w"`
	ShortWatts    float64 `json:"short_w,omitempty"`
	// CorrectionWatts is how much below the target the controller plans,
	// because the miners drew more than their setpoints said.
	CorrectionWatts float64 `json:"correction_w,omitempty"`
	Miners          int     `json:"miners"`
	Sleeping        int     `json:"sleeping"`
	Trimmed         int     `json:"trimmed"`
	// Excluded counts the miners left out of the ranking for lack of
	// power and hash-rate telemetry; their draw is fixed load.
	Excluded  int       `json:"excluded"`
	State     State     `json:"state"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
	ReachedAt time.Time `json:"reached_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (c *Controller) init() {
	if c.setpoints == nil {
		c.setpoints = map[string]minerSetpoint{}
		c.released = map[string]release{}
		c.full = map[string]fullPower{}
		c.asleep = map[string]float64{}
		c.sites = map[string]*SiteStatus{}
		c.wake = make(chan struct{}, 1)
	}
}

func (c *Controller) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Controller) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

// Notify makes Run control every site at once, as after a request
// changed. It never blocks.
func (c *Controller) Notify() {
	c.mu.Lock()
	c.init()
	wake := c.wake
	c.mu.Unlock()
	select {
	case wake <- struct{}{}:
	default:
	}
}

// Run controls every site each Interval and after each Notify until ctx
// ends.
func (c *Controller) Run(ctx context.Context) error {
	c.mu.Lock()
	c.init()
	wake := c.wake
	c.mu.Unlock()
	t := time.NewTicker(orDefault(c.Interval, DefaultInterval))
	defer t.Stop()
	for {
		if err := c.Control(ctx); err != nil && ctx.Err() == nil {
			c.logger().Warn("power control", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-wake:
		}
	}
}

// orDefault returns v, or d when v is zero.
func orDefault[T comparable](v, d T) T {
	var zero T
	if v == zero {
		return d
	}
	return v
}

// SiteStatuses returns every site the controller has looked at, by name.
func (c *Controller) SiteStatuses() []SiteStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]SiteStatus, 0, len(c.sites))
	for _, s := range c.sites {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b SiteStatus) int { return cmp.Compare(a.Site, b.Site) })
	return out
}

// SiteStatus returns one site's status, and whether the controller has
// looked at it.
func (c *Controller) SiteStatus(site string) (SiteStatus, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sites[site]
	if !ok {
		return SiteStatus{}, false
	}
	return *s, true
}

// Setpoint returns the setpoint the controller holds a miner to, and
// whether it curtails it at all.
func (c *Controller) Setpoint(minerID string) (Setpoint, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sp, ok := c.setpoints[minerID]
	return sp.Setpoint, ok
}

// Control runs one cycle over every site that has a request in force, a
// budget, or miners the controller curtails.
func (c *Controller) Control(ctx context.Context) error {
	c.mu.Lock()
	c.init()
	c.mu.Unlock()
	now := c.now()
	reqs, err := c.Requests.FindPowerRequests(ctx, hearth.PowerRequestFilter{ActiveAt: now})
	if err != nil {
		return fmt.Errorf("power requests: %w", err)
	}
	bySite := map[string][]*hearth.PowerRequest{}
	for _, r := range reqs {
		bySite[r.Site] = append(bySite[r.Site], r)
	}
	budgets := map[string]*hearth.Site{}
	if c.Sites != nil {
		sites, err := c.Sites.FindSites(ctx)
		if err != nil {
			return fmt.Errorf("sites: %w", err)
		}
		for _, s := range sites {
			budgets[s.Name] = s
			if _, ok := bySite[s.Name]; !ok && s.PowerBudget > 0 {
				bySite[s.Name] = nil
			}
		}
	}
	c.mu.Lock()
	for _, sp := range c.setpoints {
		if _, ok := bySite[sp.site]; !ok {
			bySite[sp.site] = nil
		}
	}
	for name := range c.sites {
		if _, ok := bySite[name]; !ok {
			bySite[name] = nil
		}
	}
	c.mu.Unlock()
	names := make([]string, 0, len(bySite))
	for name := range bySite {
		names = append(names, name)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		if err := c.controlSite(ctx, name, bySite[name], budgets[name], now); err != nil {
			errs = append(errs, fmt.Errorf("site %s: %w", name, err))
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// controlSite allocates one site's target and applies what changed.
func (c *Controller) controlSite(ctx context.Context, name string, reqs []*hearth.PowerRequest, site *hearth.Site, now time.Time) error {
	miners := c.Inventory.SiteMiners(name)
	settle := orDefault(c.Settle, DefaultSettle)

	c.mu.Lock()
	prev, seen := c.sites[name]
	st := &SiteStatus{Site: name, Miners: len(miners), State: StateFree, UpdatedAt: now}
	if seen {
		st.ChangedAt, st.ReachedAt = prev.ChangedAt, prev.ReachedAt
	}
	var cands []Candidate
	byID := make(map[string]*hearth.Miner, len(miners))
	for _, m := range miners {
		byID[m.ID] = m
		cand, measured, ok := c.candidate(m, now, settle)
		st.MeasuredWatts += measured
		if !ok {
			st.FixedWatts += measured
			st.Excluded++
			continue
		}
		cands = append(cands, cand)
		st.FlexibleWatts += cand.FullWatts
	}
	c.mu.Unlock()

	target := math.Inf(1)
	if held := hearth.ResolvePowerRequests(reqs, now, st.FlexibleWatts, st.FixedWatts); held != nil {
		st.Request = held
		target = held.Watts(st.FlexibleWatts, st.FixedWatts)
	}
	if site != nil && site.PowerBudget > 0 {
		// The budget is the site's wiring or contract: no request
		// lifts it, an override included. Raising it is an edit of the
		// site.
		st.BudgetWatts = site.PowerBudget
		target = math.Min(target, site.PowerBudget)
	}
	switch {
	case seen && prev.TargetWatts != nil:
		target = c.ramp(site, *prev.TargetWatts, prev.PlannedWatts, target, now.Sub(prev.UpdatedAt), true)
	case seen:
		// The site was free: it falls from what it planned, full power.
		target = c.ramp(site, prev.PlannedWatts, prev.PlannedWatts, target, now.Sub(prev.UpdatedAt), false)
	default:
		// First seen, under a limit already: it falls from what it draws,
		// by one cycle's worth now.
		target = c.ramp(site, st.MeasuredWatts, st.MeasuredWatts, target, orDefault(c.Interval, DefaultInterval), false)
	}
	limited := !math.IsInf(target, 1)
	if limited {
		t := target
		st.TargetWatts = &t
	}

	// The closed loop: once the plan in force has had time to show, a
	// site that draws more than it planned is planned lower by the
	// difference, and one that draws less gets some back.
	allocTarget := target
	if limited && seen && now.Sub(prev.ChangedAt) >= settle && prev.TargetWatts != nil {
		tol := orDefault(c.Tolerance, DefaultTolerance)
		st.CorrectionWatts = prev.CorrectionWatts
		if over := st.MeasuredWatts - prev.PlannedWatts*(1+tol); over > 0 {
			st.CorrectionWatts += over
		} else if under := prev.PlannedWatts*(1-2*tol) - st.MeasuredWatts; under > 0 {
			st.CorrectionWatts = math.Max(0, st.CorrectionWatts-under/2)
		}
		allocTarget -= st.CorrectionWatts
	}
	alloc := Allocate(allocTarget, st.FixedWatts, cands)
	st.PlannedWatts, st.ShortWatts, st.Sleeping, st.Trimmed = alloc.PlannedWatts, alloc.ShortWatts, alloc.Sleeping, alloc.Trimmed

	changed := c.adopt(name, alloc, byID, now)
	if len(changed) > 0 {
		st.ChangedAt, st.ReachedAt = now, time.Time{}
	}
	switch {
	case !limited:
		st.State = StateFree
	case len(changed) > 0:
		st.State = StateSettling
	case st.ShortWatts > 0:
		st.State = StateShort
	case now.Sub(st.ChangedAt) < settle:
		st.State = StateSettling
	case st.MeasuredWatts <= target*(1+orDefault(c.Tolerance, DefaultTolerance)):
		st.State = StateReached
		if st.ReachedAt.IsZero() {
			st.ReachedAt = now
		}
	default:
		st.State = StateOver
	}
	c.mu.Lock()
	c.sites[name] = st
	c.mu.Unlock()

	if len(changed) > 0 {
		c.logger().Info("power setpoints changed", "site", name, "target_w", target, "planned_w", alloc.PlannedWatts,
			"sleeping", alloc.Sleeping, "trimmed", alloc.Trimmed, "changed", len(changed))
		if c.Apply != nil {
			c.Apply(ctx, changed)
		}
	}
	if c.Recorder != nil {
		rec := math.NaN()
		if limited {
			rec = target
		}
		if err := c.Recorder.RecordSitePower(ctx, name, now, rec, st.MeasuredWatts, st.PlannedWatts); err != nil {
			return fmt.Errorf("record power: %w", err)
		}
	}
	return nil
}

// ramp limits how fast a site's target moves from its previous value,
// by the site's ramp limits over elapsed. A rise is measured from what
// was planned, so that a site released from a deep curtailment comes
// back in steps; rises are limited only when up is set (a site that was
// not limited is at full power already).
func (c *Controller) ramp(site *hearth.Site, prevTarget, prevPlanned, target float64, elapsed time.Duration, up bool) float64 {
	if site == nil || elapsed <= 0 {
		return target
	}
	minutes := elapsed.Minutes()
	if rate := site.RampUpPerMinute; up && rate > 0 && target > prevPlanned {
		target = math.Min(target, prevPlanned+rate*minutes)
	}
	if down := site.RampDownPerMinute; down > 0 && target < prevTarget {
		target = math.Max(target, prevTarget-down*minutes)
	}
	return target
}

// candidate returns m as the allocation sees it, the power its latest
// reading measured, and whether it is a candidate at all. A miner the
// controller does not curtail must show both power and hash rate, or its
// draw is fixed load: sleeping a miner whose telemetry is broken would
// shed nothing anyone can measure. c.mu is held.
func (c *Controller) candidate(m *hearth.Miner, now time.Time, settle time.Duration) (Candidate, float64, bool) {
	st := c.Status.MinerStatus(m.ID)
	r := st.Latest
	online := st.State == hearth.StateOnline && r != nil
	measured := 0.0
	if online {
		measured = r.Power
	}
	canSleep, canTrim := c.can(m)
	if !canSleep && !canTrim {
		return Candidate{}, measured, false
	}
	sp, managed := c.setpoints[m.ID]
	if managed && sp.Mode == ModeSleep && online && (r.Paused || r.HashRate == 0) {
		c.asleep[m.ID] = r.Power
	}
	fp, known := c.full[m.ID]
	if !managed {
		if !online || r.Power <= 0 || r.HashRate <= 0 || r.Paused {
			return Candidate{}, measured, false
		}
		// A miner released a moment ago may still be climbing back:
		// its reading is not its full power yet.
		if rel, ok := c.released[m.ID]; !ok || now.Sub(rel.at) >= settle || !known {
			fp = fullPower{watts: r.Power, hashRate: r.HashRate}
			c.full[m.ID] = fp
		}
	} else if !known {
		return Candidate{}, measured, false
	}
	cand := Candidate{ID: m.ID, FullWatts: fp.watts, SleepWatts: c.asleep[m.ID], CanSleep: canSleep, JoulesPerTH: fp.watts / (fp.hashRate / 1e12)}
	if canTrim {
		cand.MinWatts = fp.watts * orDefault(c.TrimFloor, DefaultTrimFloor)
	}
	return cand, measured, true
}

// can reports whether m can sleep and take a power target.
func (c *Controller) can(m *hearth.Miner) (sleep, trim bool) {
	if c.Capabilities == nil {
		return true, true
	}
	caps := c.Capabilities(m)
	return slices.Contains(caps, hearth.CapPause), slices.Contains(caps, hearth.CapPowerTarget)
}

// adopt makes alloc the site's setpoints and returns the miners whose
// setpoint changed.
func (c *Controller) adopt(site string, alloc Allocation, byID map[string]*hearth.Miner, now time.Time) []*hearth.Miner {
	c.mu.Lock()
	defer c.mu.Unlock()
	var changed []*hearth.Miner
	for id, sp := range alloc.Setpoints {
		old, had := c.setpoints[id]
		switch {
		case sp.Mode == ModeFull && had:
			delete(c.setpoints, id)
			rel := release{at: now}
			// A miner that was trimmed before it slept wakes at the
			// trimmed target: ask for full power back from any miner
			// that takes a power target.
			if _, canTrim := c.can(byID[id]); old.Mode == ModeTrim || canTrim {
				rel.watts = c.full[id].watts
			}
			c.released[id] = rel
			changed = append(changed, byID[id])
		case sp.Mode == ModeFull:
		default:
			// Every setpoint is kept exactly, so the plan holds; only a
			// change a power reading could tell apart is sent at once,
			// the rest reaches the miner with its next poll.
			c.setpoints[id] = minerSetpoint{Setpoint: sp, site: site}
			delete(c.released, id)
			if !had || old.Mode != sp.Mode || math.Abs(old.Watts-sp.Watts) > 0.01*math.Max(old.Watts, 1) {
				changed = append(changed, byID[id])
			}
		}
	}
	// Miners curtailed for this site that are no longer its candidates
	// (moved, removed) are released.
	for id, sp := range c.setpoints {
		if _, ok := alloc.Setpoints[id]; ok || sp.site != site {
			continue
		}
		delete(c.setpoints, id)
		c.released[id] = release{at: now}
		if m := byID[id]; m != nil {
			changed = append(changed, m)
		}
	}
	slices.SortFunc(changed, func(a, b *hearth.Miner) int { return cmp.Compare(a.ID, b.ID) })
	return changed
}
