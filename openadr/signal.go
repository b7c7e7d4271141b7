package openadr

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// The event payload types hearth acts on (3.1.0 Definition, Table 1).
const (
	PayloadSimple              = "SIMPLE"
	PayloadPrice               = "PRICE"
	PayloadImportCapacityLimit = "IMPORT_CAPACITY_LIMIT"
	PayloadDispatchSetpoint    = "DISPATCH_SETPOINT"
	PayloadAlertGridEmergency  = "ALERT_GRID_EMERGENCY"
)

// Signals is what one event asks of hearth: power requests for the
// program's sites and prices.
type Signals struct {
	Requests []hearth.PowerRequest
	Prices   []hearth.PricePoint
}

// EventSignals maps event e of the program configured by pc into hearth
// requests and prices. prog, when known, supplies payload descriptors the
// event does not carry. seen is when the VEN first saw the event (the
// 'now' of a 0001-01-01 start), now the time of this poll: windows that
// ended before now, and empty (PT0S) ones, are left out. seed makes
// randomizeStart offsets stable (the VEN's name).
//
// SIMPLE levels become shed requests with the configured fraction;
// IMPORT_CAPACITY_LIMIT and DISPATCH_SETPOINT become limits in watts from
// the descriptor's units (KW when none); ALERT_GRID_EMERGENCY sheds
// everything; PRICE becomes price points per kWh. Other payload types are
// ignored. The requests go to the sites the event's targets name, or all
// the program's sites (see eventSites). Request IDs are <eventID>/<intervalID>, with /<n> for the n-th
// value of a multi-valued payload and /<payload type> for a second kind
// of request in one interval. A payload hearth cannot read is an EPROTOCOL
// error for the whole event, so that half an event never applies.
func EventSignals(e *Event, prog *Program, pc *ProgramConfig, seen, now time.Time, seed string) (Signals, error) {
	windows, err := Windows(e, seen, seed)
	if err != nil {
		return Signals{}, err
	}
	levels := pc.SimpleLevels
	if levels == nil {
		levels = DefaultSimpleLevels
	}
	reason := e.EventName
	if reason == "" {
		reason = "OpenADR event " + e.ID
	}
	sites := eventSites(e, pc)
	var sig Signals
	for _, w := range windows {
		kinds := 0
		for _, p := range w.Payloads {
			desc := descriptor(e, prog, p.Type)
			if !acted(p.Type) || len(p.Values) == 0 {
				continue
			}
			subs, err := split(w, len(p.Values))
			if err != nil {
				return Signals{}, fmt.Errorf("event %s interval %d %s: %w", e.ID, w.IntervalID, p.Type, err)
			}
			if p.Type != PayloadPrice {
				kinds++
			}
			for n, sub := range subs {
				if sub.End.Equal(sub.Start) || (!sub.End.IsZero() && !sub.End.After(now)) {
					continue
				}
				id := fmt.Sprintf("%s/%d", e.ID, w.IntervalID)
				if len(subs) > 1 {
					id += fmt.Sprintf("/%d", n)
				}
				if kinds > 1 {
					id += "/" + p.Type
				}
				v := p.Values[n]
				if p.Type == PayloadPrice {
					pp, err := pricePoint(v, desc, sub)
					if err != nil {
						return Signals{}, fmt.Errorf("event %s interval %d: %w", e.ID, w.IntervalID, err)
					}
					sig.Prices = append(sig.Prices, pp)
					continue
				}
				req := hearth.PowerRequest{ID: id, Source: hearth.SourceOpenADR, Start: sub.Start, End: sub.End, Reason: reason}
				switch p.Type {
				case PayloadSimple:
					f, ok := number(v)
					frac, known := levels[int(f)]
					if !ok || f != math.Trunc(f) || !known {
						return Signals{}, hearth.Errorf(hearth.EPROTOCOL, "OpenADR event %s interval %d: SIMPLE level %v is not one of the configured levels.", e.ID, w.IntervalID, v)
					}
					req.Kind, req.ShedFraction = hearth.RequestShed, frac
				case PayloadAlertGridEmergency:
					req.Kind, req.ShedFraction = hearth.RequestShed, 1
				default:
					watts, err := powerWatts(v, desc)
					if err != nil {
						return Signals{}, fmt.Errorf("event %s interval %d %s: %w", e.ID, w.IntervalID, p.Type, err)
					}
					req.Kind, req.LimitWatts = hearth.RequestLimit, watts
				}
				for _, site := range sites {
					r := req
					r.Site = site
					sig.Requests = append(sig.Requests, r)
				}
			}
		}
	}
	return sig, nil
}

// acted reports whether hearth acts on a payload type.
func acted(t string) bool {
	switch t {
	case PayloadSimple, PayloadPrice, PayloadImportCapacityLimit, PayloadDispatchSetpoint, PayloadAlertGridEmergency:
		return true
	}
	return false
}

// descriptor finds the payload descriptor of a type in the event, then in
// the program.
func descriptor(e *Event, prog *Program, payloadType string) PayloadDescriptor {
	for _, d := range e.PayloadDescriptors {
		if d.PayloadType == payloadType {
			return d
		}
	}
	if prog != nil {
		for _, d := range prog.PayloadDescriptors {
			if d.PayloadType == payloadType && d.ObjectType != ReportPayloadDescriptor {
				return d
			}
		}
	}
	return PayloadDescriptor{PayloadType: payloadType}
}

// split divides a window evenly among n values (the User Guide's
// sub-intervals). An endless window cannot be split.
func split(w Window, n int) ([]Window, error) {
	if n == 1 {
		return []Window{w}, nil
	}
	if w.End.IsZero() {
		return nil, hearth.Errorf(hearth.EPROTOCOL, "%d values cannot share an endless interval.", n)
	}
	step := w.End.Sub(w.Start) / time.Duration(n)
	subs := make([]Window, n)
	for i := range subs {
		subs[i] = Window{IntervalID: w.IntervalID, Start: w.Start.Add(time.Duration(i) * step), End: w.Start.Add(time.Duration(i+1) * step)}
	}
	subs[n-1].End = w.End
	return subs, nil
}

// number returns a payload value as a finite float64.
func number(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// powerWatts converts a power value in the descriptor's units to watts.
func powerWatts(v any, d PayloadDescriptor) (float64, error) {
	f, ok := number(v)
	if !ok || f < 0 {
		return 0, hearth.Errorf(hearth.EPROTOCOL, "power value %v is not a number of zero or more.", v)
	}
	switch strings.ToUpper(d.Units) {
	case "", "KW":
		return f * 1e3, nil
	case "W":
		return f, nil
	case "MW":
		return f * 1e6, nil
	}
	return 0, hearth.Errorf(hearth.EPROTOCOL, "power units %q are not W, KW or MW.", clip(d.Units))
}

// pricePoint converts a price in the descriptor's units (the energy it is
// quoted per: KWH when none, WH, MWH) to a price per kWh.
func pricePoint(v any, d PayloadDescriptor, w Window) (hearth.PricePoint, error) {
	f, ok := number(v)
	if !ok {
		return hearth.PricePoint{}, hearth.Errorf(hearth.EPROTOCOL, "price %v is not a number.", v)
	}
	switch strings.ToUpper(d.Units) {
	case "", "KWH":
	case "WH":
		f *= 1e3
	case "MWH":
		f /= 1e3
	default:
		return hearth.PricePoint{}, hearth.Errorf(hearth.EPROTOCOL, "price units %q are not WH, KWH or MWH.", clip(d.Units))
	}
	return hearth.PricePoint{Start: w.Start, End: w.End, PerKWh: f, Currency: d.Currency}, nil
}
