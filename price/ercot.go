package price

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// ercotZone is US Central time, in which ERCOT publishes its market
// days. It is loaded once; hearth embeds the time zone database.
var ercotZone = sync.OnceValues(func() (*time.Location, error) { return time.LoadLocation("America/Chicago") })

// ParseERCOT reads ERCOT settlement point prices as the MIS reports and
// the public API's CSV give them, for the settlement point
// opt.SettlementPoint, in USD per MWh. Two shapes are understood, told
// apart by their header (names match with or without spaces):
//
//   - day-ahead (NP4-190-CD): DeliveryDate, HourEnding (01:00–24:00),
//     SettlementPoint, SettlementPointPrice, DSTFlag — hourly;
//   - real-time (NP6-905-CD): DeliveryDate, DeliveryHour (1–24),
//     DeliveryInterval (1–4), SettlementPointName, SettlementPointType,
//     SettlementPointPrice, DSTFlag — 15-minute.
//
// Times are local to America/Chicago. On the day the clocks go back the
// hour ending 02:00 comes twice; DSTFlag Y marks the repeated one, which
// is the later hour (standard time). Without a DSTFlag column the second
// row of a repeated hour is taken as the later one. On the day the
// clocks go forward the hour ending 03:00 does not exist and is an
// error if present.
func ParseERCOT(data []byte, opt Options) ([]hearth.PricePoint, error) {
	want := strings.TrimSpace(opt.SettlementPoint)
	if want == "" {
		return nil, hearth.Errorf(hearth.EINVALID, "ERCOT: name the settlement point to read (HB_NORTH, LZ_WEST…).")
	}
	loc, err := ercotZone()
	if err != nil {
		return nil, hearth.WrapError(hearth.EINTERNAL, err, "ERCOT: the America/Chicago time zone is missing.")
	}
	r := newCSVReader(data)
	head, err := r.Read()
	if err != nil {
		return nil, csvError(err, "the header")
	}
	col := columns(head)
	iDate, iPrice, iFlag := col.index("DeliveryDate"), col.index("SettlementPointPrice"), col.index("DSTFlag")
	iHourEnding, iHour, iInterval := col.index("HourEnding"), col.index("DeliveryHour"), col.index("DeliveryInterval")
	iPoint := col.index("SettlementPoint", "SettlementPointName")
	realTime := iHourEnding < 0 && iHour >= 0 && iInterval >= 0
	if iDate < 0 || iPrice < 0 || iPoint < 0 || (iHourEnding < 0 && !realTime) {
		return nil, hearth.Errorf(hearth.EINVALID, "ERCOT line 1: the header %q is neither the day-ahead (DeliveryDate, HourEnding, SettlementPoint, SettlementPointPrice) nor the real-time (DeliveryDate, DeliveryHour, DeliveryInterval, SettlementPointName, SettlementPointPrice) shape.", strings.Join(head, ","))
	}
	step := time.Hour
	if realTime {
		step = 15 * time.Minute
	}
	seen := map[time.Time]bool{} // wall times already read, to spot a repeat without DSTFlag
	var rows []row
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err, "a row")
		}
		line, _ := r.FieldPos(0)
		if !strings.EqualFold(field(rec, iPoint), want) {
			continue
		}
		where := fmt.Sprintf("ERCOT line %d", line)
		day, ok := parseERCOTDate(field(rec, iDate))
		if !ok {
			return nil, hearth.Errorf(hearth.EINVALID, "%s: DeliveryDate %q is not MM/DD/YYYY.", where, field(rec, iDate))
		}
		var minute int // minutes after local midnight, on the wall clock
		if realTime {
			hour, err1 := strconv.Atoi(field(rec, iHour))
			interval, err2 := strconv.Atoi(field(rec, iInterval))
			if err1 != nil || hour < 1 || hour > 24 {
				return nil, hearth.Errorf(hearth.EINVALID, "%s: DeliveryHour %q is not 1 to 24.", where, field(rec, iHour))
			}
			if err2 != nil || interval < 1 || interval > 4 {
				return nil, hearth.Errorf(hearth.EINVALID, "%s: DeliveryInterval %q is not 1 to 4.", where, field(rec, iInterval))
			}
			minute = (hour-1)*60 + (interval-1)*15
		} else {
			hour, ok := parseHourEnding(field(rec, iHourEnding))
			if !ok {
				return nil, hearth.Errorf(hearth.EINVALID, "%s: HourEnding %q is not 01:00 to 24:00.", where, field(rec, iHourEnding))
			}
			minute = (hour - 1) * 60
		}
		price, err := strconv.ParseFloat(field(rec, iPrice), 64)
		if err != nil {
			return nil, hearth.Errorf(hearth.EINVALID, "%s: SettlementPointPrice %q is not a number.", where, field(rec, iPrice))
		}
		wall := time.Date(day.Year(), day.Month(), day.Day(), minute/60, minute%60, 0, 0, time.UTC)
		repeated := seen[wall]
		if iFlag >= 0 {
			flag := strings.ToUpper(field(rec, iFlag))
			if flag != "Y" && flag != "N" {
				return nil, hearth.Errorf(hearth.EINVALID, "%s: DSTFlag %q is neither Y nor N.", where, field(rec, iFlag))
			}
			repeated = flag == "Y"
		}
		seen[wall] = true
		start, err := centralInstant(wall, repeated, loc)
		if err != nil {
			return nil, hearth.Errorf(hearth.EINVALID, "%s: %v", where, err)
		}
		rows = append(rows, row{hearth.PricePoint{Start: start, End: start.Add(step), PerKWh: perKWh(price, PerMWh), Currency: "USD"}, where, 0})
	}
	if len(rows) == 0 {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "ERCOT: no prices for settlement point %s.", want)
	}
	return finish(rows)
}

// centralInstant returns the instant a wall-clock time (given in UTC
// fields) names in loc: the later of two when the clocks went back and
// repeated is set, the earlier otherwise. A wall time skipped when the
// clocks went forward is an error.
func centralInstant(wall time.Time, repeated bool, loc *time.Location) (time.Time, error) {
	t := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc)
	sameWall := func(u time.Time) bool {
		u = u.In(loc)
		return u.Year() == wall.Year() && u.YearDay() == wall.YearDay() && u.Hour() == wall.Hour() && u.Minute() == wall.Minute()
	}
	if !sameWall(t) {
		return time.Time{}, fmt.Errorf("%s does not exist in US Central time (the clocks went forward).", wall.Format("01/02/2006 15:04"))
	}
	earlier, later := t, t
	if u := t.Add(-time.Hour); sameWall(u) {
		earlier = u
	}
	if u := t.Add(time.Hour); sameWall(u) {
		later = u
	}
	if repeated {
		if later.Equal(earlier) {
			return time.Time{}, fmt.Errorf("DSTFlag marks %s as a repeated hour, but the clocks did not go back then.", wall.Format("01/02/2006 15:04"))
		}
		return later, nil
	}
	return earlier, nil
}

// parseERCOTDate reads MM/DD/YYYY, or YYYY-MM-DD as the public API
// writes it.
func parseERCOTDate(s string) (time.Time, bool) {
	for _, layout := range []string{"01/02/2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseHourEnding reads "01:00" to "24:00" (or a bare "1" to "24").
func parseHourEnding(s string) (int, bool) {
	h, m, hasMinutes := strings.Cut(s, ":")
	if hasMinutes && m != "00" {
		return 0, false
	}
	n, err := strconv.Atoi(h)
	if err != nil || n < 1 || n > 24 {
		return 0, false
	}
	return n, true
}
