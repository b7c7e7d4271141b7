// Package schedule is hearth's schedule engine: it parses the recurrence of
// a hearth.Schedule, says which windows are in force at an instant, finds
// the next window, and runs a Runner that calls back when windows open and
// close. It holds no state worth keeping: after a restart the Runner works
// out again from the clock which windows are in force, so a window that was
// open when hearth stopped is applied again.
//
// # Recurrence syntax
//
// A recurrence is one of two forms; words are case-insensitive and separated
// by spaces.
//
// The window form is a daily window of local time with optional day and
// month filters:
//
//	15:00-17:30 mon-fri jun-sep    sleep on summer weekday afternoons
//	22:00-06:00                    every night (crosses midnight)
//	00:00-24:00 sat,sun            whole weekends (Saturday 00:00 to Monday 00:00)
//	23:00-07:00 weekdays nov-feb   winter weeknights
//
// The times are HH:MM (24:00 is allowed as an end). An end before the start
// means the window ends on the next day; a window cannot start and end at
// the same time. The day filter is "daily",
// "weekdays" (mon-fri), "weekends" (sat,sun), or a comma list of days and
// day ranges (mon,wed,fri-sun; a range may wrap: fri-mon). The month filter
// is a comma list of months and month ranges (jun-sep, dec,jan; nov-feb
// wraps). Filters apply to the day the window starts: "22:00-06:00 fri"
// runs from Friday night to Saturday morning.
//
// The cron form is a standard five-field cron expression for the start
// followed by "for" (or "--for") and a Go duration:
//
//	0 22 * * 1-5 for 8h           weeknights from 22:00 for eight hours
//	30 14 1 6-9 * --for 2h30m     the first of each summer month
//	@daily for 1h                 @hourly, @daily, @weekly, @monthly, @yearly
//
// The fields are minute (0-59), hour (0-23), day of month (1-31), month
// (1-12 or jan-dec) and day of week (0-7 or sun-sat, 0 and 7 both Sunday),
// each "*", a value, a range a-b, a list, and an optional step (*/15, 8-18/2,
// 5/10). As in Vixie cron, when both the day of month and the day of week
// are restricted a day matches if either does. The duration is elapsed time
// (8h is eight hours even on a night with a clock change) and at most 31
// days. Windows of the cron form that overlap or touch join into one.
//
// # Daylight saving
//
// Starts (and the ends of the window form) are local wall-clock times,
// mapped to instants by these rules:
//
//   - A time that does not exist because the clocks go forward (02:30 on the
//     spring-forward night in Europe) happens at the first instant after the
//     gap (03:00 new time). Several skipped times collapse into that one
//     instant, and a window form window whose start and end both fall in the
//     gap does not happen that day.
//   - A time that happens twice because the clocks go back (02:30 on the
//     fall-back night in Europe) happens once, at its first occurrence
//     (summer time).
//   - The window form keeps its local end time: "22:00-06:00" on the
//     fall-back night lasts nine hours and on the spring-forward night seven.
package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"

	// Zones are compiled in so that tests and minimal hosts agree on them.
	_ "time/tzdata"
)

// MaxDuration caps the duration of a cron-form recurrence. Longer "windows"
// are better expressed as one-off schedules, and the cap bounds how far back
// evaluation has to look for a window still in force.
const MaxDuration = 31 * 24 * time.Hour

// Spec is a parsed recurrence: the set of local start times and how each
// window's end is found. A Spec is independent of the time zone; a Plan
// pairs it with one.
type Spec struct {
	minutes uint64 // bit m: minute m (0-59) matches
	hours   uint32 // bit h: hour h (0-23) matches
	doms    uint32 // bit d: day of month d (1-31) matches
	months  uint16 // bit m: month m (1-12) matches
	dows    uint8  // bit d: weekday d (0 Sunday - 6) matches
	// domStar and dowStar record an unrestricted field, which decides the
	// Vixie either-or rule for days.
	domStar, dowStar bool

	// window is true for the window form, whose end is the local time
	// endMinute (minutes after the start day's midnight, up to 2*24*60).
	window    bool
	endMinute int
	// duration is the length of each cron-form window.
	duration time.Duration

	// slots are the matching minutes of a day, ascending, precomputed for
	// searching.
	slots []int
	text  string
}

// String returns the recurrence in a normalised form that Parse accepts.
func (sp *Spec) String() string { return sp.text }

// Window reports whether sp is of the window form, whose windows end at a
// local time rather than after a duration.
func (sp *Spec) Window() bool { return sp.window }

// Parse parses a recurrence in the window form or the cron form described
// in the package documentation. Errors are EINVALID and say what is wrong.
func Parse(text string) (*Spec, error) {
	if len(text) > hearth.MaxRecurrenceLength {
		return nil, hearth.Errorf(hearth.EINVALID, "A recurrence is at most %d characters.", hearth.MaxRecurrenceLength)
	}
	words := strings.Fields(strings.ToLower(text))
	if len(words) == 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "The recurrence is empty.")
	}
	var sp *Spec
	var err error
	if strings.Contains(words[0], ":") {
		sp, err = parseWindow(words)
	} else {
		sp, err = parseCron(words)
	}
	if err != nil {
		return nil, err
	}
	if !sp.canMatch() {
		return nil, hearth.Errorf(hearth.EINVALID, "The recurrence %q never happens: no month has the days it names.", text)
	}
	for m := 0; m < 24*60; m++ {
		if sp.hours&(1<<(m/60)) != 0 && sp.minutes&(1<<(m%60)) != 0 {
			sp.slots = append(sp.slots, m)
		}
	}
	return sp, nil
}

// parseWindow parses "HH:MM-HH:MM [days] [months]".
func parseWindow(words []string) (*Spec, error) {
	start, end, ok := strings.Cut(words[0], "-")
	if !ok {
		return nil, hearth.Errorf(hearth.EINVALID, "A window is written start-end, such as 15:00-17:30; got %q.", words[0])
	}
	startMin, err := parseClock(start, false)
	if err != nil {
		return nil, err
	}
	endMin, err := parseClock(end, true)
	if err != nil {
		return nil, err
	}
	if endMin == startMin {
		return nil, hearth.Errorf(hearth.EINVALID, "The window %s starts and ends at the same time; use 00:00-24:00 for a whole day.", words[0])
	}
	if endMin <= startMin {
		endMin += 24 * 60
	}
	sp := &Spec{
		minutes: 1 << (startMin % 60), hours: 1 << (startMin / 60),
		doms: allBits(1, 31), months: uint16(allBits(1, 12)), dows: uint8(allBits(0, 6)),
		domStar: true, dowStar: true,
		window: true, endMinute: endMin,
	}
	dayText, monthText, sawDays := "daily", "", false
	for _, w := range words[1:] {
		switch {
		case isDayFilter(w):
			if sawDays {
				return nil, hearth.Errorf(hearth.EINVALID, "The days are given twice (%q); list them once, such as mon,wed,fri.", w)
			}
			set, err := parseNameList(w, dayNames, 0, 6, "day")
			if err != nil {
				return nil, err
			}
			sp.dows, sp.dowStar, dayText, sawDays = uint8(set), w == "daily", w, true
		case isMonthFilter(w):
			if monthText != "" {
				return nil, hearth.Errorf(hearth.EINVALID, "The months are given twice (%q); list them once, such as jun-sep.", w)
			}
			set, err := parseNameList(w, monthNames, 1, 12, "month")
			if err != nil {
				return nil, err
			}
			sp.months, monthText = uint16(set), w
		default:
			return nil, hearth.Errorf(hearth.EINVALID, "%q is neither days (mon-fri, weekdays, sat,sun) nor months (jun-sep).", w)
		}
	}
	sp.text = fmt.Sprintf("%s-%s", formatClock(startMin), formatClock(endMin%(24*60)))
	if endMin == 24*60 {
		sp.text = formatClock(startMin) + "-24:00"
	}
	if dayText != "daily" {
		sp.text += " " + dayText
	}
	if monthText != "" {
		sp.text += " " + monthText
	}
	return sp, nil
}

// parseClock parses HH:MM; 24:00 only when allow24 (an end).
func parseClock(s string, allow24 bool) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	bad := hearth.Errorf(hearth.EINVALID, "%q is not a time of day; write HH:MM, such as 07:30.", s)
	if !ok || len(mm) != 2 || len(hh) < 1 || len(hh) > 2 {
		return 0, bad
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || hh[0] == '+' || mm[0] == '+' {
		return 0, bad
	}
	if h == 24 && m == 0 && allow24 {
		return 24 * 60, nil
	}
	if h > 23 {
		return 0, bad
	}
	return h*60 + m, nil
}

// formatClock writes minutes after midnight as HH:MM.
func formatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

var dayNames = map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

var monthNames = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

// dayWords are whole-word day filters of the window form.
var dayWords = map[string]string{"daily": "sun-sat", "weekdays": "mon-fri", "weekends": "sat,sun"}

// isDayFilter reports whether w is meant as a day filter: a day word or a
// list starting with a day name.
func isDayFilter(w string) bool {
	if _, ok := dayWords[w]; ok {
		return true
	}
	_, ok := dayNames[leadingName(w)]
	return ok
}

// isMonthFilter reports whether w starts with a month name.
func isMonthFilter(w string) bool {
	_, ok := monthNames[leadingName(w)]
	return ok
}

// leadingName returns the letters w starts with.
func leadingName(w string) string {
	i := 0
	for i < len(w) && w[i] >= 'a' && w[i] <= 'z' {
		i++
	}
	return w[:i]
}

// parseNameList parses a comma list of names and wrapping ranges of names
// (fri-mon, nov-feb) into a bit set over lo..hi.
func parseNameList(w string, names map[string]int, lo, hi int, what string) (uint32, error) {
	if alias, ok := dayWords[w]; ok && what == "day" {
		w = alias
	}
	var set uint32
	for item := range strings.SplitSeq(w, ",") {
		a, b, isRange := strings.Cut(item, "-")
		from, ok := names[a]
		if !ok {
			return 0, hearth.Errorf(hearth.EINVALID, "%q is not a %s name (%s).", a, what, nameHint(what))
		}
		to := from
		if isRange {
			if to, ok = names[b]; !ok {
				return 0, hearth.Errorf(hearth.EINVALID, "%q is not a %s name (%s).", b, what, nameHint(what))
			}
		}
		for v := from; ; v++ {
			if v > hi {
				v = lo
			}
			set |= 1 << v
			if v == to {
				break
			}
		}
	}
	return set, nil
}

func nameHint(what string) string {
	if what == "day" {
		return "mon, tue, wed, thu, fri, sat, sun"
	}
	return "jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec"
}

// allBits returns a set with bits lo..hi.
func allBits(lo, hi int) uint32 {
	var set uint32
	for v := lo; v <= hi; v++ {
		set |= 1 << v
	}
	return set
}

// daysInMonth is the longest each month can be (February in a leap year).
var daysInMonth = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// canMatch reports whether some day can match: "0 0 31 2 *" cannot.
func (sp *Spec) canMatch() bool {
	if sp.minutes == 0 || sp.hours == 0 {
		return false
	}
	if sp.dows == 0 && sp.doms == 0 {
		return false
	}
	if !sp.domStar && !sp.dowStar && sp.dows != 0 {
		return sp.months != 0 // a weekday matches in every month
	}
	for m := 1; m <= 12; m++ {
		if sp.months&(1<<m) == 0 {
			continue
		}
		if sp.domStar {
			if sp.dows != 0 {
				return true
			}
			continue
		}
		if sp.doms&allBits(1, daysInMonth[m]) != 0 {
			return true
		}
	}
	return false
}

// matchesDay reports whether the local date y-m-d is a start day.
func (sp *Spec) matchesDay(y int, m time.Month, d int) bool {
	if sp.months&(1<<int(m)) == 0 {
		return false
	}
	dow := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
	domOK := sp.doms&(1<<d) != 0
	dowOK := sp.dows&(1<<int(dow)) != 0
	switch {
	case sp.domStar && sp.dowStar:
		return true
	case sp.domStar:
		return dowOK
	case sp.dowStar:
		return domOK
	default:
		return domOK || dowOK
	}
}
