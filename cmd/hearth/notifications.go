package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/locate"
	"github.com/hearth-fleet/hearth/notify"
)

// notifications is serve's side of alerting after the rule engine: the
// dispatcher that tells the receivers, the history that keeps every
// change of an alert's state, and the fault lights of located alerts. The
// rule engine sends each evaluation's alerts to Sink.
type notifications struct {
	dispatcher *notify.Dispatcher
	history    *notify.History
	// lights switches a miner's fault light on for alerts of rules with
	// the locate annotation, until acknowledged; serve gives it the
	// reconciler.
	lights    *locate.Lights
	receivers hearth.ReceiverService
	silences  hearth.SilenceService
	logger    *slog.Logger
}

// historySweep is how often open alerts no longer sent are resolved in
// the history and old events pruned.
const historySweep = time.Minute

// ackSweep is how often the acknowledgements that no longer matter are
// pruned: they only grow by one record per alert, so hourly is plenty.
const ackSweep = time.Hour

// newNotifications builds the dispatcher and history on the store.
func newNotifications(st *store, cfg serveConfig, logger *slog.Logger) *notifications {
	d := notify.NewDispatcher(notify.Config{Silences: st.silences, ExternalURL: cfg.externalURL, Logger: logger})
	return &notifications{
		dispatcher: d,
		history:    &notify.History{Service: st.alertHistory, Retention: cfg.alertRetention, Logger: logger},
		lights:     &locate.Lights{Acks: st.alertAcks, History: st.alertHistory, Logger: logger},
		receivers:  d.WatchReceivers(st.receivers),
		silences:   d.WatchSilences(st.silences),
		logger:     logger,
	}
}

// Sink is the hearth.AlertSink of the rule engine: the history first,
// then the fault lights, then the dispatcher, which only queues.
func (n *notifications) Sink() hearth.AlertSink {
	return notify.Sinks{n.history, n.lights, n.dispatcher}
}

// serve gives the API its receivers, silences and alert history.
func (n *notifications) serve(h *hearthhttp.Server) {
	h.ReceiverService = n.receivers
	h.ReceiverStatus = n.dispatcher.Status
	h.SilenceService = n.silences
	h.AlertHistoryService = n.history.Service
	h.AlertAcks = n.lights
}

// run loads the receivers and runs the dispatcher and the history's
// sweep until ctx ends.
func (n *notifications) run(ctx context.Context) {
	if err := n.dispatcher.Reload(ctx, n.receivers); err != nil {
		n.logger.Warn("notification receivers not all loaded", "err", err)
	}
	swept, pruned := make(chan struct{}), make(chan struct{})
	go func() { defer close(swept); n.history.Run(ctx, historySweep) }()
	go func() { defer close(pruned); n.pruneAcks(ctx, ackSweep) }()
	n.dispatcher.Run(ctx)
	<-swept
	<-pruned
}

// pruneAcks removes, every interval until ctx ends, the acknowledgements
// of alerts no longer firing that are older than the alert history's
// retention, so that an event the history still shows keeps its
// "acknowledged by".
func (n *notifications) pruneAcks(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			removed, err := n.lights.Prune(ctx, time.Now().Add(-n.history.KeepFor()))
			if err != nil {
				n.logger.Warn("prune alert acknowledgements", "err", err)
			} else if removed > 0 {
				n.logger.Info("alert acknowledgements pruned", "removed", removed)
			}
		}
	}
}
