package openadr

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// ReportRequest is an event that asks this VEN for reports: which
// program's sites it concerns, what the reports should carry and the
// event's intervals (the ids reports must reuse).
type ReportRequest struct {
	Program     string // the configured program label
	ProgramID   string
	EventID     string
	EventName   string
	Sites       []string
	Descriptors []ReportDescriptor
	Intervals   []Window
}

// Measurement is a site's mean power over an event interval.
type Measurement struct {
	Site       string
	IntervalID int32
	Start, End time.Time
	Watts      float64
}

// The report payload types and reading type hearth fills.
const (
	ReportDemand = "DEMAND"
	ReportUsage  = "USAGE"
	ReadingMean  = "MEAN"
)

// reportRequest returns the report request of an event that has report
// descriptors.
func reportRequest(e *Event, prog *Program, pc *ProgramConfig, seen time.Time, seed string) (ReportRequest, bool) {
	if len(e.ReportDescriptors) == 0 {
		return ReportRequest{}, false
	}
	ws, err := Windows(e, seen, seed)
	if err != nil {
		return ReportRequest{}, false
	}
	for i := range ws {
		ws[i].Payloads = nil
	}
	return ReportRequest{
		Program: pc.label(), ProgramID: prog.ID, EventID: e.ID, EventName: e.EventName,
		Sites: eventSites(e, pc), Descriptors: append([]ReportDescriptor(nil), e.ReportDescriptors...), Intervals: ws,
	}, true
}

// Report posts a report of measured site power for the event of rr and
// returns the report the VTN stored. Each descriptor hearth can fill
// (DEMAND: mean power; USAGE: energy) becomes a payload of every interval;
// with no descriptor it reports DEMAND in KW. A descriptor with aggregate
// set sums the sites into one AGGREGATED_REPORT resource; otherwise each
// site is a resource named after it. 3.0.1 reports carry the programID,
// 3.1.0 reports do not. When to report (the descriptors' startInterval,
// frequency and repeat) is the caller's choice.
func (v *VEN) Report(ctx context.Context, rr ReportRequest, ms []Measurement) (*Report, error) {
	descs := []ReportDescriptor{}
	aggregate := false
	for _, d := range rr.Descriptors {
		if d.PayloadType == ReportDemand || d.PayloadType == ReportUsage {
			descs = append(descs, d)
			aggregate = aggregate || d.Aggregate
		}
	}
	if len(rr.Descriptors) == 0 {
		descs = []ReportDescriptor{{PayloadType: ReportDemand, ReadingType: ReadingMean, Units: "KW"}}
	}
	if len(descs) == 0 {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "OpenADR event %s asks for no report hearth can give (only DEMAND and USAGE).", rr.EventID)
	}
	if len(ms) == 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "An OpenADR report needs at least one measurement.")
	}
	rep := Report{EventID: rr.EventID, ClientName: v.cfg.VENName, ReportName: "hearth " + rr.EventID}
	if v.cfg.Version == Version301 {
		rep.ProgramID = rr.ProgramID
	}
	for _, d := range descs {
		units := d.Units
		if units == "" {
			units = map[string]string{ReportDemand: "KW", ReportUsage: "KWH"}[d.PayloadType]
		}
		reading := d.ReadingType
		if reading == "" {
			reading = ReadingMean
		}
		rep.PayloadDescriptors = append(rep.PayloadDescriptors, PayloadDescriptor{ObjectType: ReportPayloadDescriptor, PayloadType: d.PayloadType, ReadingType: reading, Units: units})
	}
	byResource := map[string][]Measurement{}
	var order []string
	for _, m := range ms {
		if m.Watts < 0 || !m.End.After(m.Start) {
			return nil, hearth.Errorf(hearth.EINVALID, "A report measurement needs zero or more watts over a positive span (site %q interval %d).", m.Site, m.IntervalID)
		}
		name := m.Site
		if aggregate {
			name = AggregatedReport
		}
		if _, ok := byResource[name]; !ok {
			order = append(order, name)
		}
		byResource[name] = append(byResource[name], m)
	}
	for _, name := range order {
		res := ReportResource{ResourceName: name}
		for _, m := range sumIntervals(byResource[name]) {
			iv := Interval{ID: m.IntervalID, IntervalPeriod: &IntervalPeriod{Start: m.Start.UTC().Format(time.RFC3339), Duration: FormatDuration(m.End.Sub(m.Start))}}
			for _, d := range rep.PayloadDescriptors {
				val, err := reportValue(d, m)
				if err != nil {
					return nil, err
				}
				iv.Payloads = append(iv.Payloads, ValuesMap{Type: d.PayloadType, Values: []any{val}})
			}
			res.Intervals = append(res.Intervals, iv)
		}
		rep.Resources = append(rep.Resources, res)
	}
	var stored Report
	if err := v.client.call(ctx, "POST", "/reports", nil, &rep, &stored); err != nil {
		return nil, fmt.Errorf("report event %s: %w", rr.EventID, err)
	}
	return &stored, nil
}

// sumIntervals adds the measurements of one resource interval by
// interval, keeping their order.
func sumIntervals(ms []Measurement) []Measurement {
	var out []Measurement
	at := map[int32]int{}
	for _, m := range ms {
		if i, ok := at[m.IntervalID]; ok {
			out[i].Watts += m.Watts
			continue
		}
		at[m.IntervalID] = len(out)
		out = append(out, m)
	}
	return out
}

// reportValue converts a measurement to the descriptor's payload and
// units.
func reportValue(d PayloadDescriptor, m Measurement) (float64, error) {
	scale := map[string]float64{"W": 1, "KW": 1e3, "MW": 1e6, "WH": 1, "KWH": 1e3, "MWH": 1e6}
	f, ok := scale[strings.ToUpper(d.Units)]
	energy := strings.HasSuffix(strings.ToUpper(d.Units), "H")
	if !ok || energy != (d.PayloadType == ReportUsage) {
		return 0, hearth.Errorf(hearth.EUNSUPPORTED, "hearth cannot report %s in %q.", d.PayloadType, clip(d.Units))
	}
	if d.PayloadType == ReportUsage {
		return m.Watts * m.End.Sub(m.Start).Hours() / f, nil
	}
	return m.Watts / f, nil
}
