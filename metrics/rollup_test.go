package metrics_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/metrics"
)

// day is a UTC day.
const day = 24 * time.Hour

// historyStart is the start of the generated long history: midnight UTC,
// so that daily averages fall on whole days.
var historyStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// historyDays is 18 months.
const historyDays = 548

// clock is a settable time for Options.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// dailyBase is the generated hash rate of miner i on day d: it changes
// every day so that a daily average taken over the wrong day shows.
func dailyBase(i, d int) float64 {
	return 100e12*float64(i+1) + 1e12*float64(d%7)
}

// acceptedStep is how many shares miner i's counter gains per raw sample.
func acceptedStep(i int) float64 { return 3 * float64(i+1) }

// generateHistory returns, for n miners, raw-like samples from start for
// days days, two per rollup window (at one and three minutes into it): a
// hash rate of dailyBase ± 2 TH/s (so that the window's average is the
// base) and an accepted-shares counter growing by acceptedStep per sample.
func generateHistory(n int, start time.Time, days int) []metrics.RawSeries {
	var out []metrics.RawSeries
	windows := days * int(day/metrics.RollupInterval)
	for i := range n {
		miner := fmt.Sprintf("m%d", i+1)
		hash := metrics.RawSeries{Labels: map[string]string{"__name__": metrics.MetricHashRate, metrics.LabelJob: "Bitcoin-miner", metrics.LabelMiner: miner}}
		acc := metrics.RawSeries{Labels: map[string]string{"__name__": metrics.MetricAccepted, metrics.LabelJob: "Bitcoin-miner", metrics.LabelMiner: miner}}
		hash.Points = make([]metrics.Point, 0, 2*windows)
		acc.Points = make([]metrics.Point, 0, 2*windows)
		shares := 0.0
		for w := range windows {
			ws := start.Add(time.Duration(w) * metrics.RollupInterval)
			base := dailyBase(i, int(ws.Sub(start)/day))
			for k, off := range []time.Duration{time.Minute, 3 * time.Minute} {
				shares += acceptedStep(i)
				hash.Points = append(hash.Points, metrics.Point{Time: ws.Add(off), Value: base + float64(2*k-1)*2e12})
				acc.Points = append(acc.Points, metrics.Point{Time: ws.Add(off), Value: shares})
			}
		}
		out = append(out, hash, acc)
	}
	return out
}

// longHistoryStore opens a store whose rollups hold days of generated
// history for n miners from historyStart, and whose raw tier holds the
// last hour as polled, with the clock at the end of the history.
func longHistoryStore(t *testing.T, n, days int) (*metrics.Store, *clock) {
	t.Helper()
	end := historyStart.Add(time.Duration(days) * day)
	clk := &clock{t: end}
	s, _ := openStore(t, metrics.Options{Now: clk.now})
	if err := s.RollUpGenerated(context.Background(), generateHistory(n, historyStart, days)); err != nil {
		t.Fatalf("RollUpGenerated: %v", err)
	}
	for at := end.Add(-time.Hour); at.Before(end); at = at.Add(30 * time.Second) {
		store(t, s, antminer("m1"), reading(at, healthy()))
	}
	return s, clk
}

// The done-when of long-term retention: a query over 18 months of history
// answers from the rollups, with a point for every day, daily averages
// that are the generated days' and rates that are the generated rates.
func TestQueryOver18MonthsAnswersFromRollups(t *testing.T) {
	const miners = 3
	s, clk := longHistoryStore(t, miners, historyDays)
	ctx := context.Background()
	start, end := historyStart.Add(day), clk.t

	res, err := s.QueryRange(ctx, `avg_over_time(mining_hash_rate{miner=~"m[1-3]"}[1d])`, start, end, day)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tier != metrics.TierRollup {
		t.Fatalf("tier %q, want rollup", res.Tier)
	}
	if len(res.Matrix) != miners {
		t.Fatalf("%d series, want %d", len(res.Matrix), miners)
	}
	for _, ser := range res.Matrix {
		var i int
		fmt.Sscanf(ser.Metric[metrics.LabelMiner], "m%d", &i)
		i--
		if len(ser.Points) != historyDays {
			t.Fatalf("%s: %d points, want one a day for %d days", ser.Metric[metrics.LabelMiner], len(ser.Points), historyDays)
		}
		for k, p := range ser.Points {
			// The day ending at p.Time.
			d := int(p.Time.Sub(historyStart)/day) - 1
			if want := dailyBase(i, d); math.Abs(p.Value-want) > 1 {
				t.Fatalf("%s at %s: daily average %g, want %g", ser.Metric[metrics.LabelMiner], p.Time.UTC().Format(time.RFC3339), p.Value, want)
			}
			if want := start.Add(time.Duration(k) * day); !p.Time.Equal(want) {
				t.Fatalf("point %d at %s, want %s", k, p.Time, want)
			}
		}
	}

	res, err = s.QueryRange(ctx, `rate(mining_accepted_shares_total{miner=~"m[1-3]"}[1h])`, start, end, day)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tier != metrics.TierRollup || len(res.Matrix) != miners {
		t.Fatalf("rate: tier %q with %d series, want rollup with %d", res.Tier, len(res.Matrix), miners)
	}
	for _, ser := range res.Matrix {
		var i int
		fmt.Sscanf(ser.Metric[metrics.LabelMiner], "m%d", &i)
		i--
		if len(ser.Points) != historyDays {
			t.Fatalf("rate %s: %d points, want %d", ser.Metric[metrics.LabelMiner], len(ser.Points), historyDays)
		}
		// Two raw samples per window of five minutes.
		want := 2 * acceptedStep(i) / metrics.RollupInterval.Seconds()
		for _, p := range ser.Points {
			if math.Abs(p.Value-want) > 1e-9 {
				t.Fatalf("rate %s at %s: %g/s, want %g/s", ser.Metric[metrics.LabelMiner], p.Time.UTC().Format(time.RFC3339), p.Value, want)
			}
		}
	}

	// The same through the API Grafana uses, which says the tier.
	srv := promServer(t, s)
	status, hdr, body := apiGet(t, srv, "query_range?"+url.Values{
		"query": {`avg_over_time(mining_hash_rate{miner="m2"}[1d])`},
		"start": {fmt.Sprint(start.Unix())}, "end": {fmt.Sprint(end.Unix())}, "step": {"1d"},
	}.Encode())
	if status != http.StatusOK || hdr.Get(metrics.TierHeader) != "rollup" {
		t.Fatalf("query_range: %d, tier %q: %s", status, hdr.Get(metrics.TierHeader), body)
	}
	var out struct {
		Data struct {
			Result []struct {
				Values [][2]any `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Data.Result) != 1 || len(out.Data.Result[0].Values) != historyDays {
		t.Fatalf("query_range: want one series of %d points: %.300s", historyDays, body)
	}
}

// Short and recent ranges answer from raw samples; ranges older than raw
// samples, and long ranges at a coarse step, from the rollups; the tier
// parameter overrides the choice.
func TestQueryTierChoice(t *testing.T) {
	s, clk := longHistoryStore(t, 1, 10)
	now := clk.t
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		start, end time.Time
		step       time.Duration
		want       metrics.Tier
	}{
		{"last half hour", now.Add(-30 * time.Minute), now, 30 * time.Second, metrics.TierRaw},
		{"older than raw", now.Add(-8 * day), now.Add(-7 * day), time.Hour, metrics.TierRollup},
		{"long range at 5m", now.Add(-3 * day), now, 5 * time.Minute, metrics.TierRollup},
		{"long range at 1m", now.Add(-3 * day), now, time.Minute, metrics.TierRollup}, // reaches before raw
	} {
		res, err := s.QueryRange(ctx, `mining_hash_rate{miner="m1"}`, tc.start, tc.end, tc.step)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Tier != tc.want {
			t.Errorf("%s: tier %q, want %q", tc.name, res.Tier, tc.want)
		}
		if len(res.Matrix) != 1 || len(res.Matrix[0].Points) == 0 {
			t.Errorf("%s: no data: %+v", tc.name, res.Matrix)
		}
	}
	res, err := s.Query(ctx, `mining_hash_rate{miner="m1"}`, now)
	if err != nil || res.Tier != metrics.TierRaw {
		t.Fatalf("instant query now: tier %v, err %v; want raw", res, err)
	}
	res, err = s.Query(ctx, `avg_over_time(mining_hash_rate{miner="m1"}[5d])`, now)
	if err != nil || res.Tier != metrics.TierRollup {
		t.Fatalf("instant query over 5 days: %+v, err %v; want rollup", res, err)
	}

	srv := promServer(t, s)
	q := url.Values{"query": {`mining_hash_rate{miner="m1"}`}, "time": {fmt.Sprint(now.Add(-5 * day).Unix())}}
	if _, hdr, body := apiGet(t, srv, "query?"+q.Encode()); hdr.Get(metrics.TierHeader) != "rollup" || !strings.Contains(body, `"m1"`) {
		t.Errorf("query 5 days ago: tier %q: %s", hdr.Get(metrics.TierHeader), body)
	}
	q.Set("tier", "raw")
	if _, hdr, body := apiGet(t, srv, "query?"+q.Encode()); hdr.Get(metrics.TierHeader) != "raw" || strings.Contains(body, `"m1"`) {
		t.Errorf("query 5 days ago with tier=raw: tier %q: %s", hdr.Get(metrics.TierHeader), body)
	}
	q.Set("tier", "cold")
	if status, _, _ := apiGet(t, srv, "query?"+q.Encode()); status != http.StatusBadRequest {
		t.Errorf("tier=cold: status %d, want 400", status)
	}
	// Lookups reaching back past raw samples see both tiers: the
	// generated history's series (no site label) and the one polled in
	// the last hour, which has no rollup yet.
	series := url.Values{"match[]": {"mining_hash_rate"}, "start": {fmt.Sprint(now.Add(-5 * day).Unix())}}
	if _, hdr, body := apiGet(t, srv, "series?"+series.Encode()); hdr.Get(metrics.TierHeader) != "raw+rollup" ||
		strings.Count(body, `"m1"`) != 2 || !strings.Contains(body, `"site":"default"`) {
		t.Errorf("series from 5 days ago: tier %q: %s", hdr.Get(metrics.TierHeader), body)
	}
	series.Set("tier", "rollup")
	if _, hdr, body := apiGet(t, srv, "series?"+series.Encode()); hdr.Get(metrics.TierHeader) != "rollup" || strings.Count(body, `"m1"`) != 1 {
		t.Errorf("series from 5 days ago in rollups: tier %q: %s", hdr.Get(metrics.TierHeader), body)
	}
	if _, hdr, body := apiGet(t, srv, "labels"); hdr.Get(metrics.TierHeader) != "raw+rollup" || !strings.Contains(body, `"model"`) {
		t.Errorf("labels over all time: tier %q, want raw+rollup: %s", hdr.Get(metrics.TierHeader), body)
	}
	if _, hdr, _ := apiGet(t, srv, "label/miner/values?start="+fmt.Sprint(now.Add(-time.Minute).Unix())); hdr.Get(metrics.TierHeader) != "raw" {
		t.Errorf("label values of the last minute: tier %q, want raw", hdr.Get(metrics.TierHeader))
	}
}

// A store with no rollups answers from raw, whatever the range.
func TestQueryTierWithoutRollups(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	store(t, s, antminer("m1"), reading(t0, healthy()))
	res, err := s.QueryRange(context.Background(), "mining_hash_rate", t0.Add(-60*day), t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tier != metrics.TierRaw || len(res.Matrix) != 1 {
		t.Fatalf("tier %q, %d series; want raw with the one", res.Tier, len(res.Matrix))
	}
}

// rollupSamples returns the rollup samples of one series in (from, to] as
// the API returns a range selector: exact timestamps and values.
func rollupSamples(t *testing.T, s *metrics.Store, selector string, to time.Time, span time.Duration) []metrics.Point {
	t.Helper()
	srv := promServer(t, s)
	q := url.Values{"query": {fmt.Sprintf("%s[%ds]", selector, int(span.Seconds()))}, "time": {fmt.Sprint(to.Unix())}, "tier": {"rollup"}}
	status, _, body := apiGet(t, srv, "query?"+q.Encode())
	if status != http.StatusOK {
		t.Fatalf("%s: %d %s", q.Get("query"), status, body)
	}
	var out struct {
		Data struct {
			Result []struct {
				Values [][2]any `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Data.Result) > 1 {
		t.Fatalf("%s: %d series, want one", q.Get("query"), len(out.Data.Result))
	}
	var pts []metrics.Point
	for _, r := range out.Data.Result {
		for _, v := range r.Values {
			var f float64
			fmt.Sscan(v[1].(string), &f)
			sec := v[0].(float64)
			pts = append(pts, metrics.Point{Time: time.UnixMilli(int64(math.Round(sec * 1000))).UTC(), Value: f})
		}
	}
	return pts
}

// pollEvery30s stores readings of m1 every 30 s in [from, to): the hash
// rate is 100 TH/s plus 1 TH/s per sample since windowStart, the accepted
// shares 10 per sample.
func pollEvery30s(t *testing.T, s *metrics.Store, windowStart, from, to time.Time) {
	t.Helper()
	for at := from; at.Before(to); at = at.Add(30 * time.Second) {
		k := int(at.Sub(windowStart) / (30 * time.Second))
		h := healthy()
		h.hashRate = 100e12 + float64(k)*1e12
		h.accepted = uint64(10 * k)
		store(t, s, antminer("m1"), reading(at, h))
	}
}

// wantWindow returns the rollup pollEvery30s gives the window ending at
// end: the average hash rate and the last accepted count of its ten
// samples.
func wantWindow(windowStart, end time.Time) (avg, last float64) {
	k0 := int(end.Add(-metrics.RollupInterval).Sub(windowStart) / (30 * time.Second))
	return 100e12 + (float64(k0)+4.5)*1e12, float64(10 * (k0 + 9))
}

// The downsampler averages gauges, keeps the last value of counters, stamps
// each window at its aligned end, catches up on windows it missed, and a
// restart neither duplicates nor loses a window.
func TestRollUpWindows(t *testing.T) {
	base := t0.Truncate(time.Hour) // aligned to five minutes
	clk := &clock{t: base}
	dir := t.TempDir()
	s, err := metrics.Open(dir, metrics.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	ctx := context.Background()
	// Polls start off the window grid, 10 s after base.
	pollEvery30s(t, s, base, base, base.Add(20*time.Minute))

	// 20 minutes in, the fourth window has not settled yet.
	clk.t = base.Add(20 * time.Minute)
	if err := s.RollUp(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(wantEnds int) {
		t.Helper()
		hash := rollupSamples(t, s, `mining_hash_rate{miner="m1"}`, base.Add(time.Duration(wantEnds+1)*metrics.RollupInterval), 2*time.Hour)
		acc := rollupSamples(t, s, `mining_accepted_shares_total{miner="m1"}`, base.Add(time.Duration(wantEnds+1)*metrics.RollupInterval), 2*time.Hour)
		if len(hash) != wantEnds || len(acc) != wantEnds {
			t.Fatalf("%d and %d rollup samples, want %d windows: %v", len(hash), len(acc), wantEnds, hash)
		}
		for i := range wantEnds {
			end := base.Add(time.Duration(i+1) * metrics.RollupInterval)
			avg, last := wantWindow(base, end)
			if !hash[i].Time.Equal(end) || !acc[i].Time.Equal(end) {
				t.Fatalf("window %d stamped %s and %s, want its end %s", i, hash[i].Time, acc[i].Time, end)
			}
			if hash[i].Value != avg {
				t.Errorf("window ending %s: hash rate %g, want the average %g", end.Format(time.TimeOnly), hash[i].Value, avg)
			}
			if acc[i].Value != last {
				t.Errorf("window ending %s: accepted %g, want the last value %g", end.Format(time.TimeOnly), acc[i].Value, last)
			}
		}
	}
	check(3)

	// Polling goes on while the downsampler does not run (hearth's
	// downsampler was stopped); the next run catches up.
	pollEvery30s(t, s, base, base.Add(20*time.Minute), base.Add(45*time.Minute))
	clk.t = base.Add(45*time.Minute + metrics.RollupSettle)
	if err := s.RollUp(ctx); err != nil {
		t.Fatal(err)
	}
	check(9)

	// A restart redoes the last window without duplicating it and goes on.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = metrics.Open(dir, metrics.Options{Now: clk.now}); err != nil {
		t.Fatal(err)
	}
	if err := s.RollUp(ctx); err != nil {
		t.Fatal(err)
	}
	check(9)
	pollEvery30s(t, s, base, base.Add(45*time.Minute), base.Add(60*time.Minute))
	clk.t = base.Add(60*time.Minute + metrics.RollupSettle)
	if err := s.RollUp(ctx); err != nil {
		t.Fatal(err)
	}
	check(12)
}

// A window the rollups hold only in part (a crash between two batches, or
// raw samples that arrived late) is completed when it is redone.
func TestRollUpRedoesLastWindow(t *testing.T) {
	base := t0.Truncate(time.Hour)
	clk := &clock{t: base.Add(10*time.Minute + metrics.RollupSettle)}
	s, _ := openStore(t, metrics.Options{Now: clk.now})
	ctx := context.Background()
	pollEvery30s(t, s, base, base, base.Add(10*time.Minute))
	if err := s.RollUp(ctx); err != nil {
		t.Fatal(err)
	}
	// A second miner's polls of the last window land after it was rolled
	// up.
	for at := base.Add(5 * time.Minute); at.Before(base.Add(10 * time.Minute)); at = at.Add(30 * time.Second) {
		store(t, s, antminer("late"), reading(at, healthy()))
	}
	if err := s.RollUp(ctx); err != nil {
		t.Fatal(err)
	}
	late := rollupSamples(t, s, `mining_hash_rate{miner="late"}`, base.Add(10*time.Minute), time.Hour)
	if len(late) != 1 || !late[0].Time.Equal(base.Add(10*time.Minute)) || late[0].Value != 100e12 {
		t.Fatalf("late miner's rollups %v, want the window ending %s at 100e12", late, base.Add(10*time.Minute))
	}
	if got := rollupSamples(t, s, `mining_hash_rate{miner="m1"}`, base.Add(10*time.Minute), time.Hour); len(got) != 2 {
		t.Fatalf("m1: %d rollups, want 2: %v", len(got), got)
	}
}

// A series that ended (its miner removed) ends in the rollups too, just
// after its last window, instead of showing its last rollup for
// RollupLookbackDelta more; a miner still polled shows on.
func TestRollUpEndsSeriesThatEnded(t *testing.T) {
	base := t0.Truncate(time.Hour)
	clk := &clock{t: base.Add(10*time.Minute + metrics.RollupSettle)}
	s, _ := openStore(t, metrics.Options{Now: clk.now})
	ctx := context.Background()
	for at := base; at.Before(base.Add(10 * time.Minute)); at = at.Add(30 * time.Second) {
		store(t, s, antminer("stays"), reading(at, healthy()))
		if at.Before(base.Add(7 * time.Minute)) {
			store(t, s, antminer("gone"), reading(at, healthy()))
		}
	}
	if err := s.ForgetMiner(ctx, "gone", base.Add(7*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.RollUp(ctx); err != nil {
		t.Fatal(err)
	}
	srv := promServer(t, s)
	shown := func(miner string, at time.Time) bool {
		t.Helper()
		q := url.Values{"query": {`mining_hash_rate{miner="` + miner + `"}`}, "time": {fmt.Sprint(at.Unix())}, "tier": {"rollup"}}
		status, _, body := apiGet(t, srv, "query?"+q.Encode())
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", q.Get("query"), status, body)
		}
		return strings.Contains(body, `"miner":"`+miner+`"`)
	}
	if !shown("gone", base.Add(10*time.Minute)) || !shown("stays", base.Add(10*time.Minute)) {
		t.Fatal("the last window's rollups are not shown at its end")
	}
	if shown("gone", base.Add(12*time.Minute)) {
		t.Error("the removed miner's hash rate still shows two minutes after its last window")
	}
	if !shown("stays", base.Add(12*time.Minute)) {
		t.Error("the polled miner's hash rate no longer shows two minutes after the last window")
	}
}

// Run catches up at once and stops with its context.
func TestRunCatchesUpAndStops(t *testing.T) {
	base := t0.Truncate(time.Hour)
	clk := &clock{t: base.Add(30 * time.Minute)}
	s, _ := openStore(t, metrics.Options{Now: clk.now})
	pollEvery30s(t, s, base, base, base.Add(15*time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for s.DiskUsage().Rollup.Oldest.IsZero() {
		if time.Now().After(deadline) {
			t.Fatal("Run wrote no rollups in 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if got := s.DiskUsage().Rollup.Oldest; !got.Equal(base.Add(5 * time.Minute)) {
		t.Errorf("oldest rollup %s, want the first window's end %s", got, base.Add(5*time.Minute))
	}
}

// Disk use is reported for both tiers, and exported on /metrics.
func TestDiskUsage(t *testing.T) {
	s, _ := longHistoryStore(t, 1, 3)
	u := s.DiskUsage()
	if u.Raw.Bytes <= 0 || u.Rollup.Bytes <= 0 {
		t.Fatalf("disk use %+v, want both tiers above zero", u)
	}
	if !u.Rollup.Oldest.Equal(historyStart.Add(metrics.RollupInterval)) {
		t.Errorf("oldest rollup %s, want %s", u.Rollup.Oldest, historyStart.Add(metrics.RollupInterval))
	}
	if u.Raw.Oldest.IsZero() || !u.Raw.Oldest.After(u.Rollup.Oldest) {
		t.Errorf("oldest raw %s, want after the oldest rollup", u.Raw.Oldest)
	}
	if u.Raw.Retention != metrics.DefaultRetention || u.Rollup.Retention != metrics.DefaultRollupRetention {
		t.Errorf("retentions %s and %s, want the defaults", u.Raw.Retention, u.Rollup.Retention)
	}
	srv := httptest.NewServer(s.ExpositionHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`hearth_tsdb_disk_bytes{tier="raw"}`, `hearth_tsdb_disk_bytes{tier="rollup"}`, `hearth_tsdb_oldest_sample_timestamp_seconds{tier="rollup"}`, `prometheus_tsdb_head_series{tier="rollup"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestParseTier(t *testing.T) {
	for in, want := range map[string]metrics.Tier{"": metrics.TierAuto, "auto": metrics.TierAuto, "raw": metrics.TierRaw, "rollup": metrics.TierRollup} {
		if got, err := metrics.ParseTier(in); err != nil || got != want {
			t.Errorf("ParseTier(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := metrics.ParseTier("cold"); err == nil {
		t.Error("ParseTier(cold) succeeded")
	}
}

// promServer serves s's Prometheus API.
func promServer(t *testing.T, s *metrics.Store) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/prometheus/api/v1/", s.PrometheusAPI())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// apiGet requests path relative to the API root.
func apiGet(t *testing.T, srv *httptest.Server, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/prometheus/api/v1/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

// BenchmarkRollUpWindow measures one 5-minute window over a fleet's worth
// of series (ten raw samples each).
func BenchmarkRollUpWindow(b *testing.B) {
	const series = 10_000
	s, _ := openStore(b, metrics.Options{})
	ctx := context.Background()
	start := t0.Truncate(time.Hour)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		ws := start.Add(time.Duration(i) * metrics.RollupInterval)
		gen := make([]metrics.RawSeries, series)
		for j := range gen {
			gen[j].Labels = map[string]string{"__name__": metrics.MetricHashRate, metrics.LabelMiner: fmt.Sprint("m", j/40), "board": fmt.Sprint(j % 40)}
			for k := range 10 {
				gen[j].Points = append(gen[j].Points, metrics.Point{Time: ws.Add(time.Duration(k) * 30 * time.Second), Value: float64(k)})
			}
		}
		b.StartTimer()
		if err := s.RollUpGenerated(ctx, gen); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(series, "series/op")
}
