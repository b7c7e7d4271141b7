package power_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/power"
)

// site is a fake site of miners: an inventory, their latest readings,
// and a store of power requests. Its miners follow their setpoints
// when told to (follow), as the reconciler and firmware would.
type site struct {
	mu       sync.Mutex
	miners   []*hearth.Miner
	readings map[string]*hearth.Reading
	reqs     []*hearth.PowerRequest
	sites    []*hearth.Site
	applied  [][]string
	now      time.Time
}

// newSite returns barn with two S19j Pro (a1, a2: 3,068 W at 104 TH/s)
// and two S21 (b1, b2: 3,500 W at 200 TH/s).
func newSite() *site {
	s := &site{readings: map[string]*hearth.Reading{}, now: time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC)}
	for _, m := range []struct {
		id         string
		watts, ths float64
	}{{"a1", 3068, 104}, {"a2", 3068, 104}, {"b1", 3500, 200}, {"b2", 3500, 200}} {
		s.miners = append(s.miners, &hearth.Miner{ID: m.id, Site: "barn", Family: hearth.FamilyBraiins})
		s.readings[m.id] = &hearth.Reading{Time: s.now, Power: m.watts, HashRate: m.ths * 1e12}
	}
	return s
}

func (s *site) SiteMiners(name string) []*hearth.Miner {
	var out []*hearth.Miner
	for _, m := range s.miners {
		if m.Site == name {
			out = append(out, m)
		}
	}
	return out
}

func (s *site) MinerStatus(id string) hearth.MinerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.readings[id]
	if r == nil {
		return hearth.MinerStatus{MinerID: id, State: hearth.StateOffline}
	}
	return hearth.MinerStatus{MinerID: id, State: hearth.StateOnline, Latest: r}
}

func (s *site) FindPowerRequests(_ context.Context, f hearth.PowerRequestFilter) ([]*hearth.PowerRequest, error) {
	var out []*hearth.PowerRequest
	for _, r := range s.reqs {
		if f.Match(r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *site) SetPowerRequest(_ context.Context, r *hearth.PowerRequest) error {
	s.reqs = append(s.reqs, r)
	return nil
}

func (s *site) DeletePowerRequest(context.Context, hearth.PowerSource, string, string) error {
	return nil
}

func (s *site) FindSites(context.Context) ([]*hearth.Site, error) { return s.sites, nil }

// controller returns a controller of s whose clock is s.now.
func (s *site) controller() *power.Controller {
	return &power.Controller{
		Requests: s, Inventory: s, Status: s, Sites: s,
		Apply: func(_ context.Context, ms []*hearth.Miner) {
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.ID)
			}
			s.applied = append(s.applied, ids)
		},
		Now: func() time.Time { return s.now },
	}
}

// follow makes every miner draw what c's setpoint and its desired state
// say, as the reconciler and the firmware would once the commands land.
func (s *site) follow(t *testing.T, c *power.Controller, full map[string]float64) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.miners {
		d := c.Limit(m.ID, hearth.DesiredState{})
		r := *s.readings[m.ID]
		r.Time = s.now
		switch {
		case d.Power == nil || (d.Power.Mode == hearth.PowerMax && d.Power.Watts == 0):
			r.Power, r.Paused = full[m.ID], false
		case d.Power.Mode == hearth.PowerSleep:
			r.Power, r.HashRate, r.Paused = 10, 0, true
		default:
			r.Power, r.Paused = d.Power.Watts, false
		}
		if !r.Paused && r.HashRate == 0 {
			r.HashRate = 1e14
		}
		s.readings[m.ID] = &r
	}
}

func (s *site) total() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := 0.0
	for _, r := range s.readings {
		sum += r.Power
	}
	return sum
}

func fullPowers(s *site) map[string]float64 {
	out := map[string]float64{}
	for id, r := range s.readings {
		out[id] = r.Power
	}
	return out
}

// A grid event limits barn to 8 kW: the S19j Pros, least efficient, are
// shed first, the site settles under the target, and the end of the
// event gives every miner its full power back.
func TestControllerHoldsASiteToItsTarget(t *testing.T) {
	ctx := context.Background()
	s := newSite()
	full := fullPowers(s)
	c := s.controller()
	event := &hearth.PowerRequest{ID: "evt/0", Source: hearth.SourceOpenADR, Site: "barn", Kind: hearth.RequestLimit, LimitWatts: 8000,
		Start: s.now, End: s.now.Add(time.Hour)}
	s.reqs = append(s.reqs, event)
	if err := c.Control(ctx); err != nil {
		t.Fatal(err)
	}
	st, ok := c.SiteStatus("barn")
	if !ok || st.State != power.StateSettling || st.TargetWatts == nil || *st.TargetWatts != 8000 || st.PlannedWatts > 8000 {
		t.Fatalf("status %+v", st)
	}
	if sp, _ := c.Setpoint("a1"); sp.Mode != power.ModeSleep {
		t.Errorf("a1 (S19j Pro) %+v, want asleep", sp)
	}
	if _, curtailed := c.Setpoint("b2"); curtailed {
		t.Errorf("b2 (S21) curtailed before both S19j Pros slept")
	}
	if len(s.applied) != 1 || !slices.Contains(s.applied[0], "a1") || !slices.Contains(s.applied[0], "a2") {
		t.Errorf("applied %v, want both S19j Pros", s.applied)
	}

	// The miners follow; the controller learns what sleeping ones still
	// draw and trims a little more, and the site settles under 8 kW.
	for range 3 {
		s.now = s.now.Add(time.Minute)
		s.follow(t, c, full)
		if err := c.Control(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s.follow(t, c, full)
	if st, _ := c.SiteStatus("barn"); st.State != power.StateReached || st.MeasuredWatts > 8000 {
		t.Errorf("after following: %s at %.0f W measured, want reached under 8,000 W", st.State, st.MeasuredWatts)
	}
	if got := s.total(); got > 8000 {
		t.Errorf("site draws %.0f W, over the 8,000 W limit", got)
	}

	// The event ends: everyone back to full power.
	s.now = event.End
	if err := c.Control(ctx); err != nil {
		t.Fatal(err)
	}
	s.follow(t, c, full)
	if got, want := s.total(), 2*3068.0+2*3500; math.Abs(got-want) > 1 {
		t.Errorf("after the event the site draws %.0f W, want %.0f", got, want)
	}
	if st, _ := c.SiteStatus("barn"); st.State != power.StateFree || st.TargetWatts != nil {
		t.Errorf("after the event: %+v", st)
	}
}

// An operator's override wins over a grid event, even when it asks for
// more: the operator keeps the site mining.
func TestControllerOverrideWins(t *testing.T) {
	s := newSite()
	c := s.controller()
	s.reqs = append(s.reqs,
		&hearth.PowerRequest{ID: "evt/0", Source: hearth.SourceOpenADR, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 1, Start: s.now},
		&hearth.PowerRequest{ID: "ops", Source: hearth.SourceOverride, Site: "barn", Kind: hearth.RequestResume, Start: s.now, End: s.now.Add(time.Hour)})
	if err := c.Control(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := c.SiteStatus("barn")
	if st.Request == nil || st.Request.ID != "ops" || st.Sleeping != 0 || st.State != power.StateFree {
		t.Errorf("status %+v, want the override holding and nothing shed", st)
	}
}

// An override asking for full power does not lift the site's budget: the
// site is held to the budget, and the status says which request holds.
func TestControllerOverrideKeepsTheBudget(t *testing.T) {
	s := newSite()
	s.sites = []*hearth.Site{{Name: "barn", PowerBudget: 10_000}}
	c := s.controller()
	s.reqs = append(s.reqs,
		&hearth.PowerRequest{ID: "ops", Source: hearth.SourceOverride, Site: "barn", Kind: hearth.RequestResume, Start: s.now, End: s.now.Add(time.Hour)})
	if err := c.Control(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := c.SiteStatus("barn")
	if st.Request == nil || st.Request.ID != "ops" {
		t.Errorf("request %+v, want the override", st.Request)
	}
	if st.TargetWatts == nil || *st.TargetWatts != 10_000 || st.PlannedWatts > 10_000 {
		t.Errorf("status %+v, want held to the 10 kW budget under the override", st)
	}
}

// A miner without trustworthy telemetry is not ranked: its draw is fixed
// load, and the others make up for it.
func TestControllerLeavesMinersWithoutTelemetryOut(t *testing.T) {
	s := newSite()
	s.readings["b2"].HashRate = 0 // power but no hash: phantom load
	c := s.controller()
	s.reqs = append(s.reqs, &hearth.PowerRequest{ID: "x", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestLimit, LimitWatts: 7000, Start: s.now})
	if err := c.Control(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := c.SiteStatus("barn")
	if st.Excluded != 1 || st.FixedWatts != 3500 || st.PlannedWatts > 7000 {
		t.Errorf("status %+v, want b2 excluded as 3,500 W of fixed load", st)
	}
	if _, curtailed := c.Setpoint("b2"); curtailed {
		t.Error("b2 curtailed without telemetry")
	}
}

// Miners that draw more than their setpoint say leave the site over its
// target; the closed loop sheds more until it is under.
func TestControllerCorrectsFromTelemetry(t *testing.T) {
	ctx := context.Background()
	s := newSite()
	full := fullPowers(s)
	c := s.controller()
	c.Settle = 30 * time.Second
	s.reqs = append(s.reqs, &hearth.PowerRequest{ID: "x", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestLimit, LimitWatts: 9000, Start: s.now})
	for range 8 {
		if err := c.Control(ctx); err != nil {
			t.Fatal(err)
		}
		s.now = s.now.Add(time.Minute)
		s.follow(t, c, full)
		// Trimmed miners overshoot their target by 15 %.
		for _, m := range s.miners {
			if sp, ok := c.Setpoint(m.ID); ok && sp.Mode == power.ModeTrim {
				s.readings[m.ID].Power = sp.Watts * 1.15
			}
		}
	}
	if got := s.total(); got > 9000*1.03 {
		st, _ := c.SiteStatus("barn")
		t.Errorf("site draws %.0f W after 8 cycles, want at most 9,270 W (status %+v)", got, st)
	}
}

// A site's ramp limit brings it back from a full curtailment in steps.
func TestControllerRampsUp(t *testing.T) {
	ctx := context.Background()
	s := newSite()
	full := fullPowers(s)
	s.sites = []*hearth.Site{{Name: "barn", RampUpPerMinute: 4000}}
	c := s.controller()
	ev := &hearth.PowerRequest{ID: "x", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 1, Start: s.now, End: s.now.Add(time.Minute)}
	s.reqs = append(s.reqs, ev)
	if err := c.Control(ctx); err != nil {
		t.Fatal(err)
	}
	s.follow(t, c, full)
	var steps []float64
	for range 4 {
		s.now = s.now.Add(time.Minute)
		if err := c.Control(ctx); err != nil {
			t.Fatal(err)
		}
		s.follow(t, c, full)
		steps = append(steps, s.total())
	}
	for i := 1; i < len(steps); i++ {
		if steps[i]-steps[i-1] > 4000+1 {
			t.Errorf("power rose from %.0f to %.0f W in a minute, faster than 4 kW/min (%v)", steps[i-1], steps[i], steps)
		}
	}
	if last := steps[len(steps)-1]; last < 13136-1 {
		t.Errorf("after 4 minutes the site draws %.0f W, want it back at 13,136 W (%v)", last, steps)
	}
}

// With no request, the site's budget is its limit.
func TestControllerKeepsTheBudget(t *testing.T) {
	s := newSite()
	s.sites = []*hearth.Site{{Name: "barn", PowerBudget: 10_000}}
	c := s.controller()
	if err := c.Control(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := c.SiteStatus("barn")
	if st.TargetWatts == nil || *st.TargetWatts != 10_000 || st.PlannedWatts > 10_000 || st.BudgetWatts != 10_000 {
		t.Errorf("status %+v, want held to the 10 kW budget", st)
	}
}

// The overlay keeps what the operator stored when it is lower, and asks
// for full power back after a release.
func TestControllerOverlay(t *testing.T) {
	ctx := context.Background()
	s := newSite()
	c := s.controller()
	s.reqs = append(s.reqs, &hearth.PowerRequest{ID: "x", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestLimit, LimitWatts: 12_000, Start: s.now, End: s.now.Add(time.Minute)})
	if err := c.Control(ctx); err != nil {
		t.Fatal(err)
	}
	sp, ok := c.Setpoint("a1")
	if !ok || sp.Mode != power.ModeTrim {
		t.Fatalf("a1 %+v, want trimmed", sp)
	}
	if d := c.Limit("a1", hearth.DesiredState{}); d.Power == nil || d.Power.Mode != hearth.PowerTarget || d.Power.Watts != sp.Watts {
		t.Errorf("trimmed a1 desires %+v", d.Power)
	}
	eco := hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 1500}}
	if d := c.Limit("a1", eco); d.Power.Mode != hearth.PowerEco || d.Power.Watts != 1500 {
		t.Errorf("a1 with a stored eco of 1,500 W desires %+v, want the eco kept", d.Power)
	}
	s.now = s.now.Add(time.Minute)
	if err := c.Control(ctx); err != nil {
		t.Fatal(err)
	}
	if d := c.Limit("a1", hearth.DesiredState{}); d.Power == nil || d.Power.Mode != hearth.PowerMax || d.Power.Watts != 3068 {
		t.Errorf("released a1 desires %+v, want max at its full 3,068 W", d.Power)
	}
}

// A miner put to sleep and then released asks for its full power back,
// not only to resume: it may have been trimmed before it slept, and would
// wake at the trimmed target.
func TestControllerReleasesASleeperAtFullPower(t *testing.T) {
	ctx := context.Background()
	s := newSite()
	c := s.controller()
	s.reqs = append(s.reqs, &hearth.PowerRequest{ID: "x", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestLimit, LimitWatts: 1000, Start: s.now, End: s.now.Add(time.Minute)})
	if err := c.Control(ctx); err != nil {
		t.Fatal(err)
	}
	if sp, ok := c.Setpoint("a1"); !ok || sp.Mode != power.ModeSleep {
		t.Fatalf("a1 %+v, want asleep", sp)
	}
	s.now = s.now.Add(time.Minute)
	if err := c.Control(ctx); err != nil {
		t.Fatal(err)
	}
	if d := c.Limit("a1", hearth.DesiredState{}); d.Power == nil || d.Power.Mode != hearth.PowerMax || d.Power.Watts != 3068 {
		t.Errorf("released a1 desires %+v, want max at its full 3,068 W", d.Power)
	}
}

// A site's ramp-down limit holds from the first limit on: a site that was
// free falls from its full power no faster than the limit allows.
func TestControllerRampsDownFromAFreeSite(t *testing.T) {
	ctx := context.Background()
	s := newSite()
	full := fullPowers(s)
	s.sites = []*hearth.Site{{Name: "barn", RampDownPerMinute: 3000}}
	c := s.controller()
	c.Interval = time.Minute
	ev := &hearth.PowerRequest{ID: "x", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestLimit, LimitWatts: 4000, Start: s.now}
	s.reqs = append(s.reqs, ev)
	var steps []float64
	for range 4 {
		if err := c.Control(ctx); err != nil {
			t.Fatal(err)
		}
		s.follow(t, c, full)
		steps = append(steps, s.total())
		s.now = s.now.Add(time.Minute)
	}
	prev := 13136.0
	for _, w := range steps {
		if prev-w > 3000+10+1 {
			t.Errorf("power fell from %.0f to %.0f W in a minute, faster than 3 kW/min (%v)", prev, w, steps)
		}
		prev = w
	}
	if last := steps[len(steps)-1]; last > 4000 {
		t.Errorf("after 4 minutes the site draws %.0f W, want the 4 kW limit (%v)", last, steps)
	}
}

// A miner whose firmware cannot sleep (an AxeOS before v2.14) is trimmed
// to its lowest power instead of being sent a sleep it would refuse.
func TestControllerTrimsAMinerThatCannotSleep(t *testing.T) {
	ctx := context.Background()
	s := newSite()
	s.miners[0].Firmware = "old" // a1
	c := s.controller()
	c.Capabilities = func(m *hearth.Miner) []hearth.Capability {
		if m.Firmware == "old" {
			return []hearth.Capability{hearth.CapPowerTarget}
		}
		return []hearth.Capability{hearth.CapPause, hearth.CapPowerTarget}
	}
	s.reqs = append(s.reqs, &hearth.PowerRequest{ID: "all", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 1, Start: s.now})
	if err := c.Control(ctx); err != nil {
		t.Fatal(err)
	}
	if sp, ok := c.Setpoint("a1"); !ok || sp.Mode != power.ModeTrim || sp.Watts <= 0 || sp.Watts >= 3068 {
		t.Errorf("a1, which cannot sleep: %+v (%v), want trimmed below its 3,068 W", sp, ok)
	}
	for _, id := range []string{"a2", "b1", "b2"} {
		if sp, _ := c.Setpoint(id); sp.Mode != power.ModeSleep {
			t.Errorf("%s: %+v, want asleep", id, sp)
		}
	}
}
