package metrics

import (
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
)

// RuleBackend returns the store's PromQL engine and its TSDB, for the rule
// engine (package alerting): rules are evaluated by the same engine over the
// same data the query API answers from, and the ALERTS and
// ALERTS_FOR_STATE series the rule engine writes land in this TSDB, so that
// they are queryable through PrometheusAPI as in Prometheus.
//
// It is the one place Prometheus types leave this package, for a package
// that wraps Prometheus itself; the rest of hearth never calls it. The
// caller must stop using both before Close.
func (s *Store) RuleBackend() (*promql.Engine, storage.Storage) {
	return s.engine, s.db
}
