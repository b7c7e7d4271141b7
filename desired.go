package hearth

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// PowerMode names how hard a miner should run.
type PowerMode string

// The power modes of a desired state. Firmwares offer watts, presets or
// work levels; the reconciler turns a mode into the Controller verbs every
// driver has (Pause, Resume, SetPowerTarget).
const (
	// PowerMax runs the miner at its stock setting: mining, and at Watts
	// when Watts is given.
	PowerMax PowerMode = "max"
	// PowerTarget runs the miner at a power target of Watts.
	PowerTarget PowerMode = "target"
	// PowerEco runs the miner at a reduced power target of Watts; it is
	// a target with a name operators recognise, so that a schedule can
	// switch a site to "eco" without knowing its wattage.
	PowerEco PowerMode = "eco"
	// PowerSleep pauses mining.
	PowerSleep PowerMode = "sleep"
)

// PowerProfile is the desired power of a miner: a mode and watts, or a
// reference to a named Profile that gives them per model.
type PowerProfile struct {
	Mode PowerMode `json:"mode,omitempty"`
	// Watts is the target of the target and eco modes, and an optional
	// cap of max.
	Watts float64 `json:"watts,omitempty"`
	// Profile, when set, names the Profile whose mode and watts apply; the
	// reconciler resolves it with the miner's model. Mode and Watts are
	// then empty, so that there is one source of the wattage.
	Profile string `json:"profile,omitempty"`
}

// Validate reports an EINVALID error for an unknown mode, a target
// without watts, or a profile reference with a mode or watts of its own.
func (p PowerProfile) Validate() error {
	if p.Profile != "" {
		if p.Mode != "" || p.Watts != 0 {
			return Errorf(EINVALID, "Power refers to profile %q; it takes no mode or watts of its own.", p.Profile)
		}
		return ValidateName("Profile", p.Profile)
	}
	switch p.Mode {
	case PowerMax, PowerSleep:
	case PowerTarget, PowerEco:
		if p.Watts <= 0 {
			return Errorf(EINVALID, "Power mode %s needs a positive number of watts.", p.Mode)
		}
	default:
		return Errorf(EINVALID, "Unknown power mode %q; use max, target, eco or sleep.", p.Mode)
	}
	if p.Watts < 0 {
		return Errorf(EINVALID, "Watts must not be negative.")
	}
	return nil
}

// PoolTemplate is one pool of a desired state. Its user is a pattern, so
// that one template names every miner of a site differently: the worker
// name shows the pool operator which machine is which.
type PoolTemplate struct {
	URL string `json:"url"`
	// UserPattern is the pool user with placeholders in braces, expanded
	// per miner by ExpandWorker: "acct.{site}-{rack}-{slot}".
	UserPattern string `json:"user_pattern"`
	Password    string `json:"password,omitempty"`
}

// DesiredState is what a site, group or miner should be. Every field is
// optional: an unset field is inherited from the wider scope (miner over
// group over site), and unset everywhere means hearth leaves it alone.
type DesiredState struct {
	// Pools, when not empty, are the pools in priority order (1 to 3).
	Pools []PoolTemplate `json:"pools,omitempty"`
	Power *PowerProfile  `json:"power,omitempty"`
	Fan   *FanMode       `json:"fan,omitempty"`
	// Locate is the fault light: on or off.
	Locate *bool `json:"locate,omitempty"`
}

// IsZero reports whether d sets nothing.
func (d DesiredState) IsZero() bool {
	return len(d.Pools) == 0 && d.Power == nil && d.Fan == nil && d.Locate == nil
}

// Validate reports an EINVALID error when d cannot be applied: too many
// pools, a pool without URL or user, an unknown placeholder, a bad power
// profile or fan speed.
func (d DesiredState) Validate() error {
	if len(d.Pools) > 3 {
		return Errorf(EINVALID, "A desired state has at most 3 pools, not %d.", len(d.Pools))
	}
	for i, p := range d.Pools {
		if p.URL == "" || p.UserPattern == "" {
			return Errorf(EINVALID, "Pool %d needs a URL and a user.", i+1)
		}
		if _, err := ExpandWorker(p.UserPattern, Placement{}); err != nil {
			return err
		}
		if pc := (PoolConfig{URL: p.URL, User: "x"}); pc.StratumV2() {
			if err := pc.validateStratumV2(); err != nil {
				return err
			}
		}
	}
	if d.Power != nil {
		if err := d.Power.Validate(); err != nil {
			return err
		}
	}
	if d.Fan != nil {
		if err := d.Fan.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Redacted returns a copy of d without pool passwords, for replies and
// logs.
func (d DesiredState) Redacted() DesiredState {
	if len(d.Pools) > 0 {
		pools := slices.Clone(d.Pools)
		for i := range pools {
			if pools[i].Password != "" {
				pools[i].Password = "***"
			}
		}
		d.Pools = pools
	}
	return d
}

// DesiredRecord is the desired state of one scope as stored.
type DesiredRecord struct {
	Scope Scope `json:"scope"`
	// Priority orders the groups of a miner that is in several: the group
	// with the higher priority wins a field both set; equal priorities are
	// ordered by group ID, so the outcome never depends on load order.
	// It means nothing for sites and miners.
	Priority  int          `json:"priority,omitempty"`
	State     DesiredState `json:"state"`
	UpdatedAt time.Time    `json:"updated_at,omitzero"`
}

// EffectiveDesired merges the desired states that apply to one miner,
// field by field: the miner's own record wins, then its groups (highest
// Priority first, then by ID), then its site. Pools are one field: a
// group's pool list replaces the site's whole, never merged pool by pool.
// Nil records are skipped, and records of other kinds are ignored.
func EffectiveDesired(records []*DesiredRecord) DesiredState {
	var ordered []*DesiredRecord
	for _, r := range records {
		if r != nil && (r.Scope.Kind == ScopeSite || r.Scope.Kind == ScopeGroup || r.Scope.Kind == ScopeMiner) {
			ordered = append(ordered, r)
		}
	}
	rank := map[ScopeKind]int{ScopeMiner: 0, ScopeGroup: 1, ScopeSite: 2}
	slices.SortStableFunc(ordered, func(a, b *DesiredRecord) int {
		if c := cmp.Compare(rank[a.Scope.Kind], rank[b.Scope.Kind]); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
			return c
		}
		return strings.Compare(a.Scope.ID, b.Scope.ID)
	})
	var out DesiredState
	for _, r := range ordered {
		s := r.State
		if len(out.Pools) == 0 && len(s.Pools) > 0 {
			out.Pools = slices.Clone(s.Pools)
		}
		if out.Power == nil && s.Power != nil {
			p := *s.Power
			out.Power = &p
		}
		if out.Fan == nil && s.Fan != nil {
			f := *s.Fan
			out.Fan = &f
		}
		if out.Locate == nil && s.Locate != nil {
			l := *s.Locate
			out.Locate = &l
		}
	}
	return out
}

// DesiredFilter chooses desired-state records.
type DesiredFilter struct {
	// Scopes, when not empty, returns only the records of these scopes.
	Scopes []Scope
	// Kind, when set, returns only records of that kind.
	Kind ScopeKind
}

// DesiredStateService stores desired states, one per scope.
type DesiredStateService interface {
	// SetDesired stores r, replacing the scope's previous record, and sets
	// r.UpdatedAt. It returns EINVALID for a bad scope or state.
	SetDesired(ctx context.Context, r *DesiredRecord) error
	// FindDesired returns the records f chooses, ordered by kind and ID.
	FindDesired(ctx context.Context, f DesiredFilter) ([]*DesiredRecord, error)
	// DeleteDesired removes the scope's record; ENOTFOUND when it has none.
	DeleteDesired(ctx context.Context, sc Scope) error
}

// Validate reports an EINVALID error when r cannot be stored.
func (r *DesiredRecord) Validate() error {
	if err := r.Scope.Validate(); err != nil {
		return err
	}
	return r.State.Validate()
}

// Desired returns the desired state c lays over its target's while its
// window is open, or EINVALID when the payload does not fit the kind:
//
//   - pause: Power sleep; the payload is empty or {}.
//   - power-profile: the payload is a PowerProfile, {"mode":"eco","watts":2500}
//     or a named profile, {"profile":"night"}.
//   - pools: the payload is {"pools":[PoolTemplate...]}, 1 to 3 pools.
//
// Only the fields c sets replace the target's; the others are inherited
// as usual.
func (c Change) Desired() (DesiredState, error) {
	if err := c.Validate(); err != nil {
		return DesiredState{}, err
	}
	var d DesiredState
	switch c.Kind {
	case ChangePause:
		if len(c.Payload) > 0 && strings.TrimSpace(string(c.Payload)) != "{}" && strings.TrimSpace(string(c.Payload)) != "null" {
			return d, Errorf(EINVALID, "A pause takes no payload.")
		}
		d.Power = &PowerProfile{Mode: PowerSleep}
	case ChangePowerProfile:
		var p PowerProfile
		if err := decodeStrict(c.Payload, &p); err != nil {
			return d, WrapError(EINVALID, err, `A power-profile change needs a payload such as {"mode":"eco","watts":2500}.`)
		}
		d.Power = &p
	case ChangePools:
		var p struct {
			Pools []PoolTemplate `json:"pools"`
		}
		if err := decodeStrict(c.Payload, &p); err != nil || len(p.Pools) == 0 {
			return d, Errorf(EINVALID, `A pools change needs a payload such as {"pools":[{"url":"stratum+tcp://pool:3333","user_pattern":"acct.{site}"}]}.`)
		}
		d.Pools = p.Pools
	}
	if err := d.Validate(); err != nil {
		return DesiredState{}, err
	}
	return d, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the payload")
	}
	return nil
}
