package price

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// maxENTSOESlots bounds the intervals one ENTSO-E period may expand
// into (a year of 15-minute prices is 35,136), so that a hostile
// resolution cannot make a small document allocate gigabytes.
const maxENTSOESlots = 1 << 17

// entsoeDocument is the part of an IEC 62325-451-3 publication
// document (or of the acknowledgement the API answers with when it has
// no data) that a price feed needs. Element names match in any
// namespace version (7:0, 7:3).
type entsoeDocument struct {
	XMLName    xml.Name
	Type       string         `xml:"type"`
	TimeSeries []entsoeSeries `xml:"TimeSeries"`
	Reason     []struct {
		Code string `xml:"code"`
		Text string `xml:"text"`
	} `xml:"Reason"`
}

type entsoeSeries struct {
	Currency string         `xml:"currency_Unit.name"`
	Measure  string         `xml:"price_Measure_Unit.name"`
	Periods  []entsoePeriod `xml:"Period"`
}

type entsoePeriod struct {
	Start      string        `xml:"timeInterval>start"`
	End        string        `xml:"timeInterval>end"`
	Resolution string        `xml:"resolution"`
	Points     []entsoePoint `xml:"Point"`
}

type entsoePoint struct {
	Position string `xml:"position"`
	Price    string `xml:"price.amount"`
}

// ParseENTSOE reads an ENTSO-E Transparency Platform day-ahead price
// document (documentType A44, a Publication_MarketDocument): each
// TimeSeries has Periods with a UTC timeInterval, a resolution (PT15M,
// PT30M, PT60M) and Points numbered from 1. A position left out repeats
// the price before it (curveType A03). Prices in currency_Unit.name per
// price_Measure_Unit.name (MWH) become per kWh. Where series overlap,
// as when a zone publishes hourly and quarter-hourly prices, the finer
// resolution wins. An Acknowledgement_MarketDocument, the API's answer
// when it has no data, is an ENOTFOUND error carrying its reason.
func ParseENTSOE(data []byte) ([]hearth.PricePoint, error) {
	var doc entsoeDocument
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		return nil, xmlError(dec, err)
	}
	switch doc.XMLName.Local {
	case "Publication_MarketDocument":
	case "Acknowledgement_MarketDocument":
		var reasons []string
		for _, r := range doc.Reason {
			reasons = append(reasons, strings.TrimSpace(r.Code+" "+r.Text))
		}
		return nil, hearth.Errorf(hearth.ENOTFOUND, "ENTSO-E answered with no prices: %s.", strings.Join(reasons, "; "))
	default:
		return nil, hearth.Errorf(hearth.EPROTOCOL, "ENTSO-E: the document is a %s, not a Publication_MarketDocument.", doc.XMLName.Local)
	}
	if t := strings.TrimSpace(doc.Type); t != "" && t != "A44" {
		return nil, hearth.Errorf(hearth.EINVALID, "ENTSO-E: the document type is %s, not A44 (prices).", t)
	}
	type slot struct {
		row
		resolution time.Duration
	}
	var slots []slot
	for si, s := range doc.TimeSeries {
		unit, ok := parseUnit(s.Measure)
		if !ok {
			return nil, hearth.Errorf(hearth.EINVALID, "ENTSO-E TimeSeries[%d]: price_Measure_Unit.name %q is not MWH.", si, s.Measure)
		}
		for pi, p := range s.Periods {
			where := fmt.Sprintf("ENTSO-E TimeSeries[%d].Period[%d]", si, pi)
			rows, res, err := expandENTSOEPeriod(p, where)
			if err != nil {
				return nil, err
			}
			if len(slots)+len(rows) > 8*maxENTSOESlots {
				return nil, hearth.Errorf(hearth.ETOOLARGE, "%s: the document holds more than %d prices.", where, 8*maxENTSOESlots)
			}
			for _, r := range rows {
				r.PerKWh = perKWh(r.PerKWh, unit)
				r.Currency = currencyOr(s.Currency, "")
				slots = append(slots, slot{r, res})
			}
		}
	}
	// The finest resolution first among equal starts; then keep a slot
	// only where no kept slot covers it already.
	slices.SortStableFunc(slots, func(a, b slot) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.resolution, b.resolution)
	})
	rows := make([]row, 0, len(slots))
	var covered time.Time
	for _, s := range slots {
		if s.Start.Before(covered) {
			continue
		}
		rows = append(rows, s.row)
		covered = s.End
	}
	return finish(rows)
}

// expandENTSOEPeriod turns a period's points into one row per
// resolution step, repeating a price over the positions left out.
func expandENTSOEPeriod(p entsoePeriod, where string) ([]row, time.Duration, error) {
	start, ok := parseTime(p.Start)
	if !ok {
		return nil, 0, hearth.Errorf(hearth.EINVALID, "%s: timeInterval start %q is not a UTC time.", where, p.Start)
	}
	end, ok := parseTime(p.End)
	if !ok {
		return nil, 0, hearth.Errorf(hearth.EINVALID, "%s: timeInterval end %q is not a UTC time.", where, p.End)
	}
	res, err := parseISODuration(p.Resolution)
	if err != nil {
		return nil, 0, hearth.Errorf(hearth.EINVALID, "%s: resolution %q: %v", where, p.Resolution, err)
	}
	span := end.Sub(start)
	if span <= 0 || span%res != 0 || span/res > maxENTSOESlots {
		return nil, 0, hearth.Errorf(hearth.EINVALID, "%s: the interval %s to %s is not a whole number (at most %d) of %s steps.", where, p.Start, p.End, maxENTSOESlots, p.Resolution)
	}
	n := int(span / res)
	type point struct {
		pos   int
		price float64
	}
	points := make([]point, 0, len(p.Points))
	for i, pt := range p.Points {
		pos, err := strconv.Atoi(strings.TrimSpace(pt.Position))
		if err != nil || pos < 1 || pos > n {
			return nil, 0, hearth.Errorf(hearth.EINVALID, "%s.Point[%d]: position %q is not between 1 and %d.", where, i, pt.Position, n)
		}
		price, err := strconv.ParseFloat(strings.TrimSpace(pt.Price), 64)
		if err != nil {
			return nil, 0, hearth.Errorf(hearth.EINVALID, "%s.Point[%d] (position %d): price.amount %q is not a number.", where, i, pos, pt.Price)
		}
		points = append(points, point{pos, price})
	}
	slices.SortStableFunc(points, func(a, b point) int { return a.pos - b.pos })
	if len(points) == 0 || points[0].pos != 1 {
		return nil, 0, hearth.Errorf(hearth.EINVALID, "%s: there is no Point at position 1.", where)
	}
	rows := make([]row, 0, n)
	for i, pt := range points {
		if i > 0 && pt.pos == points[i-1].pos {
			return nil, 0, hearth.Errorf(hearth.EINVALID, "%s: position %d appears twice.", where, pt.pos)
		}
		last := n
		if i+1 < len(points) {
			last = points[i+1].pos - 1
		}
		for pos := pt.pos; pos <= last; pos++ {
			s := start.Add(time.Duration(pos-1) * res)
			rows = append(rows, row{hearth.PricePoint{Start: s, End: s.Add(res), PerKWh: pt.price}, where, pos})
		}
	}
	return rows, res, nil
}

// parseISODuration reads the ISO 8601 durations ENTSO-E uses for a
// resolution: PTnM and PTnH (PT15M, PT60M, PT1H).
func parseISODuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, "PT")
	if !ok || len(rest) < 2 {
		return 0, errors.New("not an ISO 8601 duration such as PT15M or PT60M.")
	}
	n, err := strconv.Atoi(rest[:len(rest)-1])
	if err != nil || n <= 0 || n > 24*60 {
		return 0, errors.New("not a positive whole number of minutes or hours.")
	}
	switch rest[len(rest)-1] {
	case 'M':
		return time.Duration(n) * time.Minute, nil
	case 'H':
		return time.Duration(n) * time.Hour, nil
	}
	return 0, errors.New("only minutes (M) and hours (H) are supported.")
}

// xmlError turns an XML decoding error into an EPROTOCOL error naming
// the line.
func xmlError(dec *xml.Decoder, err error) error {
	if err == io.EOF {
		return hearth.Errorf(hearth.EPROTOCOL, "ENTSO-E: the document is empty.")
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return hearth.WrapError(hearth.EPROTOCOL, err, "ENTSO-E XML line %d: %s.", se.Line, se.Msg)
	}
	line, _ := dec.InputPos()
	return hearth.WrapError(hearth.EPROTOCOL, err, "ENTSO-E XML near line %d is unreadable.", line)
}
