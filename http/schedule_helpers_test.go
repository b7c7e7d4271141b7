package http_test

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

// scheduleStore is an in-memory hearth.ScheduleService that checks
// schedules as the real stores do.
type scheduleStore struct {
	mu        sync.Mutex
	schedules []*hearth.Schedule
	next      int
}

func (s *scheduleStore) check(sc *hearth.Schedule) error {
	if _, err := schedule.Compile(sc); err != nil {
		return err
	}
	_, err := sc.Change.Desired()
	return err
}

func (s *scheduleStore) FindSchedules(context.Context) ([]*hearth.Schedule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hearth.Schedule{}
	for _, sc := range s.schedules {
		c := *sc
		out = append(out, &c)
	}
	return out, nil
}

func (s *scheduleStore) FindScheduleByID(_ context.Context, id string) (*hearth.Schedule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range s.schedules {
		if sc.ID == id {
			c := *sc
			return &c, nil
		}
	}
	return nil, hearth.Errorf(hearth.ENOTFOUND, "Schedule %q not found.", id)
}

func (s *scheduleStore) CreateSchedule(_ context.Context, sc *hearth.Schedule) error {
	if err := s.check(sc); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	sc.ID = fmt.Sprintf("sch_%012d", s.next)
	c := *sc
	s.schedules = append(s.schedules, &c)
	return nil
}

func (s *scheduleStore) UpdateSchedule(_ context.Context, sc *hearth.Schedule) error {
	if err := s.check(sc); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.schedules, func(o *hearth.Schedule) bool { return o.ID == sc.ID })
	if i < 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "Schedule %q not found.", sc.ID)
	}
	c := *sc
	s.schedules[i] = &c
	return nil
}

func (s *scheduleStore) DeleteSchedule(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.schedules)
	s.schedules = slices.DeleteFunc(s.schedules, func(o *hearth.Schedule) bool { return o.ID == id })
	if len(s.schedules) == n {
		return hearth.Errorf(hearth.ENOTFOUND, "Schedule %q not found.", id)
	}
	return nil
}
