package metrics

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// Series of the power controller, one of each per site (label site), so
// that a chart shows a site's target beside what it drew.
const (
	// MetricSitePowerTarget is the power the controller holds the site
	// to, in watts; absent while nothing limits the site.
	MetricSitePowerTarget = "hearth_site_power_target_watts"
	// MetricSitePower is the site's power measured from its miners'
	// latest readings, in watts.
	MetricSitePower = "hearth_site_power_watts"
	// MetricSitePowerPlanned is the power the controller's setpoints
	// plan for the site, in watts.
	MetricSitePowerPlanned = "hearth_site_power_planned_watts"
)

// sitePower remembers each site's series references and last sample
// time, so that a sample is never older than the one before it.
type sitePower struct {
	mu    sync.Mutex
	sites map[string]*siteSeries
}

// siteSeries are one site's three series.
type siteSeries struct {
	refs   [3]storage.SeriesRef
	lsets  [3]labels.Labels
	target bool // whether the target series has a live sample
	lastT  int64
}

// RecordSitePower records a site's power at t: its target (NaN for none,
// which ends the target series), the measured power and the planned
// power. It is the power controller's Recorder.
func (s *Store) RecordSitePower(ctx context.Context, site string, t time.Time, target, measured, planned float64) error {
	s.sitePower.mu.Lock()
	defer s.sitePower.mu.Unlock()
	if s.sitePower.sites == nil {
		s.sitePower.sites = map[string]*siteSeries{}
	}
	e := s.sitePower.sites[site]
	if e == nil {
		e = &siteSeries{}
		for i, name := range []string{MetricSitePowerTarget, MetricSitePower, MetricSitePowerPlanned} {
			e.lsets[i] = labels.FromStrings("__name__", name, "job", s.opts.Job, "site", site)
		}
		s.sitePower.sites[site] = e
	}
	ts := max(t.UnixMilli(), e.lastT+1)
	app := s.db.AppenderV2(ctx)
	values := [3]float64{target, measured, planned}
	for i, v := range values {
		if i == 0 && math.IsNaN(v) {
			if !e.target {
				continue
			}
			v = staleNaN
		}
		ref, err := app.Append(e.refs[i], e.lsets[i], 0, ts, v, nil, nil, storage.AOptions{})
		if err != nil {
			_ = app.Rollback()
			return fmt.Errorf("record power of site %s: %w", site, err)
		}
		e.refs[i] = ref
	}
	if err := app.Commit(); err != nil {
		return fmt.Errorf("record power of site %s: commit: %w", site, err)
	}
	e.target, e.lastT = !math.IsNaN(target), ts
	return nil
}
