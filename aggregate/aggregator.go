package aggregate

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/power"
)

// Defaults of an Aggregator.
const (
	// DefaultTimeout is how long a child may stay silent before it is
	// lost and left out of the split: a few of its default report
	// intervals.
	DefaultTimeout = 30 * time.Second
	// DefaultForget is how long a lost child's power stays reserved
	// before the aggregator takes it for gone for good.
	DefaultForget = time.Hour
	// DefaultTolerance is how far above its target, as a fraction, the
	// aggregate's measured power may be and still count as reached, as
	// for a site (power.DefaultTolerance).
	DefaultTolerance = power.DefaultTolerance
)

// Aggregator is the aggregating side: it takes the children's reports,
// splits each aggregate site's target across its live children and
// answers each child its targets. Set the fields, then call Report; an
// Aggregator must not be copied.
type Aggregator struct {
	// Sites are the aggregate sites children may join.
	Sites []string
	// Requests holds the power requests of the aggregate sites.
	Requests hearth.PowerRequestService
	// Timeout: see DefaultTimeout; Forget: see DefaultForget.
	Timeout time.Duration
	Forget  time.Duration
	Now     func() time.Time

	mu sync.Mutex
	// children holds each child's last report, by child name.
	children map[string]*child
}

// child is one child's last report.
type child struct {
	name      string
	aggregate string
	sites     []SiteReport
	// targets are what the child was last answered.
	targets []Target
	// joined is when the child first reported; seen when it last did.
	joined, seen time.Time
}

func (a *Aggregator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// IsAggregate reports whether site is one of the aggregate sites.
func (a *Aggregator) IsAggregate(site string) bool { return slices.Contains(a.Sites, site) }

// Report records the report of the child named by its token and answers
// its targets: its share of the aggregate's target for each site it
// reported. An unknown aggregate site is ENOTFOUND; a report whose child
// field names another child is EFORBIDDEN.
func (a *Aggregator) Report(ctx context.Context, name string, r *Report) (*Answer, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.Child != "" && r.Child != name {
		return nil, hearth.Errorf(hearth.EFORBIDDEN, "This token belongs to child %q, not %q.", name, r.Child)
	}
	if !a.IsAggregate(r.Aggregate) {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "%q is not an aggregate site of this hearth.", r.Aggregate)
	}
	now := a.now()
	a.mu.Lock()
	if a.children == nil {
		a.children = map[string]*child{}
	}
	c, ok := a.children[name]
	if !ok || c.aggregate != r.Aggregate {
		c = &child{name: name, aggregate: r.Aggregate, joined: now}
		a.children[name] = c
	}
	c.sites, c.seen = slices.Clone(r.Sites), now
	a.mu.Unlock()

	v, err := a.view(ctx, r.Aggregate, now)
	if err != nil {
		return nil, err
	}
	ans := &Answer{Targets: make([]Target, 0, len(r.Sites))}
	for _, s := range r.Sites {
		t := Target{Site: s.Site, Kind: hearth.RequestResume, Start: c.joined,
			Reason: fmt.Sprintf("aggregate %s: no limit", r.Aggregate)}
		if share, ok := v.share(name, s.Site); ok && v.held != nil {
			t = Target{Site: s.Site, Kind: hearth.RequestLimit, LimitWatts: share.LimitWatts, ShedFraction: v.div.ShedFraction,
				Start: v.held.Start, Until: v.held.End, Reason: fmt.Sprintf("aggregate %s: %s %s", r.Aggregate, v.held.Source, v.held.ID)}
			if v.held.Reason != "" {
				t.Reason += " (" + v.held.Reason + ")"
			}
		}
		ans.Targets = append(ans.Targets, t)
	}
	a.mu.Lock()
	c.targets = slices.Clone(ans.Targets)
	a.mu.Unlock()
	return ans, nil
}

// view is an aggregate site as it stands: its live members, the power
// reserved for its lost ones, the request that holds and the split of its
// target.
type view struct {
	site    string
	members []Member
	// reserved is the last reported full power of the lost children: a
	// lost child may have fallen back to full power (fail mode resume),
	// so the live ones make room for it.
	reserved float64
	measured float64
	planned  float64
	settling bool
	held     *hearth.PowerRequest
	target   float64
	div      Division
}

// share returns the share of a child's site, when it is a live member.
func (v *view) share(childName, site string) (Share, bool) {
	for _, s := range v.div.Shares {
		if s.Child == childName && s.Site == site {
			return s, true
		}
	}
	return Share{}, false
}

// view computes the aggregate site's members and split at now.
func (a *Aggregator) view(ctx context.Context, site string, now time.Time) (*view, error) {
	v := &view{site: site, target: math.Inf(1)}
	timeout, forget := cmp.Or(a.Timeout, DefaultTimeout), cmp.Or(a.Forget, DefaultForget)
	a.mu.Lock()
	for name, c := range a.children {
		switch {
		case now.Sub(c.seen) > forget:
			delete(a.children, name)
			continue
		case c.aggregate != site:
			continue
		case now.Sub(c.seen) > timeout:
			for _, s := range c.sites {
				v.reserved += s.FixedWatts + s.FlexibleWatts
			}
			continue
		}
		for _, s := range c.sites {
			if s.State == StateUnknown || s.State == "" {
				continue
			}
			v.members = append(v.members, Member{Child: c.name, Site: s.Site, FlexibleWatts: s.FlexibleWatts, FixedWatts: s.FixedWatts})
			v.measured += s.MeasuredWatts
			v.planned += s.PlannedWatts
			v.settling = v.settling || s.State == string(power.StateSettling)
		}
	}
	a.mu.Unlock()
	slices.SortFunc(v.members, func(x, y Member) int { return cmp.Or(cmp.Compare(x.Child, y.Child), cmp.Compare(x.Site, y.Site)) })
	var fixed, flexible float64
	for _, m := range v.members {
		fixed += m.FixedWatts
		flexible += m.FlexibleWatts
	}
	reqs, err := a.Requests.FindPowerRequests(ctx, hearth.PowerRequestFilter{Site: site, ActiveAt: now})
	if err != nil {
		return nil, fmt.Errorf("aggregate %s: requests: %w", site, err)
	}
	// The power reserved for lost children is fixed load: a shed sheds
	// the live children's flexible power only.
	if v.held = hearth.ResolvePowerRequests(reqs, now, flexible, fixed+v.reserved); v.held != nil {
		v.target = v.held.Watts(flexible, fixed+v.reserved)
	}
	v.div = Split(v.target-v.reserved, v.members)
	return v, nil
}

// status turns v into the aggregate site's power status.
func (v *view) status(now time.Time) power.SiteStatus {
	st := power.SiteStatus{Site: v.site, Request: v.held, MeasuredWatts: v.measured, PlannedWatts: v.planned,
		FixedWatts: v.reserved, Miners: len(v.members), State: power.StateFree, UpdatedAt: now}
	for _, m := range v.members {
		st.FlexibleWatts += m.FlexibleWatts
		st.FixedWatts += m.FixedWatts
	}
	if math.IsInf(v.target, 1) {
		return st
	}
	t := v.target
	st.TargetWatts, st.PlannedWatts, st.ShortWatts = &t, v.div.PlannedWatts+v.reserved, v.div.ShortWatts
	switch {
	case st.ShortWatts > 0:
		st.State = power.StateShort
	case v.measured <= t*(1+DefaultTolerance):
		st.State = power.StateReached
	case v.settling:
		st.State = power.StateSettling
	default:
		st.State = power.StateOver
	}
	return st
}

// Status returns the status of an aggregate site, and false for any other
// site: the sum of its live children's measured power against its target.
// Miners counts the live member sites; FixedWatts includes the power
// reserved for lost children, which PlannedWatts counts too.
func (a *Aggregator) Status(site string) (power.SiteStatus, bool) {
	if !a.IsAggregate(site) {
		return power.SiteStatus{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := a.now()
	v, err := a.view(ctx, site, now)
	if err != nil {
		return power.SiteStatus{Site: site, State: power.StateFree, UpdatedAt: now}, true
	}
	return v.status(now), true
}

// StatusOf returns a site status function that answers the aggregate sites
// from a and every other site from sites (the power controller's
// SiteStatus), for the program Manager's Env.Status: an OpenADR program
// reporting an aggregate site upstream reports the aggregate.
func (a *Aggregator) StatusOf(sites func(string) (power.SiteStatus, bool)) func(string) (power.SiteStatus, bool) {
	return func(site string) (power.SiteStatus, bool) {
		if st, ok := a.Status(site); ok {
			return st, true
		}
		return sites(site)
	}
}

// StatusesOf returns the list all (the power controller's SiteStatuses)
// gives, with each aggregate site's status from a in place of the
// controller's (which sees no miners there), for GET /api/v1/power.
func (a *Aggregator) StatusesOf(all func() []power.SiteStatus) func() []power.SiteStatus {
	return func() []power.SiteStatus {
		out := slices.DeleteFunc(all(), func(s power.SiteStatus) bool { return a.IsAggregate(s.Site) })
		for _, site := range a.Sites {
			st, _ := a.Status(site)
			out = append(out, st)
		}
		slices.SortFunc(out, func(x, y power.SiteStatus) int { return cmp.Compare(x.Site, y.Site) })
		return out
	}
}

// ChildStatus is one child as the aggregator last heard it: what it
// reported, what it was answered, and whether it is lost (silent past the
// timeout), so that the operator of an aggregate sees who takes part.
type ChildStatus struct {
	Child     string       `json:"child"`
	Aggregate string       `json:"aggregate"`
	Sites     []SiteReport `json:"sites"`
	// Targets are the targets the child was last answered, one per site
	// it reported.
	Targets  []Target  `json:"targets"`
	Joined   time.Time `json:"joined"`
	LastSeen time.Time `json:"last_seen"`
	Lost     bool      `json:"lost"`
}

// Children returns every child heard from since the aggregator started,
// by name, the lost ones marked.
func (a *Aggregator) Children() []ChildStatus {
	now := a.now()
	timeout := cmp.Or(a.Timeout, DefaultTimeout)
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]ChildStatus, 0, len(a.children))
	for _, c := range a.children {
		out = append(out, ChildStatus{Child: c.name, Aggregate: c.aggregate, Sites: slices.Clone(c.sites), Targets: slices.Clone(c.targets),
			Joined: c.joined, LastSeen: c.seen, Lost: now.Sub(c.seen) > timeout})
	}
	slices.SortFunc(out, func(x, y ChildStatus) int { return cmp.Compare(x.Child, y.Child) })
	return out
}
