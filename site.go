package hearth

import (
	"context"
	"strings"
	"time"
	"unicode"

	// The time zone database is embedded so that a site's zone validates
	// and converts the same on a minimal host without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// MaxNameLen bounds the name of a site or a group: it is shown in tables,
// used in URLs and matched against the miner's Site field.
const MaxNameLen = 64

// Site is a place miners run in, with the electrical facts that bound what
// may run there. A miner belongs to exactly one site: the one its Site field
// names, or the default site when that is "". The default site has no row
// of its own and no facts.
//
// Power figures are in watts, like every power in hearth; the CLI and the
// web UI show them in kW. Zero means "not recorded" for every fact.
type Site struct {
	// Name identifies the site; Miner.Site holds it. It never changes once
	// given, because credentials and miners refer to it.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// PowerBudget is the power the site may draw for mining, in watts.
	PowerBudget float64 `json:"power_budget_w,omitempty"`
	// Voltage is the supply voltage at the PDUs, in volts (line to line
	// for three phases).
	Voltage float64 `json:"voltage_v,omitempty"`
	// Phases is 1 or 3, or 0 when not recorded.
	Phases int `json:"phases,omitempty"`
	// MainBreaker is the main breaker's rating, in amperes.
	MainBreaker float64 `json:"main_breaker_a,omitempty"`
	// PDULimitCurrent and PDULimitPower are the limit of one rack's PDU,
	// in amperes or in watts, whichever the site's documents give.
	PDULimitCurrent float64 `json:"pdu_limit_a,omitempty"`
	PDULimitPower   float64 `json:"pdu_limit_w,omitempty"`
	// TimeZone is the IANA name of the site's zone ("Europe/Oslo"), for
	// schedules and for what a technician on site calls "tonight". ""
	// means UTC.
	TimeZone string `json:"time_zone,omitempty"`
	// RampUpPerMinute and RampDownPerMinute bound how fast hearth's power
	// controller moves the site's power, in watts per minute, as grid
	// programs ask of controllable loads (ERCOT's MW/min ramp rates) and
	// as a site's transformer and breakers like it; 0 means no limit.
	RampUpPerMinute   float64 `json:"ramp_up_w_per_min,omitempty"`
	RampDownPerMinute float64 `json:"ramp_down_w_per_min,omitempty"`

	// MinerCount is how many miners belong to the site. It is filled by
	// reads and ignored by writes.
	MinerCount int `json:"miner_count"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate reports an EINVALID error naming the field when s cannot be
// stored.
func (s *Site) Validate() error {
	if err := ValidateName("Site", s.Name); err != nil {
		return err
	}
	if len(s.Description) > 1000 {
		return Errorf(EINVALID, "Site description must be at most 1000 characters.")
	}
	for _, f := range []struct {
		name  string
		value float64
	}{
		{"power_budget_w", s.PowerBudget},
		{"voltage_v", s.Voltage},
		{"main_breaker_a", s.MainBreaker},
		{"pdu_limit_a", s.PDULimitCurrent},
		{"pdu_limit_w", s.PDULimitPower},
		{"ramp_up_w_per_min", s.RampUpPerMinute},
		{"ramp_down_w_per_min", s.RampDownPerMinute},
	} {
		// NaN fails both comparisons, so it is caught here too.
		if !(f.value >= 0 && f.value < 1e12) {
			return Errorf(EINVALID, "Site %s must be a number from 0 (not recorded) up, not %v.", f.name, f.value)
		}
	}
	if s.Phases != 0 && s.Phases != 1 && s.Phases != 3 {
		return Errorf(EINVALID, "Site phases must be 1 or 3 (or 0 when not recorded), not %d.", s.Phases)
	}
	if err := ValidateTimeZone(s.TimeZone); err != nil {
		return err
	}
	return nil
}

// Location returns the site's time zone, UTC when none is recorded or the
// recorded one is unknown to this build.
func (s *Site) Location() *time.Location {
	if s.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// ValidateTimeZone reports an EINVALID error when tz is neither "" nor an
// IANA zone name. "Local" is refused: it would mean whatever zone the
// server happens to run in.
func ValidateTimeZone(tz string) error {
	if tz == "" {
		return nil
	}
	if tz == "Local" || strings.TrimSpace(tz) != tz {
		return Errorf(EINVALID, "Site time_zone %q is not an IANA zone name such as \"Europe/Oslo\" or \"UTC\".", tz)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return Errorf(EINVALID, "Site time_zone %q is not an IANA zone name such as \"Europe/Oslo\" or \"UTC\".", tz)
	}
	return nil
}

// ValidateName reports an EINVALID error when name cannot name a site or a
// group (what says which): 1 to MaxNameLen printable characters without
// leading or trailing space and without "/", so that it fits a URL path
// segment and a table cell.
func ValidateName(what, name string) error {
	if name == "" {
		return Errorf(EINVALID, "%s name required.", what)
	}
	if len(name) > MaxNameLen || strings.TrimSpace(name) != name || strings.ContainsRune(name, '/') ||
		strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return Errorf(EINVALID, "%s name %q must be 1 to %d printable characters, without \"/\" or leading and trailing spaces.", what, name, MaxNameLen)
	}
	return nil
}

// SiteService keeps the sites of the fleet.
//
// A miner whose Site names a site that does not exist yet creates it, with
// no facts recorded, when the miner is stored: adding miners from a scan or
// a CSV file should not fail because nobody made the site first. A site
// with miners cannot be deleted; move them first.
type SiteService interface {
	// FindSiteByName returns the site or ENOTFOUND.
	FindSiteByName(ctx context.Context, name string) (*Site, error)
	// FindSites returns every site ordered by name, with miner counts.
	FindSites(ctx context.Context) ([]*Site, error)
	// CreateSite adds s and sets its timestamps; ECONFLICT when the name
	// is taken, EINVALID when s does not validate.
	CreateSite(ctx context.Context, s *Site) error
	// UpdateSite stores every field of s but Name and CreatedAt; ENOTFOUND
	// when the site is unknown.
	UpdateSite(ctx context.Context, s *Site) error
	// DeleteSite removes the site; ENOTFOUND when unknown, ECONFLICT when
	// miners still belong to it.
	DeleteSite(ctx context.Context, name string) error
}
