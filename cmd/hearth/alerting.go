package main

import (
	"context"
	"fmt"
	"github.com/hearth-fleet/hearth"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/hearth-fleet/hearth/alerting"
	"github.com/hearth-fleet/hearth/metrics"
)

// openAlerting builds the rule engine over the metrics store: the built-in
// default rules and the rule files of --rules-dir (<data>/rules by
// default), evaluated every --rules-interval (the poll interval by
// default, since evaluating more often than the data changes finds
// nothing new). Every alert goes to sinks (notifications, history).
func openAlerting(cfg serveConfig, store *metrics.Store, logger *slog.Logger, sinks ...hearth.AlertSink) (*alerting.Manager, error) {
	dir := cfg.rulesDir
	if dir == "" {
		dir = filepath.Join(cfg.data, "rules")
	}
	interval := cfg.rulesInterval
	if interval == 0 {
		interval = cfg.pollInterval
	}
	m, err := alerting.New(store, alerting.Options{
		Dir:        dir,
		Interval:   interval,
		Registerer: store.Registry(),
		Sinks:      sinks,
		Logger:     logger.With("component", "alerting"),
	})
	if err != nil {
		return nil, fmt.Errorf("alerting rules: %w", err)
	}
	return m, nil
}

// reloadRulesOnHangup reloads the rule files on every SIGHUP, as Prometheus
// does, until the returned function is called. A broken file keeps the
// running rules and is logged.
func reloadRulesOnHangup(m *alerting.Manager, logger *slog.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				if err := m.Reload(context.Background()); err != nil {
					logger.Error("reload alerting rules", "err", err)
				} else {
					logger.Info("alerting rules reloaded")
				}
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(hup); close(done) }
}
