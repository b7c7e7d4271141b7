package schedule

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

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
