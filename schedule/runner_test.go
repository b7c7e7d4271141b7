package schedule_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

// fakeClock is a Clock whose time moves only when the test says. It keeps
// the one timer the Runner is waiting on and tells the test, through armed,
// each time the Runner goes back to sleep, so that the test knows every
// event of the last evaluation has been delivered.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	timer time.Time
	ch    chan time.Time
	armed chan struct{}
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, armed: make(chan struct{}, 1)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.timer, c.ch = c.now.Add(d), make(chan time.Time, 1)
	ch := c.ch
	c.mu.Unlock()
	c.armed <- struct{}{}
	return ch
}

// waitArmed waits until the Runner sleeps again.
func (c *fakeClock) waitArmed(t *testing.T) {
	t.Helper()
	select {
	case <-c.armed:
	case <-time.After(5 * time.Second):
		t.Fatal("the runner did not go back to sleep")
	}
}

// fire moves the clock to the Runner's timer, fires it and waits until the
// Runner sleeps again. It returns the new time.
func (c *fakeClock) fire(t *testing.T) time.Time {
	t.Helper()
	c.mu.Lock()
	c.now = c.timer
	now, ch := c.now, c.ch
	c.mu.Unlock()
	ch <- now
	c.waitArmed(t)
	return now
}

// recorder collects the Runner's events.
type recorder struct {
	mu     sync.Mutex
	events []schedule.Event
}

func (r *recorder) handle(_ context.Context, e schedule.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// take returns and forgets the events so far.
func (r *recorder) take() []schedule.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.events
	r.events = nil
	return got
}

// describe writes events as "open s1 at ... (start–end)" for messages.
func describe(events []schedule.Event) string {
	s := ""
	for _, e := range events {
		verb := "close"
		if e.Open {
			verb = "open"
		}
		s += fmt.Sprintf("\n  %s %s at %s (%s–%s)", verb, e.Schedule.ID, e.At.UTC(), e.Start.UTC(), e.End.UTC())
	}
	return s
}

func nightly(id, recurrence, zone string) *hearth.Schedule {
	return &hearth.Schedule{
		ID: id, Name: id, Enabled: true,
		Target:     hearth.Scope{Kind: hearth.ScopeSite, ID: "home"},
		Change:     hearth.Change{Kind: hearth.ChangePowerProfile, Payload: []byte(`{"mode":"eco","watts":2500}`)},
		Recurrence: recurrence, TimeZone: zone,
	}
}

// startRunner runs r until the test ends.
func startRunner(t *testing.T, r *schedule.Runner, clock *fakeClock) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	clock.waitArmed(t)
}

// wantEvent is an expected event: open or close of schedule id at an
// instant.
type wantEvent struct {
	id   string
	open bool
	at   time.Time
}

// runUntil fires the clock's timers until limit and checks the events seen
// against want, each at the exact instant of its window's boundary.
func runUntil(t *testing.T, clock *fakeClock, rec *recorder, limit time.Time, want []wantEvent) {
	t.Helper()
	var got []schedule.Event
	got = append(got, rec.take()...)
	for steps := 0; clock.Now().Before(limit); steps++ {
		if steps > 100000 {
			t.Fatal("the runner never reached the limit")
		}
		clock.fire(t)
		got = append(got, rec.take()...)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d:%s", len(got), len(want), describe(got))
	}
	for i, w := range want {
		e := got[i]
		if e.Schedule.ID != w.id || e.Open != w.open || !e.At.Equal(w.at) {
			t.Errorf("event %d: got%s\nwant %s open=%v at %s", i, describe(got[i:i+1]), w.id, w.open, w.at.UTC())
		}
		if e.Open && !e.Start.Equal(w.at) {
			t.Errorf("event %d: window start %s, want %s", i, e.Start, w.at)
		}
	}
}

func TestRunnerFiresAtLocalTimesAcrossFallBack(t *testing.T) {
	clock := newFakeClock(on(time.UTC, 2026, 10, 24, 12, 0))
	rec := &recorder{}
	r := schedule.NewRunner(clock, rec.handle)
	if err := r.Set([]*hearth.Schedule{
		nightly("eco", "22:00-06:00", "Europe/Berlin"),
		nightly("early", "30 2 * * * for 1h", "Europe/Berlin"),
	}); err != nil {
		t.Fatal(err)
	}
	startRunner(t, r, clock)
	runUntil(t, clock, rec, on(time.UTC, 2026, 10, 26, 12, 0), []wantEvent{
		{"eco", true, on(cest, 2026, 10, 24, 22, 0)},
		{"early", true, on(cest, 2026, 10, 25, 2, 30)}, // first 02:30 only
		{"early", false, on(cest, 2026, 10, 25, 3, 30)},
		{"eco", false, on(cet, 2026, 10, 25, 6, 0)}, // nine hours after it opened
		{"eco", true, on(cet, 2026, 10, 25, 22, 0)},
		{"early", true, on(cet, 2026, 10, 26, 2, 30)},
		{"early", false, on(cet, 2026, 10, 26, 3, 30)},
		{"eco", false, on(cet, 2026, 10, 26, 6, 0)},
	})
}

func TestRunnerFiresAcrossSpringForward(t *testing.T) {
	clock := newFakeClock(on(time.UTC, 2026, 3, 7, 12, 0))
	rec := &recorder{}
	r := schedule.NewRunner(clock, rec.handle)
	r.MaxSleep = 6 * time.Hour // the runner must ask for the exact boundary itself
	if err := r.Set([]*hearth.Schedule{
		nightly("ny", "30 2 * * * for 1h", "America/New_York"),
		nightly("syd", "15:00-17:30 weekdays", "Australia/Sydney"),
	}); err != nil {
		t.Fatal(err)
	}
	startRunner(t, r, clock)
	runUntil(t, clock, rec, on(time.UTC, 2026, 3, 9, 12, 0), []wantEvent{
		{"ny", true, on(edt, 2026, 3, 8, 3, 0)}, // 02:30 does not exist
		{"ny", false, on(edt, 2026, 3, 8, 4, 0)},
		{"syd", true, on(aedt, 2026, 3, 9, 15, 0)}, // Monday in Sydney
		{"syd", false, on(aedt, 2026, 3, 9, 17, 30)},
		{"ny", true, on(edt, 2026, 3, 9, 2, 30)},
		{"ny", false, on(edt, 2026, 3, 9, 3, 30)},
	})
}

func TestRunnerReappliesWindowInForceAtStart(t *testing.T) {
	// hearth (re)starts at 02:00 CET on the fall-back night, in the middle
	// of the 22:00-06:00 window.
	now := on(cet, 2026, 10, 25, 2, 0)
	for run := 1; run <= 2; run++ {
		clock := newFakeClock(now)
		rec := &recorder{}
		r := schedule.NewRunner(clock, rec.handle)
		if err := r.Set([]*hearth.Schedule{
			nightly("eco", "22:00-06:00", "Europe/Berlin"),
			nightly("day", "09:00-17:00", "Europe/Berlin"),
		}); err != nil {
			t.Fatal(err)
		}
		startRunner(t, r, clock)
		got := rec.take()
		if len(got) != 1 || !got[0].Open || got[0].Schedule.ID != "eco" || !got[0].At.Equal(now) ||
			!got[0].Start.Equal(on(cest, 2026, 10, 24, 22, 0)) || !got[0].End.Equal(on(cet, 2026, 10, 25, 6, 0)) {
			t.Fatalf("run %d: events at start:%s\nwant one open of eco, 22:00 CEST to 06:00 CET", run, describe(got))
		}
		runUntil(t, clock, rec, on(cet, 2026, 10, 25, 6, 0), []wantEvent{
			{"eco", false, on(cet, 2026, 10, 25, 6, 0)},
		})
		now = now.Add(time.Hour) // the second run starts an hour later
	}
}

func TestRunnerSetWhileRunning(t *testing.T) {
	clock := newFakeClock(on(cest, 2026, 6, 1, 16, 0)) // Monday, in the window
	rec := &recorder{}
	r := schedule.NewRunner(clock, rec.handle)
	peak := &hearth.Schedule{
		ID: "peak", Name: "peak-charge avoidance", Enabled: true,
		Target:     hearth.Scope{Kind: hearth.ScopeGroup, ID: "x"},
		Change:     hearth.Change{Kind: hearth.ChangePause},
		Recurrence: "15:00-17:30 mon-fri jun-sep", TimeZone: "Europe/Berlin",
	}
	if err := r.Set([]*hearth.Schedule{peak}); err != nil {
		t.Fatal(err)
	}
	startRunner(t, r, clock)
	if got := rec.take(); len(got) != 1 || !got[0].Open {
		t.Fatalf("at start:%s\nwant the window opened", describe(got))
	}

	// Renaming does not revert and re-apply.
	renamed := *peak
	renamed.Name = "peak"
	if err := r.Set([]*hearth.Schedule{&renamed}); err != nil {
		t.Fatal(err)
	}
	clock.waitArmed(t)
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("after a rename:%s\nwant nothing", describe(got))
	}

	// Changing what it does reverts the old change and applies the new.
	profile := renamed
	profile.Change = hearth.Change{Kind: hearth.ChangePowerProfile, Payload: []byte(`{"mode":"eco","watts":2500}`)}
	if err := r.Set([]*hearth.Schedule{&profile}); err != nil {
		t.Fatal(err)
	}
	clock.waitArmed(t)
	got := rec.take()
	if len(got) != 2 || got[0].Open || got[0].Schedule.Change.Kind != hearth.ChangePause ||
		!got[1].Open || got[1].Schedule.Change.Kind != hearth.ChangePowerProfile {
		t.Fatalf("after a change of effect:%s\nwant close of the pause, then open of the profile", describe(got))
	}

	// Disabling closes the window.
	disabled := profile
	disabled.Enabled = false
	if err := r.Set([]*hearth.Schedule{&disabled}); err != nil {
		t.Fatal(err)
	}
	clock.waitArmed(t)
	if got := rec.take(); len(got) != 1 || got[0].Open {
		t.Fatalf("after disabling:%s\nwant one close", describe(got))
	}

	// An invalid set is refused whole and changes nothing.
	bad := *peak
	bad.ID, bad.Recurrence = "bad", "15:00-17:30 mon-fry"
	if err := r.Set([]*hearth.Schedule{peak, &bad}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Fatalf("Set with an invalid schedule = %v, want EINVALID", err)
	}
	if err := r.Set([]*hearth.Schedule{peak, peak}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Fatalf("Set with a duplicate ID = %v, want EINVALID", err)
	}
}

func TestRunnerCatchesUpAfterAPause(t *testing.T) {
	// A host that sleeps through an opening sees it when it wakes, with At
	// telling when it noticed.
	clock := newFakeClock(on(cest, 2026, 6, 1, 12, 0))
	rec := &recorder{}
	r := schedule.NewRunner(clock, rec.handle)
	if err := r.Set([]*hearth.Schedule{nightly("peak", "15:00-17:30 mon-fri", "Europe/Berlin")}); err != nil {
		t.Fatal(err)
	}
	startRunner(t, r, clock)
	clock.mu.Lock()
	clock.timer = on(cest, 2026, 6, 1, 16, 0) // the clock jumps past the opening
	clock.mu.Unlock()
	clock.fire(t)
	got := rec.take()
	if len(got) != 1 || !got[0].Open || !got[0].At.Equal(on(cest, 2026, 6, 1, 16, 0)) || !got[0].Start.Equal(on(cest, 2026, 6, 1, 15, 0)) {
		t.Fatalf("after the jump:%s\nwant an open noticed at 16:00 of the window from 15:00", describe(got))
	}
}
