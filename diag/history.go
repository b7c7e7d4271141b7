package diag

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/metrics"
)

// historyMetrics are the series of readings/history.csv: what a support
// person asks for first (hash rate, power, temperatures, fans, chips,
// latency, whether the miner answered at all).
var historyMetrics = []string{
	metrics.MetricUp,
	metrics.MetricHashRate,
	metrics.MetricPower,
	metrics.MetricLatency,
	metrics.MetricBoardHashRate,
	metrics.MetricBoardChipTemp,
	metrics.MetricBoardTemp,
	metrics.MetricBoardInletTemp,
	metrics.MetricBoardOutletTemp,
	metrics.MetricBoardChipsFailed,
	metrics.MetricFanSpeed,
	metrics.MetricPoolUp,
}

// rejectRateSeries names the derived reject-rate series in the CSV.
const rejectRateSeries = "reject_rate"

// identityLabels are on every series of a miner; the CSV leaves them out
// and keeps the labels that tell its series apart (board, fan, pool).
var identityLabels = []string{"__name__", "job", "miner", "site", "model", "firmware"}

// historyQueries returns the PromQL of readings/history.csv for miner id:
// the raw series, and the share of rejected shares over five minutes.
func historyQueries(id string) (raw, rejectRate string) {
	sel := "miner=" + strconv.Quote(id)
	raw = "{" + sel + `, __name__=~"` + strings.Join(historyMetrics, "|") + `"}`
	inc := func(name string) string {
		return "sum(increase(" + name + "{" + sel + "}[5m]))"
	}
	rejectRate = inc(metrics.MetricRejected) + " / (" + inc(metrics.MetricAccepted) + " + " + inc(metrics.MetricRejected) + ")"
	return raw, rejectRate
}

// historyPart is readings/history.csv: one row per timestamp and series,
// over HistoryWindow at HistoryStep.
func (c *collector) historyPart(ctx context.Context) (any, int, error) {
	if c.b.Metrics == nil {
		return nil, 0, notEnabled("The metrics store")
	}
	raw, rejectRate := historyQueries(c.m.ID)
	// The last point is now, so a miner polled for the first time a few
	// seconds ago has a row.
	start, end := c.at.Add(-HistoryWindow), c.at
	res, err := c.b.Metrics.QueryRange(ctx, raw, start, end, HistoryStep)
	if err != nil {
		return nil, 0, err
	}
	series := res.Matrix
	rej, err := c.b.Metrics.QueryRange(ctx, rejectRate, start, end, HistoryStep)
	if err != nil {
		return nil, 0, err
	}
	for _, s := range rej.Matrix {
		series = append(series, metrics.Series{Metric: map[string]string{"__name__": rejectRateSeries}, Points: s.Points})
	}
	if len(series) == 0 {
		return nil, 0, hearth.Errorf(hearth.ENOTFOUND, "No samples of this miner in the last %s.", HistoryWindow)
	}
	data, rows := historyCSV(series)
	return data, rows, nil
}

// historyCSV writes series as CSV rows (time, metric, labels, value),
// ordered by time, then metric and labels, and returns the row count.
func historyCSV(series []metrics.Series) ([]byte, int) {
	type row struct {
		t      time.Time
		metric string
		labels string
		value  float64
	}
	var rows []row
	for _, s := range series {
		labels := seriesLabels(s.Metric)
		for _, p := range s.Points {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
				continue
			}
			rows = append(rows, row{p.Time, s.Metric["__name__"], labels, p.Value})
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := a.t.Compare(b.t); c != 0 {
			return c
		}
		if c := strings.Compare(a.metric, b.metric); c != 0 {
			return c
		}
		return strings.Compare(a.labels, b.labels)
	})
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"time", "metric", "labels", "value"})
	for _, r := range rows {
		w.Write([]string{r.t.UTC().Format(time.RFC3339), r.metric, r.labels, strconv.FormatFloat(r.value, 'g', -1, 64)})
	}
	w.Flush()
	return buf.Bytes(), len(rows)
}

// seriesLabels renders the labels that tell a miner's series apart, as
// "board=0,fan=1" in name order.
func seriesLabels(m map[string]string) string {
	var parts []string
	for k, v := range m {
		if !slices.Contains(identityLabels, k) {
			parts = append(parts, k+"="+v)
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}
