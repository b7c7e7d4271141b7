package hearth

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	// The zone database is compiled in so that a schedule's time zone means
	// the same thing on every host, including minimal containers without
	// /usr/share/zoneinfo.
	_ "time/tzdata"
)

// ScopeKind names what a schedule's target is: a whole site, a group of
// miners, or one miner. The organisation layer resolves the scope to miners;
// the schedule itself only carries the reference.
type ScopeKind string

// The kinds of scope a schedule can target.
const (
	ScopeSite  ScopeKind = "site"
	ScopeGroup ScopeKind = "group"
	ScopeMiner ScopeKind = "miner"
)

// Scope is the target of a schedule. It refers to a site, group or miner by
// ID rather than embedding it so that a schedule keeps following a group
// whose members change.
type Scope struct {
	Kind ScopeKind `json:"kind"`
	ID   string    `json:"id"`
}

// Validate reports an EINVALID error when sc does not name a target.
func (sc Scope) Validate() error {
	switch sc.Kind {
	case ScopeSite, ScopeGroup, ScopeMiner:
	case "":
		return Errorf(EINVALID, "A schedule needs a target kind: site, group or miner.")
	default:
		return Errorf(EINVALID, "Unknown target kind %q; use site, group or miner.", sc.Kind)
	}
	if strings.TrimSpace(sc.ID) == "" {
		return Errorf(EINVALID, "A schedule's %s target needs an ID.", sc.Kind)
	}
	return nil
}

// ChangeKind names the part of the desired state a schedule changes.
type ChangeKind string

// The kinds of change a schedule can make. The desired-state layer gives
// each its meaning; adding a kind means adding it here and there.
const (
	// ChangePowerProfile switches the target to a power profile (for
	// example "eco" overnight); the payload names the profile.
	ChangePowerProfile ChangeKind = "power-profile"
	// ChangePause pauses (sleeps) the target, for example to avoid a peak
	// tariff; it needs no payload.
	ChangePause ChangeKind = "pause"
	// ChangePools points the target at other pools; the payload lists them.
	ChangePools ChangeKind = "pools"
)

// ChangeKinds lists every change kind, for help texts and validation.
var ChangeKinds = []ChangeKind{ChangePowerProfile, ChangePause, ChangePools}

// Change is what a schedule does to the desired state while its window is in
// force. It is deliberately opaque here: the desired-state layer interprets
// Kind and Payload, applies the change when a window opens and reverts it
// when the window closes. Keeping it abstract lets the schedule engine be
// built and tested without knowing every kind of desired state.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Payload is the kind's argument as JSON (for a power profile, for
	// example {"mode":"eco","watts":2500}), empty when the kind needs none.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Validate reports an EINVALID error when c is not a known kind with a
// well-formed payload. What the payload means is checked by the desired-state
// layer.
func (c Change) Validate() error {
	known := false
	for _, k := range ChangeKinds {
		if c.Kind == k {
			known = true
		}
	}
	if c.Kind == "" {
		return Errorf(EINVALID, "A schedule needs a change kind (power-profile, pause or pools).")
	}
	if !known {
		return Errorf(EINVALID, "Unknown change kind %q.", c.Kind)
	}
	if len(c.Payload) > 0 && !json.Valid(c.Payload) {
		return Errorf(EINVALID, "The payload of the %s change is not valid JSON.", c.Kind)
	}
	return nil
}

// MaxRecurrenceLength caps the text of a recurrence, which comes from users
// and is parsed on every evaluation restart.
const MaxRecurrenceLength = 200

// Schedule changes the desired state of a target during windows of time:
// either one window (a one-off, between Start and End) or windows that
// recur (Recurrence), evaluated in the local time of TimeZone so that
// "15:00-17:30 on weekdays" stays at 15:00 on the wall clock across daylight
// saving changes. The schedule engine (package schedule) turns it into
// windows; the desired-state layer applies Change while a window is in force.
type Schedule struct {
	// ID is assigned by the store.
	ID string `json:"id"`
	// Name is what users call the schedule ("peak-charge avoidance").
	Name string `json:"name"`
	// Target is what the change applies to.
	Target Scope `json:"target"`
	// Change is what happens while a window is in force.
	Change Change `json:"change"`

	// Start and End bound a one-off window: in force from Start (inclusive)
	// to End (exclusive). They are absolute instants, so the time zone does
	// not move them. Both are zero for a recurring schedule.
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`

	// Recurrence is the text of a recurring schedule, either a daily window
	// ("15:00-17:30 mon-fri jun-sep") or a cron start with a duration
	// ("0 22 * * * for 8h"). Its syntax is documented and parsed by package
	// schedule; it is kept as text so that users read back what they wrote.
	Recurrence string `json:"recurrence,omitempty"`

	// TimeZone is the IANA zone ("Europe/Berlin") a recurring schedule is
	// evaluated in, normally the site's. It is required for a recurring
	// schedule; for a one-off it only tells a user interface how to show
	// the window.
	TimeZone string `json:"time_zone,omitempty"`

	// Enabled lets a user keep a schedule without it firing. A disabled
	// schedule is never in force.
	Enabled bool `json:"enabled"`
}

// Recurring reports whether s repeats (has a Recurrence) rather than being a
// one-off window.
func (s *Schedule) Recurring() bool { return s.Recurrence != "" }

// Location loads s's time zone. An empty TimeZone means UTC, which is only
// accepted by Validate for one-off schedules.
func (s *Schedule) Location() (*time.Location, error) {
	if s.TimeZone == "" {
		return time.UTC, nil
	}
	// LoadLocation treats "Local" and "" specially; a schedule must name a
	// real zone so that it means the same on every host.
	if s.TimeZone == "Local" {
		return nil, Errorf(EINVALID, "Time zone %q is not an IANA zone name; use one such as \"Europe/Berlin\".", s.TimeZone)
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, WrapError(EINVALID, err, "Unknown time zone %q; use an IANA name such as \"Europe/Berlin\".", s.TimeZone)
	}
	return loc, nil
}

// Validate reports an EINVALID error saying what is wrong when s is not a
// complete schedule. The syntax of Recurrence belongs to package schedule:
// Validate only checks that it is present and not oversized, and
// schedule.Compile checks the rest, so services call schedule.Compile (which
// calls Validate) before storing a schedule.
func (s *Schedule) Validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return Errorf(EINVALID, "A schedule needs a name.")
	}
	if err := s.Target.Validate(); err != nil {
		return err
	}
	if err := s.Change.Validate(); err != nil {
		return err
	}
	oneOff := !s.Start.IsZero() || !s.End.IsZero()
	switch {
	case oneOff && s.Recurring():
		return Errorf(EINVALID, "A schedule is either one-off (start and end) or recurring, not both.")
	case oneOff:
		if s.Start.IsZero() || s.End.IsZero() {
			return Errorf(EINVALID, "A one-off schedule needs both a start and an end.")
		}
		if !s.End.After(s.Start) {
			return Errorf(EINVALID, "A one-off schedule must end after it starts (start %s, end %s).",
				s.Start.Format(time.RFC3339), s.End.Format(time.RFC3339))
		}
	case s.Recurring():
		if len(s.Recurrence) > MaxRecurrenceLength {
			return Errorf(EINVALID, "A recurrence is at most %d characters.", MaxRecurrenceLength)
		}
		if s.TimeZone == "" {
			return Errorf(EINVALID, "A recurring schedule needs a time zone, such as \"Europe/Berlin\".")
		}
	default:
		return Errorf(EINVALID, "A schedule needs either a start and an end, or a recurrence.")
	}
	if _, err := s.Location(); err != nil {
		return err
	}
	return nil
}

// ScheduleService stores schedules. Implementations compile a schedule
// (package schedule) before storing it, so that a stored schedule always
// runs, and check its change's payload (Change.Desired).
type ScheduleService interface {
	// FindSchedules returns every schedule, ordered by name then ID.
	FindSchedules(ctx context.Context) ([]*Schedule, error)
	// FindScheduleByID returns the schedule or ENOTFOUND.
	FindScheduleByID(ctx context.Context, id string) (*Schedule, error)
	// CreateSchedule stores s and sets s.ID. It returns EINVALID for a
	// schedule that does not compile or whose payload is wrong.
	CreateSchedule(ctx context.Context, s *Schedule) error
	// UpdateSchedule replaces the schedule of s.ID: ENOTFOUND when there is
	// none, EINVALID as CreateSchedule.
	UpdateSchedule(ctx context.Context, s *Schedule) error
	// DeleteSchedule removes the schedule or returns ENOTFOUND.
	DeleteSchedule(ctx context.Context, id string) error
}
