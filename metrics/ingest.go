package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
)

var _ hearth.ReadingSink = (*Store)(nil)

// staleNaN is the value Prometheus uses as a staleness marker: a series whose
// last sample is one ends there instead of lingering for LookbackDelta.
var staleNaN = math.Float64frombits(value.StaleNaN)

// StoreReading records one poll's reading of m. It implements
// hearth.ReadingSink and is safe for concurrent use; writes for one miner
// are serialised, different miners proceed in parallel.
//
// The sample time is r.Time (now when zero). A reading not newer than the
// miner's last write is refused with ECONFLICT, since the TSDB cannot insert
// into the past. Values the firmware did not report (zero power that was not
// estimated, zero ideal hash rate, zero latency or temperatures) are left
// out rather than written as 0, and a series the previous reading had but
// this one lacks (a board gone, a temperature no longer reported) is ended
// with a staleness marker, as Prometheus does for a scrape.
func (s *Store) StoreReading(ctx context.Context, m *hearth.Miner, r *hearth.Reading) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store reading: %w", err)
	}
	if m == nil || r == nil || m.ID == "" {
		return hearth.Errorf(hearth.EINVALID, "Reading needs a miner with an ID.")
	}
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	e := s.fleet.get(m.ID)
	e.mu.Lock()
	defer e.mu.Unlock()

	w, err := s.begin(ctx, e, m, t)
	if err != nil {
		return err
	}
	w.reading(r)
	return w.commit()
}

// StoreDown records a failed poll of m at t: mining_up 0, and a staleness
// marker for every other series of the miner, so that its last values stop
// showing as current (the poller's MinerStatus keeps them for reference).
func (s *Store) StoreDown(ctx context.Context, m *hearth.Miner, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store down: %w", err)
	}
	if m == nil || m.ID == "" {
		return hearth.Errorf(hearth.EINVALID, "Miner ID required.")
	}
	if t.IsZero() {
		t = time.Now()
	}
	e := s.fleet.get(m.ID)
	e.mu.Lock()
	defer e.mu.Unlock()

	w, err := s.begin(ctx, e, m, t)
	if err != nil {
		return err
	}
	w.put(&e.slots[miUp], miUp, "", "", 0)
	return w.commit()
}

// ForgetMiner ends every series of the miner with a staleness marker at t
// (or just after its last sample) and drops it from the cache and from
// /metrics. Its history stays queryable until retention removes it. Call it
// when a miner leaves the inventory.
func (s *Store) ForgetMiner(ctx context.Context, id string, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("forget miner %s: %w", id, err)
	}
	e := s.fleet.remove(id)
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gen == 0 {
		return nil
	}
	ts := max(t.UnixMilli(), e.lastT+1)
	app := s.db.AppenderV2(ctx)
	var failed error
	e.eachSlot(func(sl *slot) {
		if !e.live(sl) {
			return
		}
		if _, err := app.Append(sl.ref, sl.lset, 0, ts, staleNaN, nil, nil, storage.AOptions{}); err != nil && failed == nil {
			failed = err
		}
	})
	if err := app.Commit(); err != nil {
		return fmt.Errorf("forget miner %s: commit: %w", id, err)
	}
	e.gen = 0
	if failed != nil {
		return fmt.Errorf("forget miner %s: %w", id, failed)
	}
	return nil
}

// write is one transaction for one miner: the samples of a reading (or a
// failed poll) at one timestamp, committed together.
type write struct {
	app storage.AppenderV2
	e   *minerSeries
	job string
	t   int64
	gen uint32
	sb  labels.ScratchBuilder

	failures int
	firstErr error
}

// begin opens a write for e at t. The caller holds e.mu.
func (s *Store) begin(ctx context.Context, e *minerSeries, m *hearth.Miner, t time.Time) (*write, error) {
	ts := t.UnixMilli()
	if e.gen != 0 && ts <= e.lastT {
		return nil, hearth.Errorf(hearth.ECONFLICT, "Sample for miner %s at %s is not newer than the last one stored (%s).",
			m.ID, t.UTC().Format(time.RFC3339Nano), time.UnixMilli(e.lastT).UTC().Format(time.RFC3339Nano))
	}
	w := &write{app: s.db.AppenderV2(ctx), e: e, job: s.opts.Job, t: ts}
	id := identity{miner: m.ID, site: m.Site, model: m.Model, firmware: m.Firmware}
	if id.site == "" {
		id.site = DefaultSite
	}
	if e.gen != 0 && e.id != id {
		// New label values mean new series: end the old ones now rather
		// than let both show for LookbackDelta.
		e.eachSlot(func(sl *slot) {
			if e.live(sl) {
				w.stale(sl)
			}
		})
		e.reset(id)
	}
	e.id = id
	e.gen++
	w.gen = e.gen
	return w, nil
}

// reading writes every series r carries.
func (w *write) reading(r *hearth.Reading) {
	e := w.e
	w.put(&e.slots[miHashRate], miHashRate, "", "", r.HashRate)
	if r.IdealHashRate > 0 {
		w.put(&e.slots[miHashRateIdeal], miHashRateIdeal, "", "", r.IdealHashRate)
	}
	// Zero power is "not reported" unless it was estimated (from a zero
	// hash rate, which is a real estimate of an idle miner).
	if r.Power > 0 || r.PowerEstimated {
		w.put(&e.slots[miPower], miPower, "", "", r.Power)
		w.put(&e.slots[miPowerEstimated], miPowerEstimated, "", "", boolValue(r.PowerEstimated))
	}
	if r.Latency > 0 {
		w.put(&e.slots[miLatency], miLatency, "", "", r.Latency.Seconds())
	}
	w.put(&e.slots[miAccepted], miAccepted, "", "", float64(r.Accepted))
	w.put(&e.slots[miRejected], miRejected, "", "", float64(r.Rejected))
	w.put(&e.slots[miHardwareErrors], miHardwareErrors, "", "", float64(r.HardwareErrors))
	w.put(&e.slots[miUptime], miUptime, "", "", r.Uptime.Seconds())
	w.put(&e.slots[miUp], miUp, "", "", 1)
	w.put(&e.slots[miPaused], miPaused, "", "", boolValue(r.Paused))
	for i := range r.Pools {
		if r.Pools[i].Active {
			w.put(&e.slots[miPoolActiveIndex], miPoolActiveIndex, "", "", float64(r.Pools[i].Index))
			break
		}
	}

	for i := range r.Boards {
		b := &r.Boards[i]
		bs := e.board(b.Index)
		put := func(metric int, v float64) {
			w.putDef(&bs.slots[metric], &boardDefs[metric], LabelBoard, bs.label, v)
		}
		put(biHashRate, b.HashRate)
		// A temperature of exactly 0 °C is a sensor the firmware does not
		// have (or a dead board), not a reading.
		if b.ChipTemp != 0 {
			put(biChipTemp, b.ChipTemp)
		}
		// Where the firmware reports inlet and outlet sensors, the board
		// temperature is the hotter of them and is not stored twice.
		if b.BoardTemp != 0 && b.InletTemp == 0 && b.OutletTemp == 0 {
			put(biTemp, b.BoardTemp)
		}
		if b.InletTemp != 0 {
			put(biInletTemp, b.InletTemp)
		}
		if b.OutletTemp != 0 {
			put(biOutletTemp, b.OutletTemp)
		}
		if b.VRTemp != 0 {
			put(biVRTemp, b.VRTemp)
		}
		put(biChips, float64(b.Chips))
		put(biChipsFailed, float64(b.FailedChips))
		if b.FrequencyMHz > 0 {
			put(biFrequency, b.FrequencyMHz*1e6)
		}
	}
	for i := range r.Fans {
		f := &r.Fans[i]
		// The poller names fans; a reading from elsewhere gets the same
		// name from the miner's model.
		name := f.Name
		if name == "" {
			name = hearth.FanName(e.id.model, f.Index)
		}
		fs := e.fan(name)
		w.putDef(&fs.slot, &fanDef, LabelFan, fs.label, f.RPM)
	}
	for i := range r.Pools {
		p := &r.Pools[i]
		up, known := poolUp(p.Status)
		if !known {
			continue
		}
		ps := e.pool(p.Index)
		w.putDef(&ps.slots[piUp], &poolDefs[piUp], LabelPool, ps.label, up)
	}
}

// put writes one per-miner series.
func (w *write) put(s *slot, metric int, extraName, extraValue string, v float64) {
	w.putDef(s, &minerDefs[metric], extraName, extraValue, v)
}

// putDef writes v to the series s, building its labels on first use. A
// second value for the same series in one write (a driver listing a board
// twice) is ignored: the first one wins.
func (w *write) putDef(s *slot, def *metricDef, extraName, extraValue string, v float64) {
	if s.gen == w.gen {
		return
	}
	if s.lset.IsEmpty() {
		s.lset = w.labels(def.name, extraName, extraValue)
	}
	ref, err := w.app.Append(s.ref, s.lset, 0, w.t, v, nil, nil, storage.AOptions{})
	if err != nil {
		w.fail(def.name, err)
		return
	}
	s.ref, s.value, s.gen = ref, v, w.gen
}

// stale ends the series s with a staleness marker. Its gen is left behind
// the miner's, so it is no longer live.
func (w *write) stale(s *slot) {
	if _, err := w.app.Append(s.ref, s.lset, 0, w.t, staleNaN, nil, nil, storage.AOptions{}); err != nil {
		w.fail(s.lset.Get(model.MetricNameLabel), err)
	}
}

// labels builds the label set of one series of the miner: its name, the
// miner's identity labels (the same on every series, so that binary
// expressions between two per-miner metrics match one to one) and the
// component label, if any. Empty values are left out, as Prometheus treats
// an empty label as an absent one.
//
// Labels are added in sorted order, which saves a sort per series on a
// fleet's first sweep: __name__ < board < fan < firmware < job < miner <
// model < pool < site.
func (w *write) labels(name, extraName, extraValue string) labels.Labels {
	id := &w.e.id
	b := &w.sb
	b.Reset()
	b.Add(model.MetricNameLabel, name)
	if extraName == LabelBoard || extraName == LabelFan {
		b.Add(extraName, extraValue)
	}
	if id.firmware != "" {
		b.Add(LabelFirmware, id.firmware)
	}
	b.Add(LabelJob, w.job)
	b.Add(LabelMiner, id.miner)
	if id.model != "" {
		b.Add(LabelModel, id.model)
	}
	if extraName == LabelPool {
		b.Add(extraName, extraValue)
	}
	b.Add(LabelSite, id.site)
	return b.Labels()
}

func (w *write) fail(series string, err error) {
	w.failures++
	if w.firstErr == nil {
		w.firstErr = fmt.Errorf("%s: %w", series, err)
	}
}

// commit ends every series that was live before this write and was not
// written by it, then commits. Samples that could be appended are kept even
// when others failed; the error then says how many failed and why.
func (w *write) commit() error {
	e := w.e
	prev := w.gen - 1
	if prev != 0 {
		e.eachSlot(func(s *slot) {
			if s.gen == prev {
				w.stale(s)
			}
		})
	}
	e.lastT = w.t
	e.prune()
	if err := w.app.Commit(); err != nil {
		return hearth.WrapError(hearth.EINTERNAL, err, "Cannot commit samples of miner %s.", e.id.miner)
	}
	if w.firstErr != nil {
		code := hearth.EINTERNAL
		if isOutOfOrder(w.firstErr) {
			code = hearth.ECONFLICT
		}
		return hearth.WrapError(code, w.firstErr, "%d samples of miner %s at %s not stored.",
			w.failures, e.id.miner, time.UnixMilli(w.t).UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// isOutOfOrder reports whether err means the sample is older than what the
// TSDB accepts: it already holds later samples (as after a restart, when
// the cache has forgotten the last timestamp) or the head has moved on.
func isOutOfOrder(err error) bool {
	return errors.Is(err, storage.ErrOutOfOrderSample) ||
		errors.Is(err, storage.ErrOutOfBounds) ||
		errors.Is(err, storage.ErrTooOldSample) ||
		errors.Is(err, storage.ErrDuplicateSampleForTimestamp)
}

// poolUp maps a pool's status to mining_pool_up: 1 alive, 0 dead or
// rejecting. A pool the operator disabled is not meant to be up, and one
// whose state the firmware does not report (AxeOS says only how the pool in
// use is doing) is not known to be down, so neither is written: a 0 would
// raise PoolDown for a fallback pool that is merely idle.
func poolUp(status string) (up float64, known bool) {
	switch status {
	case "alive":
		return 1, true
	case "dead", "rejecting":
		return 0, true
	}
	return 0, false
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
