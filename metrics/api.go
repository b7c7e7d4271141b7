package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/util/annotations"
)

// PrometheusAPI returns the Prometheus-compatible HTTP query API, to mount
// under /prometheus/api/v1/ so that Grafana (or any Prometheus client) can
// use hearth as a Prometheus data source:
//
//	mux.Handle("/prometheus/api/v1/", store.PrometheusAPI())
//
// The handler finds the endpoint from the part of the path after "/api/v1/"
// (or the whole path, when mounted with http.StripPrefix). It serves query,
// query_range, series, labels and label/<name>/values by GET or POST form,
// as Prometheus does, with Prometheus' JSON, parameters and error statuses
// (400 bad_data, 422 execution, 503 timeout, 499 canceled, 500 internal);
// and metadata, status/buildinfo and query_exemplars with what hearth has,
// which is what Grafana asks for when a data source is tested.
//
// Queries and lookups answer from the raw samples or the 5-minute rollups
// as Store.QueryRange and Store.Series choose, and say which in the
// X-Hearth-Tier response header (TierHeader): raw, rollup, or raw+rollup
// for a lookup that reached back past the raw samples and merged both. The
// optional parameter tier=raw|rollup|auto overrides the choice.
//
// It is written on the PromQL engine rather than by importing Prometheus'
// web/api/v1: that package is built around the Prometheus server (scrape
// and rule managers, a route package, CORS and tracing wiring) and would
// need a dozen stubs to serve five endpoints.
func (s *Store) PrometheusAPI() http.Handler {
	return &promAPI{store: s, now: time.Now}
}

// promAPI serves the Prometheus HTTP query API over a Store.
type promAPI struct {
	store *Store
	now   func() time.Time
}

// apiResult is what an endpoint hands back: the encoded data on success, or
// the error with its Prometheus type.
type apiResult struct {
	data []byte
	// tier is the tier that answered; empty for endpoints that read no
	// samples.
	tier     Tier
	warnings []string
	infos    []string
	err      *queryError
}

var (
	readMethods  = []string{http.MethodGet, http.MethodPost}
	statusMethod = []string{http.MethodGet}
)

func (a *promAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, done, ok := a.store.beginQuery(r.Context())
	if !ok {
		writeError(w, http.StatusServiceUnavailable, &queryError{typ: errUnavailable, err: errors.New("hearth is shutting down")})
		return
	}
	defer done()
	r = r.WithContext(ctx)
	endpoint := r.URL.Path
	if i := strings.Index(endpoint, "/api/v1/"); i >= 0 {
		endpoint = endpoint[i+len("/api/v1/"):]
	}
	endpoint = strings.Trim(endpoint, "/")

	var (
		methods = readMethods
		handle  func(*http.Request) apiResult
	)
	switch endpoint {
	case "query":
		handle = a.query
	case "query_range":
		handle = a.queryRange
	case "series":
		handle = a.series
	case "labels":
		handle = a.labels
	case "query_exemplars":
		handle = a.queryExemplars
	case "metadata":
		methods, handle = statusMethod, a.metadata
	case "status/buildinfo":
		methods, handle = statusMethod, a.buildInfo
	default:
		if name, ok := labelValuesEndpoint(endpoint); ok {
			handle = func(r *http.Request) apiResult { return a.labelValues(r, name) }
		}
	}
	if handle == nil {
		writeError(w, http.StatusNotFound, &queryError{typ: errNotFound, err: fmt.Errorf("unknown API endpoint %q", endpoint)})
		return
	}
	if !slices.Contains(methods, r.Method) {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		writeError(w, http.StatusMethodNotAllowed, &queryError{typ: errBadData, err: fmt.Errorf("method %s not allowed", r.Method)})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, &queryError{typ: errBadData, err: fmt.Errorf("error parsing form values: %w", err)})
		return
	}
	res := handle(r)
	if res.tier != TierAuto {
		w.Header().Set(TierHeader, string(res.tier))
	}
	if res.err != nil {
		writeError(w, statusOf(res.err.typ), res.err)
		return
	}
	writeSuccess(w, res)
}

// labelValuesEndpoint extracts <name> from "label/<name>/values", undoing
// the U__ escaping clients use for names outside the legacy character set.
func labelValuesEndpoint(endpoint string) (string, bool) {
	name, ok := strings.CutPrefix(endpoint, "label/")
	if !ok {
		return "", false
	}
	name, ok = strings.CutSuffix(name, "/values")
	if !ok || name == "" {
		return "", false
	}
	if strings.HasPrefix(name, "U__") {
		name = model.UnescapeName(name, model.ValueEncodingEscaping)
	}
	return name, true
}

func (a *promAPI) query(r *http.Request) apiResult {
	limit, err := parseLimit(r.Form.Get("limit"))
	if err != nil {
		return invalidParam(err, "limit")
	}
	t := a.now()
	if v := r.Form.Get("time"); v != "" {
		if t, err = ParseTime(v); err != nil {
			return invalidParam(fmt.Errorf("invalid time value for 'time': %w", err), "time")
		}
	}
	ctx, cancel, res := a.withTimeout(r)
	if res != nil {
		return *res
	}
	defer cancel()
	opts, err := queryOpts(r)
	if err != nil {
		return apiResult{err: &queryError{typ: errBadData, err: err}}
	}
	if res := a.expired(ctx); res != nil {
		return *res
	}
	tier, res := formTier(r)
	if res != nil {
		return *res
	}
	q := r.Form.Get("query")
	qry, pres, tier, err := a.store.instantQuery(ctx, q, t, opts, tier)
	if err != nil {
		return queryFailure(err)
	}
	defer qry.Close()
	return queryData(pres, q, limit, tier)
}

func (a *promAPI) queryRange(r *http.Request) apiResult {
	limit, err := parseLimit(r.Form.Get("limit"))
	if err != nil {
		return invalidParam(err, "limit")
	}
	start, err := ParseTime(r.Form.Get("start"))
	if err != nil {
		return invalidParam(err, "start")
	}
	end, err := ParseTime(r.Form.Get("end"))
	if err != nil {
		return invalidParam(err, "end")
	}
	if end.Before(start) {
		return invalidParam(errors.New("end timestamp must not be before start time"), "end")
	}
	step, err := ParseDuration(r.Form.Get("step"))
	if err != nil {
		return invalidParam(err, "step")
	}
	if step <= 0 {
		return invalidParam(errors.New("zero or negative query resolution step widths are not accepted. Try a positive integer"), "step")
	}
	ctx, cancel, res := a.withTimeout(r)
	if res != nil {
		return *res
	}
	defer cancel()
	opts, err := queryOpts(r)
	if err != nil {
		return apiResult{err: &queryError{typ: errBadData, err: err}}
	}
	if res := a.expired(ctx); res != nil {
		return *res
	}
	tier, res := formTier(r)
	if res != nil {
		return *res
	}
	q := r.Form.Get("query")
	qry, pres, tier, err := a.store.rangeQuery(ctx, q, start, end, step, opts, tier)
	if err != nil {
		return queryFailure(err)
	}
	defer qry.Close()
	return queryData(pres, q, limit, tier)
}

func (a *promAPI) series(r *http.Request) apiResult {
	if len(r.Form["match[]"]) == 0 {
		return apiResult{err: &queryError{typ: errBadData, err: errors.New("no match[] parameter provided")}}
	}
	limit, err := parseLimit(r.Form.Get("limit"))
	if err != nil {
		return invalidParam(err, "limit")
	}
	mint, maxt, res := timeRange(r)
	if res != nil {
		return *res
	}
	tier, res := formTier(r)
	if res != nil {
		return *res
	}
	sets, ws, tier, err := a.store.series(r.Context(), r.Form["match[]"], mint, maxt, limit, tier)
	if err != nil {
		return lookupFailure(err, "match[]")
	}
	b := []byte{'['}
	for i, ls := range sets {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendLabels(b, ls)
	}
	b = append(b, ']')
	return withWarnings(apiResult{data: b, tier: tier}, ws, "")
}

func (a *promAPI) labels(r *http.Request) apiResult {
	limit, err := parseLimit(r.Form.Get("limit"))
	if err != nil {
		return invalidParam(err, "limit")
	}
	mint, maxt, res := timeRange(r)
	if res != nil {
		return *res
	}
	tier, res := formTier(r)
	if res != nil {
		return *res
	}
	names, ws, tier, err := a.store.labelNames(r.Context(), r.Form["match[]"], mint, maxt, tier)
	if err != nil {
		return lookupFailure(err, "")
	}
	return stringsResult(names, ws, limit, tier)
}

func (a *promAPI) labelValues(r *http.Request, name string) apiResult {
	limit, err := parseLimit(r.Form.Get("limit"))
	if err != nil {
		return invalidParam(err, "limit")
	}
	mint, maxt, res := timeRange(r)
	if res != nil {
		return *res
	}
	tier, res := formTier(r)
	if res != nil {
		return *res
	}
	values, ws, tier, err := a.store.labelValues(r.Context(), name, r.Form["match[]"], mint, maxt, tier)
	if err != nil {
		return lookupFailure(err, "")
	}
	return stringsResult(values, ws, limit, tier)
}

// queryExemplars answers with no exemplars: hearth records none, and
// Grafana asks for them alongside range queries.
func (a *promAPI) queryExemplars(r *http.Request) apiResult {
	if _, err := a.store.parser.ParseExpr(r.Form.Get("query")); err != nil {
		return apiResult{err: &queryError{typ: errBadData, err: err}}
	}
	return apiResult{data: []byte("[]")}
}

// metadata describes hearth's metric names (type, help, unit), optionally
// only the one named by "metric", at most "limit" names.
func (a *promAPI) metadata(r *http.Request) apiResult {
	limit, err := parseLimit(r.Form.Get("limit"))
	if err != nil {
		return invalidParam(err, "limit")
	}
	only := r.Form.Get("metric")
	defs := allDefs()
	slices.SortFunc(defs, func(x, y metricDef) int { return strings.Compare(x.name, y.name) })
	b := []byte{'{'}
	n := 0
	for _, d := range defs {
		if only != "" && d.name != only {
			continue
		}
		if limit > 0 && n >= limit {
			break
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendString(b, d.name)
		b = append(b, `:[{"type":`...)
		b = appendString(b, d.kind.String())
		b = append(b, `,"help":`...)
		b = appendString(b, d.help)
		b = append(b, `,"unit":`...)
		b = appendString(b, d.unit)
		b = append(b, "}]"...)
	}
	b = append(b, '}')
	return apiResult{data: b}
}

// buildInfo reports the version of the embedded Prometheus, which is what
// decides the PromQL features a client may use.
func (a *promAPI) buildInfo(*http.Request) apiResult {
	b := []byte(`{"version":`)
	b = appendString(b, prometheusVersion())
	b = append(b, `,"revision":"","branch":"","buildUser":"hearth","buildDate":"","goVersion":`...)
	b = appendString(b, runtime.Version())
	b = append(b, '}')
	return apiResult{data: b}
}

// fallbackPrometheusVersion is the Prometheus release hearth pins (library
// tag v0.315.0), for binaries built without module information.
const fallbackPrometheusVersion = "3.15.0"

// prometheusVersion maps the embedded module's library tag to its release:
// v0.3XX.Y is Prometheus 3.XX.Y, and the older v0.XX.Y is 2.XX.Y.
func prometheusVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fallbackPrometheusVersion
	}
	for _, dep := range info.Deps {
		if dep.Path != "github.com/prometheus/prometheus" {
			continue
		}
		parts := strings.SplitN(strings.TrimPrefix(dep.Version, "v"), ".", 3)
		if len(parts) != 3 || parts[0] != "0" {
			break
		}
		minor, err := strconv.Atoi(parts[1])
		if err != nil {
			break
		}
		patch, _, _ := strings.Cut(parts[2], "-")
		if minor >= 300 {
			return fmt.Sprintf("3.%d.%s", minor-300, patch)
		}
		return fmt.Sprintf("2.%d.%s", minor, patch)
	}
	return fallbackPrometheusVersion
}

// withTimeout applies the optional "timeout" parameter to the request's
// context. A bad value is returned as the result to send.
func (a *promAPI) withTimeout(r *http.Request) (context.Context, context.CancelFunc, *apiResult) {
	v := r.Form.Get("timeout")
	if v == "" {
		ctx, cancel := context.WithCancel(r.Context())
		return ctx, cancel, nil
	}
	d, err := ParseDuration(v)
	if err != nil {
		res := invalidParam(err, "timeout")
		return nil, nil, &res
	}
	deadline := a.now().Add(d)
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	return ctx, cancel, nil
}

// expired reports a query whose time ran out before it started, so that a
// timeout shorter than the request's own handling is answered as a timeout
// every time rather than only when the engine happens to notice.
func (a *promAPI) expired(ctx context.Context) *apiResult {
	if d, ok := ctx.Deadline(); ok && !a.now().Before(d) {
		res := apiResult{err: &queryError{typ: errTimeout, err: fmt.Errorf("query timed out before it started: %w", context.DeadlineExceeded)}}
		return &res
	}
	return nil
}

// queryOpts reads the optional "lookback_delta" parameter.
func queryOpts(r *http.Request) (promql.QueryOpts, error) {
	var lookback time.Duration
	if v := r.Form.Get("lookback_delta"); v != "" {
		d, err := ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("error parsing lookback delta duration: %w", err)
		}
		lookback = d
	}
	return promql.NewPrometheusQueryOpts(false, lookback), nil
}

// timeRange reads the optional "start" and "end" of a lookup in
// milliseconds; absent means open.
func timeRange(r *http.Request) (mint, maxt int64, res *apiResult) {
	start, end := MinTime, MaxTime
	var err error
	if v := r.Form.Get("start"); v != "" {
		if start, err = ParseTime(v); err != nil {
			res := invalidParam(fmt.Errorf("invalid time value for 'start': %w", err), "start")
			return 0, 0, &res
		}
	}
	if v := r.Form.Get("end"); v != "" {
		if end, err = ParseTime(v); err != nil {
			res := invalidParam(fmt.Errorf("invalid time value for 'end': %w", err), "end")
			return 0, 0, &res
		}
	}
	return start.UnixMilli(), end.UnixMilli(), nil
}

// parseLimit reads a "limit" parameter; 0 (or absent) means no limit.
func parseLimit(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, errors.New("limit must be non-negative")
	}
	return n, nil
}

func invalidParam(err error, param string) apiResult {
	return apiResult{err: &queryError{typ: errBadData, err: fmt.Errorf("invalid parameter %q: %w", param, err)}}
}

// queryFailure turns a failed query into its result; a query that did not
// parse names the "query" parameter, as Prometheus' message does.
func queryFailure(err error) apiResult {
	var qe *queryError
	if !errors.As(err, &qe) {
		return apiResult{err: &queryError{typ: errInternal, err: err}}
	}
	if qe.typ == errBadData {
		return invalidParam(qe.err, "query")
	}
	return apiResult{err: qe}
}

// lookupFailure turns a failed series or label lookup into its result,
// naming param in bad-data messages when given.
func lookupFailure(err error, param string) apiResult {
	var qe *queryError
	if !errors.As(err, &qe) {
		return apiResult{err: &queryError{typ: errInternal, err: err}}
	}
	if qe.typ == errBadData && param != "" {
		return invalidParam(qe.err, param)
	}
	return apiResult{err: qe}
}

func queryData(res *promql.Result, q string, limit int, tier Tier) apiResult {
	data, truncated := appendQueryData(nil, res.Value, limit)
	ws := res.Warnings
	if truncated {
		ws.Add(errTruncated)
	}
	return withWarnings(apiResult{data: data, tier: tier}, ws, q)
}

func stringsResult(ss []string, ws annotations.Annotations, limit int, tier Tier) apiResult {
	if limit > 0 && len(ss) > limit {
		ss = ss[:limit]
		ws.Add(errTruncated)
	}
	return withWarnings(apiResult{data: appendStrings(nil, ss), tier: tier}, ws, "")
}

// formTier reads the optional "tier" parameter; a bad value is returned as
// the result to send.
func formTier(r *http.Request) (Tier, *apiResult) {
	tier, err := ParseTier(r.Form.Get("tier"))
	if err != nil {
		res := invalidParam(err, "tier")
		return TierAuto, &res
	}
	return tier, nil
}

func withWarnings(res apiResult, ws annotations.Annotations, q string) apiResult {
	if len(ws) > 0 {
		res.warnings, res.infos = warningStrings(ws, q)
	}
	return res
}

// statusOf maps an error type to the HTTP status Prometheus answers with.
func statusOf(t errorType) int {
	switch t {
	case errBadData:
		return http.StatusBadRequest
	case errExecution:
		return http.StatusUnprocessableEntity
	case errCanceled:
		return 499 // client closed request, as Prometheus answers
	case errTimeout, errUnavailable:
		return http.StatusServiceUnavailable
	case errNotFound:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func writeSuccess(w http.ResponseWriter, res apiResult) {
	b := make([]byte, 0, len(res.data)+64)
	b = append(b, `{"status":"success","data":`...)
	b = append(b, res.data...)
	if len(res.warnings) > 0 {
		b = append(b, `,"warnings":`...)
		b = appendStrings(b, res.warnings)
	}
	if len(res.infos) > 0 {
		b = append(b, `,"infos":`...)
		b = appendStrings(b, res.infos)
	}
	b = append(b, '}')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, qe *queryError) {
	b := []byte(`{"status":"error","errorType":`)
	b = appendString(b, string(qe.typ))
	b = append(b, `,"error":`...)
	b = appendString(b, qe.err.Error())
	b = append(b, '}')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
