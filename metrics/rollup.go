package metrics

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// Settings of the long-term tier.
const (
	// DefaultRollupRetention is how long 5-minute rollups are kept: 18
	// months, so that a season can be compared with the same one a year
	// before.
	DefaultRollupRetention = 548 * 24 * time.Hour
	// RollupInterval is the width of one rollup window. Windows are
	// aligned to multiples of it since the Unix epoch (so, in UTC), and
	// the rollup of a window is one sample per series stamped at the
	// window's end.
	RollupInterval = 5 * time.Minute
	// RollupLookbackDelta is how far back an instant selector looks for a
	// sample when a query answers from the rollups: two windows, so that
	// a series is present between two rollup samples.
	RollupLookbackDelta = 2 * RollupInterval
	// RollupSettle is how long after a window ends the downsampler waits
	// before rolling it up, so that the polls of that window (stamped when
	// they started) have been written.
	RollupSettle = time.Minute

	// rollupMinBlockDuration is the head span of the rollup TSDB before
	// it is written to disk: a day of 5-minute samples is 288 per series,
	// where two hours would make blocks of 24.
	rollupMinBlockDuration = 24 * time.Hour
	// rollupMaxBatchWindows bounds the windows one batch rolls up: half a
	// rollup head span, the most the head accepts behind its newest
	// sample for a series it has not seen.
	rollupMaxBatchWindows = int(rollupMinBlockDuration / RollupInterval / 2)
	// rollupMaxBatchSamples bounds the rollup samples one batch holds in
	// its appender before commit, which bounds the downsampler's memory
	// on a large fleet: the batch then covers fewer windows.
	rollupMaxBatchSamples = 1 << 20
)

// counterSuffix marks a counter by the Prometheus naming convention. Its
// rollup is the window's last value, so that rate() and increase() over
// rollups mean what they say; every other series is averaged.
const counterSuffix = "_total"

// everySeries selects every series of a TSDB.
var everySeries = labels.MustNewMatcher(labels.MatchRegexp, labels.MetricName, ".+")

// rollupSource returns the series a batch reads, with their samples in
// [mint, maxt], and the function that releases them.
type rollupSource func(ctx context.Context, mint, maxt int64) (storage.SeriesSet, func() error, error)

// rawSource reads the raw TSDB.
func (s *Store) rawSource(ctx context.Context, mint, maxt int64) (storage.SeriesSet, func() error, error) {
	q, err := s.db.Querier(mint, maxt)
	if err != nil {
		return nil, nil, err
	}
	hints := &storage.SelectHints{Start: mint, End: maxt}
	return q.Select(ctx, false, hints, everySeries), q.Close, nil
}

// Run keeps the rollups up to date until ctx ends or the store closes: at
// once it rolls up every completed window raw still holds and the rollups
// do not (hearth may have been down), then each window once it has
// settled. A failed run is logged and retried at the next window. Close
// waits for Run to return; serve runs it beside the poller.
func (s *Store) Run(ctx context.Context) error {
	s.queriesMu.Lock()
	if s.closed {
		s.queriesMu.Unlock()
		return nil
	}
	s.running.Add(1)
	s.queriesMu.Unlock()
	defer s.running.Done()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.closingCtx, cancel)
	defer stop()
	for {
		if err := s.RollUp(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("roll up metrics", "err", err)
		}
		now := s.opts.Now()
		next := windowFloor(now.Add(-RollupSettle)).Add(RollupInterval + RollupSettle)
		timer := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C:
		}
	}
}

// RollUp rolls up every completed window (ended at least RollupSettle ago)
// that raw still holds and the rollups do not. It redoes the last window
// the rollups hold, which a crash may have left half written, so that
// nothing raw still has is lost; samples already written are kept.
func (s *Store) RollUp(ctx context.Context) error {
	s.rollupMu.Lock()
	defer s.rollupMu.Unlock()
	rawMin, ok := oldestSample(s.db)
	if !ok {
		return nil
	}
	from := windowFloor(time.UnixMilli(rawMin)).UnixMilli()
	if last, ok := newestSample(s.rollup); ok {
		from = max(from, windowFloor(time.UnixMilli(last)).UnixMilli()-RollupInterval.Milliseconds())
	}
	to := windowFloor(s.opts.Now().Add(-RollupSettle)).UnixMilli()
	if err := s.rollupRange(ctx, s.rawSource, from, to); err != nil {
		return fmt.Errorf("metrics: roll up %s to %s: %w", time.UnixMilli(from).UTC().Format(time.RFC3339), time.UnixMilli(to).UTC().Format(time.RFC3339), err)
	}
	return nil
}

// rollupRange rolls up the windows ending in (from, to], both multiples of
// RollupInterval, in batches whose size keeps the appender's samples under
// rollupMaxBatchSamples. Batches go in time order, each committed whole, so
// that the newest rollup sample marks how far the rollups are done.
func (s *Store) rollupRange(ctx context.Context, src rollupSource, from, to int64) error {
	step := RollupInterval.Milliseconds()
	for from < to {
		if err := ctx.Err(); err != nil {
			return err
		}
		series := max(int(s.db.Head().NumSeries()), 1)
		windows := min(max(rollupMaxBatchSamples/series, 1), rollupMaxBatchWindows)
		end := min(from+int64(windows)*step, to)
		if err := s.rollupBatch(ctx, src, from, end); err != nil {
			return err
		}
		from = end
	}
	return nil
}

// windowAcc accumulates one series' samples in one window.
type windowAcc struct {
	sum   float64
	last  float64
	count int
	// ended is true when the window's last raw sample is a staleness
	// marker: the series ended in the window (a board gone, a miner
	// removed or down).
	ended bool
}

// rollupBatch rolls up the windows ending in (from, to]: it streams every
// series of src with samples in [from, to) once, one series at a time, and
// writes one sample per series and window that had samples.
func (s *Store) rollupBatch(ctx context.Context, src rollupSource, from, to int64) error {
	step := RollupInterval.Milliseconds()
	set, release, err := src(ctx, from, to-1)
	if err != nil {
		return fmt.Errorf("read raw: %w", err)
	}
	defer release()

	app := s.rollup.AppenderV2(ctx)
	acc := make([]windowAcc, (to-from)/step)
	var (
		it       chunkenc.Iterator
		failures int
		firstErr error
	)
	for set.Next() {
		series := set.At()
		lset := series.Labels()
		counter := strings.HasSuffix(lset.Get(labels.MetricName), counterSuffix)
		clear(acc)
		it = series.Iterator(it)
		for typ := it.Seek(from); typ != chunkenc.ValNone; typ = it.Next() {
			if typ != chunkenc.ValFloat {
				continue // hearth writes no native histograms
			}
			t, v := it.At()
			if t >= to {
				break
			}
			if t < from {
				continue
			}
			a := &acc[(t-from)/step]
			if value.IsStaleNaN(v) {
				a.ended = true
				continue
			}
			a.sum += v
			a.last = v
			a.count++
			a.ended = false
		}
		if err := it.Err(); err != nil {
			app.Rollback()
			return fmt.Errorf("read raw %s: %w", lset, err)
		}
		var ref storage.SeriesRef
		appendRollup := func(t int64, v float64) {
			r, err := app.Append(ref, lset, 0, t, v, nil, nil, storage.AOptions{})
			switch {
			case err == nil:
				ref = r
			case isOutOfOrder(err):
				// Rolled up by an earlier run: the window is being
				// redone after a restart.
			default:
				failures++
				if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", lset, err)
				}
			}
		}
		for i, a := range acc {
			end := from + int64(i+1)*step
			if a.count > 0 {
				v := a.sum / float64(a.count)
				if counter {
					v = a.last
				}
				appendRollup(end, v)
			}
			if a.ended {
				// The series ended in this window: a marker just after
				// its last rollup (this window's, else the one before)
				// ends it there, as the raw marker does, instead of
				// letting it show for RollupLookbackDelta more.
				last := end
				if a.count == 0 {
					last = end - step
				}
				appendRollup(last+1, staleNaN)
			}
		}
	}
	if err := set.Err(); err != nil {
		app.Rollback()
		return fmt.Errorf("read raw: %w", err)
	}
	if err := app.Commit(); err != nil {
		return fmt.Errorf("commit rollups: %w", err)
	}
	if firstErr != nil {
		return fmt.Errorf("%d rollup samples not stored: %w", failures, firstErr)
	}
	return nil
}

// windowFloor returns the end of the last window that ended at or before t.
func windowFloor(t time.Time) time.Time {
	return t.Truncate(RollupInterval)
}

// sampleRange returns the time range of the samples db holds, from its
// blocks and its head, in milliseconds; ok is false when it holds none.
func sampleRange(db *tsdb.DB) (mint, maxt int64, ok bool) {
	mint, maxt = math.MaxInt64, math.MinInt64
	for _, b := range db.Blocks() {
		m := b.Meta()
		mint = min(mint, m.MinTime)
		// A block's MaxTime is exclusive.
		maxt = max(maxt, m.MaxTime-1)
	}
	h := db.Head()
	if h.NumSeries() > 0 && h.MaxTime() != math.MinInt64 {
		mint = min(mint, h.MinTime())
		maxt = max(maxt, h.MaxTime())
	}
	return mint, maxt, mint <= maxt
}

// oldestSample returns the time of the oldest sample db holds.
func oldestSample(db *tsdb.DB) (int64, bool) {
	mint, _, ok := sampleRange(db)
	return mint, ok
}

// newestSample returns the time of the newest sample db holds.
func newestSample(db *tsdb.DB) (int64, bool) {
	_, maxt, ok := sampleRange(db)
	return maxt, ok
}
