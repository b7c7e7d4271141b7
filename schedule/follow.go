package schedule

import (
	"context"
	"fmt"
	"sync"

	"github.com/hearth-fleet/hearth"
)

// Load sets the Runner's schedules to those svc stores.
func (r *Runner) Load(ctx context.Context, svc hearth.ScheduleService) error {
	list, err := svc.FindSchedules(ctx)
	if err != nil {
		return fmt.Errorf("load schedules: %w", err)
	}
	if err := r.Set(list); err != nil {
		return fmt.Errorf("load schedules: %w", err)
	}
	return nil
}

// Following returns svc with every change (create, update, delete)
// followed by Load, so that the Runner acts on a schedule as soon as it is
// stored and reverts a removed one at once. Changes are serialised, so
// that two at once cannot leave the Runner with the older list. When the
// change is stored but the reload fails, the error says so: the Runner
// keeps the previous schedules until the next change or restart.
func (r *Runner) Following(svc hearth.ScheduleService) hearth.ScheduleService {
	return &followed{ScheduleService: svc, r: r}
}

// followed is what Following returns.
type followed struct {
	hearth.ScheduleService
	r  *Runner
	mu sync.Mutex
}

// CreateSchedule stores s, then reloads the Runner.
func (f *followed) CreateSchedule(ctx context.Context, s *hearth.Schedule) error {
	return f.change(ctx, func() error { return f.ScheduleService.CreateSchedule(ctx, s) })
}

// UpdateSchedule stores s, then reloads the Runner.
func (f *followed) UpdateSchedule(ctx context.Context, s *hearth.Schedule) error {
	return f.change(ctx, func() error { return f.ScheduleService.UpdateSchedule(ctx, s) })
}

// DeleteSchedule removes the schedule, then reloads the Runner.
func (f *followed) DeleteSchedule(ctx context.Context, id string) error {
	return f.change(ctx, func() error { return f.ScheduleService.DeleteSchedule(ctx, id) })
}

// change runs write and, when it succeeds, reloads the Runner.
func (f *followed) change(ctx context.Context, write func() error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := write(); err != nil {
		return err
	}
	if err := f.r.Load(context.WithoutCancel(ctx), f.ScheduleService); err != nil {
		return fmt.Errorf("the change is stored but the schedule runner did not take it: %w", err)
	}
	return nil
}
