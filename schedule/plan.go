package schedule

import (
	"sort"
	"time"

	"github.com/hearth-fleet/hearth"
)

// searchDays bounds the search for the next start: a start on 29 February
// can be eight years away (2096 to 2104).
const searchDays = 8*366 + 4

// maxJoin bounds how many touching cron windows are joined into one when
// reporting a window's bounds, so that an always-on recurrence ("* * * * *
// for 1h") cannot make evaluation loop for ever. Beyond it the reported
// window is cut short; whether the schedule is in force stays exact.
const maxJoin = 1500

// Plan is a schedule made ready for evaluation: its recurrence parsed and
// its zone loaded, once, rather than at every question.
type Plan struct {
	// Schedule is the schedule the plan was compiled from. The plan does
	// not copy it: callers must not change it while the plan is in use.
	Schedule *hearth.Schedule
	spec     *Spec
	loc      *time.Location
}

// Compile validates s, parses its recurrence and loads its zone. Errors are
// EINVALID and say what is wrong, so services call Compile before storing a
// schedule.
func Compile(s *hearth.Schedule) (*Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	loc, err := s.Location()
	if err != nil {
		return nil, err
	}
	p := &Plan{Schedule: s, loc: loc}
	if s.Recurring() {
		if p.spec, err = Parse(s.Recurrence); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Active reports whether a window of the plan's schedule is in force at t.
// A disabled schedule is never in force.
func (p *Plan) Active(t time.Time) bool {
	_, _, ok := p.Current(t)
	return ok
}

// Current returns the window in force at t, from its start (inclusive) to
// its end (exclusive), or ok false when none is. The Runner uses it after a
// restart to re-apply a window that is already open.
func (p *Plan) Current(t time.Time) (start, end time.Time, ok bool) {
	s := p.Schedule
	if !s.Enabled {
		return time.Time{}, time.Time{}, false
	}
	if !s.Recurring() {
		if t.Before(s.Start) || !t.Before(s.End) {
			return time.Time{}, time.Time{}, false
		}
		return s.Start, s.End, true
	}
	w, ok := p.prevStart(t)
	if !ok || !t.Before(w.end) {
		return time.Time{}, time.Time{}, false
	}
	start = w.start
	for range maxJoin {
		earlier, ok := p.prevStart(start.Add(-time.Nanosecond))
		if !ok || earlier.end.Before(start) {
			break
		}
		start = earlier.start
	}
	return start, p.extend(w), true
}

// Next returns the first window that starts after the instant after (not
// the one in force at after, which Current gives), or ok false when there
// is none: a disabled schedule, a one-off already started, or a recurrence
// with no start in the next eight years.
func (p *Plan) Next(after time.Time) (start, end time.Time, ok bool) {
	s := p.Schedule
	if !s.Enabled {
		return time.Time{}, time.Time{}, false
	}
	if !s.Recurring() {
		if !after.Before(s.Start) {
			return time.Time{}, time.Time{}, false
		}
		return s.Start, s.End, true
	}
	from := after
	if _, end, ok := p.Current(after); ok {
		from = end
	}
	w, ok := p.nextStart(from)
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return w.start, p.extend(w), true
}

// window is the span of one start of a recurrence.
type window struct{ start, end time.Time }

// windowAt returns the window starting at minute slot of local day dt.
func (p *Plan) windowAt(dt date, slot int) window {
	start := at(p.loc, dt, slot)
	if p.spec.window {
		return window{start, at(p.loc, dt, p.spec.endMinute)}
	}
	return window{start, start.Add(p.spec.duration)}
}

// nextStart returns the window of the first start strictly after t.
func (p *Plan) nextStart(t time.Time) (window, bool) {
	sp := p.spec
	// Start two local days back: a start moved forward out of a clock
	// change's gap (a whole day when Samoa crossed the date line) can still
	// come after t.
	first := dateOf(t, p.loc).add(-2)
	for i := range searchDays {
		dt := first.add(i)
		if !sp.matchesDay(dt.y, dt.m, dt.d) {
			continue
		}
		// Instants grow with wall time, so the first slot after t can be
		// found by bisection rather than by resolving every minute.
		k := sort.Search(len(sp.slots), func(j int) bool { return at(p.loc, dt, sp.slots[j]).After(t) })
		if k == len(sp.slots) {
			continue
		}
		w := p.windowAt(dt, sp.slots[k])
		if !w.end.After(w.start) {
			continue // a window form window wholly inside a skipped hour
		}
		return w, true
	}
	return window{}, false
}

// prevStart returns the window of the last start at or before t, looking
// back only as far as a window can last.
func (p *Plan) prevStart(t time.Time) (window, bool) {
	sp := p.spec
	lookback := 3
	if !sp.window {
		lookback = int(sp.duration/(24*time.Hour)) + 3
	}
	last := dateOf(t, p.loc).add(1)
	for i := range lookback + 1 {
		dt := last.add(-i)
		if !sp.matchesDay(dt.y, dt.m, dt.d) {
			continue
		}
		k := sort.Search(len(sp.slots), func(j int) bool { return at(p.loc, dt, sp.slots[j]).After(t) })
		if k == 0 {
			continue
		}
		w := p.windowAt(dt, sp.slots[k-1])
		if !w.end.After(w.start) {
			continue
		}
		return w, true
	}
	return window{}, false
}

// extend returns the end of the joined window that w begins or belongs to:
// cron windows that overlap or touch form one window, so that the change is
// not reverted and re-applied in the same instant.
func (p *Plan) extend(w window) time.Time {
	end, cur := w.end, w.start
	for range maxJoin {
		n, ok := p.nextStart(cur)
		if !ok || n.start.After(end) {
			break
		}
		if n.end.After(end) {
			end = n.end
		}
		cur = n.start
	}
	return end
}
