// Package metrics keeps hearth's telemetry in an embedded Prometheus TSDB and
// answers PromQL over it.
//
// It is the only package that imports github.com/prometheus/prometheus: the
// Prometheus Go API changes between minor releases, so every use of it sits
// behind the Store so that an upgrade touches one directory. The Store takes
// readings from the poller (it is a hearth.ReadingSink), evaluates PromQL,
// serves the Prometheus-compatible HTTP query API that Grafana speaks, and
// exposes the fleet's current values and hearth's own process metrics for
// scraping on /metrics.
package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/util/compression"
)

// Defaults for Options. They follow Prometheus' own where hearth has no
// reason to differ.
const (
	// DefaultRetention is how long raw samples are kept. Long-term history
	// comes from 5-minute rollups kept in a second TSDB (see Options).
	DefaultRetention = 30 * 24 * time.Hour
	// DefaultQueryTimeout bounds one PromQL evaluation, as Prometheus'
	// --query.timeout does.
	DefaultQueryTimeout = 2 * time.Minute
	// DefaultMaxSamples bounds the samples one query may hold in memory, as
	// Prometheus' --query.max-samples does.
	DefaultMaxSamples = 50_000_000
	// DefaultMaxConcurrentQueries bounds queries running at once, so that a
	// busy dashboard cannot starve ingest on a small machine.
	DefaultMaxConcurrentQueries = 20
	// LookbackDelta is how far back an instant selector looks for a sample.
	// It is Prometheus' default; a miner polled less often than this drops
	// out of instant queries between polls.
	LookbackDelta = 5 * time.Minute
	// MinBlockDuration is the time range of the head block before it is
	// written to disk, Prometheus' default.
	MinBlockDuration = 2 * time.Hour
	// maxBlockDurationCap is the largest block compaction produces, as in
	// cmd/prometheus.
	maxBlockDurationCap = 31 * 24 * time.Hour
)

// rawDir and rollupDir are the subdirectories of the store's directory
// holding the raw TSDB and the long-term rollup TSDB, so that each has its
// own retention and lock file.
const (
	rawDir    = "raw"
	rollupDir = "rollup"
)

// Options configure a Store. The zero value means every default.
type Options struct {
	// Job is the value of the job label on every series hearth records;
	// hearth.DefaultJob when empty.
	Job string
	// Retention is how long raw samples (under <dir>/raw) are kept;
	// DefaultRetention when zero.
	Retention time.Duration
	// RollupRetention is how long the 5-minute rollups (under
	// <dir>/rollup) are kept; DefaultRollupRetention when zero. Long-range
	// queries answer from them (see Tier).
	RollupRetention time.Duration
	// Now returns the current time, which decides the windows the
	// downsampler may roll up and the tier a query answers from; time.Now
	// when nil. Tests replace it to work on generated history.
	Now func() time.Time
	// QueryTimeout bounds one PromQL evaluation; DefaultQueryTimeout when
	// zero.
	QueryTimeout time.Duration
	// MaxSamples bounds the samples one query may load; DefaultMaxSamples
	// when zero.
	MaxSamples int
	// MaxConcurrentQueries bounds queries running at once;
	// DefaultMaxConcurrentQueries when zero.
	MaxConcurrentQueries int
	// Logger receives the TSDB's and the query engine's logs; nothing is
	// logged when nil.
	Logger *slog.Logger
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Job == "" {
		o.Job = hearth.DefaultJob
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.RollupRetention <= 0 {
		o.RollupRetention = DefaultRollupRetention
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.QueryTimeout <= 0 {
		o.QueryTimeout = DefaultQueryTimeout
	}
	if o.MaxSamples <= 0 {
		o.MaxSamples = DefaultMaxSamples
	}
	if o.MaxConcurrentQueries <= 0 {
		o.MaxConcurrentQueries = DefaultMaxConcurrentQueries
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// BlockDurations returns the smallest and largest TSDB block ranges for a
// retention, as cmd/prometheus sets them: blocks start at MinBlockDuration
// and compact up to a tenth of the retention, at most 31 days, never below
// the minimum. The TSDB's own default maximum equals the minimum, which
// would leave a year of data in thousands of unmerged 2-hour blocks.
func BlockDurations(retention time.Duration) (minBlock, maxBlock time.Duration) {
	maxBlock = min(retention/10, maxBlockDurationCap)
	return MinBlockDuration, max(maxBlock, MinBlockDuration)
}

// Store is hearth's metrics store: an embedded Prometheus TSDB with a PromQL
// engine. It is safe for concurrent use.
type Store struct {
	opts     Options
	dir      string
	tsdbOpts *tsdb.Options

	db *tsdb.DB
	// rollup holds the 5-minute rollups of db, written by the
	// downsampler (see RollUp).
	rollup     *tsdb.DB
	rollupOpts *tsdb.Options
	// rollupMu serialises runs of the downsampler.
	rollupMu sync.Mutex
	// running counts Run loops, which Close waits for.
	running sync.WaitGroup

	engine   *promql.Engine
	parser   parser.Parser
	registry *prometheus.Registry
	fleet    *fleet
	// sitePower holds the power controller's per-site series.
	sitePower sitePower

	// queries tracks API queries in flight; closing cancels them and
	// waits, so that the engine and TSDB are never closed under a query.
	queriesMu  sync.Mutex
	queries    sync.WaitGroup
	closingCtx context.Context
	closeAll   context.CancelFunc
	closed     bool

	closeOnce sync.Once
	closeErr  error
}

// beginQuery registers an API request and returns a context that ends when
// the request's does or the store closes, with the function to call when
// it is done; ok is false once the store is closing.
func (s *Store) beginQuery(ctx context.Context) (qctx context.Context, done func(), ok bool) {
	s.queriesMu.Lock()
	defer s.queriesMu.Unlock()
	if s.closed {
		return nil, nil, false
	}
	s.queries.Add(1)
	qctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.closingCtx, cancel)
	return qctx, func() { stop(); cancel(); s.queries.Done() }, true
}

// Open opens (creating if needed) the store under dir. Samples written before
// a crash are replayed from the write-ahead log. Only one Store may have a
// directory open at a time; a second Open fails on the lock file.
func Open(dir string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if dir == "" {
		return nil, hearth.Errorf(hearth.EINVALID, "Metrics directory required.")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("metrics: create %s: %w", dir, err)
	}

	s := &Store{
		opts:     opts,
		dir:      dir,
		parser:   parser.NewParser(parser.Options{}),
		registry: prometheus.NewRegistry(),
		fleet:    newFleet(opts.Job),
	}
	s.closingCtx, s.closeAll = context.WithCancel(context.Background())
	s.registry.MustRegister(
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector(),
		&fleetCollector{fleet: s.fleet},
	)

	s.tsdbOpts = tsdbOptions(opts.Retention, MinBlockDuration)

	// The TSDBs and the engine register their own metrics (head series,
	// WAL, compactions, query timings) on the store's registry so that
	// /metrics shows how the store itself is doing. Both TSDBs export the
	// same names, told apart by a tier label.
	db, err := tsdb.Open(filepath.Join(dir, rawDir), opts.Logger.With("component", "tsdb"), tierRegisterer(s.registry, TierRaw), s.tsdbOpts, nil)
	if err != nil {
		return nil, fmt.Errorf("metrics: open tsdb in %s: %w", dir, err)
	}
	s.db = db
	s.rollupOpts = tsdbOptions(opts.RollupRetention, rollupMinBlockDuration)
	rollup, err := tsdb.Open(filepath.Join(dir, rollupDir), opts.Logger.With("component", "tsdb", "tier", TierRollup), tierRegisterer(s.registry, TierRollup), s.rollupOpts, nil)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("metrics: open rollup tsdb in %s: %w", dir, err)
	}
	s.rollup = rollup
	s.registry.MustRegister(&diskCollector{store: s})

	tracker, err := promql.NewActiveQueryTracker(dir, opts.MaxConcurrentQueries, opts.Logger.With("component", "activeQueryTracker"))
	if err != nil {
		db.Close()
		rollup.Close()
		return nil, fmt.Errorf("metrics: query tracker in %s: %w", dir, err)
	}

	s.engine = promql.NewEngine(promql.EngineOpts{
		Logger:             opts.Logger.With("component", "query engine"),
		Reg:                s.registry,
		MaxSamples:         opts.MaxSamples,
		Timeout:            opts.QueryTimeout,
		ActiveQueryTracker: tracker,
		LookbackDelta:      LookbackDelta,
		// A subquery without a step ([1h:]) steps every minute, Prometheus'
		// default global evaluation interval.
		NoStepSubqueryIntervalFn: func(int64) int64 { return time.Minute.Milliseconds() },
		// Always on in Prometheus since v2.33; off only for old embedders.
		EnableAtModifier:     true,
		EnableNegativeOffset: true,
		Parser:               s.parser,
	})
	return s, nil
}

// Close flushes and closes the TSDB. Samples since the last block are in the
// write-ahead log and come back on the next Open. Close is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.queriesMu.Lock()
		s.closed = true
		s.closeAll()
		s.queriesMu.Unlock()
		s.queries.Wait()
		s.running.Wait()

		var errs []error
		// Closing the engine closes its active query tracker.
		if err := s.engine.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close query engine: %w", err))
		}
		if err := s.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close tsdb: %w", err))
		}
		if err := s.rollup.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close rollup tsdb: %w", err))
		}
		if len(errs) > 0 {
			s.closeErr = fmt.Errorf("metrics: %v", errs)
		}
	})
	return s.closeErr
}

// Job returns the job label value the store writes.
func (s *Store) Job() string { return s.opts.Job }

// Retention returns how long raw samples are kept.
func (s *Store) Retention() time.Duration {
	return time.Duration(s.tsdbOpts.RetentionDuration) * time.Millisecond
}

// RollupRetention returns how long the 5-minute rollups are kept.
func (s *Store) RollupRetention() time.Duration {
	return time.Duration(s.rollupOpts.RetentionDuration) * time.Millisecond
}

// tsdbOptions returns the TSDB options for a tier kept for retention whose
// head is written to disk every minBlock.
func tsdbOptions(retention, minBlock time.Duration) *tsdb.Options {
	_, maxBlock := BlockDurations(retention)
	to := tsdb.DefaultOptions()
	to.RetentionDuration = retention.Milliseconds()
	to.MinBlockDuration = minBlock.Milliseconds()
	to.MaxBlockDuration = max(maxBlock, minBlock).Milliseconds()
	to.WALCompression = compression.Snappy
	// Each miner's samples are written by one poll at a time and committed
	// together, and each rollup window by one downsampler run, so
	// isolation (which keeps a ring of in-flight appends per series so that
	// queries never see half a commit) buys nothing here and costs memory
	// and time on every series, most of all on a fleet's first sweep.
	to.IsolationDisabled = true
	return to
}

// tierRegisterer returns reg with every metric labelled tier=tier, so that
// the raw and the rollup TSDB can register the same metric names.
func tierRegisterer(reg prometheus.Registerer, tier Tier) prometheus.Registerer {
	return prometheus.WrapRegistererWith(prometheus.Labels{"tier": string(tier)}, reg)
}

// BlockDurations returns the block ranges the store's TSDB was opened with,
// so that a deployment can check compaction will merge blocks.
func (s *Store) BlockDurations() (minBlock, maxBlock time.Duration) {
	return time.Duration(s.tsdbOpts.MinBlockDuration) * time.Millisecond,
		time.Duration(s.tsdbOpts.MaxBlockDuration) * time.Millisecond
}

// Registry returns the registry behind ExpositionHandler. Other packages (the
// poller, the HTTP server) register their own collectors on it so that one
// /metrics shows all of hearth.
func (s *Store) Registry() *prometheus.Registry { return s.registry }
