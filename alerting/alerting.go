// Package alerting evaluates hearth's alerting rules, in the Prometheus
// rule-file format, with the embedded Prometheus rule engine over the
// metrics store.
//
// The rules are hearth's defaults (rules/default.yml, built in) and the
// user's rule files of a directory. Alerts go to hearth.AlertSinks
// (notifications, the alert history, locate-on-alert) and, as in
// Prometheus, into the TSDB as the ALERTS and ALERTS_FOR_STATE series, so
// that they are queryable through the Prometheus-compatible API. The
// package also answers /api/v1/alerts and /api/v1/rules in Prometheus'
// JSON shapes, keeps the user's rule files, and runs rule unit tests in the
// promtool test-rules format.
//
// Like package metrics, it keeps every Prometheus type to itself: the rest
// of hearth sees hearth.Alert, RuleFile and http.Handlers.
package alerting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
)

// Defaults for Options.
const (
	// DefaultInterval is how often the rules are evaluated when neither
	// Options nor a rule group says: the poller's default interval, since
	// evaluating more often than the data changes finds nothing new.
	DefaultInterval = 30 * time.Second
	// DefaultResendDelay is how long a firing alert waits before it is sent
	// to the sinks again, Prometheus' --rules.alert.resend-delay.
	DefaultResendDelay = time.Minute
	// sinkTimeout bounds one delivery to one sink, so that a stuck sink
	// cannot hold up rule evaluation for long.
	sinkTimeout = 30 * time.Second
)

// Options configure a Manager. The zero value means every default and no
// user rules.
type Options struct {
	// Dir holds the user's rule files (*.yml, *.yaml), loaded with the
	// defaults; empty means none. It is created when missing.
	Dir string
	// Interval is the evaluation interval of groups that set none;
	// DefaultInterval when zero.
	Interval time.Duration
	// ResendDelay is how long a firing alert waits before it is sent again;
	// DefaultResendDelay when zero.
	ResendDelay time.Duration
	// NoDefaults leaves hearth's default rules out, for a deployment that
	// keeps its own complete set in Dir.
	NoDefaults bool
	// Sinks receive the firing and just-resolved alerts of every
	// evaluation.
	Sinks []hearth.AlertSink
	// ExternalURL is hearth's public URL, for $externalURL in templates.
	ExternalURL string
	// Registerer receives the rule engine's own metrics (evaluation
	// durations and failures); none are registered when nil.
	Registerer prometheus.Registerer
	// Logger receives the rule engine's logs; nothing is logged when nil.
	Logger *slog.Logger
}

// Manager runs the alerting rules. Its methods are safe for concurrent use.
type Manager struct {
	opts   Options
	mgr    *rules.Manager
	loader groupLoader
	files  *RuleFiles
	cancel context.CancelFunc

	// reloadMu serialises reloads so that two never interleave their
	// validation and update.
	reloadMu  sync.Mutex
	startOnce sync.Once
	stopOnce  sync.Once
}

// New builds a Manager over store and loads its rules. It does not evaluate
// them until Start. A broken rule file makes New fail with the parser's
// error, naming the file.
func New(store *metrics.Store, opts Options) (*Manager, error) {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.ResendDelay <= 0 {
		opts.ResendDelay = DefaultResendDelay
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	var extURL *url.URL
	if opts.ExternalURL != "" {
		u, err := url.Parse(opts.ExternalURL)
		if err != nil {
			return nil, hearth.Errorf(hearth.EINVALID, "External URL %q: %v.", opts.ExternalURL, err)
		}
		extURL = u
	}
	m := &Manager{opts: opts, loader: newGroupLoader(opts.Logger)}
	if opts.Dir != "" {
		files, err := OpenRuleFiles(opts.Dir, m.loader.parser)
		if err != nil {
			return nil, err
		}
		m.files = files
	}

	engine, db := store.RuleBackend()
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.mgr = rules.NewManager(&rules.ManagerOptions{
		ExternalURL: extURL,
		QueryFunc:   rules.EngineQueryFunc(engine, db),
		NotifyFunc:  m.notify,
		Context:     ctx,
		Appendable:  db,
		Queryable:   db,
		Logger:      opts.Logger.With("component", "rule manager"),
		Registerer:  opts.Registerer,
		ResendDelay: opts.ResendDelay,
		// After a restart, an alert that was pending or firing resumes its
		// "for" from ALERTS_FOR_STATE if hearth was down less than this.
		OutageTolerance: time.Hour,
		ForGracePeriod:  10 * time.Minute,
		GroupLoader:     m.loader,
		Parser:          m.loader.parser,
	})
	if err := m.Reload(context.Background()); err != nil {
		cancel()
		return nil, err
	}
	return m, nil
}

// Start evaluates the rules in the background until Stop. Calling it
// again does nothing.
func (m *Manager) Start() {
	m.startOnce.Do(func() { go m.mgr.Run() })
}

// Stop ends evaluation and waits for evaluations in flight. It must be
// called before the metrics store closes. It may be called without Start
// (a server that failed to open): the rule manager's groups wait for it to
// run before they can stop, so Stop starts it first; they stop before their
// first evaluation.
func (m *Manager) Stop() {
	m.stopOnce.Do(func() {
		m.Start()
		m.mgr.Stop()
		m.cancel()
	})
}

// Files returns the store of the user's rule files, nil when Options.Dir
// was empty.
func (m *Manager) Files() *RuleFiles { return m.files }

// Reload re-reads the default rules and the user's rule files and replaces
// the running groups; unchanged groups keep their alerts' state. A broken
// file leaves the running rules as they were and returns the parser's
// errors, naming the file (EINVALID).
func (m *Manager) Reload(ctx context.Context) error {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	var ids []string
	if !m.opts.NoDefaults {
		ids = append(ids, defaultRulesID)
	}
	if m.files != nil {
		paths, err := m.files.paths()
		if err != nil {
			return err
		}
		ids = append(ids, paths...)
	}
	// Validate first: the rule manager only logs a bad file's errors and
	// answers a generic one.
	for _, id := range ids {
		if _, errs := m.loader.Load(id, false, nameValidation); len(errs) > 0 {
			return hearth.Errorf(hearth.EINVALID, "Rule file %s: %v", displayName(id), errors.Join(errs...))
		}
	}
	if err := m.mgr.Update(m.opts.Interval, ids, labels.EmptyLabels(), m.opts.ExternalURL, nil); err != nil {
		return fmt.Errorf("alerting: update rules: %w", err)
	}
	return nil
}

// notify hands the alerts of one rule evaluation that are firing or have
// just resolved to every sink, converted to hearth.Alerts. A failing sink is
// logged and does not keep the others from their alerts.
func (m *Manager) notify(ctx context.Context, expr string, alerts ...*rules.Alert) {
	if len(alerts) == 0 || len(m.opts.Sinks) == 0 {
		return
	}
	out := make([]*hearth.Alert, 0, len(alerts))
	for _, a := range alerts {
		out = append(out, convertAlert(a))
	}
	for _, sink := range m.opts.Sinks {
		sctx, cancel := context.WithTimeout(ctx, sinkTimeout)
		if err := sink.SendAlerts(sctx, out); err != nil {
			m.opts.Logger.Warn("alert sink failed", "expr", expr, "alerts", len(out), "err", err)
		}
		cancel()
	}
}

// convertAlert turns a Prometheus alert into a hearth.Alert. An alert with
// a resolution time is resolved whatever its last state.
func convertAlert(a *rules.Alert) *hearth.Alert {
	out := &hearth.Alert{
		Name:        a.Labels.Get(labels.AlertName),
		Labels:      a.Labels.Map(),
		Annotations: a.Annotations.Map(),
		State:       alertState(a.State),
		Value:       a.Value,
		ActiveAt:    a.ActiveAt,
		FiredAt:     a.FiredAt,
		ResolvedAt:  a.ResolvedAt,
	}
	if !a.ResolvedAt.IsZero() {
		out.State = hearth.AlertResolved
	}
	return out
}

// alertState maps a Prometheus alert state to hearth's.
func alertState(s rules.AlertState) hearth.AlertState {
	switch s {
	case rules.StateFiring:
		return hearth.AlertFiring
	case rules.StatePending:
		return hearth.AlertPending
	default:
		return hearth.AlertResolved
	}
}

// Alerts returns every pending and firing alert of every rule, each with
// its rule's "for" (hearth.Alert.For), so that the alert pages show when a
// pending alert will fire.
func (m *Manager) Alerts() []*hearth.Alert {
	var out []*hearth.Alert
	for _, r := range m.mgr.AlertingRules() {
		for _, a := range r.ActiveAlerts() {
			ha := convertAlert(a)
			ha.For = r.HoldDuration()
			out = append(out, ha)
		}
	}
	return out
}

// ruleParser is the PromQL parser of the rule files, configured as the
// metrics store's.
func ruleParser() parser.Parser { return parser.NewParser(parser.Options{}) }
