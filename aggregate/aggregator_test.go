package aggregate_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/aggregate"
	"github.com/hearth-fleet/hearth/power"
	"github.com/hearth-fleet/hearth/sqlite"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func openRequests(t *testing.T) hearth.PowerRequestService {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "hearth.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return sqlite.NewPowerRequestService(db)
}

func report(flexible, fixed, measured float64) *aggregate.Report {
	return &aggregate.Report{Aggregate: "fleet", Sites: []aggregate.SiteReport{{Site: "main", FlexibleWatts: flexible, FixedWatts: fixed,
		MeasuredWatts: measured, PlannedWatts: measured, State: string(power.StateReached)}}}
}

func mustReport(t *testing.T, a *aggregate.Aggregator, child string, r *aggregate.Report) aggregate.Target {
	t.Helper()
	ans, err := a.Report(context.Background(), child, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Targets) != 1 {
		t.Fatalf("answer %+v", ans)
	}
	return ans.Targets[0]
}

// An override on the aggregate site is split across three children by
// their flexibility; when one is lost, the two others are given less,
// room is kept for the lost one's full power, and the aggregate's status
// sums the live children against the target.
func TestAggregatorSplitsAndKeepsTheAggregateWhenAChildIsLost(t *testing.T) {
	clk := &clock{now: t0}
	reqs := openRequests(t)
	a := &aggregate.Aggregator{Sites: []string{"fleet"}, Requests: reqs, Timeout: 10 * time.Second, Now: clk.Now}
	ctx := context.Background()

	// Before any request: every child is told resume.
	if tg := mustReport(t, a, "garage", report(6000, 0, 6000)); tg.Kind != hearth.RequestResume || !tg.Start.Equal(t0) {
		t.Fatalf("target without a request: %+v", tg)
	}
	if err := reqs.SetPowerRequest(ctx, &hearth.PowerRequest{ID: "o1", Source: hearth.SourceOverride, Site: "fleet", Kind: hearth.RequestLimit,
		LimitWatts: 5500, Start: t0, End: t0.Add(time.Hour), Reason: "storm"}); err != nil {
		t.Fatal(err)
	}
	mustReport(t, a, "home", report(1000, 0, 1000))
	barn := mustReport(t, a, "barn", report(3000, 500, 3500))
	garage := mustReport(t, a, "garage", report(6000, 0, 6000))
	home := mustReport(t, a, "home", report(1000, 0, 1000))
	if garage.Kind != hearth.RequestLimit || !near(garage.LimitWatts, 3000) || !near(home.LimitWatts, 500) || !near(barn.LimitWatts, 2000) ||
		!near(garage.ShedFraction, 0.5) || !garage.Until.Equal(t0.Add(time.Hour)) || garage.Reason != "aggregate fleet: override o1 (storm)" {
		t.Fatalf("targets garage %+v, home %+v, barn %+v", garage, home, barn)
	}
	st, ok := a.Status("fleet")
	if !ok || st.TargetWatts == nil || *st.TargetWatts != 5500 || st.MeasuredWatts != 10500 || st.State != power.StateOver || st.Miners != 3 {
		t.Fatalf("status %+v", st)
	}
	// The children follow.
	mustReport(t, a, "garage", report(6000, 0, 3000))
	mustReport(t, a, "home", report(1000, 0, 500))
	mustReport(t, a, "barn", report(3000, 500, 2000))
	if st, _ := a.Status("fleet"); st.MeasuredWatts != 5500 || st.State != power.StateReached {
		t.Fatalf("status after following %+v", st)
	}

	// home falls silent past the timeout: it is lost.
	for range 3 {
		clk.advance(5 * time.Second)
		garage = mustReport(t, a, "garage", report(6000, 0, 3000))
		barn = mustReport(t, a, "barn", report(3000, 500, 2000))
	}
	if !(garage.LimitWatts < 3000) || !(barn.LimitWatts < 2000) || !near(garage.LimitWatts+barn.LimitWatts+1000, 5500) {
		t.Fatalf("with home lost: garage %+v, barn %+v; both should shed more, leaving home's 1000 W", garage, barn)
	}
	st, _ = a.Status("fleet")
	if st.Miners != 2 || st.MeasuredWatts != 5000 || st.FixedWatts != 1500 || !near(st.PlannedWatts, 5500) {
		t.Errorf("status with home lost %+v", st)
	}
	var lost []string
	for _, c := range a.Children() {
		if c.Lost {
			lost = append(lost, c.Child)
		}
	}
	if len(lost) != 1 || lost[0] != "home" {
		t.Errorf("lost children %v, want home", lost)
	}

	// The override ends: resume for all.
	if err := reqs.DeletePowerRequest(ctx, hearth.SourceOverride, "fleet", "o1"); err != nil {
		t.Fatal(err)
	}
	if tg := mustReport(t, a, "garage", report(6000, 0, 3000)); tg.Kind != hearth.RequestResume {
		t.Errorf("after the override: %+v", tg)
	}
	if st, _ := a.Status("fleet"); st.State != power.StateFree || st.TargetWatts != nil {
		t.Errorf("status after the override %+v", st)
	}
}

// A target below the children's fixed load sheds everything and the
// aggregate reports itself short; a shed request sheds the same share of
// every child.
func TestAggregatorShortAndShed(t *testing.T) {
	clk := &clock{now: t0}
	reqs := openRequests(t)
	a := &aggregate.Aggregator{Sites: []string{"fleet"}, Requests: reqs, Now: clk.Now}
	ctx := context.Background()
	if err := reqs.SetPowerRequest(ctx, &hearth.PowerRequest{ID: "evt", Source: hearth.SourceOpenADR, Site: "fleet", Kind: hearth.RequestLimit,
		LimitWatts: 300, Start: t0}); err != nil {
		t.Fatal(err)
	}
	mustReport(t, a, "a", report(2000, 400, 2400))
	tb := mustReport(t, a, "b", report(1000, 100, 1100))
	ta := mustReport(t, a, "a", report(2000, 400, 2400))
	if ta.LimitWatts != 400 || tb.LimitWatts != 100 || ta.ShedFraction != 1 {
		t.Errorf("targets %+v %+v, want the fixed loads", ta, tb)
	}
	if st, _ := a.Status("fleet"); st.State != power.StateShort || !near(st.ShortWatts, 200) {
		t.Errorf("status %+v, want short by 200 W", st)
	}
	if err := reqs.DeletePowerRequest(ctx, hearth.SourceOpenADR, "fleet", "evt"); err != nil {
		t.Fatal(err)
	}
	if err := reqs.SetPowerRequest(ctx, &hearth.PowerRequest{ID: "evt2", Source: hearth.SourceOpenADR, Site: "fleet", Kind: hearth.RequestShed,
		ShedFraction: 0.25, Start: t0}); err != nil {
		t.Fatal(err)
	}
	if ta := mustReport(t, a, "a", report(2000, 400, 2400)); !near(ta.LimitWatts, 400+1500) {
		t.Errorf("shed a quarter: %+v", ta)
	}
}

// Reports are checked: an unknown aggregate, a child field naming another
// child, bad numbers; a site in state unknown is left out of the split.
func TestAggregatorRefusesBadReports(t *testing.T) {
	a := &aggregate.Aggregator{Sites: []string{"fleet"}, Requests: openRequests(t), Now: (&clock{now: t0}).Now}
	ctx := context.Background()
	for _, tc := range []struct {
		child string
		r     *aggregate.Report
		code  string
	}{
		{"garage", &aggregate.Report{Aggregate: "other", Sites: report(1, 0, 1).Sites}, hearth.ENOTFOUND},
		{"garage", &aggregate.Report{Child: "home", Aggregate: "fleet", Sites: report(1, 0, 1).Sites}, hearth.EFORBIDDEN},
		{"garage", report(-1, 0, 1), hearth.EINVALID},
		{"garage", &aggregate.Report{Aggregate: "fleet"}, hearth.EINVALID},
		{"garage", &aggregate.Report{Aggregate: "fleet", Sites: []aggregate.SiteReport{{Site: "a"}, {Site: "a"}}}, hearth.EINVALID},
	} {
		if _, err := a.Report(ctx, tc.child, tc.r); hearth.ErrorCode(err) != tc.code {
			t.Errorf("report %+v: %v, want %s", tc.r, err, tc.code)
		}
	}
	r := report(1000, 0, 1000)
	r.Sites[0].State = aggregate.StateUnknown
	if _, err := a.Report(ctx, "garage", r); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.Status("fleet"); st.Miners != 0 {
		t.Errorf("a site in state unknown counted: %+v", st)
	}
	if _, ok := a.Status("barn"); ok {
		t.Error("barn is no aggregate site")
	}
}

// The status functions serve and the power API use answer the aggregate
// sites from the aggregator and every other site from the controller.
func TestAggregatorStatusOverlay(t *testing.T) {
	a := &aggregate.Aggregator{Sites: []string{"fleet"}, Requests: openRequests(t), Now: (&clock{now: t0}).Now}
	mustReport(t, a, "garage", report(3000, 0, 2900))
	controller := func(site string) (power.SiteStatus, bool) {
		return power.SiteStatus{Site: site, MeasuredWatts: 1, State: power.StateSettling}, site != "nowhere"
	}
	all := func() []power.SiteStatus {
		return []power.SiteStatus{{Site: "barn", MeasuredWatts: 1}, {Site: "fleet", MeasuredWatts: 1}}
	}
	status := a.StatusOf(controller)
	if st, ok := status("fleet"); !ok || st.MeasuredWatts != 2900 || st.State != power.StateFree || st.Miners != 1 {
		t.Errorf("fleet %+v", st)
	}
	if st, ok := status("barn"); !ok || st.MeasuredWatts != 1 {
		t.Errorf("barn %+v", st)
	}
	if _, ok := status("nowhere"); ok {
		t.Error("a site nobody knows reported")
	}
	list := a.StatusesOf(all)()
	if len(list) != 2 || list[0].Site != "barn" || list[1].Site != "fleet" || list[1].MeasuredWatts != 2900 {
		t.Errorf("statuses %+v", list)
	}
}
