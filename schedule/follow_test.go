package schedule_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

// memSchedules is an in-memory hearth.ScheduleService.
type memSchedules struct {
	mu   sync.Mutex
	list []*hearth.Schedule
	fail error
}

func (m *memSchedules) FindSchedules(context.Context) ([]*hearth.Schedule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.list), m.fail
}

func (m *memSchedules) FindScheduleByID(_ context.Context, id string) (*hearth.Schedule, error) {
	return nil, hearth.Errorf(hearth.ENOTFOUND, "Schedule %q not found.", id)
}

func (m *memSchedules) CreateSchedule(_ context.Context, s *hearth.Schedule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.ID = "sch_" + s.Name
	m.list = append(m.list, s)
	return nil
}

func (m *memSchedules) UpdateSchedule(_ context.Context, s *hearth.Schedule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, o := range m.list {
		if o.ID == s.ID {
			m.list[i] = s
			return nil
		}
	}
	return hearth.Errorf(hearth.ENOTFOUND, "Schedule %q not found.", s.ID)
}

func (m *memSchedules) DeleteSchedule(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.list)
	m.list = slices.DeleteFunc(m.list, func(s *hearth.Schedule) bool { return s.ID == id })
	if len(m.list) == n {
		return hearth.Errorf(hearth.ENOTFOUND, "Schedule %q not found.", id)
	}
	return nil
}

// A schedule stored through Following opens at once when in force, and
// closes when it is disabled or deleted.
func TestRunner_Following(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	clock := newFakeClock(now)
	events := make(chan schedule.Event, 10)
	r := schedule.NewRunner(clock, func(_ context.Context, e schedule.Event) { events <- e })
	store := &memSchedules{}
	svc := r.Following(store)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	clock.waitArmed(t)

	next := func(open bool) schedule.Event {
		t.Helper()
		select {
		case e := <-events:
			if e.Open != open {
				t.Fatalf("event %+v, want open=%v", e, open)
			}
			return e
		case <-time.After(5 * time.Second):
			t.Fatalf("no event (want open=%v)", open)
		}
		return schedule.Event{}
	}
	s := &hearth.Schedule{Name: "pause", Target: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		Change: hearth.Change{Kind: hearth.ChangePause}, Start: now.Add(-time.Minute), End: now.Add(time.Hour), Enabled: true}
	if err := svc.CreateSchedule(ctx, s); err != nil {
		t.Fatal(err)
	}
	if e := next(true); e.Schedule.ID != s.ID {
		t.Errorf("opened %q, want %q", e.Schedule.ID, s.ID)
	}
	clock.waitArmed(t)

	off := *s
	off.Enabled = false
	if err := svc.UpdateSchedule(ctx, &off); err != nil {
		t.Fatal(err)
	}
	next(false)
	clock.waitArmed(t)

	if err := svc.UpdateSchedule(ctx, s); err != nil {
		t.Fatal(err)
	}
	next(true)
	clock.waitArmed(t)
	if err := svc.DeleteSchedule(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	next(false)

	// A failed write leaves the Runner alone and says nothing about it.
	if err := svc.DeleteSchedule(ctx, s.ID); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("delete of a missing schedule: %v, want ENOTFOUND", err)
	}
	// A store that cannot be read after a write says so.
	store.fail = hearth.Errorf(hearth.EUNAVAILABLE, "Database gone.")
	if err := svc.CreateSchedule(ctx, &hearth.Schedule{Name: "x"}); err == nil {
		t.Error("a reload failure was not reported")
	}
}
