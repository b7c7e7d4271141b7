package openadr

import (
	"cmp"
	"context"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/hearth-fleet/hearth/power"
)

// maxMeterIntervals bounds what a meter keeps: one running mean per
// event, interval and site, so many events with many intervals cannot
// grow it without end.
const maxMeterIntervals = 4096

// endlessReportEvery is how often an interval without an end ("P9999Y")
// is reported: it never ends, so its mean so far is posted this often,
// each report covering the time since the one before, and once more when
// the event goes.
const endlessReportEvery = 15 * time.Minute

// maxReportTries is how many ticks a meter retries a report the VTN
// refused before it drops it.
const maxReportTries = 3

// meter samples the measured power of the sites whose events ask for
// reports, averages it over each event interval and posts a report when
// an interval ends.
type meter struct {
	ven    *VEN
	status func(site string) (power.SiteStatus, bool)
	logger *slog.Logger
	acc    map[meterKey]*meterAcc
	events map[string]ReportRequest // the last request seen of each event
}

type meterKey struct {
	event    string
	interval int32
	site     string
}

// meterAcc is the running mean of one site over one event interval.
type meterAcc struct {
	start, end time.Time
	sum        float64
	n          int
	tries      int
}

func newMeter(v *VEN, status func(string) (power.SiteStatus, bool), logger *slog.Logger) *meter {
	return &meter{ven: v, status: status, logger: logger, acc: map[meterKey]*meterAcc{}, events: map[string]ReportRequest{}}
}

// run samples every interval until ctx ends.
func (m *meter) run(ctx context.Context, every time.Duration, now func() time.Time) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.tick(ctx, now())
		}
	}
}

// tick takes one sample of every site an event interval running at now
// asks a report of, then posts the intervals that have ended.
func (m *meter) tick(ctx context.Context, now time.Time) {
	current := map[string]bool{}
	for _, rr := range m.ven.ReportRequests() {
		current[rr.EventID] = true
		m.events[rr.EventID] = rr
		for _, w := range rr.Intervals {
			if now.Before(w.Start) || (!w.End.IsZero() && !now.Before(w.End)) {
				continue
			}
			for _, site := range rr.Sites {
				m.sample(meterKey{rr.EventID, w.IntervalID, site}, w, site)
			}
		}
	}
	m.post(ctx, now, current)
}

// sample adds the site's measured power to the mean of its interval.
func (m *meter) sample(key meterKey, w Window, site string) {
	if m.status == nil {
		return
	}
	st, ok := m.status(site)
	if !ok {
		return
	}
	a := m.acc[key]
	if a == nil {
		if len(m.acc) >= maxMeterIntervals {
			m.warn("OpenADR report meter full; interval not measured", "event", key.event, "interval", key.interval)
			return
		}
		a = &meterAcc{start: w.Start, end: w.End}
		m.acc[key] = a
	}
	a.sum += st.MeasuredWatts
	a.n++
}

// post reports the ended intervals of each event, one report per event,
// as often as the event's report descriptor asks (see batch), and forgets
// the intervals of events that are gone once they are reported.
func (m *meter) post(ctx context.Context, now time.Time, current map[string]bool) {
	due := map[string][]meterKey{}
	endless := map[string]bool{}
	for k, a := range m.acc {
		switch {
		case !a.end.IsZero() && !now.Before(a.end):
			due[k.event] = append(due[k.event], k)
		case a.end.IsZero() && a.n > 0 && (now.Sub(a.start) >= endlessReportEvery || !current[k.event]):
			due[k.event] = append(due[k.event], k)
			endless[k.event] = true
		}
	}
	for event, keys := range due {
		rr := m.events[event]
		ended := map[int32]bool{}
		for _, k := range keys {
			ended[k.interval] = true
		}
		if current[event] && !endless[event] && !lastEnded(rr, now) && len(ended) < batch(rr) {
			continue
		}
		slices.SortFunc(keys, func(a, b meterKey) int {
			return cmp.Or(cmp.Compare(a.interval, b.interval), cmp.Compare(a.site, b.site))
		})
		ms := make([]Measurement, 0, len(keys))
		for _, k := range keys {
			a := m.acc[k]
			end := a.end
			if end.IsZero() {
				end = now // an endless interval: the time measured so far
			}
			ms = append(ms, Measurement{Site: k.site, IntervalID: k.interval, Start: a.start, End: end, Watts: a.sum / float64(a.n)})
		}
		_, err := m.ven.Report(ctx, rr, ms)
		drop := err == nil || !current[event]
		for _, k := range keys {
			a := m.acc[k]
			if !drop {
				if a.tries++; a.tries < maxReportTries {
					continue
				}
			}
			if a.end.IsZero() && current[event] {
				// An endless interval goes on: measure from here.
				*a = meterAcc{start: now}
				continue
			}
			delete(m.acc, k)
		}
		if err != nil {
			m.warn("OpenADR report failed", "event", event, "err", err)
		}
	}
	for event := range m.events {
		if current[event] {
			continue
		}
		pending := false
		for k, a := range m.acc {
			if k.event == event {
				if a.end.IsZero() || now.Before(a.end) {
					delete(m.acc, k) // the event is gone before its interval ended
					continue
				}
				pending = true
			}
		}
		if !pending {
			delete(m.events, event)
		}
	}
}

// batch is how many ended intervals go in one report of rr, from its first
// DEMAND or USAGE report descriptor: frequency intervals apart (-1: every
// numIntervals), all at the end when startInterval is -1, otherwise each
// interval as it ends.
func batch(rr ReportRequest) int {
	for _, d := range rr.Descriptors {
		if d.PayloadType != ReportDemand && d.PayloadType != ReportUsage {
			continue
		}
		switch {
		case d.StartInterval != nil && *d.StartInterval == -1:
			return math.MaxInt
		case d.Frequency != nil && *d.Frequency > 1:
			return int(*d.Frequency)
		case d.Frequency != nil && *d.Frequency == -1 && d.NumIntervals != nil && *d.NumIntervals > 1:
			return int(*d.NumIntervals)
		}
		return 1
	}
	return 1
}

// lastEnded reports whether the last interval of rr has ended at now, so
// that what is left is reported whatever the batch.
func lastEnded(rr ReportRequest, now time.Time) bool {
	if len(rr.Intervals) == 0 {
		return true
	}
	end := rr.Intervals[0].End
	for _, w := range rr.Intervals {
		if w.End.IsZero() {
			return false
		}
		if w.End.After(end) {
			end = w.End
		}
	}
	return !now.Before(end)
}

func (m *meter) warn(msg string, args ...any) {
	if m.logger != nil {
		m.logger.Warn(msg, args...)
	}
}
