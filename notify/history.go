package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.AlertSink = (*History)(nil)

// DefaultRetention is how long the alert history is kept when the
// History is not told: a year and a half, like the long-term metrics,
// for seasonal comparisons.
const DefaultRetention = 548 * 24 * time.Hour

// History is the hearth.AlertSink that keeps the alert history: it
// records an event when an alert starts firing and when it resolves,
// not the repeats the rule engine sends while it fires. It learns which
// alerts are open from the store when first used, so that a restart
// does not record them twice.
type History struct {
	Service hearth.AlertHistoryService
	// Retention is how long events are kept; 0 means DefaultRetention.
	Retention time.Duration
	// ResolveTimeout resolves in the history an open alert the rule
	// engine has not sent for that long; 0 means 5m.
	ResolveTimeout time.Duration
	Logger         *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	loaded bool
	open   map[string]*hearth.AlertEvent // by fingerprint
	seen   map[string]time.Time
}

func (h *History) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// load reads the open alerts once.
func (h *History) load(ctx context.Context) error {
	if h.loaded {
		return nil
	}
	open, err := h.Service.FindAlertHistory(ctx, hearth.AlertHistoryFilter{Open: true, Limit: 100000})
	if err != nil {
		return fmt.Errorf("load open alerts: %w", err)
	}
	h.open, h.seen = map[string]*hearth.AlertEvent{}, map[string]time.Time{}
	now := h.now()
	for _, e := range open {
		h.open[e.Fingerprint], h.seen[e.Fingerprint] = e, now
	}
	h.loaded = true
	return nil
}

// SendAlerts records the alerts that started firing or resolved.
func (h *History) SendAlerts(ctx context.Context, alerts []*hearth.Alert) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.load(ctx); err != nil {
		return err
	}
	now := h.now()
	var events []*hearth.AlertEvent
	for _, a := range alerts {
		fp := a.Fingerprint()
		_, open := h.open[fp]
		switch {
		case a.State == hearth.AlertFiring && !open:
			at := a.FiredAt
			if at.IsZero() {
				at = now
			}
			events = append(events, newEvent(a, fp, hearth.AlertFiring, at))
		case a.State == hearth.AlertResolved && open:
			at := a.ResolvedAt
			if at.IsZero() {
				at = now
			}
			events = append(events, newEvent(a, fp, hearth.AlertResolved, at))
		}
		if a.State == hearth.AlertFiring {
			h.seen[fp] = now
		}
	}
	return h.record(ctx, events)
}

// record stores events and updates the open set.
func (h *History) record(ctx context.Context, events []*hearth.AlertEvent) error {
	if len(events) == 0 {
		return nil
	}
	if err := h.Service.RecordAlertEvents(ctx, events); err != nil {
		return fmt.Errorf("record alert history: %w", err)
	}
	for _, e := range events {
		if e.State == hearth.AlertFiring {
			h.open[e.Fingerprint] = e
		} else {
			delete(h.open, e.Fingerprint)
			delete(h.seen, e.Fingerprint)
		}
	}
	return nil
}

func newEvent(a *hearth.Alert, fp string, state hearth.AlertState, at time.Time) *hearth.AlertEvent {
	return &hearth.AlertEvent{Fingerprint: fp, Name: a.Name, Labels: maps.Clone(a.Labels), Annotations: maps.Clone(a.Annotations),
		State: state, Value: a.Value, At: at, ActiveAt: a.ActiveAt}
}

// Sweep resolves the open alerts not sent for ResolveTimeout (their rule
// was removed, or hearth restarted while they fired and they no longer
// do) and prunes events older than Retention.
func (h *History) Sweep(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.load(ctx); err != nil {
		return err
	}
	now := h.now()
	timeout := h.ResolveTimeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	var events []*hearth.AlertEvent
	for fp, e := range h.open {
		if now.Sub(h.seen[fp]) > timeout {
			r := *e
			r.ID, r.State, r.At = 0, hearth.AlertResolved, now
			events = append(events, &r)
		}
	}
	if err := h.record(ctx, events); err != nil {
		return err
	}
	if _, err := h.Service.PruneAlertHistory(ctx, now.Add(-h.KeepFor())); err != nil {
		return fmt.Errorf("prune alert history: %w", err)
	}
	return nil
}

// KeepFor is how long events are kept: Retention, or DefaultRetention
// when it is not set. What is kept about alerts elsewhere (their
// acknowledgements) follows it.
func (h *History) KeepFor() time.Duration {
	if h.Retention <= 0 {
		return DefaultRetention
	}
	return h.Retention
}

// Run sweeps every interval until ctx ends.
func (h *History) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := h.Sweep(ctx); err != nil && h.Logger != nil {
				h.Logger.Warn("notify: sweep alert history", "err", err)
			}
		}
	}
}

// Sinks is several sinks as one: each gets every evaluation's alerts,
// and the errors are joined. serve hands the rule engine
// Sinks{history, dispatcher}.
type Sinks []hearth.AlertSink

// SendAlerts sends alerts to every sink.
func (s Sinks) SendAlerts(ctx context.Context, alerts []*hearth.Alert) error {
	var errs []error
	for _, sink := range s {
		if err := sink.SendAlerts(ctx, alerts); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
