package notify

import (
	"context"

	"github.com/hearth-fleet/hearth"
)

// WatchReceivers returns rs, reloading the dispatcher's receivers after
// each change made through it, so that a receiver set through the API
// is used at once. A change that stored fine is not undone when the
// reload names a receiver that does not build; the reload's error is
// logged.
func (d *Dispatcher) WatchReceivers(rs hearth.ReceiverService) hearth.ReceiverService {
	return &watchedReceivers{ReceiverService: rs, d: d}
}

type watchedReceivers struct {
	hearth.ReceiverService
	d *Dispatcher
}

func (w *watchedReceivers) SetReceiver(ctx context.Context, r *hearth.Receiver) error {
	if err := w.ReceiverService.SetReceiver(ctx, r); err != nil {
		return err
	}
	w.reload(ctx)
	return nil
}

func (w *watchedReceivers) DeleteReceiver(ctx context.Context, name string) error {
	if err := w.ReceiverService.DeleteReceiver(ctx, name); err != nil {
		return err
	}
	w.reload(ctx)
	return nil
}

func (w *watchedReceivers) reload(ctx context.Context) {
	if err := w.d.Reload(ctx, w.ReceiverService); err != nil {
		w.d.cfg.Logger.Warn("notify: reload receivers", "err", err)
	}
}

// WatchSilences returns ss, making the dispatcher read the silences
// again at its next tick after each change made through it.
func (d *Dispatcher) WatchSilences(ss hearth.SilenceService) hearth.SilenceService {
	return &watchedSilences{SilenceService: ss, d: d}
}

type watchedSilences struct {
	hearth.SilenceService
	d *Dispatcher
}

func (w *watchedSilences) CreateSilence(ctx context.Context, s *hearth.Silence) error {
	if err := w.SilenceService.CreateSilence(ctx, s); err != nil {
		return err
	}
	w.d.SilencesChanged()
	return nil
}

func (w *watchedSilences) DeleteSilence(ctx context.Context, id int64) error {
	if err := w.SilenceService.DeleteSilence(ctx, id); err != nil {
		return err
	}
	w.d.SilencesChanged()
	return nil
}
