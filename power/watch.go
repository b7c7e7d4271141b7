package power

import (
	"context"

	"github.com/hearth-fleet/hearth"
)

// Watch returns s with every change (a request set or withdrawn) followed
// by Notify, so that a signal reaches the fleet within the commands' own
// time instead of waiting for the next cycle.
func (c *Controller) Watch(s hearth.PowerRequestService) hearth.PowerRequestService {
	return &watchedRequests{PowerRequestService: s, c: c}
}

// watchedRequests is what Watch returns.
type watchedRequests struct {
	hearth.PowerRequestService
	c *Controller
}

// SetPowerRequest stores r, then wakes the controller.
func (w *watchedRequests) SetPowerRequest(ctx context.Context, r *hearth.PowerRequest) error {
	if err := w.PowerRequestService.SetPowerRequest(ctx, r); err != nil {
		return err
	}
	w.c.Notify()
	return nil
}

// DeletePowerRequest withdraws a request, then wakes the controller.
func (w *watchedRequests) DeletePowerRequest(ctx context.Context, source hearth.PowerSource, site, id string) error {
	if err := w.PowerRequestService.DeletePowerRequest(ctx, source, site, id); err != nil {
		return err
	}
	w.c.Notify()
	return nil
}
