package poller

import (
	"context"
	"errors"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Sinks gives every reading to each of its sinks in turn: the metrics
// store and the reconciler both need each poll. A failed poll goes to the
// sinks that are DownRecorders. Every sink is called even when an earlier
// one fails, and the errors are joined.
type Sinks []hearth.ReadingSink

var _ DownRecorder = Sinks(nil)

// StoreReading implements hearth.ReadingSink.
func (s Sinks) StoreReading(ctx context.Context, m *hearth.Miner, r *hearth.Reading) error {
	var errs []error
	for _, sink := range s {
		if err := sink.StoreReading(ctx, m, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// StoreDown implements DownRecorder.
func (s Sinks) StoreDown(ctx context.Context, m *hearth.Miner, t time.Time) error {
	var errs []error
	for _, sink := range s {
		if dr, ok := sink.(DownRecorder); ok {
			if err := dr.StoreDown(ctx, m, t); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
