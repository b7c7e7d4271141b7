package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/util/annotations"
)

// MaxPointsPerSeries bounds a range query's resolution as Prometheus does:
// (end-start)/step may not exceed it.
const MaxPointsPerSeries = 11_000

// maxWarnings bounds the warnings returned with one result.
const maxWarnings = 10

// ValueType names the kind of a query result, with Prometheus' words.
type ValueType string

// The result kinds of PromQL.
const (
	ValueVector ValueType = "vector"
	ValueMatrix ValueType = "matrix"
	ValueScalar ValueType = "scalar"
	ValueString ValueType = "string"
)

// Sample is one series' value at one instant.
type Sample struct {
	// Metric is the series' labels, including __name__ when the
	// expression kept it.
	Metric map[string]string
	Time   time.Time
	Value  float64
}

// Point is one value of a series in a range result.
type Point struct {
	Time  time.Time
	Value float64
}

// Series is one series of a range result.
type Series struct {
	Metric map[string]string
	Points []Point
}

// Result is the outcome of a PromQL evaluation, in hearth's types so that
// callers need not import Prometheus. Exactly one of Vector, Matrix, Scalar
// and String is meaningful, as Type says.
type Result struct {
	Type ValueType
	// Time is the evaluation time of an instant query.
	Time   time.Time
	Vector []Sample
	Matrix []Series
	Scalar float64
	String string
	// Warnings are PromQL's annotations (for example a rate over a series
	// that does not look like a counter). They do not make the result wrong.
	Warnings []string
	// Tier is where the samples came from: TierRaw, or TierRollup for a
	// query that reached back past the raw samples or spanned more than
	// LongRangeThreshold at a step of RollupInterval or more.
	Tier Tier
}

// Query evaluates the PromQL expression q at t, from the raw samples or,
// when q reaches back further than they do, from the 5-minute rollups
// (Result.Tier says which). Errors carry hearth codes:
// EINVALID for a malformed expression or one PromQL cannot evaluate,
// ETIMEOUT when it ran out of time, ETOOLARGE when it would load more than
// Options.MaxSamples samples.
func (s *Store) Query(ctx context.Context, q string, t time.Time) (*Result, error) {
	qry, res, tier, err := s.instantQuery(ctx, q, t, nil, TierAuto)
	if err != nil {
		return nil, publicError("query", err)
	}
	defer qry.Close()
	out := convertResult(res, q)
	out.Time, out.Tier = t, tier
	return out, nil
}

// QueryRange evaluates q at every step from start to end (both included).
// The result is always a matrix. It answers from the 5-minute rollups when
// q reaches back further than the raw samples do, or when the range is
// longer than LongRangeThreshold and step at least RollupInterval;
// otherwise from raw samples. Result.Tier says which. Errors are as for Query; a step that is not
// positive, an end before the start or more than MaxPointsPerSeries points
// are EINVALID.
func (s *Store) QueryRange(ctx context.Context, q string, start, end time.Time, step time.Duration) (*Result, error) {
	qry, res, tier, err := s.rangeQuery(ctx, q, start, end, step, nil, TierAuto)
	if err != nil {
		return nil, publicError("query range", err)
	}
	defer qry.Close()
	out := convertResult(res, q)
	out.Time, out.Tier = start, tier
	return out, nil
}

// Series returns the label sets of the series matching any of the selectors
// (such as `mining_hash_rate{site="barn"}`) that have samples between start
// and end. Zero times leave that end of the range open. At least one
// selector is required, and each must have a matcher that does not match
// the empty string, as Prometheus requires. A range reaching back past the
// raw samples is looked up in the rollups too, so that series gone from
// raw are found.
func (s *Store) Series(ctx context.Context, matchers []string, start, end time.Time) ([]map[string]string, error) {
	sets, _, _, err := s.series(ctx, matchers, timeBound(start, math.MinInt64), timeBound(end, math.MaxInt64), 0, TierAuto)
	if err != nil {
		return nil, publicError("series", err)
	}
	out := make([]map[string]string, len(sets))
	for i, ls := range sets {
		out[i] = ls.Map()
	}
	return out, nil
}

// LabelNames returns the sorted label names of the series matching any of
// the selectors (all series when none) with samples between start and end.
func (s *Store) LabelNames(ctx context.Context, matchers []string, start, end time.Time) ([]string, error) {
	names, _, _, err := s.labelNames(ctx, matchers, timeBound(start, math.MinInt64), timeBound(end, math.MaxInt64), TierAuto)
	if err != nil {
		return nil, publicError("label names", err)
	}
	return names, nil
}

// LabelValues returns the sorted values of the label name over the series
// matching any of the selectors (all series when none) with samples between
// start and end.
func (s *Store) LabelValues(ctx context.Context, name string, matchers []string, start, end time.Time) ([]string, error) {
	values, _, _, err := s.labelValues(ctx, name, matchers, timeBound(start, math.MinInt64), timeBound(end, math.MaxInt64), TierAuto)
	if err != nil {
		return nil, publicError("label values", err)
	}
	return values, nil
}

// timeBound returns t in milliseconds, or open when t is zero.
func timeBound(t time.Time, open int64) int64 {
	if t.IsZero() {
		return open
	}
	return t.UnixMilli()
}

// instantQuery runs an instant query on the tier want names, or the one
// queryTier picks when it is TierAuto, and returns the tier it used. On
// success the caller must Close the returned query once done with the
// result, whose memory it owns.
func (s *Store) instantQuery(ctx context.Context, q string, t time.Time, opts promql.QueryOpts, want Tier) (promql.Query, *promql.Result, Tier, error) {
	tier := s.queryTier(want, q, t, t, 0)
	qry, err := s.engine.NewInstantQuery(ctx, s.queryable(tier), tierOpts(tier, opts), q, t)
	if err != nil {
		return nil, nil, tier, prepareError(err)
	}
	qry, res, err := execQuery(ctx, qry)
	return qry, res, tier, err
}

// rangeQuery validates the range as Prometheus' API does and runs the query
// on the tier want names, or the one queryTier picks when it is TierAuto,
// and returns the tier it used. On success the caller must Close the
// returned query.
func (s *Store) rangeQuery(ctx context.Context, q string, start, end time.Time, step time.Duration, opts promql.QueryOpts, want Tier) (promql.Query, *promql.Result, Tier, error) {
	if end.Before(start) {
		return nil, nil, want, &queryError{typ: errBadData, err: errors.New("end timestamp must not be before start time")}
	}
	if step <= 0 {
		return nil, nil, want, &queryError{typ: errBadData, err: errors.New("zero or negative query resolution step widths are not accepted. Try a positive integer")}
	}
	if end.Sub(start)/step > MaxPointsPerSeries {
		return nil, nil, want, &queryError{typ: errBadData, err: fmt.Errorf("exceeded maximum resolution of %d points per timeseries. Try decreasing the query resolution (?step=XX)", MaxPointsPerSeries)}
	}
	tier := s.queryTier(want, q, start, end, step)
	qry, err := s.engine.NewRangeQuery(ctx, s.queryable(tier), tierOpts(tier, opts), q, start, end, step)
	if err != nil {
		return nil, nil, tier, prepareError(err)
	}
	qry, res, err := execQuery(ctx, qry)
	return qry, res, tier, err
}

func execQuery(ctx context.Context, qry promql.Query) (promql.Query, *promql.Result, error) {
	res := qry.Exec(ctx)
	if res.Err != nil {
		qry.Close()
		return nil, nil, execError(res.Err)
	}
	return qry, res, nil
}

// parseSelectors parses series selectors as the match[] parameter takes
// them, refusing any that would select every series.
func (s *Store) parseSelectors(matchers []string) ([][]*labels.Matcher, error) {
	sets, err := s.parser.ParseMetricSelectors(matchers)
	if err != nil {
		return nil, &queryError{typ: errBadData, err: err}
	}
	for _, set := range sets {
		if !selectsSomething(set) {
			return nil, &queryError{typ: errBadData, err: errors.New("match[] must contain at least one non-empty matcher")}
		}
	}
	return sets, nil
}

func selectsSomething(set []*labels.Matcher) bool {
	for _, m := range set {
		if m != nil && !m.Matches("") {
			return true
		}
	}
	return false
}

// convertResult turns an engine result into hearth's types.
func convertResult(res *promql.Result, q string) *Result {
	out := &Result{}
	out.Warnings, _ = res.Warnings.AsStrings(q, maxWarnings, 0)
	if len(out.Warnings) == 0 {
		out.Warnings = nil
	}
	switch v := res.Value.(type) {
	case promql.Vector:
		out.Type = ValueVector
		out.Vector = make([]Sample, 0, len(v))
		for _, smp := range v {
			if smp.H != nil {
				continue // hearth writes no native histograms
			}
			out.Vector = append(out.Vector, Sample{Metric: smp.Metric.Map(), Time: time.UnixMilli(smp.T), Value: smp.F})
		}
	case promql.Matrix:
		out.Type = ValueMatrix
		out.Matrix = make([]Series, len(v))
		for i, ser := range v {
			pts := make([]Point, len(ser.Floats))
			for j, p := range ser.Floats {
				pts[j] = Point{Time: time.UnixMilli(p.T), Value: p.F}
			}
			out.Matrix[i] = Series{Metric: ser.Metric.Map(), Points: pts}
		}
	case promql.Scalar:
		out.Type = ValueScalar
		out.Scalar = v.V
	case promql.String:
		out.Type = ValueString
		out.String = v.V
	}
	return out
}

// errorType is the Prometheus API's classification of a failure; it decides
// the HTTP status and the hearth error code.
type errorType string

const (
	errBadData   errorType = "bad_data"
	errExecution errorType = "execution"
	errTimeout   errorType = "timeout"
	errCanceled  errorType = "canceled"
	errInternal  errorType = "internal"
	errNotFound  errorType = "not_found"
	// errUnavailable is Prometheus' type for a server that cannot answer
	// now, here because it is shutting down.
	errUnavailable errorType = "unavailable"
)

// queryError is a failed query or lookup with its Prometheus error type.
type queryError struct {
	typ errorType
	err error
}

func (e *queryError) Error() string { return e.err.Error() }
func (e *queryError) Unwrap() error { return e.err }

// prepareError classifies a failure to set a query up: a parse error, an
// unsupported construct, or running out of time waiting for a query slot.
func prepareError(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &queryError{typ: errTimeout, err: err}
	case errors.Is(err, context.Canceled):
		return &queryError{typ: errCanceled, err: err}
	}
	return &queryError{typ: errBadData, err: err}
}

// execError classifies an evaluation failure as Prometheus' API does.
func execError(err error) error {
	var (
		canceled promql.ErrQueryCanceled
		timeout  promql.ErrQueryTimeout
		storage  promql.ErrStorage
	)
	switch {
	case errors.As(err, &canceled), errors.Is(err, context.Canceled):
		return &queryError{typ: errCanceled, err: err}
	case errors.As(err, &timeout), errors.Is(err, context.DeadlineExceeded):
		return &queryError{typ: errTimeout, err: err}
	case errors.As(err, &storage):
		return &queryError{typ: errInternal, err: err}
	}
	return &queryError{typ: errExecution, err: err}
}

// publicError turns a classified failure into a hearth error for the Go API.
func publicError(op string, err error) error {
	var qe *queryError
	if !errors.As(err, &qe) {
		return fmt.Errorf("metrics %s: %w", op, err)
	}
	var tooMany promql.ErrTooManySamples
	switch {
	case errors.As(err, &tooMany):
		return hearth.WrapError(hearth.ETOOLARGE, err, "Query would load too many samples; narrow the selection or the range.")
	case qe.typ == errBadData || qe.typ == errExecution:
		return hearth.WrapError(hearth.EINVALID, err, "Invalid query: %v", qe.err)
	case qe.typ == errTimeout:
		return hearth.WrapError(hearth.ETIMEOUT, err, "Query timed out.")
	case qe.typ == errCanceled:
		return fmt.Errorf("metrics %s: %w", op, err)
	}
	return hearth.WrapError(hearth.EINTERNAL, err, "Query failed.")
}

// warningStrings renders annotations for the API's "warnings" and "infos".
func warningStrings(a annotations.Annotations, q string) (warnings, infos []string) {
	warnings, infos = a.AsStrings(q, maxWarnings, maxWarnings)
	return warnings, infos
}
