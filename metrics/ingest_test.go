package metrics_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/metrics"
)

func healthy() health {
	return health{hashRate: 100e12, power: 3500, latency: 20 * time.Millisecond, accepted: 1000, rejected: 10}
}

// Every series of a reading exists, with the same identity labels, and the
// component series carry their index.
func TestStoreReadingWritesEverySeries(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	m := antminer("m1")
	m.Site = "barn"
	r := reading(t0, healthy())
	r.Boards[2].OutletTemp = 0 // this board's outlet sensor is not reported
	store(t, s, m, r)

	if got := value(t, s, `count({miner="m1"})`, t0); got != seriesPerReading-1 {
		t.Errorf("series for m1 = %g, want %d", got, seriesPerReading-1)
	}
	// The same five identity labels on every series.
	res := query(t, s, `{miner="m1"}`, t0)
	for _, smp := range res.Vector {
		for label, want := range map[string]string{
			metrics.LabelJob: hearth.DefaultJob, metrics.LabelMiner: "m1", metrics.LabelSite: "barn",
			metrics.LabelModel: "Antminer S21", metrics.LabelFirmware: "bmminer 49.0.1.3",
		} {
			if got := smp.Metric[label]; got != want {
				t.Errorf("%s: label %s = %q, want %q", smp.Metric["__name__"], label, got, want)
			}
		}
	}

	checks := []struct {
		q    string
		want float64
	}{
		{`mining_board_chip_temperature_celsius{miner="m1",board="1"}`, 71},
		{`mining_board_inlet_temperature_celsius{miner="m1",board="0"}`, 50},
		{`mining_board_outlet_temperature_celsius{miner="m1",board="1"}`, 66},
		{`count(mining_board_outlet_temperature_celsius{miner="m1"})`, 2},
		{`mining_board_hash_rate{miner="m1",board="0"}`, 100e12 / 3},
		{`mining_board_chips{miner="m1",board="0"}`, 108},
		{`mining_board_chips_failed{miner="m1",board="2"}`, 2},
		{`mining_board_frequency_hertz{miner="m1",board="0"}`, 490e6},
		{`mining_fan_speed_rpm{miner="m1",fan="fan4"}`, 4300},
		{`count(mining_fan_speed_rpm{miner="m1"})`, 4},
		{`mining_pool_up{miner="m1",pool="0"}`, 1},
		{`mining_pool_up{miner="m1",pool="2"}`, 0},
		{`mining_pool_active_index{miner="m1"}`, 0},
		{`max(mining_board_chip_temperature_celsius{miner="m1"})`, 72},
		// Boards with inlet and outlet sensors do not store a third,
		// derived board temperature.
		{`count(mining_board_temperature_celsius{miner="m1"}) or vector(0)`, 0},
		{`mining_hash_rate_ideal{miner="m1"}`, 200e12},
		{`mining_uptime_seconds{miner="m1"}`, 3600},
		{`mining_hardware_errors_total{miner="m1"}`, 7},
		{`mining_up{miner="m1"}`, 1},
		{`mining_paused{miner="m1"}`, 0},
	}
	for _, c := range checks {
		if got := value(t, s, c.q, t0); got != c.want {
			t.Errorf("%s = %g, want %g", c.q, got, c.want)
		}
	}
}

// The pool URL is not a label: a miner switching pools must not start new
// series.
func TestPoolURLIsNotALabel(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	store(t, s, antminer("m1"), reading(t0, healthy()))
	names, err := s.LabelNames(context.Background(), []string{`mining_pool_up`}, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"__name__", "firmware", "job", "miner", "model", "pool", "site"}
	if !equalStrings(names, want) {
		t.Errorf("labels of mining_pool_up = %v, want %v", names, want)
	}
}

// mining_pool_up says 1 for a live pool and 0 for a dead or rejecting one;
// a disabled pool and one whose state the firmware does not report (an
// AxeOS fallback) have no series, so PoolDown does not fire for them. A
// pool whose state becomes unknown ends its series.
func TestPoolUpOnlyForKnownStates(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	r := reading(t0, healthy())
	r.Pools = []hearth.Pool{
		{Index: 0, Status: "alive", Active: true},
		{Index: 1, Status: "dead"},
		{Index: 2, Status: "rejecting"},
		{Index: 3, Status: "disabled"},
		{Index: 4, Status: "unknown"},
	}
	store(t, s, antminer("m1"), r)
	got := map[string]float64{}
	for _, smp := range query(t, s, `mining_pool_up`, t0).Vector {
		got[smp.Metric["pool"]] = smp.Value
	}
	want := map[string]float64{"0": 1, "1": 0, "2": 0}
	if len(got) != len(want) || got["0"] != 1 || got["1"] != 0 || got["2"] != 0 {
		t.Errorf("mining_pool_up by pool = %v, want %v", got, want)
	}

	t1 := t0.Add(30 * time.Second)
	r = reading(t1, healthy())
	r.Pools = []hearth.Pool{{Index: 0, Status: "alive", Active: true}, {Index: 1, Status: "unknown"}}
	store(t, s, antminer("m1"), r)
	if res := query(t, s, `mining_pool_up{pool="1"}`, t1); len(res.Vector) != 0 {
		t.Errorf("pool 1 still reported after its state became unknown: %+v", res.Vector)
	}
}

// An empty site is the default site; a different job is configurable.
func TestSiteDefaultAndJob(t *testing.T) {
	s, _ := openStore(t, metrics.Options{Job: "test-job"})
	store(t, s, antminer("m1"), reading(t0, healthy()))
	res := query(t, s, `mining_up`, t0)
	if len(res.Vector) != 1 {
		t.Fatalf("mining_up: %d samples", len(res.Vector))
	}
	if got := res.Vector[0].Metric["site"]; got != metrics.DefaultSite {
		t.Errorf("site = %q, want %q", got, metrics.DefaultSite)
	}
	if got := res.Vector[0].Metric["job"]; got != "test-job" {
		t.Errorf("job = %q, want test-job", got)
	}
}

// A failed poll records mining_up 0 and ends every other series, so that the
// miner's last values do not show as current.
func TestStoreDown(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	m := antminer("m1")
	store(t, s, m, reading(t0, healthy()))
	down := t0.Add(30 * time.Second)
	if err := s.StoreDown(context.Background(), m, down); err != nil {
		t.Fatalf("StoreDown: %v", err)
	}
	if got := value(t, s, `mining_up{miner="m1"}`, down); got != 0 {
		t.Errorf("mining_up after a failed poll = %g, want 0", got)
	}
	if got := query(t, s, `{miner="m1", __name__!="mining_up"}`, down); len(got.Vector) != 0 {
		t.Errorf("%d series still current after a failed poll, want none", len(got.Vector))
	}
	// Before the failure the values were there.
	if got := value(t, s, `mining_hash_rate{miner="m1"}`, down.Add(-time.Millisecond)); got != 100e12 {
		t.Errorf("mining_hash_rate before the failure = %g", got)
	}
	// And they come back with the next reading.
	back := down.Add(30 * time.Second)
	store(t, s, m, reading(back, healthy()))
	if got := value(t, s, `count({miner="m1"})`, back); got != seriesPerReading {
		t.Errorf("series after recovery = %g, want %d", got, seriesPerReading)
	}
	// A miner never seen before can be down too.
	if err := s.StoreDown(context.Background(), antminer("never"), back); err != nil {
		t.Fatalf("StoreDown of a new miner: %v", err)
	}
	if got := value(t, s, `mining_up{miner="never"}`, back); got != 0 {
		t.Errorf("mining_up of a miner never reached = %g, want 0", got)
	}
}

// A series a reading no longer carries ends at that reading instead of
// lingering for the lookback window.
func TestVanishedSeriesGoStale(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	m := antminer("m1")
	store(t, s, m, reading(t0, healthy()))
	r := reading(t0.Add(30*time.Second), healthy())
	r.Boards = r.Boards[:2] // board 2 died and is no longer listed
	r.Fans = nil
	store(t, s, m, r)
	at := t0.Add(30 * time.Second)
	if got := value(t, s, `count(mining_board_hash_rate{miner="m1"})`, at); got != 2 {
		t.Errorf("boards after one vanished = %g, want 2", got)
	}
	if got := query(t, s, `mining_fan_speed_rpm{miner="m1"}`, at); len(got.Vector) != 0 {
		t.Errorf("fans after they vanished: %d series, want 0", len(got.Vector))
	}
	// The board comes back.
	store(t, s, m, reading(t0.Add(60*time.Second), healthy()))
	if got := value(t, s, `count(mining_board_hash_rate{miner="m1"})`, t0.Add(60*time.Second)); got != 3 {
		t.Errorf("boards after it came back = %g, want 3", got)
	}
}

// A firmware upgrade changes the identity labels: the old series end and
// new ones start, so that the miner is never counted twice.
func TestIdentityChangeStartsNewSeries(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	m := antminer("m1")
	store(t, s, m, reading(t0, healthy()))
	m.Firmware = "bmminer 50.0.0.1"
	at := t0.Add(30 * time.Second)
	store(t, s, m, reading(at, healthy()))
	res := query(t, s, `mining_hash_rate{miner="m1"}`, at)
	if len(res.Vector) != 1 || res.Vector[0].Metric["firmware"] != "bmminer 50.0.0.1" {
		t.Fatalf("after the upgrade: %+v, want one series with the new firmware", res.Vector)
	}
	if got := value(t, s, `count({miner="m1"})`, at); got != seriesPerReading {
		t.Errorf("series after the upgrade = %g, want %d", got, seriesPerReading)
	}
	// History keeps both.
	series, err := s.Series(context.Background(), []string{`mining_hash_rate{miner="m1"}`}, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 2 {
		t.Errorf("mining_hash_rate series in history = %d, want 2", len(series))
	}
}

func TestOutOfOrderReadingConflicts(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	m := antminer("m1")
	store(t, s, m, reading(t0.Add(time.Minute), healthy()))
	for _, at := range []time.Time{t0, t0.Add(time.Minute)} {
		err := s.StoreReading(context.Background(), m, reading(at, healthy()))
		if code := hearth.ErrorCode(err); code != hearth.ECONFLICT {
			t.Errorf("reading at %s after one at %s: error %v (code %q), want ECONFLICT", at.Format(time.TimeOnly), t0.Add(time.Minute).Format(time.TimeOnly), err, code)
		}
	}
	err := s.StoreReading(context.Background(), &hearth.Miner{}, reading(t0, healthy()))
	if code := hearth.ErrorCode(err); code != hearth.EINVALID {
		t.Errorf("reading without a miner ID: code %q, want EINVALID", code)
	}
}

// Readings missing optional values leave those series out rather than
// writing zeros that read as real measurements.
func TestUnreportedValuesAreAbsent(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	r := &hearth.Reading{Time: t0, HashRate: 1.2e12, Accepted: 5}
	r.Boards = []hearth.Board{{Index: 0, HashRate: 1.2e12, Chips: 1}}
	store(t, s, &hearth.Miner{ID: "bitaxe", Family: hearth.FamilyAxeOS, Model: "Bitaxe Gamma"}, r)
	for _, name := range []string{
		metrics.MetricPower, metrics.MetricPowerEstimated, metrics.MetricHashRateIdeal,
		metrics.MetricLatency, metrics.MetricBoardChipTemp, metrics.MetricPoolActiveIndex,
		metrics.MetricBoardInletTemp, metrics.MetricBoardFrequency,
	} {
		if got := query(t, s, name, t0); len(got.Vector) != 0 {
			t.Errorf("%s written although not reported: %+v", name, got.Vector)
		}
	}
	// A miner with no firmware string has no firmware label, on every series.
	res := query(t, s, `mining_hash_rate`, t0)
	if _, ok := res.Vector[0].Metric["firmware"]; ok {
		t.Errorf("empty firmware written as a label: %v", res.Vector[0].Metric)
	}
}

// Many poll workers write at once; every sample must arrive.
func TestStoreReadingConcurrent(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	const workers, miners, rounds = 8, 40, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*miners*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range miners {
				m := antminer(fmt.Sprintf("w%d-m%02d", w, i))
				for round := range rounds {
					if err := s.StoreReading(context.Background(), m, reading(t0.Add(time.Duration(round)*30*time.Second), healthy())); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	at := t0.Add(4 * 30 * time.Second)
	if got := value(t, s, `count(mining_up)`, at); got != workers*miners {
		t.Errorf("miners = %g, want %d", got, workers*miners)
	}
	if got := value(t, s, `sum(count_over_time(mining_hash_rate[5m]))`, at); got != workers*miners*rounds {
		t.Errorf("hash rate samples = %g, want %d", got, workers*miners*rounds)
	}
	st := s.HeadStats()
	if st.Series != workers*miners*seriesPerReading || st.Miners != workers*miners {
		t.Errorf("HeadStats = %+v, want %d series of %d miners", st, workers*miners*seriesPerReading, workers*miners)
	}
}

// A miner leaving the inventory disappears from current values but keeps
// its history.
func TestForgetMiner(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	store(t, s, antminer("gone"), reading(t0, healthy()))
	at := t0.Add(10 * time.Second)
	if err := s.ForgetMiner(context.Background(), "gone", at); err != nil {
		t.Fatal(err)
	}
	if got := query(t, s, `{miner="gone"}`, at); len(got.Vector) != 0 {
		t.Errorf("%d series current after ForgetMiner", len(got.Vector))
	}
	if got := value(t, s, `mining_hash_rate{miner="gone"}`, t0); got != 100e12 {
		t.Errorf("history lost: %g", got)
	}
	if st := s.HeadStats(); st.Miners != 0 {
		t.Errorf("miners in cache after ForgetMiner = %d", st.Miners)
	}
}

// A board with one temperature sensor (a Bitaxe's voltage regulator) keeps
// it as the board temperature; only boards with inlet and outlet sensors
// leave the derived value out.
func TestBoardTemperatureWithoutInletOutlet(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	r := &hearth.Reading{Time: t0, HashRate: 1.2e12, Power: 17}
	r.Boards = []hearth.Board{{Index: 0, HashRate: 1.2e12, Chips: 1, ChipTemp: 60, BoardTemp: 48, VRTemp: 71}}
	store(t, s, &hearth.Miner{ID: "bitaxe", Family: hearth.FamilyAxeOS, Model: "Bitaxe Gamma"}, r)
	if got := value(t, s, `mining_board_temperature_celsius{miner="bitaxe",board="0"}`, t0); got != 48 {
		t.Errorf("board temperature %v, want 48", got)
	}
	if got := value(t, s, `mining_board_vr_temperature_celsius{miner="bitaxe",board="0"}`, t0); got != 71 {
		t.Errorf("regulator temperature %v, want 71", got)
	}
}

// The fan label is the fan's name by position: the name the poller gave
// it, or, for a reading that carries none, the one the miner's model gives
// its index; never the firmware's 0-based index.
func TestFanLabelIsThePositionName(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	m := antminer("wm")
	m.Model = "Whatsminer M50SVH20"
	r := reading(t0, healthy())
	r.Fans = []hearth.Fan{{Index: 0, RPM: 5400}, {Index: 1, RPM: 0, Name: "exhaust"}}
	store(t, s, m, r)
	if got := value(t, s, `mining_fan_speed_rpm{miner="wm",fan="intake"}`, t0); got != 5400 {
		t.Errorf("intake fan = %g RPM, want 5400", got)
	}
	if got := value(t, s, `count(mining_fan_speed_rpm{miner="wm",fan="exhaust"} == 0)`, t0); got != 1 {
		t.Errorf("stopped exhaust fan series: %g, want 1", got)
	}
	if got := query(t, s, `mining_fan_speed_rpm{miner="wm",fan=~"[0-9]+"}`, t0); len(got.Vector) != 0 {
		t.Errorf("fans labelled by bare index: %v", got.Vector)
	}
}
