package hearth

import (
	"context"
	"math"
	"slices"
	"time"
)

// PowerSource names where a power request comes from. Several sources may
// ask for a site's power at once (a grid event, the price, an operator);
// ResolvePowerRequests decides which one holds.
type PowerSource string

// The sources of power requests.
const (
	// SourceOverride is an operator's manual or API override. While one
	// is in force it wins over every other source, in both directions:
	// an operator may keep a site mining through a price spike. It does
	// not lift the site's power budget, which stands for the wiring or
	// the contract.
	SourceOverride PowerSource = "override"
	// SourceOpenADR is an event of an OpenADR 3 program.
	SourceOpenADR PowerSource = "openadr"
	// SourcePrice is the price response: electricity above the strike
	// price (or above what mining earns) sheds the site.
	SourcePrice PowerSource = "price"
	// SourceSignal is the plain HTTP or MQTT signal of an aggregator or a
	// home-automation system.
	SourceSignal PowerSource = "signal"
	// SourceAggregator is a target an aggregating hearth gave this one.
	SourceAggregator PowerSource = "aggregator"
	// SourceFailSafe is the fail mode of a signal source that went
	// silent.
	SourceFailSafe PowerSource = "failsafe"
)

// Valid reports whether s is one of the sources above.
func (s PowerSource) Valid() bool {
	switch s {
	case SourceOverride, SourceOpenADR, SourcePrice, SourceSignal, SourceAggregator, SourceFailSafe:
		return true
	}
	return false
}

// PowerRequestKind says how a request limits a site.
type PowerRequestKind string

// The kinds of power requests.
const (
	// RequestLimit caps the site's power at LimitWatts (OpenADR
	// IMPORT_CAPACITY_LIMIT and DISPATCH_SETPOINT, a plain signal's
	// target).
	RequestLimit PowerRequestKind = "limit"
	// RequestShed sheds ShedFraction of the site's flexible power
	// (OpenADR SIMPLE levels, the price response's full shed at 1).
	RequestShed PowerRequestKind = "shed"
	// RequestResume asks for no limit: full power. It matters only as an
	// override, which then lifts every other source's limit (the site's
	// power budget still holds).
	RequestResume PowerRequestKind = "resume"
)

// PowerRequest asks that a site draw at most some power for a while. A
// request is stored, so that a restart in the middle of an event resumes
// it, and a new request with the same source, site and ID replaces the
// old one (an OpenADR event that was modified, a price that changed).
type PowerRequest struct {
	// ID identifies the request within its source and site: an OpenADR
	// event and interval, "price", an override's ID.
	ID     string           `json:"id"`
	Source PowerSource      `json:"source"`
	Site   string           `json:"site"`
	Kind   PowerRequestKind `json:"kind"`
	// LimitWatts is the most the site may draw, for RequestLimit.
	LimitWatts float64 `json:"limit_w,omitempty"`
	// ShedFraction is the share of the site's flexible power to shed,
	// from 0 (none) to 1 (all), for RequestShed.
	ShedFraction float64 `json:"shed_fraction,omitempty"`
	// Start is when the request takes effect; End when it lapses. A
	// zero End means until it is withdrawn.
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
	// Reason says why, in the source's words (an event name, a price),
	// for the page and the audit log.
	Reason    string    `json:"reason,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// Validate reports an EINVALID error for a request that cannot be
// applied.
func (r *PowerRequest) Validate() error {
	switch {
	case r.ID == "":
		return Errorf(EINVALID, "A power request needs an ID.")
	case !r.Source.Valid():
		return Errorf(EINVALID, "Unknown power request source %q.", r.Source)
	case r.Site == "":
		return Errorf(EINVALID, "A power request needs a site.")
	case r.Start.IsZero():
		return Errorf(EINVALID, "A power request needs a start time.")
	case !r.End.IsZero() && !r.End.After(r.Start):
		return Errorf(EINVALID, "A power request must end after it starts.")
	}
	switch r.Kind {
	case RequestLimit:
		if r.LimitWatts < 0 || math.IsNaN(r.LimitWatts) || math.IsInf(r.LimitWatts, 0) {
			return Errorf(EINVALID, "A power limit must be zero or more watts, not %v.", r.LimitWatts)
		}
	case RequestShed:
		if !(r.ShedFraction >= 0 && r.ShedFraction <= 1) {
			return Errorf(EINVALID, "A shed fraction must be between 0 and 1, not %v.", r.ShedFraction)
		}
	case RequestResume:
	default:
		return Errorf(EINVALID, "Unknown power request kind %q; use limit, shed or resume.", r.Kind)
	}
	return nil
}

// ActiveAt reports whether r is in force at t.
func (r *PowerRequest) ActiveAt(t time.Time) bool {
	return !t.Before(r.Start) && (r.End.IsZero() || t.Before(r.End))
}

// Watts returns the site power r allows when the miners hearth controls
// draw flexibleWatts at full power and the rest of the site fixedWatts:
// LimitWatts, the fixed load plus the unshed share of the flexible one,
// or +Inf for a resume.
func (r *PowerRequest) Watts(flexibleWatts, fixedWatts float64) float64 {
	switch r.Kind {
	case RequestLimit:
		return r.LimitWatts
	case RequestShed:
		return fixedWatts + flexibleWatts*(1-r.ShedFraction)
	}
	return math.Inf(1)
}

// ResolvePowerRequests returns the request that holds for a site at t
// among reqs (all of the same site), or nil when none is in force: an
// override in force wins (the latest started, when several); otherwise
// the most restrictive request, which allows the fewest watts (see
// Watts). Ties go to the earlier start, then the lower source and ID, so
// the outcome never depends on the order of reqs.
func ResolvePowerRequests(reqs []*PowerRequest, t time.Time, flexibleWatts, fixedWatts float64) *PowerRequest {
	var override, held *PowerRequest
	for _, r := range reqs {
		if !r.ActiveAt(t) {
			continue
		}
		if r.Source == SourceOverride {
			if override == nil || r.Start.After(override.Start) || (r.Start.Equal(override.Start) && r.ID > override.ID) {
				override = r
			}
			continue
		}
		if r.Kind == RequestResume {
			continue
		}
		if held == nil || tighter(r, held, flexibleWatts, fixedWatts) {
			held = r
		}
	}
	if override != nil {
		return override
	}
	return held
}

// tighter reports whether a allows fewer watts than b, or as many and
// comes first in the stable order.
func tighter(a, b *PowerRequest, flexibleWatts, fixedWatts float64) bool {
	wa, wb := a.Watts(flexibleWatts, fixedWatts), b.Watts(flexibleWatts, fixedWatts)
	if wa != wb {
		return wa < wb
	}
	if !a.Start.Equal(b.Start) {
		return a.Start.Before(b.Start)
	}
	if a.Source != b.Source {
		return a.Source < b.Source
	}
	return a.ID < b.ID
}

// PowerRequestFilter selects stored power requests. Zero fields match
// everything.
type PowerRequestFilter struct {
	Site   string
	Source PowerSource
	// ActiveAt, when set, keeps the requests in force at that time.
	ActiveAt time.Time
	// EndedBefore, when set, keeps the requests that lapsed before it.
	EndedBefore time.Time
}

// Match reports whether r passes f.
func (f PowerRequestFilter) Match(r *PowerRequest) bool {
	return (f.Site == "" || r.Site == f.Site) &&
		(f.Source == "" || r.Source == f.Source) &&
		(f.ActiveAt.IsZero() || r.ActiveAt(f.ActiveAt)) &&
		(f.EndedBefore.IsZero() || (!r.End.IsZero() && r.End.Before(f.EndedBefore)))
}

// PowerRequestService stores power requests, so that an event in progress
// survives a restart.
type PowerRequestService interface {
	// SetPowerRequest stores r, replacing the request with the same
	// source, site and ID.
	SetPowerRequest(ctx context.Context, r *PowerRequest) error
	// DeletePowerRequest removes a request; ENOTFOUND when there is none.
	DeletePowerRequest(ctx context.Context, source PowerSource, site, id string) error
	// FindPowerRequests returns the requests f matches, ordered by site,
	// source, start and ID.
	FindPowerRequests(ctx context.Context, f PowerRequestFilter) ([]*PowerRequest, error)
}

// FailMode is what a site does when the source of its power signal goes
// silent for longer than its program allows: an operator chooses per
// program whether a lost grid connection means "keep going", "shed
// everything" or "back to normal".
type FailMode string

// The fail modes.
const (
	// FailHold keeps the last target the source gave, until it ends.
	FailHold FailMode = "hold"
	// FailCurtail sheds the whole flexible load until the source is back.
	FailCurtail FailMode = "curtail"
	// FailResume lifts the source's limits: full power.
	FailResume FailMode = "resume"
)

// Validate reports an EINVALID error for an unknown fail mode.
func (m FailMode) Validate() error {
	if slices.Contains([]FailMode{FailHold, FailCurtail, FailResume}, m) {
		return nil
	}
	return Errorf(EINVALID, "Unknown fail mode %q; use hold, curtail or resume.", m)
}
