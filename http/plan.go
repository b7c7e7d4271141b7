package http

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/econdata"
	"github.com/hearth-fleet/hearth/econ/plan"
)

// Bounds on a planner request, so that one request cannot hold the server's
// CPU for long: a Monte Carlo run costs paths × days.
const (
	maxPlanPaths = 20000
	maxPlanYears = 10
)

// The planner endpoints are thin adapters over econ/plan, the same code
// 'hearth plan' runs: they decode a request, resolve it against the shipped
// catalog and data, and answer the JSON the CLI's --json prints or, with
// ?format=svg, the chart its --svg draws. They compute and store nothing,
// so they are reads (see isRead) even when posted.

// handlePlanHashprice answers GET /api/v1/plan/hashprice.
func (s *Server) handlePlanHashprice(w http.ResponseWriter, r *http.Request) {
	n := plan.DefaultNetwork()
	q := r.URL.Query()
	err := firstError(
		queryFloat(q, "difficulty", &n.Difficulty),
		queryFloat(q, "btc_price", &n.BTCPrice),
		queryFloat(q, "fees_btc_per_block", &n.FeesBTCPerBlock),
		queryInt(q, "height", &n.Height),
	)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hp, err := econ.HashpriceOf(n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, hp)
}

// handlePlanHeat answers GET /api/v1/plan/heat. With outdoor_c the COP
// comes from cop_model for source at flow_c instead of from cop.
func (s *Server) handlePlanHeat(w http.ResponseWriter, r *http.Request) {
	in := plan.DefaultHeat()
	q := r.URL.Query()
	outdoor, flow := 0.0, 35.0
	err := firstError(
		queryFloat(q, "electricity_price", &in.ElectricityPrice),
		queryFloat(q, "hashprice_usd_per_ph_day", &in.HashpriceUSDPerPHDay),
		queryFloat(q, "efficiency_j_per_th", &in.EfficiencyJPerTH),
		queryFloat(q, "cop", &in.COP),
		queryFloat(q, "pool_fee", &in.PoolFee),
		queryFloat(q, "outdoor_c", &outdoor),
		queryFloat(q, "flow_c", &flow),
	)
	if err == nil && q.Get("outdoor_c") != "" {
		in.COP, err = plan.HeatPumpCOP(queryString(q, "source", "air"), queryString(q, "cop_model", "carnot"), outdoor, flow)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := econ.CompareHeat(in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// planRun computes a planner result from a decoded request: the JSON to
// answer and the chart to draw with ?format=svg (nil when there is none).
type planRun[Req any] func(req Req) (result any, chart svgWriter, err error)

// svgWriter is a chart that writes itself as SVG (econ/chart's charts).
type svgWriter interface{ WriteSVG(io.Writer) error }

// planHandlers returns the POST handler of a planner endpoint, which takes
// the request as a JSON body, and the GET handler of its /svg variant, which
// takes the same JSON in the query parameter q so that a page can embed the
// chart as an <img>. Omitted fields keep the defaults of newReq.
func planHandlers[Req any](s *Server, newReq func() Req, run planRun[Req]) (post, svg http.HandlerFunc) {
	post = func(w http.ResponseWriter, r *http.Request) {
		req := newReq()
		if err := decodeJSON(w, r, &req); err != nil {
			s.writeDecodeError(w, r, err)
			return
		}
		format := r.URL.Query().Get("format")
		if format != "" && format != "json" && format != "svg" {
			s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "format must be json or svg, got %q", format))
			return
		}
		servePlan(s, w, r, req, run, format == "svg")
	}
	svg = func(w http.ResponseWriter, r *http.Request) {
		req := newReq()
		if q := r.URL.Query().Get("q"); q != "" {
			body := &http.Request{Body: io.NopCloser(strings.NewReader(q))}
			if err := decodeJSON(w, body, &req); err != nil {
				s.writeDecodeError(w, r, err)
				return
			}
		}
		servePlan(s, w, r, req, run, true)
	}
	return post, svg
}

// servePlan runs a request and writes its JSON or its chart. The chart is
// drawn into a buffer first so that a failure gives a clean error. hearth
// draws the SVG itself and escapes every text in it (econ/chart), and the
// response's own policy forbids scripts should a browser open it directly.
func servePlan[Req any](s *Server, w http.ResponseWriter, r *http.Request, req Req, run planRun[Req], asSVG bool) {
	result, chart, err := run(req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !asSVG {
		writeJSON(w, http.StatusOK, result)
		return
	}
	if chart == nil {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "this plan has no chart; ask for JSON"))
		return
	}
	var buf bytes.Buffer
	if err := chart.WriteSVG(&buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(buf.Bytes())
}

// planRoutes lists the planner's operations for apiRoutes.
func (s *Server) planRoutes() []route {
	roi, roiSVG := planHandlers(s, plan.DefaultROIRequest, runPlanROI)
	mc, mcSVG := planHandlers(s, plan.DefaultMonteCarloRequest, runPlanMonteCarlo)
	bt, btSVG := planHandlers(s, plan.DefaultBacktestRequest, runPlanBacktest)
	home, homeSVG := planHandlers(s, plan.DefaultHomeRequest, runPlanHome)
	site, _ := planHandlers(s, plan.DefaultSiteRequest, runPlanSite)
	return []route{
		{http.MethodGet, "/api/v1/plan/hashprice", s.handlePlanHashprice},
		{http.MethodGet, "/api/v1/plan/heat", s.handlePlanHeat},
		{http.MethodPost, "/api/v1/plan/roi", roi},
		{http.MethodGet, "/api/v1/plan/roi/svg", roiSVG},
		{http.MethodPost, "/api/v1/plan/montecarlo", mc},
		{http.MethodGet, "/api/v1/plan/montecarlo/svg", mcSVG},
		{http.MethodPost, "/api/v1/plan/backtest", bt},
		{http.MethodGet, "/api/v1/plan/backtest/svg", btSVG},
		{http.MethodPost, "/api/v1/plan/home", home},
		{http.MethodGet, "/api/v1/plan/home/svg", homeSVG},
		{http.MethodPost, "/api/v1/plan/site", site},
	}
}

// checkYears refuses a horizon beyond the server's bound.
func checkYears(years float64) error {
	if years > maxPlanYears {
		return hearth.Errorf(hearth.EINVALID, "years must be at most %d here, got %g (the CLI has no such bound)", maxPlanYears, years)
	}
	return nil
}

func runPlanROI(req plan.ROIRequest) (any, svgWriter, error) {
	if err := checkYears(req.Years); err != nil {
		return nil, nil, err
	}
	c, err := econdata.Catalog()
	if err != nil {
		return nil, nil, err
	}
	rig, err := req.Rig(c)
	if err != nil {
		return nil, nil, err
	}
	p, err := econ.Project(rig, req.Outlook())
	if err != nil {
		return nil, nil, err
	}
	return plan.NewROIReport(p), plan.PaybackChart(p), nil
}

func runPlanMonteCarlo(req plan.MonteCarloRequest) (any, svgWriter, error) {
	if err := checkYears(req.Years); err != nil {
		return nil, nil, err
	}
	if req.Paths > maxPlanPaths {
		return nil, nil, hearth.Errorf(hearth.EINVALID, "paths must be at most %d here, got %d (the CLI has no such bound)", maxPlanPaths, req.Paths)
	}
	c, err := econdata.Catalog()
	if err != nil {
		return nil, nil, err
	}
	rig, err := req.Rig(c)
	if err != nil {
		return nil, nil, err
	}
	res, err := econ.MonteCarlo(rig, req.Outlook(), req.Uncertainty)
	if err != nil {
		return nil, nil, err
	}
	return res, plan.FanChart(res, rig.CapexUSD, req.Seed), nil
}

func runPlanBacktest(req plan.BacktestRequest) (any, svgWriter, error) {
	c, err := econdata.Catalog()
	if err != nil {
		return nil, nil, err
	}
	h, err := econdata.History()
	if err != nil {
		return nil, nil, err
	}
	in, err := req.Inputs(c, h)
	if err != nil {
		return nil, nil, err
	}
	res, err := econ.Backtest(h, in)
	if err != nil {
		return nil, nil, err
	}
	return res, plan.BacktestChart(res), nil
}

func runPlanHome(req plan.HomeRequest) (any, svgWriter, error) {
	temps, err := econdata.Series("temperature_hourly.csv", "temp_c")
	if err != nil {
		return nil, nil, err
	}
	in, err := req.Inputs(temps, nil)
	if err != nil {
		return nil, nil, err
	}
	res, err := econ.CompareHome(in)
	if err != nil {
		return nil, nil, err
	}
	return plan.HomeReport{Inputs: in, Result: res}, plan.HomeChart(in, res), nil
}

func runPlanSite(req plan.SiteRequest) (any, svgWriter, error) {
	c, err := econdata.Catalog()
	if err != nil {
		return nil, nil, err
	}
	in, err := req.Inputs(c)
	if err != nil {
		return nil, nil, err
	}
	p, err := econ.PlanSite(in)
	if err != nil {
		return nil, nil, err
	}
	return plan.SiteReport{Inputs: in, Plan: p}, nil, nil
}

// queryFloat sets *v from the query parameter name when it is given.
func queryFloat(q url.Values, name string, v *float64) error {
	s := q.Get(name)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return hearth.Errorf(hearth.EINVALID, "Query parameter %s must be a number, got %q.", name, s)
	}
	*v = f
	return nil
}

// queryInt sets *v from the query parameter name when it is given.
func queryInt(q url.Values, name string, v *int64) error {
	s := q.Get(name)
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return hearth.Errorf(hearth.EINVALID, "Query parameter %s must be a whole number, got %q.", name, s)
	}
	*v = n
	return nil
}

// queryPositive sets *v from the query parameter name when it is given,
// which must then be a whole number of at least 1: a count or an ID.
func queryPositive(q url.Values, name string, v *int64) error {
	var n int64
	if err := queryInt(q, name, &n); err != nil {
		return err
	}
	if q.Get(name) != "" && n < 1 {
		return hearth.Errorf(hearth.EINVALID, "Query parameter %s must be a positive whole number, got %q.", name, q.Get(name))
	}
	if n > 0 {
		*v = n
	}
	return nil
}

// queryString returns the query parameter name, or def when it is absent.
func queryString(q url.Values, name, def string) string {
	if s := q.Get(name); s != "" {
		return s
	}
	return def
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
