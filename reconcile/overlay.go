package reconcile

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

// Overlay changes what the stored desired state makes of a miner without
// rewriting it, so that removing the overlay's cause restores the stored
// state exactly.
type Overlay interface {
	// Effective returns the desired state of the miner placed in scopes
	// (site, groups, miner, as Placement.Scopes gives them) whose stored
	// records are records.
	Effective(scopes []hearth.Scope, records []*hearth.DesiredRecord) hearth.DesiredState
}

// PowerLimit lowers the desired power of a miner below what its stored
// state, schedules and profiles ask, as a site's power target needs; it
// sees the desired state with named profiles resolved, so that it can
// compare watts.
type PowerLimit interface {
	// Limit returns d, the miner's desired state, with its power limited.
	Limit(minerID string, d hearth.DesiredState) hearth.DesiredState
}

// ScheduleOverlay is how schedules change desired state. While a
// schedule's window is open its change (hearth.Change.Desired: pause is
// power sleep, power-profile a power profile, pools a pool list) replaces
// those fields of its target scope's record, which is then inherited as
// usual: a pause of site barn pauses every miner of barn whose group or own
// record does not set power itself. The stored records are never written,
// so closing the window restores them exactly, and after a restart the
// schedule.Runner opens every window still in force again, which rebuilds
// the overlay.
//
// A window that changed power leaves a question when it closes and no
// stored record of the miner sets power: "leave it alone" would leave the
// miners asleep. The overlay then asks for power max (mining at the stock
// setting) on that scope's miners, for as long as hearth runs: the scope
// was mining before the window, or hearth would not have needed to pause
// it. Pools have no such fallback: a pools window on a scope whose miners
// have no stored pools leaves the window's pools in place after it closes.
//
// When several open windows change the same field of the same scope, the
// window that opened last wins (then the higher schedule ID).
type ScheduleOverlay struct {
	mu sync.Mutex
	// open holds the open windows by schedule ID.
	open map[string]schedule.Event
	// released holds the scopes whose power window closed in this run.
	released map[hearth.Scope]bool
}

var _ Overlay = (*ScheduleOverlay)(nil)

// NewScheduleOverlay returns an overlay with no window open.
func NewScheduleOverlay() *ScheduleOverlay {
	return &ScheduleOverlay{open: map[string]schedule.Event{}, released: map[hearth.Scope]bool{}}
}

// Handle records that e's window opened or closed. Applying an open twice
// is applying it once, as the stateless schedule.Runner needs.
func (o *ScheduleOverlay) Handle(e schedule.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e.Open {
		o.open[e.Schedule.ID] = e
		return
	}
	delete(o.open, e.Schedule.ID)
	if d, err := e.Schedule.Change.Desired(); err == nil && d.Power != nil {
		o.released[e.Schedule.Target] = true
	}
}

// Open returns the schedules whose windows are open, by ID.
func (o *ScheduleOverlay) Open() []*hearth.Schedule {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*hearth.Schedule
	for _, id := range slices.Sorted(maps.Keys(o.open)) {
		out = append(out, o.open[id].Schedule)
	}
	return out
}

// Effective merges records with the changes of the open windows whose
// targets are among scopes.
func (o *ScheduleOverlay) Effective(scopes []hearth.Scope, records []*hearth.DesiredRecord) hearth.DesiredState {
	o.mu.Lock()
	var windows []schedule.Event
	for _, e := range o.open {
		if slices.Contains(scopes, e.Schedule.Target) {
			windows = append(windows, e)
		}
	}
	released := false
	for _, sc := range scopes {
		released = released || o.released[sc]
	}
	o.mu.Unlock()

	if len(windows) > 0 {
		slices.SortFunc(windows, func(a, b schedule.Event) int {
			if c := a.Start.Compare(b.Start); c != 0 {
				return c
			}
			return strings.Compare(a.Schedule.ID, b.Schedule.ID)
		})
		byScope := make(map[hearth.Scope]*hearth.DesiredRecord, len(records))
		overlaid := make([]*hearth.DesiredRecord, 0, len(records)+len(windows))
		for _, r := range records {
			if r == nil {
				continue
			}
			c := *r
			byScope[c.Scope] = &c
			overlaid = append(overlaid, &c)
		}
		for _, e := range windows {
			change, err := e.Schedule.Change.Desired()
			if err != nil {
				continue // refused when the schedule was stored; nothing to lay over
			}
			r := byScope[e.Schedule.Target]
			if r == nil {
				r = &hearth.DesiredRecord{Scope: e.Schedule.Target}
				byScope[r.Scope] = r
				overlaid = append(overlaid, r)
			}
			r.State = overlay(r.State, change)
		}
		records = overlaid
	}
	d := hearth.EffectiveDesired(records)
	if d.Power == nil && released {
		d.Power = &hearth.PowerProfile{Mode: hearth.PowerMax}
	}
	return d
}

// overlay returns base with the fields change sets replaced.
func overlay(base, change hearth.DesiredState) hearth.DesiredState {
	if len(change.Pools) > 0 {
		base.Pools = slices.Clone(change.Pools)
	}
	if change.Power != nil {
		p := *change.Power
		base.Power = &p
	}
	if change.Fan != nil {
		f := *change.Fan
		base.Fan = &f
	}
	if change.Locate != nil {
		l := *change.Locate
		base.Locate = &l
	}
	return base
}

// FollowSchedules returns the handler of a schedule.Runner's events: it
// records each in o (which should be rc.Overlay) and reconciles every
// miner of inventory at once, so that a window opening or closing reaches
// the fleet without waiting for the next polls.
func (rc *Reconciler) FollowSchedules(o *ScheduleOverlay, inventory hearth.MinerService) func(context.Context, schedule.Event) {
	return func(ctx context.Context, e schedule.Event) {
		o.Handle(e)
		verb := "closed"
		if e.Open {
			verb = "opened"
		}
		rc.logger().Info("schedule window "+verb, "schedule", e.Schedule.ID, "name", e.Schedule.Name,
			"target", string(e.Schedule.Target.Kind)+" "+e.Schedule.Target.ID, "change", string(e.Schedule.Change.Kind))
		rc.reconcileAll(ctx, inventory, "reconcile after a schedule window "+verb)
	}
}
