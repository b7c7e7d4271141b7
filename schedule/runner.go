package schedule

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Clock is the Runner's source of time, replaceable in tests by a fake that
// jumps across a daylight saving change without waiting for it.
type Clock interface {
	// Now returns the current instant.
	Now() time.Time
	// After returns a channel that receives once d has passed. The Runner
	// re-evaluates whenever it fires, so a fake may fire it early.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Event tells the desired-state layer that a schedule's window opened (apply
// the schedule's Change) or closed (revert it).
type Event struct {
	Schedule *hearth.Schedule
	// Open is true when the window opened, false when it closed.
	Open bool
	// Start and End are the window's bounds. For a close caused by the
	// schedule being removed, disabled or changed, End is when it would
	// have closed.
	Start, End time.Time
	// At is the clock's time when the Runner saw the change: the window's
	// boundary when hearth was running, later after a restart or a pause.
	At time.Time
}

// DefaultMaxSleep is how long the Runner sleeps at most between
// evaluations, so that a wall clock set forward or a host waking from
// suspend is noticed within a minute.
const DefaultMaxSleep = time.Minute

// Runner calls back when schedules' windows open and close. It keeps no
// state that matters across restarts: whether a window is in force is
// worked out from the clock, so after a restart every window in force is
// opened again (the desired-state layer must treat applying a change twice
// as applying it once). A window that opens and closes entirely while hearth
// is stopped is never seen.
type Runner struct {
	// MaxSleep caps the time between evaluations; zero means
	// DefaultMaxSleep.
	MaxSleep time.Duration

	clock  Clock
	handle func(context.Context, Event)

	mu    sync.Mutex
	plans map[string]*Plan  // by schedule ID
	open  map[string]*Event // the open event of each schedule in force
	wake  chan struct{}
}

// NewRunner returns a Runner that reads time from clock and calls handle,
// one event at a time, from the goroutine of Run.
func NewRunner(clock Clock, handle func(context.Context, Event)) *Runner {
	return &Runner{
		clock:  clock,
		handle: handle,
		plans:  map[string]*Plan{},
		open:   map[string]*Event{},
		wake:   make(chan struct{}, 1),
	}
}

// Set replaces the schedules the Runner follows, taking effect at once if it
// is running. A schedule that is removed, disabled or whose target or change
// differs while its window is open is closed (and the new version opened if
// in force). When one schedule is invalid Set returns its EINVALID error and
// keeps the previous set.
func (r *Runner) Set(schedules []*hearth.Schedule) error {
	plans := make(map[string]*Plan, len(schedules))
	for _, s := range schedules {
		if s.ID == "" {
			return hearth.Errorf(hearth.EINVALID, "Schedule %q has no ID.", s.Name)
		}
		if _, dup := plans[s.ID]; dup {
			return hearth.Errorf(hearth.EINVALID, "Schedule ID %q is given twice.", s.ID)
		}
		p, err := Compile(s)
		if err != nil {
			return fmt.Errorf("schedule %s (%q): %w", s.ID, s.Name, err)
		}
		plans[s.ID] = p
	}
	r.mu.Lock()
	r.plans = plans
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return nil
}

// Run evaluates the schedules until ctx ends, calling back on every window
// that opens or closes, and returns ctx's error. It first opens every window
// already in force. Run must not be called again before it returns. Ending
// Run closes nothing: desired state stays as it is
// and the next Run re-applies what is still in force.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.Lock()
	clear(r.open) // stateless: a new Run starts from the clock alone
	r.mu.Unlock()
	select {
	case <-r.wake: // a Set before Run: the first evaluation covers it
	default:
	}
	for {
		now := r.clock.Now()
		events, next := r.evaluate(now)
		for _, e := range events {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.handle(ctx, e)
		}
		sleep := r.MaxSleep
		if sleep <= 0 {
			sleep = DefaultMaxSleep
		}
		if !next.IsZero() && next.Sub(now) < sleep {
			sleep = next.Sub(now)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.wake:
		case <-r.clock.After(sleep):
		}
	}
}

// evaluate compares what is in force at now with what the Runner has opened
// and returns the events to send (closes first, so that a schedule taking
// over from another at the same instant reverts before it applies) and the
// next instant a window may open or close.
func (r *Runner) evaluate(now time.Time) ([]Event, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var closes, opens []Event
	var next time.Time
	soonest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, id := range slices.Sorted(maps.Keys(r.open)) {
		was := r.open[id]
		p := r.plans[id]
		if p != nil && sameEffect(was.Schedule, p.Schedule) && p.Active(now) {
			continue
		}
		closes = append(closes, Event{Schedule: was.Schedule, Start: was.Start, End: was.End, At: now})
		delete(r.open, id)
	}
	for _, id := range slices.Sorted(maps.Keys(r.plans)) {
		p := r.plans[id]
		start, end, ok := p.Current(now)
		if ok {
			soonest(end)
			if was := r.open[id]; was != nil {
				was.Schedule = p.Schedule
				continue
			}
			e := Event{Schedule: p.Schedule, Open: true, Start: start, End: end, At: now}
			r.open[id] = &e
			opens = append(opens, e)
			continue
		}
		if start, _, ok := p.Next(now); ok {
			soonest(start)
		}
	}
	return append(closes, opens...), next
}

// sameEffect reports whether two versions of a schedule do the same thing
// to the same target, so that an edit of the name or timing alone does not
// revert and re-apply a window in force.
func sameEffect(a, b *hearth.Schedule) bool {
	return a.Target == b.Target && a.Change.Kind == b.Change.Kind &&
		bytes.Equal(a.Change.Payload, b.Change.Payload)
}
