package openadr

import (
	"hash/fnv"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Window is an event interval resolved to absolute time. A zero End means
// the interval never ends ("P9999Y").
type Window struct {
	IntervalID int32
	Start, End time.Time
	Payloads   []ValuesMap
}

// Windows resolves the intervals of e to absolute times, following the
// User Guide's timing rules:
//
//   - an interval's own intervalPeriod overrides the event's default;
//   - the first interval starts at the event's start, later ones right
//     after the previous one unless they give an absolute start;
//   - a start of 0001-01-01 ('the beginning of time') means now, where
//     now is seen: the moment the VEN first saw the event, so that the
//     windows stay put from one poll to the next;
//   - "P9999Y" is infinity; a missing duration is PT0S;
//   - randomizeStart shifts the starts by an offset within ±randomizeStart
//     that is deterministic for seed (the VEN's name), the event and the
//     interval, so that VENs spread out but one VEN's answer is stable;
//   - event.duration (3.1.0), when finite, cuts the event's span short.
//     Its use to loop intervals ("repeat the 24 prices for a week") is not
//     implemented: intervals past the last one are not repeated.
func Windows(e *Event, seen time.Time, seed string) ([]Window, error) {
	var defStart time.Time
	var defDur Duration
	var shift time.Duration
	haveStart := false
	if ip := e.IntervalPeriod; ip != nil {
		var err error
		if ip.Start != "" {
			if defStart, err = parseStart(ip.Start, seen); err != nil {
				return nil, err
			}
			haveStart = true
		}
		if defDur, err = parseOptionalDuration(ip.Duration); err != nil {
			return nil, err
		}
		if shift, err = randomOffset(ip.RandomizeStart, seed, e.ID, "event"); err != nil {
			return nil, err
		}
	}
	out := make([]Window, 0, len(e.Intervals))
	var prevEnd time.Time
	for i, iv := range e.Intervals {
		start, dur := defStart, defDur
		follows := i > 0
		startSet := haveStart || i > 0
		if ip := iv.IntervalPeriod; ip != nil {
			if ip.Start != "" {
				t, err := parseStart(ip.Start, time.Time{})
				if err != nil {
					return nil, err
				}
				if t.IsZero() {
					// The beginning of time: the event's start for the
					// first interval, now when there is none, right after
					// the previous one for the others.
					if i == 0 && !haveStart {
						start, startSet = seen, true
					}
				} else {
					start, follows, startSet = t, false, true
				}
			}
			if ip.Duration != "" {
				d, err := ParseDuration(ip.Duration)
				if err != nil {
					return nil, err
				}
				dur = d
			}
			if ip.RandomizeStart != "" {
				s, err := randomOffset(ip.RandomizeStart, seed, e.ID, strconv.Itoa(int(iv.ID)))
				if err != nil {
					return nil, err
				}
				shift = s
			}
		}
		if !startSet {
			return nil, hearth.Errorf(hearth.EPROTOCOL, "OpenADR event %s: interval %d has no start time.", e.ID, iv.ID)
		}
		if follows {
			if prevEnd.IsZero() {
				// The previous interval never ends: nothing follows it.
				break
			}
			start = prevEnd
		} else {
			start = start.Add(shift)
		}
		w := Window{IntervalID: iv.ID, Start: start, Payloads: iv.Payloads}
		if !dur.Infinite {
			if dur.D < 0 {
				return nil, hearth.Errorf(hearth.EPROTOCOL, "OpenADR event %s: interval %d has a negative duration.", e.ID, iv.ID)
			}
			w.End = start.Add(dur.D)
		}
		prevEnd = w.End
		out = append(out, w)
	}
	if e.Duration != "" && len(out) > 0 {
		d, err := ParseDuration(e.Duration)
		if err != nil {
			return nil, err
		}
		if !d.Infinite {
			stop := out[0].Start.Add(d.D)
			kept := out[:0]
			for _, w := range out {
				if !w.Start.Before(stop) {
					continue
				}
				if w.End.IsZero() || w.End.After(stop) {
					w.End = stop
				}
				kept = append(kept, w)
			}
			out = kept
		}
	}
	return out, nil
}

// parseOptionalDuration parses d, where empty is the default PT0S.
func parseOptionalDuration(d string) (Duration, error) {
	if d == "" {
		return Duration{}, nil
	}
	return ParseDuration(d)
}

// parseStart parses an RFC 3339 start; the beginning of time (year 1)
// gives now.
func parseStart(s string, now time.Time) (time.Time, error) {
	var t time.Time
	var err error
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, hearth.Errorf(hearth.EPROTOCOL, "OpenADR start %q is not an RFC 3339 time.", clip(s))
	}
	if t.Year() <= 1 {
		return now, nil
	}
	return t, nil
}

// randomOffset returns the start shift for a randomizeStart value: a
// deterministic point in [-|r|, +|r|) drawn from a hash of seed, event and
// interval.
func randomOffset(r, seed, eventID, interval string) (time.Duration, error) {
	if r == "" {
		return 0, nil
	}
	d, err := ParseDuration(r)
	if err != nil {
		return 0, err
	}
	if d.Infinite {
		return 0, hearth.Errorf(hearth.EPROTOCOL, "OpenADR randomizeStart %q is unbounded.", clip(r))
	}
	span := d.D
	if span < 0 {
		span = -span
	}
	if span == 0 {
		return 0, nil
	}
	h := fnv.New64a()
	h.Write([]byte(seed + "\x00" + eventID + "\x00" + interval))
	u := float64(h.Sum64()>>11) / float64(1<<53) // uniform in [0, 1)
	return time.Duration((2*u - 1) * float64(span)).Truncate(time.Second), nil
}
