package metrics

import (
	"math"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
)

// Tier names the TSDB a query answers from, so that a caller (and a
// Grafana user, through the X-Hearth-Tier header) can tell 5-minute
// rollups from raw samples.
type Tier string

// The tiers of the store.
const (
	// TierAuto lets the store choose (see Store.Query).
	TierAuto Tier = ""
	// TierRaw is every sample as polled, kept Options.Retention.
	TierRaw Tier = "raw"
	// TierRollup is one sample per series and RollupInterval (averages
	// of gauges, last values of counters), kept Options.RollupRetention.
	TierRollup Tier = "rollup"
	// TierBoth is the union of both tiers, which answers series and label
	// lookups reaching back past the raw samples: the rollups know the
	// old series, raw the ones that appeared since the last window.
	TierBoth Tier = "raw+rollup"
)

// TierHeader is the HTTP response header of the Prometheus-compatible API
// that names the tier an answer came from.
const TierHeader = "X-Hearth-Tier"

// LongRangeThreshold is the span beyond which a range query whose step is
// at least RollupInterval answers from the rollups even where raw samples
// exist: at such a step a panel shows one point per five minutes or more,
// which the rollups give for a fraction of the samples read. Two days is
// where a dashboard's default resolution (about 1,000 points) reaches a
// 5-minute step.
const LongRangeThreshold = 2 * 24 * time.Hour

// ParseTier reads a tier as users write it: "raw", "rollup", or "" or
// "auto" for the store's choice. Anything else is EINVALID.
func ParseTier(s string) (Tier, error) {
	switch s {
	case "", "auto":
		return TierAuto, nil
	case string(TierRaw):
		return TierRaw, nil
	case string(TierRollup):
		return TierRollup, nil
	}
	return TierAuto, hearth.Errorf(hearth.EINVALID, "Unknown tier %q: use raw, rollup or auto.", s)
}

// chooseTier picks the tier of a read that needs samples from mint
// (milliseconds) on. The rollups answer when the read reaches back before
// the oldest raw sample and they hold older ones, or when it is a long
// range at a coarse step (long) and they reach back as far as it or raw
// does; raw answers otherwise, and always when the rollups are empty.
func (s *Store) chooseTier(mint int64, long bool) Tier {
	rollupMin, ok := oldestSample(s.rollup)
	if !ok {
		return TierRaw
	}
	rawMin, ok := oldestSample(s.db)
	if !ok {
		return TierRollup
	}
	switch {
	case mint < rawMin && rollupMin < rawMin:
		return TierRollup
	case long && rollupMin <= max(mint, rawMin):
		return TierRollup
	}
	return TierRaw
}

// queryTier returns want, or when it is TierAuto the tier of the PromQL
// expression q evaluated from start to end every step (zero for an
// instant query). An expression that does not parse answers from raw,
// where the engine reports why.
func (s *Store) queryTier(want Tier, q string, start, end time.Time, step time.Duration) Tier {
	if want != TierAuto {
		return want
	}
	expr, err := s.parser.ParseExpr(q)
	if err != nil {
		return TierRaw
	}
	mint, maxt := promql.FindMinMaxTime(&parser.EvalStmt{Expr: expr, Start: start, End: end, Interval: step, LookbackDelta: LookbackDelta})
	if mint == 0 && maxt == 0 {
		mint = math.MaxInt64 // no selector: no samples to read
	}
	long := step >= RollupInterval && end.Sub(start) > LongRangeThreshold
	return s.chooseTier(mint, long)
}

// lookupTier returns want, or when it is TierAuto the tier of a series or
// label lookup from mint (milliseconds) on: raw, or both where the rollups
// would answer a query.
func (s *Store) lookupTier(want Tier, mint int64) Tier {
	if want != TierAuto {
		return want
	}
	if s.chooseTier(mint, false) == TierRollup {
		return TierBoth
	}
	return TierRaw
}

// queryable returns the TSDB of a tier.
func (s *Store) queryable(t Tier) storage.Queryable {
	switch t {
	case TierRollup:
		return s.rollup
	case TierBoth:
		return storage.QueryableFunc(func(mint, maxt int64) (storage.Querier, error) {
			raw, err := s.db.Querier(mint, maxt)
			if err != nil {
				return nil, err
			}
			rollup, err := s.rollup.Querier(mint, maxt)
			if err != nil {
				raw.Close()
				return nil, err
			}
			return storage.NewMergeQuerier([]storage.Querier{raw, rollup}, nil, storage.ChainedSeriesMerge), nil
		})
	}
	return s.db
}

// tierOpts returns the query options for a tier: rollup queries look back
// RollupLookbackDelta unless the caller set a lookback of its own.
func tierOpts(t Tier, opts promql.QueryOpts) promql.QueryOpts {
	if t != TierRollup || (opts != nil && opts.LookbackDelta() != 0) {
		return opts
	}
	perStep := opts != nil && opts.EnablePerStepStats()
	return promql.NewPrometheusQueryOpts(perStep, RollupLookbackDelta)
}
