// Package aggregate lets one hearth act as the aggregator of many small
// sites, each running its own hearth (a home heater, a garage): the
// children report their flexible capacity, the aggregator splits the
// target of an aggregate site across them, and each child holds its share
// with its own power controller.
//
// # Aggregator side
//
// An aggregate site is a site of the aggregating hearth whose "miners" are
// child instances (hearth serve --aggregate-sites fleet). Requests on it
// (an override, an OpenADR event, a price) are resolved as for any site
// (hearth.ResolvePowerRequests, with flexible = Σ the children's flexible
// power and fixed = Σ their fixed power) into a target, which Split shares
// across the live children. An Aggregator keeps each child's last report
// in memory; a child silent for longer than Timeout is lost: it is left
// out of the split, so the others shed more, and out of the aggregate's
// measured power. The aggregate's status (Status, Statuses) is what the
// aggregator's power API and its own upstream programs see for that site.
//
// # Child side
//
// The aggregator program kind (hearth.ProgramAggregator) makes a hearth a
// child. Its settings are a JSON object:
//
//	{
//	  "url": "https://aggregator.example:8080",  // the aggregating hearth (required)
//	  "aggregate": "fleet",                      // the aggregate site to join (required)
//	  "child": "garage",                         // optional: must equal the token's name
//	  "interval": "5s"                           // time between reports (default 5s)
//	}
//
// Its secret is an API token of the aggregator; the token's name identifies
// the child there. Every interval the runner POSTs the status of each of
// the program's sites (env.Status) to /api/v1/aggregate/report, and the
// answer carries the child's current targets, which it publishes as power
// requests of source aggregator (program.ReplaceRequests). Each successful
// exchange is a contact, so a child that loses its aggregator falls back
// to the program's fail mode (hold, curtail or resume), applied by the
// program Manager. The connection is always outbound from the child.
package aggregate

import (
	"time"

	"github.com/hearth-fleet/hearth"
)

// Limits of what a report and an answer may hold.
const (
	// MaxSites is the most sites one child may report at once.
	MaxSites = 100
	// MaxBody is the most bytes a report or an answer may take.
	MaxBody = 1 << 20
	// MaxWatts bounds every reported power: a gigawatt is no small site.
	MaxWatts = 1e9
)

// Report is the body of POST /api/v1/aggregate/report: what one child's
// sites draw and may shed, sent every few seconds.
type Report struct {
	// Child is the child's name; when given it must equal the name of
	// the token the report is sent with, which is what identifies the
	// child.
	Child string `json:"child,omitempty"`
	// Aggregate is the aggregate site the child joins.
	Aggregate string       `json:"aggregate"`
	Sites     []SiteReport `json:"sites"`
	// At is the child's clock when it sent the report, for the record:
	// the aggregator judges silence by its own clock.
	At time.Time `json:"at,omitzero"`
}

// SiteReport is one child site's power, as its power controller sees it.
type SiteReport struct {
	Site string `json:"site"`
	// FlexibleWatts is the full power of the miners the child's
	// controller may curtail; FixedWatts the rest of the site's draw.
	FlexibleWatts float64 `json:"flexible_w"`
	FixedWatts    float64 `json:"fixed_w"`
	MeasuredWatts float64 `json:"measured_w"`
	PlannedWatts  float64 `json:"planned_w"`
	// State is the child controller's state of the site (free,
	// settling, reached, over, short), or "unknown" when its controller
	// has not looked at the site yet: such a site is left out of the
	// split until it reports one.
	State string `json:"state"`
}

// StateUnknown is the state a child reports for a site its controller has
// not looked at yet.
const StateUnknown = "unknown"

// Answer is the reply to a report: the child's current targets, one per
// reported site.
type Answer struct {
	Targets []Target `json:"targets"`
}

// Target is what one child site should draw. Kind limit caps it at
// LimitWatts; resume means the aggregate asks nothing of it now.
type Target struct {
	Site       string                  `json:"site"`
	Kind       hearth.PowerRequestKind `json:"kind"`
	LimitWatts float64                 `json:"limit_w,omitempty"`
	// ShedFraction is the share of the site's flexible power the limit
	// sheds, for the record (every live child sheds the same share).
	ShedFraction float64 `json:"shed_fraction,omitempty"`
	// Start is when the aggregate's request started (or the child
	// joined, for resume); Until when it ends, zero when open.
	Start  time.Time `json:"start"`
	Until  time.Time `json:"until,omitzero"`
	Reason string    `json:"reason,omitempty"`
}

// Validate reports an EINVALID error naming what makes r unusable.
func (r *Report) Validate() error {
	if err := hearth.ValidateName("Aggregate site", r.Aggregate); err != nil {
		return err
	}
	if r.Child != "" {
		if err := hearth.ValidateName("Child", r.Child); err != nil {
			return err
		}
	}
	if len(r.Sites) == 0 || len(r.Sites) > MaxSites {
		return hearth.Errorf(hearth.EINVALID, "A report needs 1 to %d sites, not %d.", MaxSites, len(r.Sites))
	}
	seen := map[string]bool{}
	for _, s := range r.Sites {
		if err := hearth.ValidateName("Site", s.Site); err != nil {
			return err
		}
		if seen[s.Site] {
			return hearth.Errorf(hearth.EINVALID, "Site %s is reported twice.", s.Site)
		}
		seen[s.Site] = true
		for _, w := range []float64{s.FlexibleWatts, s.FixedWatts, s.MeasuredWatts, s.PlannedWatts} {
			if !watts(w) {
				return hearth.Errorf(hearth.EINVALID, "Site %s: powers must be from 0 to %g watts.", s.Site, float64(MaxWatts))
			}
		}
		if len(s.State) > 32 {
			return hearth.Errorf(hearth.EINVALID, "Site %s: state too long.", s.Site)
		}
	}
	return nil
}

// Validate reports an EPROTOCOL error when an aggregator's answer holds a
// target a child cannot apply.
func (a *Answer) Validate() error {
	if len(a.Targets) > MaxSites {
		return hearth.Errorf(hearth.EPROTOCOL, "The aggregator answered %d targets; at most %d.", len(a.Targets), MaxSites)
	}
	for _, t := range a.Targets {
		r := t.request()
		if err := r.Validate(); err != nil || r.Kind == hearth.RequestShed {
			return hearth.Errorf(hearth.EPROTOCOL, "The aggregator answered an unusable target for site %q.", t.Site)
		}
	}
	return nil
}

// request returns t as the child's power request (ID "target"; the
// runner's ReplaceRequests prefixes it with the program's name).
func (t Target) request() hearth.PowerRequest {
	return hearth.PowerRequest{ID: "target", Source: hearth.SourceAggregator, Site: t.Site, Kind: t.Kind,
		LimitWatts: t.LimitWatts, Start: t.Start, End: t.Until, Reason: t.Reason}
}

// watts reports whether w is a usable power.
func watts(w float64) bool { return w >= 0 && w <= MaxWatts }
