package openadr

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/hearth-fleet/hearth"
)

// prioritized is a request with the priority of its event: a lower number
// is a higher priority, and an event without one has the lowest
// (OpenADR 3 Definition, event.priority).
type prioritized struct {
	req      hearth.PowerRequest
	priority int
}

// eventPriority is e's priority, math.MaxInt when it has none.
func eventPriority(e *Event) int {
	if e.Priority == nil {
		return math.MaxInt
	}
	return *e.Priority
}

// forever stands for the end of an endless request while windows are
// compared.
var forever = time.Unix(1<<62, 0)

// byPriority lets a higher-priority event set aside lower-priority ones
// while both are in force at a site: each request loses the time covered
// by the site's requests of events with a higher priority, and is cut in
// pieces (IDs suffixed /1, /2, …) when that time falls in its middle.
// Requests of equal priority all stand, and the tightest holds as usual.
func byPriority(rs []prioritized) []hearth.PowerRequest {
	out := make([]hearth.PowerRequest, 0, len(rs))
	for _, r := range rs {
		pieces := [][2]time.Time{{r.req.Start, endOf(r.req)}}
		for _, o := range rs {
			if o.req.Site != r.req.Site || o.priority >= r.priority {
				continue
			}
			pieces = without(pieces, o.req.Start, endOf(o.req))
		}
		for i, p := range pieces {
			q := r.req
			q.Start, q.End = p[0], p[1]
			if q.End.Equal(forever) {
				q.End = time.Time{}
			}
			if len(pieces) > 1 {
				q.ID = fmt.Sprintf("%s/%d", r.req.ID, i+1)
			}
			out = append(out, q)
		}
	}
	return out
}

// endOf is r's end, forever when it has none.
func endOf(r hearth.PowerRequest) time.Time {
	if r.End.IsZero() {
		return forever
	}
	return r.End
}

// without returns the spans of pieces outside [start, end), in order.
func without(pieces [][2]time.Time, start, end time.Time) [][2]time.Time {
	var out [][2]time.Time
	for _, p := range pieces {
		if !end.After(p[0]) || !p[1].After(start) {
			out = append(out, p) // no overlap
			continue
		}
		if p[0].Before(start) {
			out = append(out, [2]time.Time{p[0], start})
		}
		if end.Before(p[1]) {
			out = append(out, [2]time.Time{end, p[1]})
		}
	}
	slices.SortFunc(out, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	return out
}
