package schedule

import (
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// cronMacros are the shorthand starts of the cron form.
var cronMacros = map[string]string{
	"@hourly":   "0 * * * *",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@weekly":   "0 0 * * 0",
	"@monthly":  "0 0 1 * *",
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
}

// parseCron parses "<5 fields> for <duration>" or "@macro for <duration>".
func parseCron(words []string) (*Spec, error) {
	if macro, ok := cronMacros[words[0]]; ok {
		words = append(strings.Fields(macro), words[1:]...)
	} else if strings.HasPrefix(words[0], "@") {
		return nil, hearth.Errorf(hearth.EINVALID, "Unknown shorthand %q; use @hourly, @daily, @weekly, @monthly or @yearly.", words[0])
	}
	if len(words) != 7 || (words[5] != "for" && words[5] != "--for") {
		return nil, hearth.Errorf(hearth.EINVALID,
			"A recurrence is a window such as \"15:00-17:30 mon-fri\" or five cron fields and a duration such as \"0 22 * * 1-5 for 8h\".")
	}
	d, err := time.ParseDuration(words[6])
	if err != nil {
		return nil, hearth.Errorf(hearth.EINVALID, "%q is not a duration; write it such as 2h30m.", words[6])
	}
	if d < time.Minute || d > MaxDuration {
		return nil, hearth.Errorf(hearth.EINVALID, "The duration %s must be between one minute and %d days.", d, MaxDuration/(24*time.Hour))
	}
	sp := &Spec{duration: d}
	fields := []struct {
		name   string
		lo, hi int
		names  map[string]int
	}{
		{"minute", 0, 59, nil},
		{"hour", 0, 23, nil},
		{"day of month", 1, 31, nil},
		{"month", 1, 12, monthNames},
		{"day of week", 0, 7, dayNames},
	}
	var sets [5]uint64
	for i, f := range fields {
		set, err := parseCronField(words[i], f.name, f.lo, f.hi, f.names)
		if err != nil {
			return nil, err
		}
		sets[i] = set
	}
	if sets[4]&(1<<7) != 0 { // 7 is Sunday too
		sets[4] = sets[4]&^(1<<7) | 1
	}
	sp.minutes, sp.hours, sp.doms = sets[0], uint32(sets[1]), uint32(sets[2])
	sp.months, sp.dows = uint16(sets[3]), uint8(sets[4])
	sp.domStar, sp.dowStar = strings.HasPrefix(words[2], "*"), strings.HasPrefix(words[4], "*")
	sp.text = strings.Join(words[:5], " ") + " for " + formatDuration(d)
	return sp, nil
}

// formatDuration writes d without the zero units time.Duration.String adds
// ("8h" rather than "8h0m0s").
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// parseCronField parses one cron field: a comma list of "*", values,
// ranges a-b, each with an optional /step.
func parseCronField(field, name string, lo, hi int, names map[string]int) (uint64, error) {
	var set uint64
	for item := range strings.SplitSeq(field, ",") {
		rng, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 || n > hi-lo+1 || stepText[0] == '+' {
				return 0, hearth.Errorf(hearth.EINVALID, "The %s field %q has a bad step %q.", name, field, stepText)
			}
			step = n
		}
		from, to := lo, hi
		switch {
		case rng == "*":
		case rng == "":
			return 0, hearth.Errorf(hearth.EINVALID, "The %s field %q has an empty item.", name, field)
		default:
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if from, err = cronValue(a, name, lo, hi, names); err != nil {
				return 0, err
			}
			to = from
			if isRange {
				if to, err = cronValue(b, name, lo, hi, names); err != nil {
					return 0, err
				}
				if to < from {
					return 0, hearth.Errorf(hearth.EINVALID, "The %s range %q runs backwards.", name, rng)
				}
			} else if hasStep {
				to = hi // "5/10" means from 5 to the end, every 10
			}
		}
		for v := from; v <= to; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

// cronValue parses a number or, where the field has them, a name.
func cronValue(s, name string, lo, hi int, names map[string]int) (int, error) {
	if v, ok := names[s]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || s[0] == '+' || s[0] == '-' {
		return 0, hearth.Errorf(hearth.EINVALID, "%q is not a valid %s.", s, name)
	}
	if v < lo || v > hi {
		return 0, hearth.Errorf(hearth.EINVALID, "The %s %d is out of range %d-%d.", name, v, lo, hi)
	}
	return v, nil
}
